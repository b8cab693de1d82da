"""Sign-in and sessions: per host, locked out after repeated failures, passwords hashed with Argon2;
the cache is tenant-aware; production settings pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client as HttpClient
from django_tenants.utils import tenant_context

from tests.conftest import PUBLIC_HOST, login
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_a_session_made_on_one_tenants_host_is_no_session_on_another(world):
    http = HttpClient()
    login(http, host=world.a.domain, email=world.a.admin.email)
    assert http.get("/", HTTP_HOST=world.a.domain).status_code == 200
    replayed = http.get("/", HTTP_HOST=world.b.domain)
    assert replayed.status_code == 302 and replayed["Location"].startswith("/login/")
    assert http.get("/api/v1/workspace/", HTTP_HOST=world.b.domain).status_code in (401, 403)
    # and the session still works where it was made
    assert http.get("/", HTTP_HOST=world.a.domain).status_code == 200


def test_the_session_cookie_is_host_only(world):
    http = HttpClient()
    login(http, host=world.a.domain, email=world.a.admin.email)
    cookie = http.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["domain"] == ""  # no Domain attribute: the browser sends it to this host alone
    assert cookie["httponly"]


def test_anonymous_people_are_sent_to_the_login_page_of_the_host(world, client):
    for host in (PUBLIC_HOST, world.a.domain):
        response = client.get("/", HTTP_HOST=host)
        assert response.status_code == 302 and response["Location"] == "/login/?next=/"
        login_page = client.get("/login/", HTTP_HOST=host)
        assert login_page.status_code == 200 and world.b.canary not in login_page.content.decode()


def test_a_workspace_sign_in_page_names_its_workspace_and_offers_a_password_reset(world, client):
    page = client.get("/login/", HTTP_HOST=world.a.domain).content.decode()
    assert f"Sign in to {world.a.client.name}" in page and "Forgot your password?" in page
    public = client.get("/login/", HTTP_HOST=PUBLIC_HOST).content.decode()
    assert "Sign in to SmartWork" in public and "Forgot your password?" in public
    assert world.a.canary not in public


def test_repeated_wrong_passwords_lock_the_account_out(world, client):
    email = world.a.viewer.email
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": email, "password": "wrong-password"}, HTTP_HOST=world.a.domain)
    locked = client.post("/login/", {"username": email, "password": PASSWORD}, HTTP_HOST=world.a.domain)
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert client.get("/", HTTP_HOST=world.a.domain).status_code == 302  # not signed in


def test_passwords_are_hashed_with_argon2_outside_tests():
    from smartwork.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_cache_entries_of_one_tenant_are_invisible_to_another(world):
    with tenant_context(world.a.client):
        cache.set("dashboard", world.a.canary, 60)
        assert cache.get("dashboard") == world.a.canary
    with tenant_context(world.b.client):
        assert cache.get("dashboard") is None
    with tenant_context(world.a.client):
        cache.delete("dashboard")


def test_production_settings_pass_the_deploy_checks():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "smartwork.settings.prod",
        "DJANGO_SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-for-the-check-1234567890",
        "DJANGO_ALLOWED_HOSTS": "smartwork.example,.smartwork.example",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_api_view_that_names_no_permission_serves_nobody(world):
    from rest_framework.response import Response
    from rest_framework.test import APIRequestFactory, force_authenticate
    from rest_framework.views import APIView

    class Forgotten(APIView):
        def get(self, request):
            return Response({"secret": world.a.canary})

    request = APIRequestFactory().get("/forgotten/")
    force_authenticate(request, user=world.a.consultant)
    response = Forgotten.as_view()(request)
    assert response.status_code == 403
    assert world.a.canary not in str(response.data)
