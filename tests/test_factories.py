"""Each factory of tests/factories.py makes a row the product accepts: saved, usable, its key or token working.

Factories that make a client (a migrated schema) are tried with the `committed` fixture, which drops
what they made."""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client as HttpClient
from django_tenants.utils import schema_exists, tenant_context

from apikeys.models import ApiKey
from engagements import links, services
from engagements.models import Client, ConsultantToken, Domain, Membership, OneTimeLink, Phase
from smartwork.actors import Actor, ActorKind
from tests.factories import (
    PASSWORD,
    ApiKeyFactory,
    AssignmentFactory,
    ClientFactory,
    ConsultantTokenFactory,
    DomainFactory,
    EngagementFactory,
    MembershipFactory,
    OneTimeLinkFactory,
    PhaseChangeFactory,
    TheaterCheckFactory,
    UserFactory,
)
from tests.world import PUBLIC_HOST


def test_user_factory_makes_a_person_who_can_sign_in(db):
    person = UserFactory()
    assert person.pk and not person.is_consultant and person.check_password(PASSWORD)
    assert UserFactory(consultant=True).is_consultant
    assert not UserFactory(password=None).has_usable_password()


def test_client_factory_makes_a_ready_client_with_its_schema_admin_and_consultant(committed):
    consultant = UserFactory(consultant=True)
    client = ClientFactory(admin_email="boss@factory.test", admin_password=PASSWORD, consultant_email=consultant.email)
    assert client.status == Client.Status.READY and schema_exists(client.schema_name)
    assert client.primary_domain == f"{client.slug}.localhost"
    assert client.engagement.phase == Phase.DIAGNOSE
    assert services.user_may_sign_in_at(user=consultant, client=client)
    admin = Membership.objects.get(client=client, user__email="boss@factory.test")
    assert admin.role == Membership.Role.CLIENT_ADMIN and admin.actor == Actor.cli("tests")


def test_domain_factory_adds_a_host_the_client_answers_on(committed):
    domain = DomainFactory()
    assert not domain.is_primary and domain.tenant.primary_domain != domain.domain
    assert Domain.objects.filter(tenant=domain.tenant).count() == 2
    assert HttpClient().get("/login/", HTTP_HOST=domain.domain).status_code == 200


def test_assignment_factory_lets_the_consultant_in_and_records_the_actor(committed):
    boss = UserFactory()
    assignment = AssignmentFactory(actor=Actor.person(boss, "client_admin"))
    assert assignment.consultant.is_consultant
    assert services.user_may_sign_in_at(user=assignment.consultant, client=assignment.client)
    assert assignment.actor == Actor(kind=ActorKind.PERSON, label=boss.email, user_id=boss.pk, role="client_admin")


def test_membership_factory_invites_the_person_by_e_mail(committed):
    invitee = UserFactory(password=None)
    membership = MembershipFactory(user=invitee, role=Membership.Role.CLIENT_ADMIN)
    assert membership.pk and membership.role == Membership.Role.CLIENT_ADMIN and membership.joined_at is None
    assert services.user_may_sign_in_at(user=invitee, client=membership.client)
    (message,) = [message for message in mail.outbox if message.to == [invitee.email]]
    assert f"http://{membership.client.primary_domain}/invite/" in message.body  # no password yet: a link
    assert OneTimeLink.objects.filter(user=invitee, client=membership.client, closed_at=None).count() == 1


def test_one_time_link_factory_makes_a_link_its_token_spends_once(db):
    link = OneTimeLinkFactory()
    assert link.pk and link.purpose == OneTimeLink.Purpose.PASSWORD_RESET and link.client is None
    assert link.actor == Actor.cli("tests")
    assert links.link_spend(token=link.token, purpose=link.purpose, client=None).usable
    assert links.link_spend(token=link.token, purpose=link.purpose, client=None).problem == OneTimeLink.Closed.USED


def test_engagement_factory_gives_the_engagement_client_creation_started(committed):
    engagement = EngagementFactory()
    assert engagement.pk == engagement.client.engagement.pk and engagement.phase == Phase.DIAGNOSE
    assert EngagementFactory(client=engagement.client).pk == engagement.pk  # never a second one


def test_phase_change_factory_moves_the_engagement_with_history(committed):
    change = PhaseChangeFactory(note="into the audit")
    assert (change.from_phase, change.to_phase, change.note) == (Phase.DIAGNOSE, Phase.AUDIT, "into the audit")
    change.engagement.refresh_from_db()
    assert change.engagement.phase == Phase.AUDIT
    assert change.engagement.phase_changes.count() == 2  # the start, then this


def test_theater_check_factory_records_a_scored_check(committed):
    check = TheaterCheckFactory(answers=[True, True, True, False, False, False])
    assert check.pk and check.score == 3 and check.at_risk
    other = TheaterCheckFactory(engagement=check.engagement)
    assert other.score == sum(other.answers) and len(other.answers) == 6


def test_consultant_token_factory_makes_a_token_the_public_api_accepts(db):
    token = ConsultantTokenFactory()
    assert token.user.is_consultant and ConsultantToken.objects.is_valid(token.plain_key)
    answer = HttpClient().get("/api/v1/clients/", HTTP_HOST=PUBLIC_HOST, HTTP_AUTHORIZATION=f"Token {token.plain_key}")
    assert answer.status_code == 200 and answer.json()["results"] == []


def test_api_key_factory_makes_a_key_the_tenant_api_accepts_in_the_tenant_schema_only(committed):
    client = ClientFactory()
    with pytest.raises(RuntimeError, match="tenant_context"):
        ApiKeyFactory()
    with tenant_context(client):
        api_key = ApiKeyFactory(scope=ApiKey.Scope.READ)
        assert ApiKey.objects.is_valid(api_key.plain_key) and api_key.actor == Actor.cli("tests")
    connection.set_schema_to_public()
    answer = HttpClient().get(
        "/api/v1/workspace/", HTTP_HOST=client.primary_domain, HTTP_AUTHORIZATION=f"Api-Key {api_key.plain_key}"
    )
    assert answer.status_code == 200 and answer.json()["slug"] == client.slug
