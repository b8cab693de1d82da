"""Which host a request is on, and who may act there: one place for every access decision."""

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django_tenants.utils import get_public_schema_name

if TYPE_CHECKING:
    from rest_framework_api_key.models import AbstractAPIKey

# django_tenants' database backend adds schema_name and set_schema_to_public() to the connection;
# django-stubs types the connection as Django's base wrapper, so these two say it once, typed.


def current_schema_name() -> str:
    """The schema the connection works in now: a client's, or the public one."""
    return connection.schema_name  # type: ignore[attr-defined]  # see above: added by django_tenants


def set_schema_to_public() -> None:
    """Point the connection back at the public schema."""
    connection.set_schema_to_public()  # type: ignore[attr-defined]  # see above: added by django_tenants


def on_public_host() -> bool:
    return current_schema_name() == get_public_schema_name()


@dataclass(frozen=True)
class ApiKeyPrincipal:
    """Stands in for request.user when a tenant API key authenticated the request."""

    api_key: "AbstractAPIKey"
    scope: str  # read, write or admin (apikeys.models.ApiKey.Scope)
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


def public_url(path: str = "/") -> str:
    """An absolute URL on the consultancy's host, as people reach it (settings.PUBLIC_URL)."""
    return settings.PUBLIC_URL + path


def workspace_url(client, path: str = "/") -> str:
    """An absolute URL on a client's own host: the public URL's scheme and port, the client's domain.
    Never the app server's own address, which sits behind the proxy."""
    public = urlsplit(settings.PUBLIC_URL)
    port = f":{public.port}" if public.port else ""
    return f"{public.scheme}://{client.primary_domain}{port}{path}"
