"""Tenant isolation: every route of both hosts, tried with tenant A's credentials on B's host, with
B's object ids on A's host, and with A's credentials against B's objects on the public host.

Each try must be refused (401, 403, 404 or 405; a page may redirect to the login page) unless the
route is one anybody may open, and B's canary strings must never appear in any answer. Routes are
found by walking the URL confs and OpenAPI operations by generating the schemas, so a route added
later is tried by construction; one whose path parameter the harness cannot fill fails the suite.
"""

from urllib.parse import urlparse

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client as HttpClient
from drf_spectacular.generators import SchemaGenerator

from engagements.middleware import SESSION_SCHEMA_KEY
from tests.conftest import PUBLIC_HOST, login
from tests.isolation.routes import HOST_URLCONFS, all_routes
from tests.world import Tenant, World

METHODS = ("get", "post", "put", "patch", "delete")
DENIED = {401, 403, 404, 405}
# Routes anybody may open (sign-in, sign-out, health, the API's description). They are still tried,
# and must still never show another tenant's data.
OPEN_ROUTES = {"login", "logout", "healthz", "api_schema", "api_docs"}
# Path parameters that are themselves a credential (an invitation link): whoever holds B's link may
# use it on B's host, so on B's host A tries its own link; on A's host, B's.
CREDENTIAL_PARAMS = {"uidb64", "token"}
ROUTES = all_routes()


def param_values(tenant: Tenant, *, credentials_of: Tenant | None = None) -> dict[str, str]:
    """Path parameters filled with `tenant`'s real object ids. A new parameter name must be added here."""
    invitation = urlparse((credentials_of or tenant).invitation_path).path.strip("/").split("/")
    return {
        "slug": tenant.client.slug,
        "member_id": tenant.viewer_membership.id,
        "key_id": tenant.key_prefixes["admin"],
        "uidb64": invitation[1],
        "token": invitation[2],
    }


def _session_client(*, host: str, email: str) -> HttpClient:
    client = HttpClient()
    login(client, host=host, email=email)
    return client


def _forced_session_client(*, user, bound_to_schema: str) -> HttpClient:
    """A session for `user` bound to a schema they have no role in: what a login bug would make."""
    client = HttpClient()
    client.force_login(user)
    session = client.session
    session[SESSION_SCHEMA_KEY] = bound_to_schema
    session.save()
    assert client.session[SESSION_KEY]
    return client


def _principals_against_tenant_host(world: World) -> dict[str, tuple[HttpClient, dict]]:
    """A's credentials of every kind, to be used on B's host."""
    a, b = world.a, world.b
    return {
        "A admin session replayed": (_session_client(host=a.domain, email=a.admin.email), {}),
        "A consultant session replayed": (_session_client(host=PUBLIC_HOST, email=a.consultant.email), {}),
        "A admin session bound to B": (_forced_session_client(user=a.admin, bound_to_schema=b.schema), {}),
        "A consultant session bound to B": (_forced_session_client(user=a.consultant, bound_to_schema=b.schema), {}),
        "A admin API key": (HttpClient(), {"HTTP_AUTHORIZATION": f"Api-Key {a.keys['admin']}"}),
        "A consultant token": (HttpClient(), {"HTTP_AUTHORIZATION": f"Token {a.consultant_token}"}),
    }


def _principals_on_own_host(world: World) -> dict[str, tuple[HttpClient, dict]]:
    """A's legitimate credentials on A's own host."""
    a = world.a
    return {
        "A admin session": (_session_client(host=a.domain, email=a.admin.email), {}),
        "A consultant session": (_session_client(host=a.domain, email=a.consultant.email), {}),
        "A admin API key": (HttpClient(), {"HTTP_AUTHORIZATION": f"Api-Key {a.keys['admin']}"}),
    }


def _principals_on_public_host(world: World) -> dict[str, tuple[HttpClient, dict]]:
    a = world.a
    return {
        "A consultant session": (_session_client(host=PUBLIC_HOST, email=a.consultant.email), {}),
        "A consultant token": (HttpClient(), {"HTTP_AUTHORIZATION": f"Token {a.consultant_token}"}),
        "A admin session replayed": (_session_client(host=a.domain, email=a.admin.email), {}),
        "A admin API key": (HttpClient(), {"HTTP_AUTHORIZATION": f"Api-Key {a.keys['admin']}"}),
    }


def _refused(response) -> bool:
    if response.status_code in DENIED:
        return True
    return response.status_code == 302 and urlparse(response["Location"]).path == "/login/"


def _try(route, path, host, principals, *, must_refuse: bool, canary: str) -> list[str]:
    problems = []
    for who, (client, headers) in principals.items():
        for method in METHODS:
            response = getattr(client, method)(path, HTTP_HOST=host, **headers)
            body = response.content.decode(errors="replace")
            where = f"{method.upper()} {host}{path} as {who} -> {response.status_code}"
            if response.status_code >= 500:
                problems.append(f"{where}: server error")
            if canary in body or canary in response.get("Location", ""):
                problems.append(f"{where}: shows B's canary")
            if must_refuse and route.name not in OPEN_ROUTES and not _refused(response):
                problems.append(f"{where}: not refused")
    return problems


@pytest.mark.parametrize("route", ROUTES, ids=[route.id for route in ROUTES])
def test_no_route_lets_tenant_a_reach_tenant_b(route, world, db):
    a, b = world.a, world.b
    missing = [name for name in route.params if name not in param_values(b)]
    assert not missing, f"{route.id}: the isolation harness cannot fill {missing}; add them to param_values()"
    problems = []
    if route.host == "tenant":
        # A's credentials on B's host, against B's own objects.
        problems += _try(
            route,
            route.path(param_values(b, credentials_of=a)),
            b.domain,
            _principals_against_tenant_host(world),
            must_refuse=True,
            canary=b.canary,
        )
        # A's legitimate credentials on A's host, with B's object ids (or none: then just no B data).
        problems += _try(
            route,
            route.path(param_values(b)),
            a.domain,
            _principals_on_own_host(world),
            must_refuse=bool(route.params),
            canary=b.canary,
        )
    else:
        # The public host: A's consultant reaches B's client by no route.
        problems += _try(
            route,
            route.path(param_values(b)),
            PUBLIC_HOST,
            _principals_on_public_host(world),
            must_refuse=bool(route.params),
            canary=b.canary,
        )
    assert not problems, "\n".join(problems)


def _openapi_operations(urlconf: str) -> set[tuple[str, str]]:
    schema = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
    return {(path, method) for path, item in schema["paths"].items() for method in item if method in METHODS}


@pytest.mark.parametrize("host", sorted(HOST_URLCONFS))
def test_every_openapi_operation_is_a_route_the_harness_tries(host):
    tried = {(route.openapi_path, method) for route in ROUTES if route.host == host for method in METHODS}
    operations = _openapi_operations(HOST_URLCONFS[host])
    assert operations, "the OpenAPI schema lists no operation"
    assert operations <= tried, f"operations the harness does not try: {sorted(operations - tried)}"


def test_the_harness_finds_the_api_routes_of_both_hosts():
    names = {(route.host, route.name) for route in ROUTES}
    assert {("public", "client_detail"), ("tenant", "member_detail"), ("tenant", "api_key_detail")} <= names
