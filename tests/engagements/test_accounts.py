"""Accounts done right: invitations and resets go to the person's own e-mail only, links work once on
their own host within their time, sign-in refuses alike everywhere and cannot be used to lock a person
out, and consultants sign in once and hand the sign-in over to their clients' workspaces."""

import html
import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client as HttpClient
from django.test import override_settings
from django.utils import timezone

from engagements import links, services
from engagements.forms import SIGN_IN_REFUSED
from engagements.models import Assignment, Membership, OneTimeLink, User
from smartwork.actors import Actor
from smartwork.celery import app as celery_app
from smartwork.netaddr import client_address
from tests.conftest import PUBLIC_HOST, login
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db
LINK_RE = re.compile(r"http://(?P<host>[a-z0-9.-]+)(?P<path>/(?:invite|reset)/[A-Za-z0-9_-]+/)")


def signed_in(host: str, email: str, password: str = PASSWORD) -> HttpClient:
    http = HttpClient()
    login(http, host=host, email=email, password=password)
    return http


def the_link(message) -> tuple[str, str]:
    """(host, path) of the one link in an e-mail."""
    (found,) = LINK_RE.finditer(message.body)
    return found["host"], found["path"]


def is_signed_in(http: HttpClient, host: str) -> bool:
    return http.get("/", HTTP_HOST=host).status_code == 200


@pytest.fixture
def mail(mailoutbox, django_capture_on_commit_callbacks):
    """Run a block and return the e-mails it sent (they are sent after commit). The jobs the block
    queues (a password reset request) run in this process, as the worker would run them."""

    def during(action):
        start = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            result = action()
        return result, mailoutbox[start:]

    celery_app.conf.task_always_eager = True
    yield during
    celery_app.conf.task_always_eager = False


@pytest.fixture
def pending_b(world, mail):
    """A person invited to B who has not chosen a password yet: B's invitation e-mail is theirs."""
    membership, sent = mail(
        lambda: services.member_invite(
            client=world.b.client,
            email="pending-person@client-b.test",
            role="client_viewer",
            actor=Actor.person(world.b.admin, "client_admin"),
        )
    )
    return membership.user, sent[0]


# --- 1. no cross-tenant takeover -------------------------------------------------------------------


def test_a_client_admin_inviting_another_workspaces_pending_person_gets_no_credential(world, mail, pending_b):
    a, b = world.a, world.b
    person, b_invitation = pending_b
    admin = signed_in(a.domain, a.admin.email)

    def invite(email):
        return admin.post(
            "/api/v1/members/",
            {"email": email, "role": "client_admin"},
            content_type="application/json",
            HTTP_HOST=a.domain,
        )

    response, sent = mail(lambda: invite(person.email))
    fresh, _ = mail(lambda: invite("brand-new-person@client-a.test"))
    assert response.status_code == fresh.status_code == 201
    body, other = response.json(), fresh.json()
    # The same answer as for somebody new: nothing tells the inviter an account exists elsewhere.
    assert body.keys() == other.keys() and body["status"] == other["status"] == "invited"
    assert "/invite/" not in response.content.decode() and "/reset/" not in response.content.decode()
    # The link goes to the person, works on A's host only, and B's own link keeps working on B.
    (message,) = sent
    assert message.to == [person.email]
    host, path = the_link(message)
    assert host == a.domain
    assert HttpClient().get(path, HTTP_HOST=b.domain).status_code == 404
    b_host, b_path = the_link(b_invitation)
    assert b_host == b.domain and HttpClient().get(b_path, HTTP_HOST=b.domain).status_code == 200


def test_the_people_page_inviting_another_workspaces_pending_person_shows_no_link(world, mail, pending_b):
    a = world.a
    person, _ = pending_b
    admin = signed_in(a.domain, a.admin.email)
    response, sent = mail(
        lambda: admin.post("/people/members/", {"email": person.email, "role": "client_viewer"}, HTTP_HOST=a.domain)
    )
    assert response.status_code == 302 and response["Location"] == "/people/"
    page = admin.get("/people/", HTTP_HOST=a.domain).content.decode()
    assert f"An invitation was e-mailed to {person.email}." in page
    assert "/invite/" not in page and "/reset/" not in page
    assert [message.to for message in sent] == [[person.email]]


def test_a_consultant_creating_a_client_with_another_workspaces_pending_person_gets_no_credential(
    world, committed, mail, pending_b
):
    person, _ = pending_b
    consultant = signed_in(PUBLIC_HOST, world.a.consultant.email)
    response, sent = mail(
        lambda: consultant.post(
            "/api/v1/clients/",
            {"name": "Initech", "slug": "initech", "domain": "initech.localhost", "admin_email": person.email},
            content_type="application/json",
            HTTP_HOST=PUBLIC_HOST,
        )
    )
    assert response.status_code == 202
    assert "/invite/" not in response.content.decode()
    (message,) = sent
    assert message.to == [person.email] and the_link(message)[0] == "initech.localhost"
    page_response, page_sent = mail(
        lambda: consultant.post(
            "/clients/new/",
            {"name": "Umbrella", "slug": "umbrella", "admin_email": person.email},
            HTTP_HOST=PUBLIC_HOST,
        )
    )
    page = consultant.get(page_response["Location"], HTTP_HOST=PUBLIC_HOST).content.decode()
    assert f"An invitation was e-mailed to {person.email}." in page and "/invite/" not in page
    assert [message.to for message in page_sent] == [[person.email]]


def test_someone_with_a_password_is_told_where_to_sign_in_and_gets_no_link(world, mail):
    a = world.a
    _, sent = mail(
        lambda: services.member_invite(
            client=a.client,
            email=world.b.viewer.email,
            role="client_viewer",
            actor=Actor.person(a.admin, "client_admin"),
        )
    )
    (message,) = sent
    assert "/invite/" not in message.body and f"http://{a.domain}/login/" in message.body
    assert world.b.viewer.email in message.to


def test_an_invitation_link_works_once_on_its_host_and_says_why_it_no_longer_works(world, mail):
    a = world.a
    membership, sent = mail(
        lambda: services.member_invite(
            client=a.client, email="once@client-a.test", role="client_viewer", actor=Actor.cli("tests")
        )
    )
    _, path = the_link(sent[0])
    page = HttpClient().get(path, HTTP_HOST=a.domain).content.decode()
    link = OneTimeLink.objects.get(user=membership.user, purpose="invitation")
    assert "once@client-a.test" in page
    assert f"This link works once, until {link.expires_at:%Y-%m-%d %H:%M} UTC." in page
    newcomer = HttpClient()
    chosen = {"new_password1": "Chosen-pass-2026", "new_password2": "Chosen-pass-2026"}
    assert newcomer.post(path, chosen, HTTP_HOST=a.domain).status_code == 302
    assert is_signed_in(newcomer, a.domain)
    assert newcomer.session["sw_schema"] == a.schema
    again = HttpClient().post(
        path, {"new_password1": "Other-pass-2026", "new_password2": "Other-pass-2026"}, HTTP_HOST=a.domain
    )
    assert again.status_code == 410 and "already used" in again.content.decode()
    assert User.objects.get(pk=membership.user.pk).check_password("Chosen-pass-2026")


def test_an_expired_invitation_says_so_and_how_to_get_a_new_one(world, mail):
    a = world.a
    _, sent = mail(
        lambda: services.member_invite(
            client=a.client, email="late@client-a.test", role="client_viewer", actor=Actor.cli("tests")
        )
    )
    _, path = the_link(sent[0])
    OneTimeLink.objects.filter(user__email="late@client-a.test").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = HttpClient().get(path, HTTP_HOST=a.domain)
    page = html.unescape(response.content.decode())
    assert response.status_code == 410 and "This link has expired" in page and "send you a new invitation" in page


@override_settings(INVITATION_LINK_HOURS=5)
def test_the_invitation_states_how_long_its_link_works(world, mail):
    _, sent = mail(
        lambda: services.member_invite(
            client=world.a.client, email="timed@client-a.test", role="client_viewer", actor=Actor.cli("tests")
        )
    )
    assert "for 5 hours" in sent[0].body
    link = OneTimeLink.objects.get(user__email="timed@client-a.test")
    assert timedelta(hours=4, minutes=59) < link.expires_at - link.created_at <= timedelta(hours=5, seconds=1)
    people = signed_in(world.a.domain, world.a.admin.email).get("/people/", HTTP_HOST=world.a.domain)
    assert "for 5 hours" in people.content.decode()


def test_an_admin_resends_an_invitation_and_the_earlier_link_stops_working(world, mail):
    a = world.a
    membership, first = mail(
        lambda: services.member_invite(
            client=a.client, email="resend@client-a.test", role="client_viewer", actor=Actor.cli("tests")
        )
    )
    admin = signed_in(a.domain, a.admin.email)
    too_soon = admin.post(f"/api/v1/members/{membership.id}/resend/", HTTP_HOST=a.domain)
    assert too_soon.status_code == 409 and "less than a minute ago" in too_soon.json()["detail"]
    OneTimeLink.objects.filter(user=membership.user).update(created_at=timezone.now() - timedelta(minutes=2))
    response, second = mail(lambda: admin.post(f"/api/v1/members/{membership.id}/resend/", HTTP_HOST=a.domain))
    assert response.status_code == 202 and "/invite/" not in response.content.decode()
    assert second[0].to == ["resend@client-a.test"]
    old = HttpClient().get(the_link(first[0])[1], HTTP_HOST=a.domain)
    assert old.status_code == 410 and "newer link replaced" in old.content.decode()
    assert HttpClient().get(the_link(second[0])[1], HTTP_HOST=a.domain).status_code == 200
    # From the page too, with a redirect; and once the person has joined, a resend is refused.
    OneTimeLink.objects.filter(user=membership.user).update(created_at=timezone.now() - timedelta(minutes=2))
    page_response, third = mail(lambda: admin.post(f"/people/members/{membership.id}/resend/", HTTP_HOST=a.domain))
    assert page_response.status_code == 302 and len(third) == 1
    Membership.objects.filter(pk=membership.pk).update(joined_at=timezone.now())
    refused = admin.post(f"/api/v1/members/{membership.id}/resend/", HTTP_HOST=a.domain)
    assert refused.status_code == 409 and "already joined" in refused.json()["detail"]


def test_a_removed_members_invitation_link_no_longer_works(world, mail):
    a = world.a
    membership, sent = mail(
        lambda: services.member_invite(
            client=a.client, email="gone@client-a.test", role="client_viewer", actor=Actor.cli("tests")
        )
    )
    services.member_remove(membership=membership, actor=Actor.person(a.admin, "client_admin"))
    response = HttpClient().get(the_link(sent[0])[1], HTTP_HOST=a.domain)
    assert response.status_code == 410 and "access has ended" in response.content.decode()


# --- 3. sign-in: resets, lockout behind a proxy, one answer ----------------------------------------


@pytest.mark.parametrize("side", ["public", "tenant"])
def test_forgot_password_e_mails_a_link_that_works_once_on_its_host(world, mail, side):
    person = world.a.consultant if side == "public" else world.a.viewer
    host = PUBLIC_HOST if side == "public" else world.a.domain
    other_host = world.a.domain if side == "public" else world.b.domain
    assert "Forgot your password?" in HttpClient().get("/login/", HTTP_HOST=host).content.decode()
    response, sent = mail(
        lambda: HttpClient().post("/password-reset/", {"email": person.email.upper()}, HTTP_HOST=host)
    )
    assert response.status_code == 302 and response["Location"] == "/password-reset/sent/"
    (message,) = sent
    link_host, path = the_link(message)
    assert message.to == [person.email] and link_host == host
    assert HttpClient().get(path, HTTP_HOST=other_host).status_code == 404
    http = HttpClient()
    new = {"new_password1": "Brand-new-pass-77", "new_password2": "Brand-new-pass-77"}
    assert http.post(path, new, HTTP_HOST=host).status_code == 302
    assert is_signed_in(http, host)
    assert HttpClient().post(path, new, HTTP_HOST=host).status_code == 410
    login(HttpClient(), host=host, email=person.email, password="Brand-new-pass-77")


def test_forgot_password_answers_the_same_and_sends_nothing_for_someone_without_access_here(world, mail):
    answers = []
    for email in ("nobody@nowhere.test", world.b.admin.email, world.a.consultant.email):
        response, sent = mail(
            lambda e=email: HttpClient().post("/password-reset/", {"email": e}, HTTP_HOST=world.a.domain)
        )
        answers.append((response.status_code, response["Location"]))
        if email != world.a.consultant.email:
            assert sent == []
    assert len(set(answers)) == 1


def test_a_password_reset_lifts_a_lockout(world, mail, settings):
    a = world.a
    for _ in range(settings.AXES_FAILURE_LIMIT):
        HttpClient().post("/login/", {"username": a.viewer.email, "password": "wrong-password"}, HTTP_HOST=a.domain)
    locked = HttpClient().post("/login/", {"username": a.viewer.email, "password": PASSWORD}, HTTP_HOST=a.domain)
    assert locked.status_code == 429 and "Reset your password" in locked.content.decode()
    stranger = {"REMOTE_ADDR": "203.0.113.50"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        HttpClient().post("/login/", {"username": a.viewer.email, "password": "guess"}, HTTP_HOST=a.domain, **stranger)
    _, sent = mail(lambda: HttpClient().post("/password-reset/", {"email": a.viewer.email}, HTTP_HOST=a.domain))
    new = {"new_password1": "After-lockout-pass-5", "new_password2": "After-lockout-pass-5"}
    HttpClient().post(the_link(sent[0])[1], new, HTTP_HOST=a.domain)
    login(HttpClient(), host=a.domain, email=a.viewer.email, password="After-lockout-pass-5")
    # Only the address the person reset from is unlocked: whoever was guessing elsewhere stays out.
    guessing = HttpClient().post(
        "/login/", {"username": a.viewer.email, "password": "After-lockout-pass-5"}, HTTP_HOST=a.domain, **stranger
    )
    assert guessing.status_code == 429


def forwarded(client_ip: str, proxy: str = "10.0.0.2") -> dict:
    """What the app server sees behind one proxy: the proxy as peer, the client appended to the header."""
    return {"REMOTE_ADDR": proxy, "HTTP_X_FORWARDED_FOR": client_ip}


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_a_stranger_cannot_lock_the_real_person_out(world, settings):
    a = world.a
    stranger = HttpClient()
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        stranger.post(
            "/login/", {"username": a.admin.email, "password": "guess"}, HTTP_HOST=a.domain, **forwarded("203.0.113.9")
        )
    from_stranger = stranger.post(
        "/login/", {"username": a.admin.email, "password": PASSWORD}, HTTP_HOST=a.domain, **forwarded("203.0.113.9")
    )
    assert from_stranger.status_code == 429  # the guessing address is locked out of this account
    person = HttpClient()
    response = person.post(
        "/login/", {"username": a.admin.email, "password": PASSWORD}, HTTP_HOST=a.domain, **forwarded("198.51.100.7")
    )
    assert response.status_code == 302 and is_signed_in(person, a.domain)


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_forged_forwarded_for_entry_does_not_change_the_counted_address(rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9")
    assert client_address(request) == "203.0.113.9"  # the entry the trusted proxy wrote
    assert client_address(rf.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
    assert client_address(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-ip")) == "10.0.0.2"
    with override_settings(TRUSTED_PROXY_COUNT=0):
        assert client_address(request) == "10.0.0.2"  # no proxy trusted: the header is the client's own text
    with override_settings(TRUSTED_PROXY_COUNT=2):
        assert client_address(request) == "198.51.100.7"
    # IPv6 is counted per /64, which one subscriber usually holds whole.
    six = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="2001:db8:1:2:aaaa::1")
    other_in_same_64 = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="2001:db8:1:2:bbbb::9")
    assert client_address(six) == client_address(other_in_same_64) == "2001:db8:1:2::"


@override_settings(TRUSTED_PROXY_COUNT=1, SIGN_IN_RATE_PER_ADDRESS="4/m")
def test_sign_in_attempts_are_limited_per_address_across_accounts(world):
    guesses = [world.a.admin.email, world.a.viewer.email, world.b.admin.email, world.b.viewer.email]
    for email in guesses:
        response = HttpClient().post(
            "/login/", {"username": email, "password": "guess"}, HTTP_HOST=world.a.domain, **forwarded("192.0.2.44")
        )
        assert response.status_code == 200
    blocked = HttpClient().post(
        "/login/",
        {"username": world.a.admin.email, "password": PASSWORD},
        HTTP_HOST=world.a.domain,
        **forwarded("192.0.2.44"),
    )
    assert blocked.status_code == 429
    elsewhere = HttpClient().post(
        "/login/",
        {"username": world.a.admin.email, "password": PASSWORD},
        HTTP_HOST=world.a.domain,
        **forwarded("192.0.2.45"),
    )
    assert elsewhere.status_code == 302


def test_e_mail_addresses_are_case_insensitive_at_sign_in(world):
    http = HttpClient()
    response = http.post(
        "/login/", {"username": "  " + world.a.admin.email.upper(), "password": PASSWORD}, HTTP_HOST=world.a.domain
    )
    assert response.status_code == 302 and is_signed_in(http, world.a.domain)


def test_every_refused_sign_in_gets_the_same_answer_on_every_host(world):
    a, b = world.a, world.b
    tries = [
        (a.domain, a.admin.email, "wrong-password"),  # wrong password
        (a.domain, "nobody@nowhere.test", PASSWORD),  # no such account
        (a.domain, b.admin.email, PASSWORD),  # right password, another workspace's person
        (a.domain, b.consultant.email, PASSWORD),  # a consultant not assigned here
        (PUBLIC_HOST, a.admin.email, PASSWORD),  # a client member on the consultancy's host
        (b.domain, a.viewer.email, PASSWORD),
    ]
    answers = set()
    for host, email, password in tries:
        response = HttpClient().post("/login/", {"username": email, "password": password}, HTTP_HOST=host)
        page = html.unescape(response.content.decode())
        assert response.status_code == 200 and SIGN_IN_REFUSED in page
        assert "Please enter a correct" not in page and "no access" not in page.lower()
        answers.add(page.count("errorlist"))
    assert len(answers) == 1


# --- 4. one sign-in for consultants ---------------------------------------------------------------


def test_a_consultant_opens_a_workspace_signed_in_and_comes_back_to_the_portfolio(world):
    a = world.a
    consultant = signed_in(PUBLIC_HOST, a.consultant.email)
    opened = consultant.get(f"/clients/{a.client.slug}/open/", HTTP_HOST=PUBLIC_HOST)
    assert opened.status_code == 302
    target = opened["Location"]
    assert target.startswith(f"http://{a.domain}/handover/")
    path = target.removeprefix(f"http://{a.domain}")
    arrived = consultant.get(path, HTTP_HOST=a.domain)
    assert arrived.status_code == 302 and arrived["Location"] == "/"
    page = consultant.get("/", HTTP_HOST=a.domain).content.decode()
    assert a.client.name in page and 'id="back-to-portfolio"' in page and 'href="http://localhost/"' in page
    assert 'href="http://localhost/workspaces/"' in page  # the switcher lives on the consultancy's host
    # (Django's test client keeps one cookie jar for every host: a fresh one for the public host.)
    switcher = signed_in(PUBLIC_HOST, a.consultant.email).get("/workspaces/", HTTP_HOST=PUBLIC_HOST).content.decode()
    assert f"/clients/{a.client.slug}/open/" in switcher and world.b.client.name not in switcher
    assert consultant.session["sw_schema"] == a.schema
    # Host-bound still: the session made on A's host is no session on B's.
    assert consultant.get("/", HTTP_HOST=world.b.domain).status_code == 302


def test_a_hand_over_token_is_refused_when_replayed_expired_for_another_host_or_unassigned(world):
    a, b = world.a, world.b
    token = services.handover_create(
        consultant=a.consultant, client=a.client, actor=Actor.person(a.consultant, "consultant")
    )
    first = HttpClient()
    assert first.get(f"/handover/{token}/", HTTP_HOST=a.domain).status_code == 302
    replayed = HttpClient().get(f"/handover/{token}/", HTTP_HOST=a.domain)
    assert replayed.status_code == 410 and SESSION_KEY not in replayed.wsgi_request.session

    other_host = services.handover_create(
        consultant=a.consultant, client=a.client, actor=Actor.person(a.consultant, "consultant")
    )
    assert HttpClient().get(f"/handover/{other_host}/", HTTP_HOST=b.domain).status_code == 404
    # ...and a token tried on the wrong host is not spent: it still works where it belongs.
    assert HttpClient().get(f"/handover/{other_host}/", HTTP_HOST=a.domain).status_code == 302

    expired = services.handover_create(
        consultant=a.consultant, client=a.client, actor=Actor.person(a.consultant, "consultant")
    )
    OneTimeLink.objects.filter(purpose="handover", closed_at__isnull=True).update(expires_at=timezone.now())
    assert HttpClient().get(f"/handover/{expired}/", HTTP_HOST=a.domain).status_code == 410

    unassigned = services.handover_create(
        consultant=a.consultant, client=a.client, actor=Actor.person(a.consultant, "consultant")
    )
    Assignment.objects.filter(consultant=a.consultant, client=a.client).delete()
    refused = HttpClient()
    assert refused.get(f"/handover/{unassigned}/", HTTP_HOST=a.domain).status_code == 410
    assert not is_signed_in(refused, a.domain)
    assert HttpClient().get(f"/handover/{'x' * 43}/", HTTP_HOST=a.domain).status_code == 404


def test_a_consultant_cannot_open_a_workspace_they_are_not_assigned_to(world):
    consultant = signed_in(PUBLIC_HOST, world.a.consultant.email)
    assert consultant.get(f"/clients/{world.b.client.slug}/open/", HTTP_HOST=PUBLIC_HOST).status_code == 404
    with pytest.raises(Exception, match="Only a consultant assigned"):
        services.handover_create(
            consultant=world.a.consultant, client=world.b.client, actor=Actor.person(world.a.consultant, "consultant")
        )
    assert not OneTimeLink.objects.filter(purpose="handover", client=world.b.client).exists()


@override_settings(HANDOVER_LINK_SECONDS=60)
def test_a_hand_over_token_lives_a_minute(world):
    token = services.handover_create(
        consultant=world.a.consultant, client=world.a.client, actor=Actor.person(world.a.consultant, "consultant")
    )
    link = links.link_check(token=token, purpose="handover", client=world.a.client).link
    assert timedelta(seconds=59) < link.expires_at - link.created_at <= timedelta(seconds=61)


# --- 7. personal tokens -----------------------------------------------------------------------------


def test_a_consultant_manages_personal_tokens_through_the_api(world):
    consultant = signed_in(PUBLIC_HOST, world.a.consultant.email)
    created = consultant.post(
        "/api/v1/tokens/", {"name": "CRM sync"}, content_type="application/json", HTTP_HOST=PUBLIC_HOST
    )
    assert created.status_code == 201
    token, token_id = created.json()["token"], created.json()["id"]
    listed = consultant.get("/api/v1/tokens/", HTTP_HOST=PUBLIC_HOST).json()["results"]
    assert token_id in {row["id"] for row in listed} and all("token" not in row for row in listed)
    with_token = {"HTTP_AUTHORIZATION": f"Token {token}", "HTTP_HOST": PUBLIC_HOST}
    assert HttpClient().get("/api/v1/clients/", **with_token).status_code == 200
    assert consultant.delete(f"/api/v1/tokens/{token_id}/", HTTP_HOST=PUBLIC_HOST).status_code == 204
    assert HttpClient().get("/api/v1/clients/", **with_token).status_code == 401
    # Another consultant's token is nobody else's to revoke.
    other = signed_in(PUBLIC_HOST, world.b.consultant.email)
    b_tokens = HttpClient().get(
        "/api/v1/tokens/", HTTP_HOST=PUBLIC_HOST, HTTP_AUTHORIZATION=f"Token {world.b.consultant_token}"
    )
    b_id = b_tokens.json()["results"][0]["id"]
    assert consultant.delete(f"/api/v1/tokens/{b_id}/", HTTP_HOST=PUBLIC_HOST).status_code == 404
    assert other.get("/api/v1/tokens/", HTTP_HOST=PUBLIC_HOST).json()["results"][0]["revoked"] is False


def test_a_consultant_manages_personal_tokens_on_a_page_and_sees_a_new_one_once(world):
    consultant = signed_in(PUBLIC_HOST, world.a.consultant.email)
    response = consultant.post("/tokens/new/", {"name": "Laptop script"}, HTTP_HOST=PUBLIC_HOST)
    assert response.status_code == 302 and response["Location"] == "/tokens/"
    first = consultant.get("/tokens/", HTTP_HOST=PUBLIC_HOST).content.decode()
    shown = re.search(r'value="([^"]+)" aria-label="new token"', first)
    assert shown and "Laptop script" in first
    assert 'aria-label="new token"' not in consultant.get("/tokens/", HTTP_HOST=PUBLIC_HOST).content.decode()
    token_id = shown[1].split(".")[0]
    confirm = consultant.get(f"/tokens/{token_id}/revoke/", HTTP_HOST=PUBLIC_HOST)
    assert confirm.status_code == 200 and "Revoke the token Laptop script?" in confirm.content.decode()
    assert (
        HttpClient().get("/api/v1/clients/", HTTP_HOST=PUBLIC_HOST, HTTP_AUTHORIZATION=f"Token {shown[1]}").status_code
        == 200
    )
    assert consultant.post(f"/tokens/{token_id}/revoke/", HTTP_HOST=PUBLIC_HOST).status_code == 302
    assert (
        HttpClient().get("/api/v1/clients/", HTTP_HOST=PUBLIC_HOST, HTTP_AUTHORIZATION=f"Token {shown[1]}").status_code
        == 401
    )


def test_forgot_password_does_the_same_work_in_the_request_whatever_the_address(world, monkeypatch):
    from engagements import tasks

    queued = []
    monkeypatch.setattr(tasks.password_reset_request, "delay", lambda *args: queued.append(args))
    links_before = OneTimeLink.objects.count()
    for email in (world.a.admin.email, "nobody@nowhere.test", world.b.admin.email):
        response = HttpClient().post("/password-reset/", {"email": email}, HTTP_HOST=world.a.domain)
        assert response.status_code == 302 and response["Location"] == "/password-reset/sent/"
    # One job each, the same shape; the lookup, the link and the e-mail happen in the worker.
    assert [len(args) for args in queued] == [2, 2, 2] and {args[1] for args in queued} == {world.a.client.pk}
    assert OneTimeLink.objects.count() == links_before


def test_asking_again_within_a_minute_keeps_the_link_just_sent(world, mail):
    a = world.a
    _, first = mail(lambda: HttpClient().post("/password-reset/", {"email": a.admin.email}, HTTP_HOST=a.domain))
    _, second = mail(lambda: HttpClient().post("/password-reset/", {"email": a.admin.email}, HTTP_HOST=a.domain))
    assert len(first) == 1 and second == []
    assert HttpClient().get(the_link(first[0])[1], HTTP_HOST=a.domain).status_code == 200


@pytest.mark.parametrize(
    "name", ["Acme\r\nBcc: evil@x.test", "Acme\n\nURGENT: verify at https://evil.test", "Acme\u2028x"]
)
def test_a_client_name_is_one_line_so_no_e_mail_can_be_written_through_it(world, name):
    admin = signed_in(world.a.domain, world.a.admin.email)
    response = admin.patch(
        "/api/v1/workspace/", {"name": name}, content_type="application/json", HTTP_HOST=world.a.domain
    )
    assert response.status_code == 400 and "one line" in response.json()["name"][0]
    consultant = signed_in(PUBLIC_HOST, world.a.consultant.email)
    created = consultant.post(
        "/api/v1/clients/",
        {"name": name, "slug": "one-line", "domain": "one-line.localhost"},
        content_type="application/json",
        HTTP_HOST=PUBLIC_HOST,
    )
    assert created.status_code == 400 and "name" in created.json()


def test_a_sign_in_link_that_leads_back_to_the_sign_in_page_goes_home_instead(world):
    http = signed_in(world.a.domain, world.a.admin.email)
    response = http.get("/login/?next=/login/", HTTP_HOST=world.a.domain)
    assert response.status_code == 302 and response["Location"] == "/"
    fresh = HttpClient()
    answer = fresh.post(
        "/login/?next=/login/", {"username": world.a.admin.email, "password": PASSWORD}, HTTP_HOST=world.a.domain
    )
    assert answer.status_code == 302 and answer["Location"] == "/"


def test_links_that_stopped_working_a_month_ago_are_purged_and_the_others_kept(world):
    long_ago = timezone.now() - links.LINKS_KEPT_FOR - timedelta(days=1)
    spent = services.handover_create(
        consultant=world.a.consultant, client=world.a.client, actor=Actor.person(world.a.consultant, "consultant")
    )
    expired = services.handover_create(
        consultant=world.a.consultant, client=world.a.client, actor=Actor.person(world.a.consultant, "consultant")
    )
    recent = services.handover_create(
        consultant=world.a.consultant, client=world.a.client, actor=Actor.person(world.a.consultant, "consultant")
    )
    links.link_spend(token=spent, purpose="handover", client=world.a.client)
    OneTimeLink.objects.filter(closed_at__isnull=False).update(closed_at=long_ago)
    OneTimeLink.objects.filter(closed_at__isnull=True, purpose="handover").exclude(
        pk=links.link_check(token=recent, purpose="handover", client=world.a.client).link.pk
    ).update(expires_at=long_ago)
    links.links_purge()
    assert links.link_check(token=spent, purpose="handover", client=world.a.client).problem == "unknown"
    assert links.link_check(token=expired, purpose="handover", client=world.a.client).problem == "unknown"
    assert links.link_check(token=recent, purpose="handover", client=world.a.client).usable


def test_pages_and_e_mails_say_how_long_a_link_works_in_plain_words(world, settings):
    settings.INVITATION_LINK_HOURS, settings.PASSWORD_RESET_LINK_HOURS, settings.HANDOVER_LINK_SECONDS = 72, 1, 60
    assert links.link_lifetime_words("invitation") == "3 days"
    assert links.link_lifetime_words("password_reset") == "1 hour"
    assert links.link_lifetime_words("handover") == "1 minute"
    for path in ("/password-reset/", "/password-reset/sent/"):
        assert "works once, for 1 hour." in HttpClient().get(path, HTTP_HOST=world.a.domain).content.decode()
    people = signed_in(world.a.domain, world.a.admin.email).get("/people/", HTTP_HOST=world.a.domain)
    assert "it works once, for 3 days;" in people.content.decode()
