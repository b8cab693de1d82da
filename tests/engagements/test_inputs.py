"""No server error on any input: fields at and past their limits, NUL bytes, deep or large JSON; domains
that could never be reached; links on the public address; a workspace that is not ready answers JSON;
the concurrent removal of admins is in test_concurrency.py."""

import json

import pytest
from django.test import Client as HttpClient
from django.test import override_settings

from engagements import services
from engagements.models import Client, Membership
from smartwork.actors import Actor
from tests.conftest import PUBLIC_HOST, login

pytestmark = pytest.mark.django_db
LONG_EMAIL = "a" * 64 + "@" + ("b" * 61 + ".") * 3 + "test"  # 255 characters
MAX_EMAIL = "a" * 64 + "@" + ("b" * 61 + ".") * 3 + "tes"  # 254 characters


def test_the_long_addresses_are_where_the_limit_is():
    assert len(LONG_EMAIL) == 255 and len(MAX_EMAIL) == 254


def signed_in(host: str, email: str) -> HttpClient:
    http = HttpClient()
    login(http, host=host, email=email)
    return http


@pytest.mark.parametrize("email", [MAX_EMAIL, LONG_EMAIL], ids=["254 characters", "255 characters"])
def test_every_form_and_api_that_takes_an_e_mail_answers_a_long_one_without_a_server_error(world, email):
    a = world.a
    admin = signed_in(a.domain, a.admin.email)
    consultant = signed_in(PUBLIC_HOST, a.consultant.email)
    json_body = {"content_type": "application/json"}
    answers = {
        "sign-in page": HttpClient().post("/login/", {"username": email, "password": "x"}, HTTP_HOST=a.domain),
        "reset page": HttpClient().post("/password-reset/", {"email": email}, HTTP_HOST=a.domain),
        "invite page": admin.post("/people/members/", {"email": email, "role": "client_viewer"}, HTTP_HOST=a.domain),
        "members API": admin.post(
            "/api/v1/members/", {"email": email, "role": "client_viewer"}, HTTP_HOST=a.domain, **json_body
        ),
        "new client page": consultant.post(
            "/clients/new/", {"name": "Long", "slug": "long", "admin_email": email}, HTTP_HOST=PUBLIC_HOST
        ),
        "clients API": consultant.post(
            "/api/v1/clients/",
            {"name": "Long", "slug": "long", "domain": "long.localhost", "admin_email": email},
            HTTP_HOST=PUBLIC_HOST,
            **json_body,
        ),
        "assign API": consultant.post(
            f"/api/v1/clients/{a.client.slug}/consultants/", {"email": email}, HTTP_HOST=PUBLIC_HOST, **json_body
        ),
    }
    for where, response in answers.items():
        assert response.status_code < 500, where
    if len(email) > 254:
        for where in ("members API", "clients API", "assign API"):
            assert answers[where].status_code == 400 and "email" in json.dumps(answers[where].json()), where
        assert not Membership.objects.filter(user__email=email).exists()
        assert not Client.objects.filter(slug="long").exists()


@pytest.mark.parametrize(
    "path",
    ["/api/v1/api-keys/%00/", "/api/v1/members/?page=%00", "/invite/abc%00def/", "/reset/%00/", "/login/?next=%00"],
)
def test_a_nul_byte_in_the_address_is_refused_with_400(world, path):
    admin = signed_in(world.a.domain, world.a.admin.email)
    response = admin.get(path, HTTP_HOST=world.a.domain)
    assert response.status_code == 400 and "NUL" in response.content.decode()


def test_a_nul_byte_in_a_header_is_refused_with_400(world):
    for headers in (
        {"HTTP_AUTHORIZATION": f"Api-Key {world.a.keys['read']}\x00"},
        {"HTTP_X_FORWARDED_FOR": "1.2.3.4\x00"},
        {"HTTP_USER_AGENT": "agent\x00"},
    ):
        response = HttpClient().get("/api/v1/workspace/", HTTP_HOST=world.a.domain, **headers)
        assert response.status_code == 400 and response.json()["code"] == "nul_byte"


def test_a_nul_byte_in_a_body_is_a_field_error(world):
    admin = signed_in(world.a.domain, world.a.admin.email)
    response = admin.post(
        "/api/v1/members/",
        {"email": "x\x00@client-a.test", "role": "client_viewer"},
        content_type="application/json",
        HTTP_HOST=world.a.domain,
    )
    assert response.status_code == 400 and "email" in response.json()
    page = admin.post("/api-keys/new/", {"name": "ke\x00y", "scope": "read"}, HTTP_HOST=world.a.domain)
    assert page.status_code == 400 and "Null characters are not allowed" in page.content.decode()
    login_page = HttpClient().post(
        "/login/", {"username": "a@b.test", "password": "pa\x00ss"}, HTTP_HOST=world.a.domain
    )
    assert login_page.status_code == 200


def test_deeply_nested_json_is_refused_with_400(world):
    admin = signed_in(world.a.domain, world.a.admin.email)
    for depth in (40, 100_000):
        body = "[" * depth + "]" * depth
        response = admin.post("/api/v1/members/", body, content_type="application/json", HTTP_HOST=world.a.domain)
        assert response.status_code == 400 and "nested deeper" in response.json()["detail"]


@override_settings(API_MAX_JSON_BYTES=1000)
def test_a_json_body_over_the_limit_is_refused_before_parsing(world):
    admin = signed_in(world.a.domain, world.a.admin.email)
    body = json.dumps({"name": "x" * 2000, "scope": "read"})
    response = admin.post("/api/v1/api-keys/", body, content_type="application/json", HTTP_HOST=world.a.domain)
    assert response.status_code == 413 and "at most 1,000 bytes" in response.json()["detail"]
    broken = admin.post("/api/v1/api-keys/", "{not json", content_type="application/json", HTTP_HOST=world.a.domain)
    assert broken.status_code == 400
    form = admin.post(
        "/api/v1/api-keys/", "name=x", content_type="application/x-www-form-urlencoded", HTTP_HOST=world.a.domain
    )
    assert form.status_code == 415


@pytest.mark.parametrize(
    ("domain", "why"),
    [
        ("www.acme.localhost", "www."),
        ("acme.example.com", "outside the hosts"),
        ("x" * 250 + ".localhost", "253 characters"),
    ],
)
def test_a_domain_that_could_never_be_reached_is_refused_when_the_client_is_created(world, domain, why):
    consultant = signed_in(PUBLIC_HOST, world.a.consultant.email)
    response = consultant.post(
        "/api/v1/clients/",
        {"name": "Acme", "slug": "acme-x", "domain": domain},
        content_type="application/json",
        HTTP_HOST=PUBLIC_HOST,
    )
    assert response.status_code == 400 and why in " ".join(response.json()["domain"])
    assert not Client.objects.filter(slug="acme-x").exists()


@override_settings(PUBLIC_URL="https://smartwork.example:8443")
def test_links_use_the_public_scheme_and_port_never_the_app_servers(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.member_invite(
            client=world.a.client, email="abs@client-a.test", role="client_viewer", actor=Actor.cli("tests")
        )
    assert f"https://{world.a.domain}:8443/invite/" in mailoutbox[0].body
    consultant = signed_in(PUBLIC_HOST, world.a.consultant.email)
    opened = consultant.get(f"/clients/{world.a.client.slug}/open/", HTTP_HOST=PUBLIC_HOST, SERVER_PORT="8000")
    assert opened["Location"].startswith(f"https://{world.a.domain}:8443/handover/")


def test_a_workspace_being_set_up_answers_its_api_in_json_and_its_pages_in_html(world, committed):
    consultant = signed_in(PUBLIC_HOST, world.a.consultant.email)
    created = consultant.post(
        "/api/v1/clients/",
        {"name": "Slowco", "slug": "slowco", "domain": "slowco.localhost"},
        content_type="application/json",
        HTTP_HOST=PUBLIC_HOST,
    )
    assert created.status_code == 202
    api = HttpClient().get("/api/v1/workspace/", HTTP_HOST="slowco.localhost", HTTP_AUTHORIZATION="Api-Key x.y")
    assert api.status_code == 503 and api["Content-Type"] == "application/json"
    assert api.json()["status"] == "provisioning" and api["Retry-After"] == "5"
    page = HttpClient().get("/", HTTP_HOST="slowco.localhost")
    assert page.status_code == 503 and "being set up" in page.content.decode()


@pytest.mark.parametrize("host", ["nowhere.localhost", "failed-client.localhost"])
def test_a_host_no_client_has_answers_404_in_the_callers_language(world, host):
    api = HttpClient().get("/api/v1/workspace/", HTTP_HOST=host, HTTP_AUTHORIZATION=f"Api-Key {world.a.keys['read']}")
    assert api.status_code == 404 and api.json()["code"] == "unknown_host"
    page = HttpClient().get("/login/", HTTP_HOST=host)
    assert page.status_code == 404 and "Not found" in page.content.decode()


def test_api_paths_answer_errors_in_json_never_html(world):
    missing = HttpClient().get("/api/v1/no-such-thing/", HTTP_HOST=world.a.domain)
    assert missing.status_code == 404 and missing.json() == {"detail": "Not found."}
    page = HttpClient().get("/no-such-page/", HTTP_HOST=world.a.domain)
    assert (
        page.status_code == 404
        and "Not found" in page.content.decode()
        and page["Content-Type"].startswith("text/html")
    )
    admin = signed_in(world.a.domain, world.a.admin.email)
    form = admin.post(
        "/api/v1/members/", "a=1", content_type="application/x-www-form-urlencoded", HTTP_HOST=world.a.domain
    )
    assert form.status_code == 415 and "detail" in form.json()  # the API takes JSON only


@pytest.mark.parametrize(
    ("handler", "status"),
    [("bad_request", 400), ("permission_denied", 403), ("page_not_found", 404), ("server_error", 500)],
)
def test_djangos_own_error_answers_are_json_on_api_paths_and_our_pages_elsewhere(world, rf, handler, status):
    from smartwork import error_views

    view = getattr(error_views, handler)
    api = view(rf.get("/api/v1/members/")) if handler == "server_error" else view(rf.get("/api/v1/members/"), None)
    assert api.status_code == status and api["Content-Type"] == "application/json" and b"detail" in api.content
    request = rf.get("/people/")
    page = view(request) if handler == "server_error" else view(request, Exception("why"))
    assert page.status_code == status and page["Content-Type"].startswith("text/html")
