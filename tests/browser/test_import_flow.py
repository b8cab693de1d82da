"""In a real browser against the live web server and its Celery worker: a client admin uploads a
tracker export on the imports page and watches the progress bar move until the import is done."""

import pytest
from playwright.sync_api import expect

from bench.imports import toggl_csv
from engagements import services
from smartwork.actors import Actor
from tests.browser.test_consultant_flow import browser, sign_in  # noqa: F401 (the browser fixture)
from tests.world import PASSWORD

pytestmark = pytest.mark.browser
DOMAIN = "import-flow.localhost"
ADMIN_EMAIL = "admin@import-flow.test"
ROWS = 250_000  # several seconds of work for the worker: long enough to watch the bar move
IMPORT_TIMEOUT_MS = 180_000


@pytest.fixture
def client_with_admin(world, live_stack, committed):
    """A client of its own with a first admin (removed with its schema by `committed`)."""
    return services.client_create_ready(
        name="Import Flow Co",
        slug="import-flow",
        domain=DOMAIN,
        admin_email=ADMIN_EMAIL,
        admin_password=PASSWORD,
        actor=Actor.cli("tests"),
    )


def test_an_admin_uploads_an_export_and_the_progress_bar_moves_until_it_is_imported(
    live_stack,
    client_with_admin,
    browser,  # noqa: F811
    tmp_path,
):
    export = tmp_path / "toggl-detailed-report.csv"
    toggl_csv(export, ROWS)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, live_stack.url(DOMAIN, "/login/"), ADMIN_EMAIL)
    page.goto(live_stack.url(DOMAIN, "/audit/imports/"))
    page.get_by_label("Export file").set_input_files(str(export))
    page.get_by_role("button", name="Import", exact=True).click()

    bar = page.get_by_label("import progress")
    seen: set[int] = set()

    def progress_seen() -> bool:
        """Record the bar's value each time the page's own polling has replaced the row."""
        if bar.count():
            seen.add(int(bar.get_attribute("value") or 0))
        return page.locator(".status-succeeded").count() > 0

    page.wait_for_function(
        "() => document.querySelector('progress[aria-label=\"import progress\"]') !== null",
        timeout=IMPORT_TIMEOUT_MS,
    )
    while not progress_seen():
        page.wait_for_timeout(250)  # the page polls every second; this samples what it shows
    assert len(seen) >= 2 and any(0 < value < 100 for value in seen), seen  # it moved while running
    row = page.locator("tr", has=page.locator(".status-succeeded"))
    expect(row).to_contain_text(f"{ROWS:,} entries imported")
