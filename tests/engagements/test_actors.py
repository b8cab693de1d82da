"""Every write records its actor in one shape (smartwork.actors): a person with the role they acted
in, an API key, a command or a job; the API and the pages show it."""

import pytest
from django.test import Client as HttpClient
from django.test import RequestFactory
from django_tenants.utils import tenant_context

from apikeys.models import ApiKey
from engagements import services
from engagements.models import Membership, OneTimeLink
from engagements.tasks import password_reset_request
from smartwork.actors import Actor, request_actor
from smartwork.tenancy import ApiKeyPrincipal
from tests.conftest import PUBLIC_HOST, login

pytestmark = pytest.mark.django_db


def signed_in(host: str, email: str) -> HttpClient:
    http = HttpClient()
    login(http, host=host, email=email)
    return http


def test_a_consultants_phase_change_names_them_and_their_role_in_the_api_and_on_the_page(world):
    consultant = signed_in(PUBLIC_HOST, world.a.consultant.email)
    response = consultant.post(
        "/api/v1/clients/tenant-a/phase/", {"to": "design"}, content_type="application/json", HTTP_HOST=PUBLIC_HOST
    )
    assert response.status_code == 201
    assert response.json()["actor"] == {"kind": "person", "label": world.a.consultant.email, "role": "consultant"}
    assert response.json()["changed_by"] == world.a.consultant.email
    change = world.a.client.engagement.phase_changes.first()
    assert change.actor == Actor(
        kind="person", label=world.a.consultant.email, user_id=world.a.consultant.pk, role="consultant"
    )
    page = consultant.get("/clients/tenant-a/", HTTP_HOST=PUBLIC_HOST).content.decode()
    assert f"{world.a.consultant.email} (consultant)" in page


def test_a_client_admins_invitation_and_key_name_the_admin_as_client_admin(world):
    a = world.a
    admin = signed_in(a.domain, a.admin.email)
    invited = admin.post(
        "/api/v1/members/", {"email": "new@client-a.test"}, content_type="application/json", HTTP_HOST=a.domain
    )
    assert invited.status_code == 201
    assert invited.json()["actor"] == {"kind": "person", "label": a.admin.email, "role": "client_admin"}
    membership = Membership.objects.get(client=a.client, user__email="new@client-a.test")
    assert (membership.actor.role, membership.actor.user_id) == ("client_admin", a.admin.pk)
    link = OneTimeLink.objects.get(user=membership.user, purpose="invitation")
    assert link.actor == membership.actor
    assert f"{a.admin.email} (client admin)" in admin.get("/people/", HTTP_HOST=a.domain).content.decode()

    created = admin.post(
        "/api/v1/api-keys/", {"name": "CRM", "scope": "read"}, content_type="application/json", HTTP_HOST=a.domain
    )
    assert created.json()["actor"] == {"kind": "person", "label": a.admin.email, "role": "client_admin"}
    assert f"{a.admin.email} (client admin)" in admin.get("/api-keys/", HTTP_HOST=a.domain).content.decode()


def test_a_consultant_acting_in_a_workspace_is_recorded_as_consultant_there(world):
    a = world.a
    consultant = signed_in(a.domain, a.consultant.email)
    created = consultant.post("/api/v1/api-keys/", {"name": "ETL"}, content_type="application/json", HTTP_HOST=a.domain)
    assert created.json()["actor"]["role"] == "consultant"
    with tenant_context(a.client):
        assert ApiKey.objects.get(prefix=created.json()["id"]).actor.user_id == a.consultant.pk


def test_an_api_key_acts_under_its_name_and_prefix_with_its_scope(world):
    with tenant_context(world.a.client):
        api_key = ApiKey.objects.get(prefix=world.a.key_prefixes["write"])
    request = RequestFactory().get("/", HTTP_HOST=world.a.domain)
    request.user = ApiKeyPrincipal(api_key=api_key, scope="write")
    with tenant_context(world.a.client):
        actor = request_actor(request)
    assert actor.kind == "api_key" and actor.user_id is None and actor.role == "write"
    assert actor.label == f"API key {api_key.name} ({api_key.prefix})"
    assert str(actor) == f"API key {api_key.name} ({api_key.prefix}), write scope"


def test_a_reset_link_is_made_by_the_reset_job_and_a_hand_over_by_the_consultant(world):
    password_reset_request(world.a.admin.email, world.a.client.pk)
    reset = OneTimeLink.objects.get(user=world.a.admin, purpose="password_reset")
    assert (reset.actor.kind, reset.actor.label) == ("system", "job password_reset_request")
    consultant = signed_in(PUBLIC_HOST, world.a.consultant.email)
    consultant.get(f"/clients/{world.a.client.slug}/open/", HTTP_HOST=PUBLIC_HOST)
    handover = OneTimeLink.objects.filter(user=world.a.consultant, purpose="handover").latest("created_at")
    assert handover.actor.label == world.a.consultant.email and handover.actor.role == "consultant"


def test_a_person_invited_by_a_key_or_a_job_is_not_told_who(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.member_invite(
            client=world.a.client, email="quiet@client-a.test", role="client_viewer", actor=Actor.system("import")
        )
        services.member_invite(
            client=world.a.client,
            email="named@client-a.test",
            role="client_viewer",
            actor=Actor.person(world.a.admin, "client_admin"),
        )
    quiet, named = (message.body for message in mailoutbox[-2:])
    assert "You were added to the" in quiet and "job import" not in quiet
    assert f"{world.a.admin.email} added you to the" in named
