"""Celery with a real worker (a subprocess on the real Redis broker): tasks run in the schema they
were sent from, and a client created with an empty pool is provisioned by the worker."""

from django.test import Client as HttpClient
from django_tenants.utils import tenant_context

from apikeys.tasks import tenant_health
from engagements.models import Client
from tests.conftest import PUBLIC_HOST

TASK_TIMEOUT_S = 120


def test_a_task_sent_from_tenant_a_runs_in_a_schema_and_reads_only_a_data(world, live_stack):
    with tenant_context(world.a.client):
        from_a = tenant_health.delay()
    with tenant_context(world.b.client):
        from_b = tenant_health.delay()
    result_a = from_a.get(timeout=TASK_TIMEOUT_S)
    result_b = from_b.get(timeout=TASK_TIMEOUT_S)
    assert result_a["schema"] == world.a.schema
    assert result_b["schema"] == world.b.schema
    assert result_a["api_key_names"] and all(world.a.canary in name for name in result_a["api_key_names"])
    assert not any(world.b.canary in name for name in result_a["api_key_names"])


def test_a_client_made_with_an_empty_pool_is_provisioned_by_the_worker(world, live_stack, committed):
    http = HttpClient()
    response = http.post(
        "/api/v1/clients/",
        {"name": "Worker Made", "slug": "worker-made", "domain": "worker-made.localhost"},
        content_type="application/json",
        HTTP_HOST=PUBLIC_HOST,
        HTTP_AUTHORIZATION=f"Token {world.a.consultant_token}",
    )
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "provisioning"
    _wait_until_provisioned(Client.objects.get(slug="worker-made"))
    body = http.get(
        "/api/v1/clients/worker-made/",
        HTTP_HOST=PUBLIC_HOST,
        HTTP_AUTHORIZATION=f"Token {world.a.consultant_token}",
    ).json()
    assert body["status"] == "ready"
    assert body["domain"] == "worker-made.localhost"


def _wait_until_provisioned(client: Client) -> None:
    """Wait for the worker's provisioning job without a clock: the test's worker runs one job at a
    time in queue order, so when a job sent after it returns its result, the provisioning is done."""
    with tenant_context(client):
        tenant_health.delay().get(timeout=TASK_TIMEOUT_S)
    client.refresh_from_db()
    assert client.status == Client.Status.READY, client.failure_reason
