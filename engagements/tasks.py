"""Celery tasks of the public schema: a few lines each, calling one service."""

from celery import shared_task

from engagements import links, provisioning, services
from engagements.models import Client
from smartwork.actors import Actor


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


@shared_task
def password_reset_request(email: str, client_id: int | None) -> None:
    """'Forgot password', off the request: whether the address has an account shows in no timing."""
    client = Client.objects.filter(pk=client_id).first() if client_id is not None else None
    if client_id is not None and client is None:
        return
    services.password_reset_request(email=email, client=client, actor=Actor.system("password_reset_request"))


@shared_task
def links_purge() -> None:
    links.links_purge()
