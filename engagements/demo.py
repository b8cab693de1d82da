"""The demo consultancy of `seed_demo`: a consultant and two realistic clients, made idempotently."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from engagements import services
from engagements.models import Client, Membership, User
from smartwork.actors import Actor
from smartwork.tenancy import CONSULTANT as CONSULTANT_ROLE

CONSULTANT = ("consultant@smartwork.demo", "Method-before-tools-90")


@dataclass(frozen=True)
class DemoClient:
    name: str
    slug: str
    domain: str
    admin: tuple[str, str]
    viewer: tuple[str, str]
    phases: tuple[tuple[str, str], ...]
    theater_checks: tuple[tuple[tuple[bool, ...], str], ...]


CLIENTS = (
    DemoClient(
        name="Northwind Logistics",
        slug="northwind",
        domain="northwind.localhost",
        admin=("admin@northwind.demo", "Lighthouse-ledger-47"),
        viewer=("viewer@northwind.demo", "Harbour-crane-lantern-31"),
        phases=(("audit", "Kick-off done; two weeks of Toggl and Clockify exports agreed."),),
        theater_checks=(
            ((True, True, True, False, True, False), "Intake: Copilot licences for all 40 staff, no target problem."),
            (
                (False, True, False, False, True, False),
                "After the audit kick-off: problems named, money still unknown.",
            ),
        ),
    ),
    DemoClient(
        name="Acme Dental Group",
        slug="acme",
        domain="acme.localhost",
        admin=("admin@acme.demo", "Molar-orchid-compass-58"),
        viewer=("viewer@acme.demo", "Quiet-river-enamel-22"),
        phases=(),
        theater_checks=(((True, False, True, True, False, False), "Intake call with the practice manager."),),
    ),
)


# What the apps of the steps add to each demo client (each registers itself in its AppConfig.ready, so
# this public app names none of them): called with the client, the consultant acting and the
# command's actor, inside the client's schema; each returns lines saying what it made (idempotent).
ClientSeeder = Callable[..., list[str]]
CLIENT_SEEDERS: list[ClientSeeder] = []


def demo_seed(*, actor: Actor) -> list[str]:
    """Make whatever of the demo is missing; returns lines saying what was made (empty: nothing)."""
    made: list[str] = []
    consultant = User.objects.filter(email=CONSULTANT[0]).first()
    if consultant is None:
        consultant = services.consultant_create(
            email=CONSULTANT[0], password=CONSULTANT[1], full_name="Demo Consultant"
        )
        made.append(f"consultant {consultant.email}")
    for demo in CLIENTS:
        if Client.objects.filter(slug=demo.slug).exists():
            continue
        client = services.client_create_ready(
            name=demo.name,
            slug=demo.slug,
            domain=demo.domain,
            admin_email=demo.admin[0],
            admin_password=demo.admin[1],
            consultant_email=consultant.email,
            actor=actor,
        )
        _demo_history(client=client, demo=demo, consultant=consultant)
        made.append(f"client {demo.name} at {demo.domain}")
    for demo in CLIENTS:
        client = Client.objects.get(slug=demo.slug)
        with tenant_context(client):
            for seeder in CLIENT_SEEDERS:
                made += seeder(client=client, consultant=consultant, actor=actor)
    return made


@transaction.atomic
def _demo_history(*, client: Client, demo: DemoClient, consultant: User) -> None:
    # The demo's history reads as the consultant's work, as it would in a real engagement.
    actor = Actor.person(consultant, CONSULTANT_ROLE)
    viewer = services.member_invite(client=client, email=demo.viewer[0], role="client_viewer", actor=actor)
    viewer.user.set_password(demo.viewer[1])
    viewer.user.save(update_fields=["password"])
    # The demo's people have been using their workspace for a while: joined, not just invited.
    Membership.objects.filter(client=client).update(joined_at=timezone.now())
    for answers, note in demo.theater_checks:
        services.theater_check_record(client=client, answers=list(answers), note=note, actor=actor)
    for phase, note in demo.phases:
        services.engagement_phase_change(client=client, to=phase, note=note, actor=actor)


def demo_logins() -> list[str]:
    lines = [f"consultant  http://localhost:PORT/  {CONSULTANT[0]} / {CONSULTANT[1]}"]
    for demo in CLIENTS:
        lines.append(f"admin       http://{demo.domain}:PORT/  {demo.admin[0]} / {demo.admin[1]}")
        lines.append(f"viewer      http://{demo.domain}:PORT/  {demo.viewer[0]} / {demo.viewer[1]}")
    return lines
