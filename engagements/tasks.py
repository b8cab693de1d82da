"""Celery tasks of the public schema: a few lines each, calling one service."""

from celery import shared_task

from engagements import provisioning


@shared_task
def tenant_pool_refill() -> None:
    provisioning.tenant_pool_refill()


@shared_task
def client_provision(client_id: int) -> None:
    provisioning.client_provision(client_id=client_id)


@shared_task
def client_provision_stalled() -> None:
    for client_id in provisioning.clients_stalled_in_provisioning():
        client_provision.delay(client_id)


@shared_task
def tenant_schemas_bring_current() -> None:
    provisioning.tenant_schemas_bring_current()
