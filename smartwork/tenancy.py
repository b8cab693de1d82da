"""Which host a request is on, and who may act there: one place for every access decision."""

from dataclasses import dataclass

from django.db import connection
from django_tenants.utils import get_public_schema_name


def on_public_host() -> bool:
    return connection.schema_name == get_public_schema_name()


@dataclass(frozen=True)
class ApiKeyPrincipal:
    """Stands in for request.user when a tenant API key authenticated the request."""

    api_key: object
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_active: bool = True
    is_consultant: bool = False
    is_staff: bool = False
    is_superuser: bool = False
    pk: None = None
    id: None = None

    def __str__(self) -> str:
        return f"API key {self.api_key.name}"


CONSULTANT = "consultant"
CLIENT_ADMIN = "client_admin"
CLIENT_VIEWER = "client_viewer"
ANY_ROLE = frozenset({CONSULTANT, CLIENT_ADMIN, CLIENT_VIEWER})
MANAGERS = frozenset({CONSULTANT, CLIENT_ADMIN})


def tenant_role(user, client) -> str | None:
    """The user's role in this client's workspace: an assigned consultant, a member's role, or None."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None or client is None:
        return None
    if user.is_consultant:
        return CONSULTANT if client.assignments.filter(consultant=user).exists() else None
    membership = client.memberships.filter(user=user).only("role").first()
    return membership.role if membership else None


def request_tenant_role(request) -> str | None:
    """tenant_role for the request's user on the request's tenant, computed once per request."""
    if not hasattr(request, "_tenant_role"):
        tenant = getattr(request, "tenant", None)
        request._tenant_role = None if on_public_host() else tenant_role(request.user, tenant)
    return request._tenant_role


def workspace_url(request, client, path: str = "/") -> str:
    """An absolute URL on a client's own host, with this request's scheme and port."""
    port = request.get_port()
    port = "" if port in ("80", "443") else f":{port}"
    return f"{request.scheme}://{client.primary_domain}{port}{path}"
