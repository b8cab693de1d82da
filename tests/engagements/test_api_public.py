"""The public host's API v1 (API.md "Public host"), as a consultant's integration uses it."""

import html

import pytest

from engagements.forms import SIGN_IN_REFUSED
from engagements.middleware import SESSION_SCHEMA_KEY
from engagements.models import Assignment, TheaterCheck
from tests.conftest import PUBLIC_HOST
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, world):
    """An HTTP client speaking for consultant A with A's personal token."""

    def call(method: str, path: str, data=None, token: str | None = None):
        return getattr(client, method)(
            path,
            data,
            content_type="application/json",
            HTTP_HOST=PUBLIC_HOST,
            HTTP_AUTHORIZATION=f"Token {token or world.a.consultant_token}",
        )

    return call


def test_a_consultant_lists_only_the_clients_assigned_to_them(api, world):
    body = api("get", "/api/v1/clients/").json()
    assert [row["slug"] for row in body["results"]] == ["tenant-a"]
    assert body["next"] is None
    row = body["results"][0]
    assert row["domain"] == world.a.domain and row["phase"] == "audit" and row["status"] == "ready"


def test_another_consultants_client_is_a_404(api):
    assert api("get", "/api/v1/clients/tenant-b/").status_code == 404
    assert api("post", "/api/v1/clients/tenant-b/phase/", {"to": "design"}).status_code == 404


def test_the_phase_changes_and_its_history_records_who_and_when(api, world):
    response = api("post", "/api/v1/clients/tenant-a/phase/", {"to": "design", "note": "audit done"})
    assert response.status_code == 201
    assert response.json()["from_phase"] == "audit" and response.json()["to_phase"] == "design"
    history = api("get", "/api/v1/clients/tenant-a/phase-history/").json()["results"]
    assert [h["to_phase"] for h in history] == ["design", "audit", "diagnose"]
    assert history[0]["changed_by"] == world.a.consultant.email and history[0]["changed_at"]
    assert api("get", "/api/v1/clients/tenant-a/").json()["phase"] == "design"


@pytest.mark.parametrize(
    "payload", [{"to": "launch"}, {}, {"to": "audit"}], ids=["unknown phase", "no phase", "same phase"]
)
def test_a_bad_phase_change_is_refused_and_changes_nothing(api, payload):
    response = api("post", "/api/v1/clients/tenant-a/phase/", payload)
    assert response.status_code in (400, 409)
    assert response.json()
    assert api("get", "/api/v1/clients/tenant-a/").json()["phase"] == "audit"


def test_theater_checks_score_the_yes_answers_and_keep_the_history(api, world):
    answers = [True, True, False, True, False, False]
    response = api("post", "/api/v1/clients/tenant-a/theater-checks/", {"answers": answers, "note": "intake"})
    assert response.status_code == 201
    assert response.json()["score"] == 3 and response.json()["at_risk"] is True
    api("post", "/api/v1/clients/tenant-a/theater-checks/", {"answers": [False] * 6})
    history = api("get", "/api/v1/clients/tenant-a/theater-checks/").json()["results"]
    assert [(h["score"], h["at_risk"]) for h in history[:3]] == [(0, False), (3, True), (6, True)]
    assert history[0]["answered_by"] == world.a.consultant.email


@pytest.mark.parametrize(
    "answers", [[True] * 5, [True] * 7, ["yes"] * 6, None], ids=["five", "seven", "strings", "missing"]
)
def test_a_theater_check_needs_six_booleans(api, answers):
    before = TheaterCheck.objects.count()
    response = api("post", "/api/v1/clients/tenant-a/theater-checks/", {"answers": answers})
    assert response.status_code == 400 and "answers" in response.json()
    assert TheaterCheck.objects.count() == before


def test_the_portfolio_gives_each_assigned_client_with_what_is_known_so_far(api, world):
    rows = api("get", "/api/v1/portfolio/").json()["results"]
    assert len(rows) == 1
    row = rows[0]
    assert row["name"] == world.a.client.name and row["domain"] == world.a.domain
    assert row["theater_score"] == 6 and row["theater_at_risk"] is True
    # Outcomes are not measured yet: no made-up zero.
    assert row["hours_recovered_90d"] is None and row["money_90d"] is None
    assert row["open_alerts"] == 0 and row["currency"] == "EUR"
    assert row["consultants"] == [world.a.consultant.email]


def test_assigning_a_consultant_gives_them_the_client(api, world):
    response = api("post", "/api/v1/clients/tenant-a/consultants/", {"email": world.b.consultant.email})
    assert response.status_code == 201
    assert world.b.consultant.email in response.json()["consultants"]
    assert Assignment.objects.filter(consultant=world.b.consultant, client=world.a.client).exists()
    rows = api("get", "/api/v1/clients/", token=world.b.consultant_token).json()["results"]
    assert {row["slug"] for row in rows} == {"tenant-a", "tenant-b"}


def test_assigning_someone_who_is_not_a_consultant_is_refused(api, world):
    response = api("post", "/api/v1/clients/tenant-a/consultants/", {"email": world.a.admin.email})
    assert response.status_code == 400 and "email" in response.json()


def test_a_new_clients_first_admin_is_invited_by_e_mail_and_the_answer_carries_no_link(
    api, committed, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(
            "post",
            "/api/v1/clients/",
            {"name": "Hooli", "slug": "hooli", "domain": "hooli.localhost", "admin_email": "gavin@hooli.test"},
        )
    assert response.status_code == 202  # no pooled schema in tests
    assert "/invite/" not in response.content.decode() and "admin_invitation_url" not in response.json()
    (message,) = mailoutbox
    assert message.to == ["gavin@hooli.test"] and "http://hooli.localhost/invite/" in message.body


def test_creating_a_client_with_a_taken_slug_is_refused_with_field_errors(api):
    response = api("post", "/api/v1/clients/", {"name": "Dup", "slug": "tenant-b", "domain": "new.localhost"})
    assert response.status_code == 400
    assert "slug" in response.json()


@pytest.mark.parametrize(
    "headers",
    [{}, {"HTTP_AUTHORIZATION": "Token nope.nope"}, {"HTTP_AUTHORIZATION": "Token"}],
    ids=["none", "unknown token", "empty token"],
)
def test_the_public_api_needs_a_consultant(client, headers):
    response = client.get("/api/v1/clients/", HTTP_HOST=PUBLIC_HOST, **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_client_admin_cannot_sign_in_on_the_public_host_nor_use_its_api(client, world):
    response = client.post("/login/", {"username": world.a.admin.email, "password": PASSWORD}, HTTP_HOST=PUBLIC_HOST)
    assert response.status_code == 200
    assert SIGN_IN_REFUSED in html.unescape(response.content.decode())
    client.force_login(world.a.admin)  # as if sign-in had let them through
    session = client.session
    session[SESSION_SCHEMA_KEY] = "public"
    session.save()
    # The session does not even load a user here: no access on this host.
    assert client.get("/api/v1/clients/", HTTP_HOST=PUBLIC_HOST).status_code == 401
    assert client.get("/", HTTP_HOST=PUBLIC_HOST)["Location"].startswith("/login/")


def test_the_openapi_schema_and_docs_are_served_on_both_hosts(client, world):
    for host in (PUBLIC_HOST, world.a.domain):
        schema = client.get("/api/schema/", HTTP_HOST=host)
        assert schema.status_code == 200 and b"openapi: 3" in schema.content
        assert client.get("/api/docs/", HTTP_HOST=host).status_code == 200
    public = client.get("/api/schema/", HTTP_HOST=PUBLIC_HOST).content
    tenant = client.get("/api/schema/", HTTP_HOST=world.a.domain).content
    assert b"/api/v1/portfolio/" in public and b"/api/v1/portfolio/" not in tenant
    assert b"/api/v1/api-keys/" in tenant and b"/api/v1/api-keys/" not in public


def test_the_api_docs_page_loads_swagger_ui_from_our_own_static_files(client):
    page = client.get("/api/docs/", HTTP_HOST=PUBLIC_HOST).content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn." not in page and "jsdelivr" not in page
