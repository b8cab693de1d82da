"""The two-tenant world the tests share: tenants A and B, each with people, keys and canary data.

Built once per test session from the factories (tests/factories.py), which go through the product's
own services where that matters (schemas by real migrations, people invited by e-mail, phase changes
and theater checks), with sessions made by signing in on each host; committed, so request tests,
Celery workers and the live server all see it.

Every field of a tenant's data that an answer could carry holds that tenant's canary (client name,
people's full names, notes, API key and token names, the pending person's e-mail), so the isolation
harness (tests/isolation) sees any of it on a page or in an answer where it does not belong. Three
people per tenant keep the plain e-mails other tests name (admin-a@client-a.test, viewer-a@...,
consultant-a@agency.test); their e-mails count as canaries too (`Tenant.markers`).

Besides A and B: a client still provisioning (its host answers 503) and one whose provisioning
failed (its domain is released), each with a canary of its own, and a consultant whom
`dual_consultant_assigned` assigns to both A and B while a test needs them (other tests count A's
consultants, so the assignment is not kept).
"""

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.test import Client as HttpClient
from django_tenants.utils import tenant_context

from audits.models import AuditSettings
from engagements import provisioning, services
from engagements.models import Assignment, Client, Membership, PhaseChange, User
from smartwork.actors import Actor
from tests.audits.factories import (
    FrictionVoteFactory,
    ImportJobFactory,
    ImportRowErrorFactory,
    MappingRuleFactory,
    ParticipantFactory,
    SurveyLinkFactory,
    TaskFactory,
    TimeEntryFactory,
    WebhookDeliveryFactory,
    WebhookSecretFactory,
)
from tests.factories import (
    ApiKeyFactory,
    AssignmentFactory,
    ClientFactory,
    ConsultantTokenFactory,
    MembershipFactory,
    PhaseChangeFactory,
    TheaterCheckFactory,
    UserFactory,
)

PASSWORD = "Tenant-test-pass-42"
PUBLIC_HOST = settings.PUBLIC_HOST
INVITATION_LINK_RE = re.compile(r"http://(?P<host>[a-z0-9.-]+)/invite/(?P<token>[A-Za-z0-9_-]+)/")


@dataclass
class Tenant:
    side: str
    canary: str
    client: Client
    domain: str
    consultant: User
    consultant_token: str
    admin: User
    viewer: User
    viewer_membership: Membership
    invitation_path: str  # the pending person's invitation link (path), from their e-mail
    keys: dict[str, str] = field(default_factory=dict)  # scope -> raw key
    key_prefixes: dict[str, str] = field(default_factory=dict)  # scope -> public id
    # Added for the isolation harness.
    consultant_token_id: str = ""  # the personal token's public id (prefix)
    admin_membership: Membership | None = None
    pending: User | None = None  # invited, no password yet
    pending_membership: Membership | None = None
    invitation_token: str = ""
    theater_note: str = ""
    phase_note: str = ""
    # Step 1 (audits): one of each row, canaries in every text field; their ids for the harness' paths.
    import_id: int = 0
    participant_id: int = 0
    task_id: int = 0
    rule_id: int = 0
    survey_link_id: int = 0
    survey_token: str = ""  # the survey link's token: its page's only credential
    pseudonyms: list[str] = field(default_factory=list)
    # Session keys made by signing in through POST /login/: "admin", "viewer", "consultant" on the
    # tenant's host; "consultant_public" on the public host. Each is bound to the host it was made on.
    sessions: dict[str, str] = field(default_factory=dict)

    @property
    def schema(self) -> str:
        return self.client.schema_name

    @property
    def people(self) -> list[User]:
        return [self.admin, self.viewer, self.pending, self.consultant]

    @property
    def markers(self) -> list[str]:
        """Strings that belong to this tenant alone, lowercase: its canary and its people's e-mails."""
        return [
            self.canary.lower(),
            *(person.email.lower() for person in self.people),
            *(pseudonym.lower() for pseudonym in self.pseudonyms),
        ]


@dataclass
class BystanderClient:
    """A client that is not ready: its host must show nothing of it, nor of anyone."""

    canary: str
    client: Client
    domain: str  # the domain it asked for (a Domain row exists only while provisioning)


@dataclass
class World:
    a: Tenant
    b: Tenant
    provisioning: BystanderClient | None = None
    failed: BystanderClient | None = None
    # A consultant for both A and B (see dual_consultant_assigned); their token and e-mail carry no canary.
    dual: User | None = None
    dual_token: str = ""

    def other(self, tenant: Tenant) -> Tenant:
        return self.b if tenant is self.a else self.a


def new_canary(side: str) -> str:
    return f"CANARY{side.upper()}{uuid.uuid4().hex[:10]}"


def signed_in_session(*, host: str, email: str, password: str = PASSWORD) -> str:
    """Sign in through the real login page of `host`; returns the session key (bound to that host)."""
    http = HttpClient()
    response = http.post("/login/", {"username": email, "password": password}, HTTP_HOST=host)
    assert response.status_code == 302, f"signing in {email} on {host}: {response.content.decode()[:500]}"
    return http.cookies[settings.SESSION_COOKIE_NAME].value


def _invitation_token_from_mail(*, email: str, host: str) -> str:
    """The invitation link is e-mailed to the person only: read it from their (last) e-mail."""
    for message in reversed(mail.outbox):
        if message.to == [email]:
            found = INVITATION_LINK_RE.search(message.body)
            assert found and found["host"] == host, f"no invitation link for {host} in: {message.body}"
            return found["token"]
    raise AssertionError(f"no invitation e-mail was sent to {email}")


def tenant_build(side: str) -> Tenant:
    canary = new_canary(side)
    consultant = UserFactory(
        consultant=True, email=f"consultant-{side}@agency.test", password=PASSWORD, full_name=f"Consultant {canary}"
    )
    token_row = ConsultantTokenFactory(user=consultant, name=f"{canary} token")
    admin = UserFactory(email=f"admin-{side}@client-{side}.test", password=PASSWORD, full_name=f"Admin {canary}")
    client = ClientFactory(
        actor=Actor.cli(f"{canary} setup"),
        name=f"{canary} Company",
        slug=f"tenant-{side}",
        domain=f"tenant-{side}.localhost",
        admin_email=admin.email,
        consultant_email=consultant.email,
    )
    # The engagement's first history row is the product's own words: give it the canary too.
    PhaseChange.objects.filter(engagement__client=client, from_phase="").update(note=f"{canary} engagement started")
    as_admin = Actor.person(admin, "client_admin")
    # Invited with no password (so the invitation e-mail carries a link), then given one.
    viewer = UserFactory(email=f"viewer-{side}@client-{side}.test", password=None, full_name=f"Viewer {canary}")
    viewer_membership = MembershipFactory(user=viewer, client=client, role="client_viewer", actor=as_admin)
    viewer.set_password(PASSWORD)
    viewer.save()
    pending = UserFactory(
        email=f"pending-{canary.lower()}@client-{side}.test", password=None, full_name=f"Pending {canary}"
    )
    pending_membership = MembershipFactory(user=pending, client=client, role="client_viewer", actor=as_admin)
    invitation_token = _invitation_token_from_mail(email=pending.email, host=client.primary_domain)
    theater_note, phase_note = f"{canary} theater", f"{canary} phase"
    as_consultant = Actor.person(consultant, "consultant")
    TheaterCheckFactory(engagement__client=client, answers=[True] * 6, note=theater_note, actor=as_consultant)
    PhaseChangeFactory(engagement__client=client, to_phase="audit", note=phase_note, actor=as_consultant)
    tenant = Tenant(
        side=side,
        canary=canary,
        client=client,
        domain=client.primary_domain,
        consultant=consultant,
        consultant_token=token_row.plain_key,
        admin=admin,
        viewer=viewer,
        viewer_membership=viewer_membership,
        invitation_path=f"/invite/{invitation_token}/",
        consultant_token_id=token_row.prefix,
        admin_membership=Membership.objects.get(client=client, user=admin),
        pending=pending,
        pending_membership=pending_membership,
        invitation_token=invitation_token,
        theater_note=theater_note,
        phase_note=phase_note,
    )
    with tenant_context(client):
        for scope in ("read", "write", "admin"):
            api_key = ApiKeyFactory(name=f"{canary} {scope}", scope=scope, actor=as_admin)
            tenant.keys[scope] = api_key.plain_key
            tenant.key_prefixes[scope] = api_key.prefix
        _step_one_build(tenant, actor=as_admin)
    for role, person in (("admin", admin), ("viewer", viewer), ("consultant", consultant)):
        tenant.sessions[role] = signed_in_session(host=tenant.domain, email=person.email)
    tenant.sessions["consultant_public"] = signed_in_session(host=PUBLIC_HOST, email=consultant.email)
    tenant.admin_membership.refresh_from_db()
    tenant.viewer_membership.refresh_from_db()
    return tenant


def _step_one_build(tenant: Tenant, *, actor: Actor) -> None:
    """The client's time audit: settings, a participant, a task with a rule, an import with a rejected
    row, a mapped and an unmapped entry, a webhook secret and a delivery, a survey link with a friction
    vote (in its schema)."""
    canary = tenant.canary
    AuditSettings.objects.update(timezone="Europe/Berlin")
    if tenant.side == "b":
        # Each schema numbers its rows from 1: B's ids start elsewhere, so "B's id on A's host" names
        # no row of A and a route that fetched across schemas would show.
        with connection.cursor() as cursor:
            for model in apps.get_app_config("audits").get_models():
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), 5000)", [model._meta.db_table])
    participant = ParticipantFactory(
        identity=f"member-{canary.lower()}@client.test",
        team=f"{canary} team",
        role_title=f"{canary} role",
        name=f"{canary} person",
    )
    task = TaskFactory(name=f"{canary} task", process=f"{canary} process")
    rule = MappingRuleFactory(task=task, pattern=f"{canary} pattern", actor=actor)
    job = ImportJobFactory(filename=f"{canary}.csv", message=f"{canary} import", actor=actor)
    ImportRowErrorFactory(job=job, column=f"{canary} column", message=f"{canary} row error")
    entry = {"participant": participant, "project": f"{canary} project", "note": f"{canary} note"}
    TimeEntryFactory(
        **entry, task=task, label=f"{canary} task", description=f"{canary} description", external_id=f"{canary}-1"
    )
    TimeEntryFactory(**entry, task=None, label="", description=f"{canary} unmapped", external_id=f"{canary}-2")
    WebhookSecretFactory(tracker="toggl", secret=f"{canary}-toggl-secret", actor=actor)
    WebhookDeliveryFactory(tracker="toggl", delivery_key=f"{canary}-event")
    survey_link = SurveyLinkFactory(actor=actor)
    FrictionVoteFactory(task=task, survey_link=survey_link, pain=5, note=f"{canary} friction note")
    tenant.survey_link_id, tenant.survey_token = survey_link.pk, survey_link.token
    tenant.import_id, tenant.participant_id, tenant.task_id, tenant.rule_id = job.pk, participant.pk, task.pk, rule.pk
    tenant.pseudonyms = [participant.pseudonym]


def provisioning_client_build() -> BystanderClient:
    """A client made with the pool empty (TENANT_POOL_SIZE is 0 in tests): it stays provisioning.
    Its provisioning job is not queued, so no worker (the live stack's) ever builds it."""
    canary = new_canary("p")
    with mock.patch("engagements.services.job_after_commit"):
        created = services.client_create(
            actor=Actor.cli("tests"),
            name=f"{canary} Provisioning",
            slug="tenant-provisioning",
            domain="tenant-provisioning.localhost",
        )
    assert not created.from_pool and created.client.status == Client.Status.PROVISIONING
    # Its job is never lost (there is none): keep it out of clients_stalled_in_provisioning, which
    # other tests compare with the clients they made.
    Client.objects.filter(pk=created.client.pk).update(claimed_at=None)
    return BystanderClient(canary=canary, client=created.client, domain="tenant-provisioning.localhost")


def failed_client_build() -> BystanderClient:
    """A client whose provisioning failed (the migration raised): no schema, no Domain row."""
    canary = new_canary("f")
    with mock.patch("engagements.services.job_after_commit"):
        created = services.client_create(
            actor=Actor.cli("tests"), name=f"{canary} Failed", slug="tenant-failed", domain="tenant-failed.localhost"
        )

    def migration_fails(*, schema_name: str) -> None:
        raise RuntimeError("the world's failed client")

    quiet = logging.getLogger(provisioning.__name__)  # it logs the failure with its traceback, as it should
    level, quiet.level = quiet.level, logging.CRITICAL
    try:
        with mock.patch.object(provisioning, "schema_migrate", migration_fails):
            client = provisioning.client_provision(client_id=created.client.pk)
    finally:
        quiet.setLevel(level)
    assert client.status == Client.Status.FAILED and not client.domains.exists()
    assert client.requested_domain == "tenant-failed.localhost"
    return BystanderClient(canary=canary, client=client, domain=client.requested_domain)


def world_build() -> World:
    world = World(a=tenant_build("a"), b=tenant_build("b"))
    world.provisioning = provisioning_client_build()
    world.failed = failed_client_build()
    world.dual = UserFactory(
        consultant=True, email="dual-consultant@agency.test", password=PASSWORD, full_name="Dual Consultant"
    )
    world.dual_token = ConsultantTokenFactory(user=world.dual, name="dual consultant's token").plain_key
    return world


@contextmanager
def dual_consultant_assigned(world: World) -> Iterator[dict[str, str]]:
    """Assign the dual consultant to A and B (committed) and sign them in on A's host, B's host and
    the public host; yields the session keys by host. On exit the assignments and sessions go."""
    for tenant in (world.a, world.b):
        AssignmentFactory(consultant=world.dual, client=tenant.client, actor=Actor.cli(f"{tenant.canary} assignment"))
    sessions = {
        host: signed_in_session(host=host, email=world.dual.email)
        for host in (world.a.domain, world.b.domain, PUBLIC_HOST)
    }
    try:
        yield sessions
    finally:
        Session.objects.filter(session_key__in=sessions.values()).delete()
        Assignment.objects.filter(consultant=world.dual).delete()
