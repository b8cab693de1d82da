"""The server-rendered pages of both hosts, as a person uses them."""

import pytest
from django.test import Client as HttpClient

from engagements import provisioning
from engagements.models import Client
from tests.conftest import PUBLIC_HOST, login


@pytest.fixture
def consultant_a(world) -> HttpClient:
    http = HttpClient()
    login(http, host=PUBLIC_HOST, email=world.a.consultant.email)
    return http


def test_the_portfolio_shows_assigned_clients_with_phase_consultants_and_theater_score(db, consultant_a, world):
    page = consultant_a.get("/", HTTP_HOST=PUBLIC_HOST).content.decode()
    assert world.a.client.name in page and world.b.client.name not in page
    assert world.a.consultant.email in page
    assert "6 / 6" in page and "at risk" in page and "audit" in page


def test_the_new_client_form_shows_what_is_wrong_and_makes_nothing(db, consultant_a):
    before = Client.objects.count()
    response = consultant_a.post("/clients/new/", {"name": "Dup", "slug": "tenant-b"}, HTTP_HOST=PUBLIC_HOST)
    assert response.status_code == 200
    assert "The slug &#x27;tenant-b&#x27; is taken." in response.content.decode()
    assert Client.objects.count() == before


def test_with_a_pooled_schema_the_new_client_is_ready_at_once(committed, consultant_a):
    provisioning.tenant_pool_warm_one()
    form = {"name": "Instant", "slug": "instant", "admin_email": "boss@instant.test"}
    response = consultant_a.post("/clients/new/", form, HTTP_HOST=PUBLIC_HOST)
    assert response.status_code == 302 and response["Location"] == "/clients/instant/"
    page = consultant_a.get("/clients/instant/", HTTP_HOST=PUBLIC_HOST).content.decode()
    assert "Instant is ready." in page and "Open workspace" in page and "instant.localhost" in page
    assert "Send boss@instant.test this link to set a password: http://instant.localhost/invite/" in page


def test_a_provisioning_client_polls_its_status_and_its_workspace_says_it_is_being_set_up(committed, consultant_a):
    response = consultant_a.post("/clients/new/", {"name": "Slow", "slug": "slow"}, HTTP_HOST=PUBLIC_HOST)
    assert response.status_code == 302
    fragment = consultant_a.get("/clients/slow/status/", HTTP_HOST=PUBLIC_HOST).content.decode()
    assert 'hx-get="/clients/slow/status/"' in fragment and "provisioning" in fragment
    workspace = HttpClient().get("/", HTTP_HOST="slow.localhost")
    assert workspace.status_code == 503 and "being set up" in workspace.content.decode()

    provisioning.client_provision(client_id=Client.objects.get(slug="slow").pk)
    fragment = consultant_a.get("/clients/slow/status/", HTTP_HOST=PUBLIC_HOST).content.decode()
    assert "hx-get" not in fragment and "Open workspace" in fragment
    assert HttpClient().get("/", HTTP_HOST="slow.localhost").status_code == 302  # ready: sign in


def test_a_viewer_sees_the_workspace_but_not_people_and_keys(world, db):
    http = HttpClient()
    login(http, host=world.a.domain, email=world.a.viewer.email)
    page = http.get("/", HTTP_HOST=world.a.domain).content.decode()
    assert world.a.client.name in page and "People &amp; keys" not in page
