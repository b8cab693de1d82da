"""In a real browser (Playwright driving Debian's chromium) against the live web server and Celery
worker: a consultant signs in, creates a client, opens its workspace (signed in by the hand-over) and runs the
theater check;
a client admin creates an API key that is shown once."""

import re
from pathlib import Path

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect, sync_playwright

from apikeys.models import ApiKey
from engagements.models import THEATER_SIGNS
from tests.conftest import PUBLIC_HOST
from tests.world import PASSWORD

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PROVISIONING_TIMEOUT_MS = 60_000


@pytest.fixture
def browser():
    assert CHROMIUM.exists(), "The browser tests need Debian's package 'chromium' (apt-get install chromium)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def sign_in(page, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_consultant_creates_a_client_opens_its_workspace_and_runs_the_theater_check(
    world, live_stack, committed, browser, tmp_path
):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    sign_in(page, live_stack.url(PUBLIC_HOST, "/login/"), world.a.consultant.email)
    expect(page.get_by_role("heading", name="Your clients")).to_be_visible()
    expect(page.get_by_role("link", name=world.a.client.name)).to_be_visible()
    expect(page.get_by_text(world.b.canary)).to_have_count(0)

    page.get_by_role("link", name="New client", exact=True).first.click()
    page.get_by_label("Name").fill("Browser Made")
    page.get_by_label("Slug").fill("browser-made")
    page.get_by_role("button", name="Create client").click()
    # The pool is off in tests: the client shows "provisioning" until the worker has migrated it,
    # and the page (HTMX polling) turns "ready" by itself.
    expect(page.get_by_role("heading", name="Browser Made")).to_be_visible()
    expect(page.locator("#client-status .status")).to_have_text("ready", timeout=PROVISIONING_TIMEOUT_MS)
    page.screenshot(path=tmp_path / "client-ready.png")

    page.get_by_role("link", name="Open workspace").click()  # signed in there by the hand-over
    expect(page).to_have_url(re.compile(r"^http://browser-made\.localhost:\d+/$"))
    expect(page.get_by_role("heading", name="Browser Made")).to_be_visible()
    page.screenshot(path=tmp_path / "workspace.png")

    page.goto(live_stack.url(PUBLIC_HOST, "/clients/browser-made/"))
    for sign in THEATER_SIGNS[:3]:
        page.get_by_label(sign).check()
    page.get_by_role("button", name="Save check").click()
    expect(page.get_by_text("score 3 of 6, at risk of AI theater")).to_be_visible()
    expect(page.locator("#theater-history li").first).to_contain_text("3 / 6")

    page.get_by_label("Move to phase").select_option("audit")
    page.get_by_role("button", name="Change phase").click()
    expect(page.locator("#phase-history li").first).to_contain_text("diagnose → audit")
    page.screenshot(path=tmp_path / "client-after-check.png", full_page=True)


@pytest.fixture
def b_api_keys_restored(world, live_stack):
    """Remove the keys the test adds to B, once the browser (and its event loop) is closed."""
    with tenant_context(world.b.client):
        before = set(ApiKey.objects.values_list("pk", flat=True))
    yield
    with tenant_context(world.b.client):
        ApiKey.objects.exclude(pk__in=before).delete()


def test_a_client_admin_sees_a_new_api_key_once(world, live_stack, b_api_keys_restored, browser):
    b = world.b
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    sign_in(page, live_stack.url(b.domain, "/login/"), b.admin.email)
    page.get_by_role("navigation").get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("browser test key")
    page.get_by_label("Scope").select_option("read")
    page.get_by_role("button", name="Create key").click()
    shown = page.get_by_label("new API key")
    expect(shown).to_be_visible()
    key = shown.input_value()
    assert re.fullmatch(r"[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}", key)

    page.goto(live_stack.url(b.domain, "/api-keys/"))
    expect(page.get_by_text("browser test key")).to_be_visible()
    assert key not in page.content()
    assert key.split(".")[1] not in page.content()
