"""The server-rendered pages of both hosts, as a person uses them."""

import pytest
from django.test import Client as HttpClient

from engagements import provisioning
from engagements.models import Client, Membership
from tests.conftest import PUBLIC_HOST, login


@pytest.fixture
def consultant_a(world) -> HttpClient:
    http = HttpClient()
    login(http, host=PUBLIC_HOST, email=world.a.consultant.email)
    return http


def test_the_portfolio_shows_assigned_clients_with_phase_consultants_and_theater_score(db, consultant_a, world):
    page = consultant_a.get("/", HTTP_HOST=PUBLIC_HOST).content.decode()
    assert world.a.client.name in page and world.b.client.name not in page
    assert world.a.consultant.email in page
    assert "6 / 6" in page and "at risk" in page and "audit" in page


def test_the_new_client_form_shows_what_is_wrong_and_makes_nothing(db, consultant_a):
    before = Client.objects.count()
    response = consultant_a.post("/clients/new/", {"name": "Dup", "slug": "tenant-b"}, HTTP_HOST=PUBLIC_HOST)
    assert response.status_code == 200
    assert "The slug &#x27;tenant-b&#x27; is taken." in response.content.decode()
    assert Client.objects.count() == before


def test_with_a_pooled_schema_the_new_client_is_ready_at_once(committed, consultant_a, mailoutbox):
    provisioning.tenant_pool_warm_one()
    form = {"name": "Instant", "slug": "instant", "admin_email": "boss@instant.test"}
    response = consultant_a.post("/clients/new/", form, HTTP_HOST=PUBLIC_HOST)
    assert response.status_code == 302 and response["Location"] == "/clients/instant/"
    page = consultant_a.get("/clients/instant/", HTTP_HOST=PUBLIC_HOST).content.decode()
    assert "Instant is ready." in page and "Open workspace" in page and "instant.localhost" in page
    assert "An invitation was e-mailed to boss@instant.test." in page and "/invite/" not in page
    assert mailoutbox[0].to == ["boss@instant.test"]


def test_a_provisioning_client_polls_its_status_and_its_workspace_says_it_is_being_set_up(committed, consultant_a):
    response = consultant_a.post("/clients/new/", {"name": "Slow", "slug": "slow"}, HTTP_HOST=PUBLIC_HOST)
    assert response.status_code == 302
    fragment = consultant_a.get("/clients/slow/status/", HTTP_HOST=PUBLIC_HOST).content.decode()
    assert 'hx-get="/clients/slow/status/"' in fragment and "provisioning" in fragment
    workspace = HttpClient().get("/", HTTP_HOST="slow.localhost")
    assert workspace.status_code == 503 and "being set up" in workspace.content.decode()

    provisioning.client_provision(client_id=Client.objects.get(slug="slow").pk)
    fragment = consultant_a.get("/clients/slow/status/", HTTP_HOST=PUBLIC_HOST).content.decode()
    assert "hx-get" not in fragment and "Open workspace" in fragment
    assert HttpClient().get("/", HTTP_HOST="slow.localhost").status_code == 302  # ready: sign in


def test_a_viewer_sees_the_workspace_but_not_people_and_keys(world, db):
    http = HttpClient()
    login(http, host=world.a.domain, email=world.a.viewer.email)
    page = http.get("/", HTTP_HOST=world.a.domain).content.decode()
    assert world.a.client.name in page and 'href="/people/"' not in page and 'href="/api-keys/"' not in page


# --- pages as people expect -------------------------------------------------------------------------


@pytest.fixture
def admin_a(world) -> HttpClient:
    http = HttpClient()
    login(http, host=world.a.domain, email=world.a.admin.email)
    return http


def test_a_new_api_key_page_redirects_and_shows_the_key_once(db, world, admin_a):
    from django_tenants.utils import tenant_context

    from apikeys.models import ApiKey

    response = admin_a.post("/api-keys/new/", {"name": "Reporting", "scope": "read"}, HTTP_HOST=world.a.domain)
    assert response.status_code == 302 and response["Location"] == "/api-keys/"
    first = admin_a.get("/api-keys/", HTTP_HOST=world.a.domain).content.decode()
    assert 'aria-label="new API key"' in first
    again = admin_a.get("/api-keys/", HTTP_HOST=world.a.domain).content.decode()
    assert 'aria-label="new API key"' not in again  # a refresh shows it no more, and makes no second key
    with tenant_context(world.a.client):
        assert ApiKey.objects.filter(name="Reporting").count() == 1


def test_removing_a_member_and_revoking_a_key_ask_first(db, world, admin_a):
    a = world.a
    confirm = admin_a.get(f"/people/members/{a.viewer_membership.id}/remove/", HTTP_HOST=a.domain)
    assert confirm.status_code == 200 and f"Remove {a.viewer.email}?" in confirm.content.decode()
    assert Membership.objects.filter(pk=a.viewer_membership.pk).exists()
    assert admin_a.post(f"/people/members/{a.viewer_membership.id}/remove/", HTTP_HOST=a.domain).status_code == 302
    assert not Membership.objects.filter(pk=a.viewer_membership.pk).exists()
    prefix = a.key_prefixes["read"]
    confirm_key = admin_a.get(f"/api-keys/{prefix}/revoke/", HTTP_HOST=a.domain).content.decode()
    assert "Revoke the API key" in confirm_key and "stop working at once" in confirm_key
    assert (
        HttpClient()
        .get("/api/v1/workspace/", HTTP_HOST=a.domain, HTTP_AUTHORIZATION=f"Api-Key {a.keys['read']}")
        .status_code
        == 200
    )


def test_the_invite_form_defaults_to_viewer(db, world, admin_a):
    page = admin_a.get("/people/", HTTP_HOST=world.a.domain).content.decode()
    assert '<option value="client_viewer" selected>' in page


def test_a_theater_check_with_no_sign_ticked_asks_before_it_is_saved(db, world, consultant_a):
    from engagements.models import TheaterCheck

    before = TheaterCheck.objects.count()
    asked = consultant_a.post("/clients/tenant-a/theater-check/", {"note": "all clear"}, HTTP_HOST=PUBLIC_HOST)
    assert asked.status_code == 200 and "Save a check with no sign ticked?" in asked.content.decode()
    assert TheaterCheck.objects.count() == before
    saved = consultant_a.post(
        "/clients/tenant-a/theater-check/", {"note": "all clear", "confirm_none": "on"}, HTTP_HOST=PUBLIC_HOST
    )
    assert saved.status_code == 302 and TheaterCheck.objects.count() == before + 1
    assert TheaterCheck.objects.latest("id").score == 0


def test_the_theater_history_shows_which_signs_were_ticked_and_times_show_their_zone(db, world, consultant_a):
    consultant_a.post("/clients/tenant-a/theater-check/", {"sign_2": "on", "sign_5": "on"}, HTTP_HOST=PUBLIC_HOST)
    page = consultant_a.get("/clients/tenant-a/", HTTP_HOST=PUBLIC_HOST).content.decode()
    latest = page.split('id="theater-history"', 1)[1].split("</ol>", 1)[0]  # the newest check comes first
    assert "Adoption is measured by logins, prompts or active subscriptions." in latest
    assert "Nobody can say, in money or hours, what AI saved in the last 90 days." in latest
    assert "AI licences were bought" not in latest
    assert "2 / 6" in latest and " UTC · " in latest


def test_the_portfolio_has_the_money_column(db, consultant_a):
    page = consultant_a.get("/", HTTP_HOST=PUBLIC_HOST).content.decode()
    assert "<th>Money (90 d)</th>" in page and "Open workspace" in page


def test_the_products_own_error_pages_say_what_happened(db, world, admin_a):
    missing = admin_a.get("/no/such/page/", HTTP_HOST=world.a.domain)
    assert missing.status_code == 404 and "Not found" in missing.content.decode()
    wrong_method = admin_a.get("/people/members/", HTTP_HOST=world.a.domain)
    body = wrong_method.content.decode()
    assert wrong_method.status_code == 405 and "does not accept a GET request" in body and "POST" in body
    viewer = HttpClient()
    login(viewer, host=world.a.domain, email=world.a.viewer.email)
    denied = viewer.get("/people/", HTTP_HOST=world.a.domain)
    assert denied.status_code == 403 and "You do not have access to this page." in denied.content.decode()
    strict = HttpClient(enforce_csrf_checks=True)
    refused = strict.post("/login/", {"username": "x@y.test", "password": "z"}, HTTP_HOST=world.a.domain)
    page = refused.content.decode()
    assert (
        refused.status_code == 403
        and "This form could not be accepted" in page
        and "Reason: CSRF cookie not set." in page
    )


def test_the_server_error_page_is_ours_and_stands_alone():
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "Something went wrong on our side" in page and "Traceback" not in page


def test_make_run_shows_the_products_error_pages_unless_debug_is_asked_for(monkeypatch):
    import importlib

    import smartwork.settings.dev as dev

    monkeypatch.delenv("DJANGO_DEBUG", raising=False)
    assert importlib.reload(dev).DEBUG is False
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    assert importlib.reload(dev).DEBUG is True
