"""Tasks that read a client's API keys."""

from celery import shared_task

from apikeys.models import ApiKey
from smartwork.tenancy import current_schema_name


@shared_task(ignore_result=False)
def tenant_health() -> dict:
    """Say which schema this worker ran the task in, and what it can read there.

    Used by operators (and the tests) to check that a task runs in the client it was sent from.
    """
    return {"schema": current_schema_name(), "api_key_names": sorted(ApiKey.objects.values_list("name", flat=True))}
