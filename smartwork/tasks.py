"""Operational tasks that belong to no app."""

from celery import shared_task

from smartwork.tenancy import current_schema_name


@shared_task(ignore_result=False)
def tenant_health() -> dict:
    """Say which schema this worker ran the task in, and what it can read there.

    Used by operators (and the tests) to check that a task runs in the tenant it was sent from.
    """
    from apikeys.models import ApiKey

    return {"schema": current_schema_name(), "api_key_names": sorted(ApiKey.objects.values_list("name", flat=True))}
