"""A tenant host's API v1, people and keys (API.md), and what each role and key scope may do there."""

import html

import pytest
from django.test import Client as HttpClient
from django_tenants.utils import tenant_context

from apikeys.models import ApiKey
from engagements.forms import SIGN_IN_REFUSED
from engagements.models import Membership
from tests.conftest import login
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db


def as_person(tenant, email: str) -> HttpClient:
    http = HttpClient()
    login(http, host=tenant.domain, email=email)
    return http


def call(http: HttpClient, tenant, method: str, path: str, data=None, key: str | None = None):
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {key}"} if key else {}
    return getattr(http, method)(path, data, content_type="application/json", HTTP_HOST=tenant.domain, **headers)


# --- members ---------------------------------------------------------------------------------------


def test_an_admin_invites_a_member_who_gets_the_link_by_e_mail_and_sets_a_password_once(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    a = world.a
    admin = as_person(a, a.admin.email)
    with django_capture_on_commit_callbacks(execute=True):
        response = call(
            admin, a, "post", "/api/v1/members/", {"email": "New.Person@Client-A.test", "role": "client_viewer"}
        )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "new.person@client-a.test" and body["status"] == "invited"
    assert "/invite/" not in response.content.decode()  # the link goes to the person only
    (message,) = mailoutbox
    assert message.to == ["new.person@client-a.test"]
    path = invitation_path_in(message.body, a.domain)

    newcomer = HttpClient()
    assert newcomer.get(path, HTTP_HOST=a.domain).status_code == 200
    assert newcomer.get(path, HTTP_HOST=world.b.domain).status_code == 404  # the link is for A's host only
    chosen = {"new_password1": "Fresh-pass-2026", "new_password2": "Fresh-pass-2026"}
    assert newcomer.post(path, chosen, HTTP_HOST=a.domain).status_code == 302
    assert newcomer.get("/", HTTP_HOST=a.domain).status_code == 200  # signed in on A's host
    spent = HttpClient().get(path, HTTP_HOST=a.domain)
    assert spent.status_code == 410 and "already used" in spent.content.decode()
    login(HttpClient(), host=a.domain, email="new.person@client-a.test", password="Fresh-pass-2026")
    members = call(admin, a, "get", "/api/v1/members/").json()["results"]
    assert {m["email"]: m["status"] for m in members}["new.person@client-a.test"] == "joined"


def invitation_path_in(body: str, host: str) -> str:
    return "/invite/" + body.split(f"http://{host}/invite/", 1)[1].split()[0]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email", "role": "client_viewer"}, "email"),
        ({"email": "x@client-a.test", "role": "owner"}, "role"),
        ({"email": "viewer-a@client-a.test", "role": "client_viewer"}, "email"),
        ({"email": "consultant-b@agency.test", "role": "client_admin"}, "email"),
    ],
    ids=["bad e-mail", "bad role", "already a member", "a consultant"],
)
def test_a_bad_invitation_is_refused_and_changes_nothing(world, payload, field):
    a = world.a
    before = Membership.objects.filter(client=a.client).count()
    response = call(as_person(a, a.admin.email), a, "post", "/api/v1/members/", payload)
    assert response.status_code == 400 and field in response.json()
    assert Membership.objects.filter(client=a.client).count() == before


def test_removing_a_member_ends_their_access(world):
    a = world.a
    viewer = as_person(a, a.viewer.email)
    assert call(viewer, a, "get", "/api/v1/workspace/").status_code == 200
    response = call(as_person(a, a.admin.email), a, "delete", f"/api/v1/members/{a.viewer_membership.id}/")
    assert response.status_code == 204
    assert call(viewer, a, "get", "/api/v1/workspace/").status_code in (401, 403)


def test_the_last_client_admin_cannot_be_removed(world):
    a = world.a
    admin_membership = Membership.objects.get(client=a.client, user=a.admin)
    response = call(as_person(a, a.admin.email), a, "delete", f"/api/v1/members/{admin_membership.id}/")
    assert response.status_code == 409
    assert Membership.objects.filter(pk=admin_membership.pk).exists()


# --- API keys --------------------------------------------------------------------------------------


def test_a_new_api_key_is_shown_once_stored_hashed_and_works_until_revoked(world):
    a = world.a
    admin = as_person(a, a.admin.email)
    created = call(admin, a, "post", "/api/v1/api-keys/", {"name": "CRM sync", "scope": "read"})
    assert created.status_code == 201
    key = created.json()["key"]
    key_id = created.json()["id"]
    assert key.startswith(key_id + ".")
    with tenant_context(a.client):
        stored = ApiKey.objects.get(prefix=key_id)
    assert key not in (stored.hashed_key, stored.id) and key.split(".", 1)[1] not in stored.hashed_key
    listed = call(admin, a, "get", "/api/v1/api-keys/").json()["results"]
    assert all("key" not in row for row in listed) and key_id in {row["id"] for row in listed}

    assert call(HttpClient(), a, "get", "/api/v1/workspace/", key=key).status_code == 200
    assert call(admin, a, "delete", f"/api/v1/api-keys/{key_id}/").status_code == 204
    assert call(HttpClient(), a, "get", "/api/v1/workspace/", key=key).status_code == 401


@pytest.mark.parametrize(
    ("payload", "field"), [({"name": "", "scope": "read"}, "name"), ({"name": "x", "scope": "root"}, "scope")]
)
def test_a_bad_api_key_request_is_refused(world, payload, field):
    a = world.a
    response = call(as_person(a, a.admin.email), a, "post", "/api/v1/api-keys/", payload)
    assert response.status_code == 400 and field in response.json()


def test_an_api_key_of_one_tenant_is_rejected_on_another_tenants_host_and_the_public_host(world, client):
    assert call(client, world.b, "get", "/api/v1/workspace/", key=world.a.keys["admin"]).status_code == 401
    response = client.get(
        "/api/v1/clients/", HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Api-Key {world.a.keys['admin']}"
    )
    assert response.status_code == 401


# --- roles and scopes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("get", "/api/v1/members/", None),
        ("post", "/api/v1/members/", {"email": "v2@client-a.test", "role": "client_admin"}),
        ("get", "/api/v1/api-keys/", None),
        ("post", "/api/v1/api-keys/", {"name": "mine", "scope": "admin"}),
        ("patch", "/api/v1/workspace/", {"currency": "USD"}),
    ],
)
def test_a_viewer_cannot_do_what_only_an_admin_may(world, method, path, payload):
    a = world.a
    assert call(as_person(a, a.viewer.email), a, method, path, payload).status_code == 403
    assert call(as_person(a, a.admin.email), a, method, path, payload).status_code in (200, 201)


def test_a_viewer_cannot_open_the_people_page_but_an_admin_can(world):
    a = world.a
    assert as_person(a, a.viewer.email).get("/people/", HTTP_HOST=a.domain).status_code == 403
    assert as_person(a, a.admin.email).get("/people/", HTTP_HOST=a.domain).status_code == 200


def test_a_read_scope_key_can_read_but_cannot_write(world, client):
    a = world.a
    assert call(client, a, "get", "/api/v1/workspace/", key=a.keys["read"]).status_code == 200
    refused = call(client, a, "patch", "/api/v1/workspace/", {"currency": "USD"}, key=a.keys["read"])
    assert refused.status_code == 403 and "write scope" in refused.json()["detail"]
    allowed = call(client, a, "patch", "/api/v1/workspace/", {"currency": "USD"}, key=a.keys["write"])
    assert allowed.status_code == 200 and allowed.json()["currency"] == "USD"


def test_no_api_key_manages_people_or_keys_whatever_its_scope(world, client):
    a = world.a
    for path in ("/api/v1/members/", "/api/v1/api-keys/"):
        assert call(client, a, "get", path, key=a.keys["admin"]).status_code == 403


def test_a_consultant_reaches_only_the_workspaces_of_assigned_clients(world):
    a, b = world.a, world.b
    assert as_person(a, a.consultant.email).get("/people/", HTTP_HOST=a.domain).status_code == 200
    refused = HttpClient().post("/login/", {"username": a.consultant.email, "password": PASSWORD}, HTTP_HOST=b.domain)
    assert refused.status_code == 200 and SIGN_IN_REFUSED in html.unescape(refused.content.decode())


def test_a_bad_currency_is_refused(world):
    a = world.a
    response = call(as_person(a, a.admin.email), a, "patch", "/api/v1/workspace/", {"currency": "euro"})
    assert response.status_code == 400 and "currency" in response.json()
