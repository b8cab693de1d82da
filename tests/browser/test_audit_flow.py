"""In a real browser against the live web server: a team member answers the friction survey on a phone
without an account, then the client admin reads the audit page, where the ranking, the chart and the
vote show."""

import datetime
import re

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from audits.models import AuditSettings
from audits.services import friction
from audits.services.entries import EntryIn, entries_upsert
from engagements import services
from smartwork.actors import Actor
from tests.browser.test_consultant_flow import browser, sign_in  # noqa: F401 (the browser fixture)
from tests.world import PASSWORD

pytestmark = pytest.mark.browser
ACTOR = Actor.cli("tests")
DOMAIN = "audit-flow.localhost"
ADMIN_EMAIL = "admin@audit-flow.test"
WORKDAYS = [datetime.date(2026, 9, 7) + datetime.timedelta(days=n) for n in range(12) if n % 7 < 5]  # 10 days


@pytest.fixture
def surveyed_client(world, live_stack, committed):
    """A client of its own with a first admin (both removed, schema and all, by `committed`), two weeks
    of entries (Answer emails: 120 of 10 minutes; Board report: one of 3 hours) and an open survey
    link; returns the client and the link's token."""
    client = services.client_create_ready(
        name="Audit Flow Co",
        slug="audit-flow",
        domain=DOMAIN,
        admin_email=ADMIN_EMAIL,
        admin_password=PASSWORD,
        actor=ACTOR,
    )
    with tenant_context(client):
        AuditSettings.objects.update(window_start=WORKDAYS[0], window_end=WORKDAYS[-1], hourly_cost=40)
        often = [
            EntryIn(
                identity=f"agent{person}@audit-flow.test",
                team="Support",
                label="Answer emails",
                minutes=10,
                day=day,
                source="api",
                external_id=f"often-{day}-{person}-{n}",
            )
            for day in WORKDAYS
            for person in range(3)
            for n in range(4)
        ]
        rare = EntryIn(
            identity="cfo@audit-flow.test",
            team="Finance",
            label="Board report",
            minutes=180,
            day=WORKDAYS[6],
            source="api",
            external_id="rare-1",
        )
        entries_upsert(entries=[*often, rare])
        link = friction.survey_link_create(actor=ACTOR)
    return client, link.token


def test_a_team_member_votes_on_a_phone_and_the_client_admin_reads_the_ranking_with_the_vote(
    live_stack,
    surveyed_client,
    browser,  # noqa: F811
    tmp_path,
):
    client, token = surveyed_client
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    survey = phone.new_page()
    survey.goto(live_stack.url(DOMAIN, f"/survey/{token}/"))  # no account, no sign-in
    expect(survey.get_by_role("heading", name="How painful is your work?")).to_be_visible()
    board = survey.locator("fieldset", has_text="Board report")
    board.get_by_label("5 very painful").check()
    board.get_by_label("Where does the process break?").fill("Figures are copied by hand from three tools")
    survey.get_by_role("button", name="Send my votes").click()
    expect(survey.locator("#survey-thanks")).to_contain_text("Thank you: your vote on 1 task is saved.")
    survey.screenshot(path=tmp_path / "survey-thanks.png", full_page=True)
    phone.close()

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, live_stack.url(DOMAIN, "/login/"), ADMIN_EMAIL)
    expect(page.get_by_role("heading", name=client.name)).to_be_visible()
    page.locator("header nav").get_by_role("link", name="Audit", exact=True).click()
    expect(page).to_have_url(re.compile(r"^http://audit-flow\.localhost:\d+/audit/$"))
    expect(page.get_by_role("heading", name="Automation candidates")).to_be_visible()

    rows = page.locator("#candidates tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator('td[data-label="Task"]')).to_contain_text("Answer emails")
    expect(rows.nth(0).locator('td[data-label="Rank"]')).to_have_text("1")
    # 120 entries of 10 minutes in 10 working days: 42 h a month, half of it recoverable, at 40 an hour.
    expect(rows.nth(0).locator('td[data-label="Hours / month"]')).to_have_text("42.00")
    expect(rows.nth(0).locator('td[data-label="Value / month"]')).to_have_text(f"840.00 {client.currency}")
    expect(rows.nth(1).locator('td[data-label="Task"]')).to_contain_text("Board report")
    expect(rows.nth(1).locator('td[data-label="Pain (votes)"]')).to_have_text("5.00 (1 vote)")
    expect(rows.nth(1)).to_contain_text("low confidence")

    chart = page.locator("svg#candidate-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("circle")).to_have_count(2)

    notes = page.locator("#friction-notes details", has_text="Board report")
    notes.locator("summary").click()
    expect(notes.get_by_text("Figures are copied by hand from three tools")).to_be_visible()
    page.screenshot(path=tmp_path / "audit-page.png", full_page=True)
