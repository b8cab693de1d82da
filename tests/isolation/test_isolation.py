"""Tenant isolation harness: every route of both hosts, with every kind of credential, on every kind
of host, with real bodies naming the other tenant; a leak turns it red.

What it tries, for every route found by walking the URL confs (tests/isolation/routes.py) and each of
GET, POST, PUT, PATCH and DELETE:

1. On B's host, A's credentials of every kind: A's admin, viewer and consultant sessions (made by
   signing in on A's host, or on the public host) replayed there; the dual consultant's A-host
   session; sessions of A's people forced-bound to B's schema (what a sign-in bug would make); A's
   API keys of each scope; A's consultant token; A's one-time links (its pending person's
   invitation, a reset link, a hand-over) as path parameters. Each must be refused (401, 403, 404,
   405 or 410; a page may redirect to /login/), except the routes anybody may open (OPEN_ROUTES).
2. On A's host, A's legitimate credentials (admin, viewer and consultant sessions, the dual
   consultant's session, read, write and admin keys, nobody) with B's object ids and B's links in the
   path (must be refused) and with A's own ids (may succeed), and bodies naming B: B's name, slug,
   domain, notes, B's people's e-mails (bodies.py; a body naming people is also sent naming A's own
   people and A's consultant, who a request acting on B by mistake would add to B), plus fields no
   route takes naming B's ids (mass assignment). JSON to API routes, form data to pages.
3. On the public host, A's consultant (session and token) with B's slug and token ids (refused) and
   with A's own (may succeed), bodies as above; tenant credentials (sessions, API keys) refused.
4. An unknown host, www.<B's domain> (an alias of B's host, django-tenants strips "www."), the host
   of a client still provisioning (every route answers 503: JSON {"detail", "status"} under /api/,
   HTML otherwise) and the domain a failed client asked for (no route serves it: 404 or 400), with
   and without credentials.

After every request: no answer is a 5xx; no answer (body, headers, e-mails it sent) shows B's
markers (its canary, found in every field of B's data, and its people's e-mails; tests/world.py),
nor the not-ready clients' canaries, beyond what the request itself sent (an echo) and B's name on
B's own host (its sign-in page names it); and B's data is unchanged: a fingerprint of everything B
owns (tests/isolation/fingerprint.py) is compared with the one taken before. Each request runs in a
savepoint rolled back afterwards, so what A legitimately changes on A never colours the next one.

A new route is covered by construction. Its path parameters and body fields are filled from the
tables in bodies.py (keyed by name); one they cannot fill fails the suite, naming what to add. API
bodies come from the operation's request serializer in the OpenAPI schema, page bodies from the
forms the view uses. tests/isolation/test_mutation_proof.py shows that known leaks turn this red.
"""

import html
import json
import logging
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import cache
from http.cookies import SimpleCookie
from urllib.parse import unquote, urlencode, urlparse

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.test import Client as HttpClient
from django.test import TestCase
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from engagements import links
from engagements.middleware import SESSION_SCHEMA_KEY
from engagements.models import ConsultantToken, OneTimeLink
from smartwork.actors import Actor
from tests.isolation.bodies import (
    CREDENTIAL_PARAMS,
    PERSON_FIELDS,
    body_fields,
    body_values,
    mass_assignment_fields,
    missing_params,
    param_values,
)
from tests.isolation.fingerprint import Fingerprint, row_sets, text_values
from tests.isolation.routes import HOST_URLCONFS, METHODS, Route, all_routes, openapi_operations
from tests.world import PUBLIC_HOST, Tenant, World, dual_consultant_assigned

ROUTES = all_routes()
TENANT_ROUTES = [route for route in ROUTES if route.host == "tenant"]
PUBLIC_ROUTES = [route for route in ROUTES if route.host == "public"]
REFUSED = {401, 403, 404, 405, 410}
# Routes anybody may open (sign-in, sign-out, password reset, health, the API's description). They
# are still tried, and must still never show another tenant's data.
OPEN_ROUTES = {"login", "logout", "password_reset", "password_reset_sent", "healthz", "api_schema", "api_docs"}
UNKNOWN_HOST = "nowhere.localhost"
SIGN_IN_BACKEND = "engagements.backends.HostAccessBackend"


def _ids(routes: list[Route]) -> list[str]:
    return [route.id for route in routes]


# --- who asks ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    label: str
    session: str | None = None  # a session key
    authorization: str | None = None  # an Authorization header

    def http(self) -> HttpClient:
        """This principal's client, with no cookie but its session (answers may not set any for the next)."""
        http = _client_of(self)
        http.cookies = SimpleCookie()
        if self.session:
            http.cookies[settings.SESSION_COOKIE_NAME] = self.session
        return http

    @property
    def headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": self.authorization} if self.authorization else {}


@cache
def _client_of(principal: Principal) -> HttpClient:
    # One client per principal: a new client loads the middleware again (WhiteNoise scans the static
    # files), which would cost more than the request.
    return HttpClient(raise_request_exception=False)


NOBODY = Principal("nobody (no credential)")


def _session_bound(user, schema: str) -> str:
    """A session for `user` bound to `schema`, made without signing in: what a sign-in bug would make."""
    session = SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = SIGN_IN_BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SESSION_SCHEMA_KEY] = schema
    session.create()
    return session.session_key


def _keys(tenant: Tenant) -> list[Principal]:
    side = tenant.side.upper()
    return [
        Principal(f"{side}'s {scope} API key", authorization=f"Api-Key {key}") for scope, key in tenant.keys.items()
    ]


@dataclass
class Harness:
    world: World
    dual_sessions: dict[str, str]  # host -> session key
    forced: dict[str, str]  # label -> session key
    fingerprint: Fingerprint  # of everything B owns

    def on_b_host(self) -> list[Principal]:
        """A's credentials of every kind, to be used on B's host."""
        a = self.world.a
        return [
            Principal("A's admin session (signed in on A's host)", session=a.sessions["admin"]),
            Principal("A's viewer session (signed in on A's host)", session=a.sessions["viewer"]),
            Principal("A's consultant session (signed in on A's host)", session=a.sessions["consultant"]),
            Principal("A's consultant session (signed in on the public host)", session=a.sessions["consultant_public"]),
            Principal("the dual consultant's session (signed in on A's host)", session=self.dual_sessions[a.domain]),
            *(Principal(label, session=key) for label, key in self.forced.items() if "bound to B" in label),
            *_keys(a),
            Principal("A's consultant token", authorization=f"Token {a.consultant_token}"),
            NOBODY,
        ]

    def on_a_host(self) -> list[Principal]:
        """A's legitimate credentials on A's own host."""
        a = self.world.a
        return [
            Principal("A's admin session", session=a.sessions["admin"]),
            Principal("A's viewer session", session=a.sessions["viewer"]),
            Principal("A's consultant session", session=a.sessions["consultant"]),
            Principal("the dual consultant (assigned to A and B), on A's host", session=self.dual_sessions[a.domain]),
            *_keys(a),
            NOBODY,
        ]

    def consultants_on_public_host(self) -> list[Principal]:
        a = self.world.a
        return [
            Principal("A's consultant session", session=a.sessions["consultant_public"]),
            Principal("A's consultant token", authorization=f"Token {a.consultant_token}"),
        ]

    def tenant_credentials_on_public_host(self) -> list[Principal]:
        """Credentials of a tenant host, which the public host must refuse."""
        a = self.world.a
        return [
            Principal("A's admin session (signed in on A's host)", session=a.sessions["admin"]),
            Principal("A's consultant session (signed in on A's host)", session=a.sessions["consultant"]),
            Principal("A's admin session bound to the public host", session=self.forced["A's admin bound to public"]),
            *_keys(a),
            NOBODY,
        ]

    def on_odd_hosts(self) -> list[Principal]:
        a = self.world.a
        return [
            NOBODY,
            Principal("A's admin session", session=a.sessions["admin"]),
            Principal("A's consultant session (public host)", session=a.sessions["consultant_public"]),
            Principal("A's admin API key", authorization=f"Api-Key {a.keys['admin']}"),
            Principal("A's consultant token", authorization=f"Token {a.consultant_token}"),
        ]


@pytest.fixture(scope="module", autouse=True)
def _quiet_refusals():
    """Thousands of refusals are the point here: django.request's warnings about each would bury a failure."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture(scope="module")
def harness(world, django_db_blocker):
    """The dual consultant assigned and signed in, sessions forced-bound to hosts their people have no
    access to, and B's row sets; committed for the module, undone after it."""
    a, b = world.a, world.b
    undo = ExitStack()
    with django_db_blocker.unblock():
        dual_sessions = undo.enter_context(dual_consultant_assigned(world))
        forced = {
            "A's admin session bound to B's schema": _session_bound(a.admin, b.schema),
            "A's viewer session bound to B's schema": _session_bound(a.viewer, b.schema),
            "A's consultant session bound to B's schema": _session_bound(a.consultant, b.schema),
            "A's admin bound to public": _session_bound(a.admin, "public"),
        }
        undo.callback(Session.objects.filter(session_key__in=forced.values()).delete)
        fingerprint = Fingerprint(row_sets(client=b.client, shared_people=[world.dual.pk]))
        connection.set_schema_to_public()
    yield Harness(world=world, dual_sessions=dual_sessions, forced=forced, fingerprint=fingerprint)
    with django_db_blocker.unblock(), undo:
        connection.set_schema_to_public()


# --- one-time links as path parameters --------------------------------------------------------------


def tenant_links(owner: Tenant) -> dict[str, str]:
    """One link of each kind for `owner`'s host (made in the test's transaction: hand-overs live a minute)."""
    side = owner.side.upper()
    return {
        f"{side}'s pending person's invitation": owner.invitation_token,
        f"{side}'s admin's reset link": links.link_create(
            actor=Actor.cli("tests"), user=owner.admin, purpose=OneTimeLink.Purpose.PASSWORD_RESET, client=owner.client
        ),
        f"{side}'s consultant's hand-over": links.link_create(
            actor=Actor.cli("tests"), user=owner.consultant, purpose=OneTimeLink.Purpose.HANDOVER, client=owner.client
        ),
    }


def public_links(owner: Tenant) -> dict[str, str]:
    side = owner.side.upper()
    return {
        f"{side}'s consultant's reset link (public host)": links.link_create(
            actor=Actor.cli("tests"), user=owner.consultant, purpose=OneTimeLink.Purpose.PASSWORD_RESET, client=None
        )
    }


def paths(route: Route, ids_of: Tenant, link_tokens: dict[str, str]) -> list[tuple[str, str]]:
    """(what is in the path, path): one path, or one per link when the route takes a link."""
    missing = missing_params(route, ids_of)
    assert not missing, f"{route.id}: the isolation harness cannot fill {missing}; add them to param_values()"
    values = param_values(ids_of)
    if not set(route.params) & CREDENTIAL_PARAMS:
        what = f"{ids_of.side.upper()}'s ids in the path" if route.params else ""
        return [(what, route.path(values))]
    return [
        (f"{label} in the path", route.path({**values, **dict.fromkeys(CREDENTIAL_PARAMS, token)}))
        for label, token in link_tokens.items()
    ]


# --- one request, and what is wrong with its answer -------------------------------------------------


def _strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list | tuple):
        return [s for item in value for s in _strings(item)]
    if isinstance(value, bytes):  # an uploaded CSV: its cells are what was sent
        return [cell for line in value.decode().splitlines() for cell in line.split(",") if cell]
    return [str(value)]


def _multipart(body: dict) -> bytes:
    """A multipart body: bytes values as uploaded files, the rest as form fields."""
    fields: dict[str, object] = {}
    for key, value in body.items():
        if isinstance(value, bytes):
            fields[key] = SimpleUploadedFile(f"{key}.csv", value, content_type="text/csv")
        elif value is True:
            fields[key] = "on"
        elif value is not False and value is not None:
            fields[key] = [str(item) for item in value] if isinstance(value, list | tuple) else str(value)
    return encode_multipart(BOUNDARY, fields)


def _form_data(body: dict) -> str:
    pairs = []
    for key, value in body.items():
        if value is True:
            pairs.append((key, "on"))
        elif value is False or value is None:
            continue
        elif isinstance(value, list | tuple):
            pairs += [(key, str(item)) for item in value]
        else:
            pairs.append((key, str(value)))
    return urlencode(pairs)


def _content(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@dataclass
class Check:
    """The rules for a batch of requests: whose markers must not show, what may echo, what must be refused."""

    harness: Harness
    route: Route
    host: str
    bodies: list[tuple[str, dict]]  # (what the body names, body_values(...)); see _bodies_naming
    mass: dict  # mass_assignment_fields(...)
    markers: dict[str, list[str]]  # whose -> lowercase markers
    allowed: list[str] = field(default_factory=list)  # lowercase strings that may show (a host's public face)
    expect: object = None  # callable(response, path) -> str | None: a host kind's own rule
    unavailable: bool = False  # the host's client is not ready: a 503 is its answer, not a server error
    problems: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.baseline = self.harness.fingerprint.take()

    def run(self, principals: list[Principal], path_variants: list[tuple[str, str]], *, must_refuse: bool) -> None:
        must_refuse = must_refuse and self.route.name not in OPEN_ROUTES
        for in_path, path in path_variants:
            for principal in principals:
                for method in METHODS:
                    for in_body, body in self._bodies(method):
                        what = "; ".join(part for part in (in_path, in_body) if part)
                        self.one(principal, method, path, body, what, must_refuse=must_refuse)

    def _bodies(self, method: str) -> list[tuple[str, dict | None]]:
        """The bodies to send: none for GET; one per people variant when the body names people."""
        if method == "get":
            return [("", None)]
        bodies = [(label, self._with_mass(body_fields(self.route, method, values))) for label, values in self.bodies]
        if not PERSON_FIELDS & set(_keys_of(bodies[0][1])):
            return bodies[:1]
        return bodies

    def _with_mass(self, body: dict | list) -> dict | list:
        """The body with the mass-assignment fields added (to each item of a list body)."""
        if isinstance(body, list):
            return [{**self.mass, **item} for item in body]
        return {**self.mass, **body}

    def one(self, principal: Principal, method: str, path: str, body, what: str, *, must_refuse: bool) -> None:
        http, headers = principal.http(), {"HTTP_HOST": self.host, **principal.headers}
        sent = _strings(body if body is not None else self.mass)
        outbox_before = len(mail.outbox)
        changed: list[str] = []
        with transaction.atomic():
            with TestCase.captureOnCommitCallbacks(execute=True):
                if method == "get":
                    response = http.get(path, self.mass, **headers)
                elif isinstance(body, dict) and any(
                    isinstance(value, bytes) for value in body.values()
                ):  # a file: multipart, as browsers send
                    response = http.generic(method.upper(), path, _multipart(body), MULTIPART_CONTENT, **headers)
                elif self.route.is_api:
                    response = http.generic(
                        method.upper(), path, json.dumps(body), content_type="application/json", **headers
                    )
                else:
                    response = http.generic(
                        method.upper(), path, _form_data(body), "application/x-www-form-urlencoded", **headers
                    )
            if response.status_code < 500 or self.unavailable:
                try:
                    changed = self.harness.fingerprint.changed(self.baseline, self.harness.fingerprint.take())
                except DatabaseError as exc:
                    changed = [f"(no fingerprint: {exc})"]
            transaction.set_rollback(True)
        connection.set_schema_to_public()
        emails = mail.outbox[outbox_before:]
        del mail.outbox[outbox_before:]

        status = response.status_code
        where = f"{method.upper()} {self.host}{path} as {principal.label}{f' ({what})' if what else ''} -> {status}"
        if status >= 500 and not (self.unavailable and status == 503):
            exc = getattr(response, "exc_info", None)
            self.problems.append(f"{where}: server error{f' ({exc[1]!r})' if exc else ''}")
        if changed:
            self.problems.append(f"{where}: B's data changed ({', '.join(changed)})")
        text = "\n".join(
            [_content(response), *(f"{k}: {v}" for k, v in response.items())]
            + [f"e-mail to {m.to}: {m.subject}\n{m.body}" for m in emails]
        )
        for whose, excerpt in self._leaks(text, sent):
            self.problems.append(f"{where}: shows {whose}'s data: ...{excerpt}...")
        if must_refuse and not self._refused(response):
            self.problems.append(f"{where}: not refused")
        if self.expect is not None:
            wrong = self.expect(response, path)
            if wrong:
                self.problems.append(f"{where}: {wrong}")

    def _refused(self, response) -> bool:
        if response.status_code in REFUSED:
            return True
        return (
            not self.route.is_api and response.status_code == 302 and urlparse(response["Location"]).path == "/login/"
        )

    def _leaks(self, text: str, sent: list[str]) -> list[tuple[str, str]]:
        every = [marker for markers in self.markers.values() for marker in markers]
        echoes = [s.lower() for s in sent if any(marker in s.lower() for marker in every)]
        seen = unquote(html.unescape(text)).lower()
        for allowed in sorted([*echoes, *self.allowed], key=len, reverse=True):
            seen = seen.replace(allowed, "\x00")
        found = []
        for whose, markers in self.markers.items():
            for marker in markers:
                at = seen.find(marker)
                if at >= 0:
                    found.append((whose, seen[max(0, at - 60) : at + len(marker) + 30].replace("\n", " ")))
                    break
        return found

    def assert_clean(self) -> None:
        shown = self.problems[:40]
        more = f"\n... and {len(self.problems) - len(shown)} more" if len(self.problems) > len(shown) else ""
        if self.problems:
            pytest.fail(f"{self.route.id}: {len(self.problems)} problem(s):\n" + "\n".join(shown) + more, pytrace=False)


def _keys_of(value) -> list[str]:
    if isinstance(value, dict):
        return [*value, *(key for item in value.values() for key in _keys_of(item))]
    if isinstance(value, list | tuple):
        return [key for item in value for key in _keys_of(item)]
    return []


def _bodies_naming(target: Tenant, *, attacker: Tenant) -> list[tuple[str, dict]]:
    """Bodies naming the target's objects, with, in turn, the target's people, the attacker's own
    people, and the attacker's consultant: a request that acts on the target by mistake fails on a
    person who is already there, so the attacker's own people are tried too (A's viewer would become
    a member of B; A's consultant would be assigned to B)."""
    own = body_values(target, people=attacker)
    return [
        ("", body_values(target, people=target)),
        ("the body naming A's own people", own),
        ("the body naming A's consultant", {**own, "email": attacker.consultant.email}),
    ]


def _markers(world: World, *tenants: Tenant) -> dict[str, list[str]]:
    found = {tenant.side.upper(): tenant.markers for tenant in tenants}
    found["the provisioning client"] = [world.provisioning.canary.lower()]
    found["the failed client"] = [world.failed.canary.lower()]
    return found


# --- the tries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", TENANT_ROUTES, ids=_ids(TENANT_ROUTES))
def test_no_credential_of_a_opens_anything_on_b_host(route, harness, db):
    a, b = harness.world.a, harness.world.b
    check = Check(
        harness,
        route,
        b.domain,
        bodies=[("", body_values(b, people=a))],
        mass=mass_assignment_fields(b),
        markers=_markers(harness.world, b),
        allowed=[b.client.name.lower()],  # B's host names B (its sign-in page)
    )
    check.run(harness.on_b_host(), paths(route, b, tenant_links(a)), must_refuse=True)
    check.assert_clean()


@pytest.mark.parametrize("route", TENANT_ROUTES, ids=_ids(TENANT_ROUTES))
def test_on_its_own_host_a_never_reaches_b_with_b_ids_or_bodies(route, harness, db):
    a, b = harness.world.a, harness.world.b
    with_b_ids = paths(route, b, tenant_links(b)) if route.params else []  # B's links first: then the fingerprint
    with_own_ids = paths(route, a, tenant_links(a))
    check = Check(
        harness,
        route,
        a.domain,
        bodies=_bodies_naming(b, attacker=a),
        mass=mass_assignment_fields(b),
        markers=_markers(harness.world, b),
    )
    principals = harness.on_a_host()
    check.run(principals, with_b_ids, must_refuse=True)
    check.run(principals, with_own_ids, must_refuse=False)
    check.assert_clean()


@pytest.mark.parametrize("route", PUBLIC_ROUTES, ids=_ids(PUBLIC_ROUTES))
def test_on_the_public_host_a_consultant_reaches_none_of_b_and_tenant_credentials_nothing(route, harness, db):
    a, b = harness.world.a, harness.world.b
    with_b_ids = paths(route, b, tenant_links(b)) if route.params else []  # B's links first: then the fingerprint
    own = paths(route, a, public_links(a))
    check = Check(
        harness,
        route,
        PUBLIC_HOST,
        bodies=_bodies_naming(b, attacker=a),
        mass=mass_assignment_fields(b),
        markers=_markers(harness.world, b),
    )
    check.run(harness.consultants_on_public_host(), with_b_ids, must_refuse=True)
    check.run(harness.consultants_on_public_host(), own, must_refuse=False)
    # A's tenant-host links are no credential here (a link works on its own host only).
    check.run(harness.tenant_credentials_on_public_host(), paths(route, a, tenant_links(a)), must_refuse=True)
    check.assert_clean()


def test_a_consultant_cannot_revoke_another_consultants_token(harness, db):
    b = harness.world.b
    for principal in harness.consultants_on_public_host():
        http = principal.http()
        response = http.delete(f"/api/v1/tokens/{b.consultant_token_id}/", HTTP_HOST=PUBLIC_HOST, **principal.headers)
        assert response.status_code == 404, f"{principal.label}: {response.status_code}"
    assert not ConsultantToken.objects.get(prefix=b.consultant_token_id).revoked
    still = HttpClient().get(
        "/api/v1/clients/", HTTP_HOST=PUBLIC_HOST, HTTP_AUTHORIZATION=f"Token {b.consultant_token}"
    )
    assert still.status_code == 200


def _answers_503_as_provisioning(response, path: str) -> str | None:
    if response.status_code != 503:
        return "answered, though the client is still provisioning (expected 503)"
    if path.startswith("/api/"):
        try:
            keys = set(json.loads(response.content))
        except ValueError:
            return "a 503 of the API that is not JSON"
        return None if keys == {"detail", "status"} else f"a 503 of the API with the keys {sorted(keys)}"
    return None if response["Content-Type"].startswith("text/html") else "a 503 page that is not HTML"


def _served_by_nobody(response, path: str) -> str | None:
    return None if response.status_code in (400, 404) else "answered on a host no client has (expected 404 or 400)"


@pytest.mark.parametrize("route", ROUTES, ids=_ids(ROUTES))
def test_unknown_www_provisioning_and_failed_hosts_serve_nothing(route, harness, db):
    world = harness.world
    a, b = world.a, world.b
    markers = _markers(world, a, b)
    problems = []
    with_b_ids = paths(route, b, tenant_links(a))[:1]
    hosts = [
        (UNKNOWN_HOST, {"expect": _served_by_nobody}),
        (world.failed.domain, {"expect": _served_by_nobody}),
        (world.provisioning.domain, {"expect": _answers_503_as_provisioning, "unavailable": True}),
        # www.<domain> is B's host (django-tenants strips "www."): the rules of B's host.
        (f"www.{b.domain}", {"allowed": [b.client.name.lower()]}),
    ]
    for host, rules in hosts:
        check = Check(
            harness,
            route,
            host,
            bodies=[("", body_values(b, people=a))],
            mass=mass_assignment_fields(b),
            markers=markers,
            **rules,
        )
        check.run(harness.on_odd_hosts(), with_b_ids, must_refuse="expect" not in rules)
        problems += check.problems
    if problems:
        pytest.fail(f"{route.id}: {len(problems)} problem(s):\n" + "\n".join(problems[:40]), pytrace=False)


# --- the harness covers everything, and B's data is marked everywhere --------------------------------


@pytest.mark.parametrize("host", sorted(HOST_URLCONFS))
def test_every_openapi_operation_is_a_route_the_harness_tries(host):
    tried = {(route.openapi_path, method) for route in ROUTES if route.host == host for method in METHODS}
    operations = openapi_operations(host)
    assert operations, "the OpenAPI schema lists no operation"
    assert operations <= tried, f"operations the harness does not try: {sorted(operations - tried)}"


def test_the_harness_finds_the_api_routes_and_pages_of_both_hosts():
    names = {(route.host, route.name) for route in ROUTES}
    assert {("public", "client_detail"), ("tenant", "member_detail"), ("tenant", "api_key_detail")} <= names
    assert {("tenant", "people"), ("tenant", "invitation_accept"), ("public", "token_revoke")} <= names


@pytest.mark.parametrize("route", ROUTES, ids=_ids(ROUTES))
def test_the_harness_can_fill_every_path_parameter_and_body_field(route, world):
    assert not missing_params(route, world.b), f"{route.id}: add {missing_params(route, world.b)} to param_values()"
    for method in METHODS[1:]:
        body_fields(route, method, body_values(world.b, people=world.b))  # raises, naming the field


def test_the_page_bodies_come_from_the_forms_their_views_use():
    by_name = {(route.host, route.name): route for route in ROUTES}
    from tests.isolation.routes import page_form_fields

    assert set(page_form_fields(by_name["tenant", "member_add"])) >= {"email", "role"}
    assert set(page_form_fields(by_name["tenant", "password_reset_confirm"])) == {"new_password1", "new_password2"}
    assert set(page_form_fields(by_name["public", "login"])) == {"username", "password"}
    assert "sign_6" in page_form_fields(by_name["public", "client_theater_check"])


# Text columns that hold identifiers or fixed choices, not words a tenant wrote.
IDENTIFIER_COLUMNS = {
    "id",
    "slug",
    "domain",
    "requested_domain",
    "schema_name",
    "status",
    "failure_reason",
    "currency",
    "role",
    "phase",
    "from_phase",
    "to_phase",
    "purpose",
    "closed_reason",
    "password",
    "token_hash",
    "prefix",
    "hashed_key",
    "scope",
    "actor_kind",
    "actor_role",
    # step 1 (audits)
    "timezone",
    "pseudonym_secret",
    "identity_hash",
    "pseudonym",  # pseudonyms are markers of their tenant (Tenant.markers), not canary text
    "field",
    "match",
    "format",
    "format_requested",
    "mode",
    "code",
    "source",
    "tracker",
    "path",
    "token",  # a survey link's random token (its hash is token_hash)
    "voter_key",
}


def test_every_text_field_of_b_carries_b_canary(world, db):
    """So that an answer showing any of it is caught: step apps adding data to the world add canaries."""
    sets = [
        (label, table, where) for label, table, where in row_sets(client=world.b.client, shared_people=[world.dual.pk])
    ]
    sets = [entry for entry in sets if "django_" not in entry[1]]
    values = text_values(sets)
    assert any(label == "client row" for label, _, _ in values)
    unmarked = [
        f"{label}.{column} = {value!r}"
        for label, column, value in values
        if column not in IDENTIFIER_COLUMNS and not any(marker in value.lower() for marker in world.b.markers)
    ]
    assert not unmarked, (
        "B's data without B's canary (put it in, in tests/world.py; or, for an identifier or a fixed "
        f"choice, add the column to IDENTIFIER_COLUMNS): {unmarked}"
    )
