"""In a real browser against the live web server: a consultant signs in once and moves between two
workspaces with the switcher and back to the portfolio; an invitee gets the e-mail, follows its link,
chooses a password and is signed in."""

import re

import pytest
from playwright.sync_api import expect

from engagements import services
from engagements.models import Assignment, User
from smartwork.actors import Actor
from tests.browser.test_consultant_flow import browser, sign_in  # noqa: F401 (the browser fixture)
from tests.conftest import PUBLIC_HOST

pytestmark = pytest.mark.browser


@pytest.fixture
def consultant_on_both(world, live_stack):
    """A's consultant, assigned to B too for the test."""
    services.consultant_assign(client=world.b.client, consultant=world.a.consultant, actor=Actor.cli("tests"))
    yield world.a.consultant
    Assignment.objects.filter(consultant=world.a.consultant, client=world.b.client).delete()


def test_a_consultant_signs_in_once_and_switches_between_two_workspaces(world, live_stack, consultant_on_both, browser):  # noqa: F811
    a, b = world.a, world.b
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    sign_in(page, live_stack.url(PUBLIC_HOST, "/login/"), consultant_on_both.email)
    expect(page.get_by_role("heading", name="Your clients")).to_be_visible()

    page.locator("#workspace-switcher summary").click()
    page.locator("#workspace-switcher").get_by_role("link", name=a.client.name).click()
    expect(page).to_have_url(live_stack.url(a.domain, "/"))
    expect(page.get_by_role("heading", name=a.client.name)).to_be_visible()

    # A workspace's pages name no other client: "Switch workspace" leads to the consultancy's switcher.
    expect(page.get_by_text(b.canary)).to_have_count(0)
    page.get_by_role("link", name="Switch workspace").click()
    expect(page).to_have_url(live_stack.url(PUBLIC_HOST, "/workspaces/"))
    page.locator("#workspace-list").get_by_role("link", name=b.client.name).click()
    expect(page).to_have_url(live_stack.url(b.domain, "/"))
    expect(page.get_by_role("heading", name=b.client.name)).to_be_visible()
    expect(page.get_by_text(a.canary)).to_have_count(0)

    page.get_by_role("link", name="← Portfolio").click()
    expect(page).to_have_url(live_stack.url(PUBLIC_HOST, "/"))
    expect(page.get_by_role("heading", name="Your clients")).to_be_visible()
    # Each host has its own session: back on A's host the consultant is still signed in there.
    page.goto(live_stack.url(a.domain, "/"))
    expect(page.get_by_role("heading", name=a.client.name)).to_be_visible()


@pytest.fixture
def invitee_removed(live_stack):
    email = "browser-invitee@client-a.test"
    yield email
    User.objects.filter(email=email).delete()


def test_an_invitee_follows_the_e_mailed_link_and_signs_in(world, live_stack, invitee_removed, browser):  # noqa: F811
    a = world.a
    admin = browser.new_page(viewport={"width": 1280, "height": 800})
    sign_in(admin, live_stack.url(a.domain, "/login/"), a.admin.email)
    admin.get_by_role("navigation").get_by_role("link", name="People", exact=True).click()
    invite = admin.locator("#invite")
    invite.get_by_label("Email").fill(invitee_removed)
    invite.get_by_role("button", name="Invite").click()
    expect(admin.get_by_text(f"An invitation was e-mailed to {invitee_removed}.")).to_be_visible()
    expect(admin.locator("#members")).to_contain_text("invited")
    assert "/invite/" not in admin.content()

    (message,) = live_stack.mail_to(invitee_removed)
    link = re.search(r"http://\S+/invite/[A-Za-z0-9_-]+/", message)[0]
    assert link.startswith(live_stack.url(a.domain, "/invite/"))

    invitee = browser.new_page(viewport={"width": 390, "height": 844})  # on a phone
    invitee.goto(link)
    expect(invitee.get_by_role("heading", name=f"Welcome to {a.client.name}")).to_be_visible()
    invitee.get_by_label("New password").fill("Invitee-chose-this-9")
    invitee.get_by_label("Repeat it").fill("Invitee-chose-this-9")
    invitee.get_by_role("button", name="Set password and sign in").click()
    expect(invitee.get_by_text("Your password is set; you are signed in.")).to_be_visible()
    expect(invitee.get_by_role("heading", name=a.client.name)).to_be_visible()

    invitee.goto(link)  # the link is spent
    expect(invitee.get_by_role("heading", name="This link was already used")).to_be_visible()
    admin.reload()
    expect(admin.locator("#members")).to_contain_text("joined")
