"""The friction survey (METHOD.md section 2, "Friction vote") on client A's host: survey links and who
may open and close them, the survey page anyone with the link may answer without an account (one vote
per task per browser), votes through the API, rate limits, and the friction per task, shown without
names."""

import re

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.test import override_settings
from django_tenants.utils import tenant_context

from audits.models import FrictionVote, SurveyLink, Task
from audits.services import catalogue, friction
from audits.views_survey import VOTER_COOKIE
from smartwork.actors import Actor
from tests.audits.factories import FrictionVoteFactory, SurveyLinkFactory, TaskFactory, TimeEntryFactory
from tests.conftest import login

pytestmark = pytest.mark.django_db
ACTOR = Actor.cli("tests")


def person(tenant, who: str) -> HttpClient:
    http = HttpClient()
    login(http, host=tenant.domain, email=getattr(tenant, who).email)
    return http


def call(http, tenant, method, path, data=None, key=None):
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {key}"} if key else {}
    extra = {} if method == "get" else {"content_type": "application/json"}
    return getattr(http, method)(path, data, HTTP_HOST=tenant.domain, **headers, **extra)


def new_link(tenant) -> SurveyLink:
    with tenant_context(tenant.client):
        return friction.survey_link_create(actor=ACTOR)


def tasks_with_minutes(tenant, **minutes_by_name: int) -> dict[str, Task]:
    """Tasks with one entry of the given minutes each (0: no entry)."""
    found = {}
    with tenant_context(tenant.client):
        for name, minutes in minutes_by_name.items():
            task = TaskFactory(name=name)
            if minutes:
                TimeEntryFactory(task=task, minutes=minutes)
            found[name] = task
    return found


def page(http, tenant, token: str):
    return http.get(f"/survey/{token}/", HTTP_HOST=tenant.domain)


def answer(http, tenant, token: str, data: dict):
    return http.post(f"/survey/{token}/", data, HTTP_HOST=tenant.domain)


def votes_of(tenant) -> list[tuple[str, int, str]]:
    with tenant_context(tenant.client):
        return sorted(FrictionVote.objects.values_list("task__name", "pain", "note"))


def task_order(html: str) -> list[str]:
    return re.findall(r"<legend>([^<]+)</legend>", html)


# --- the survey page ----------------------------------------------------------------------------------


def test_an_anonymous_visitor_gets_a_phone_sized_survey_of_the_tasks_most_minutes_first(world):
    a = world.a
    tasks_with_minutes(a, **{"Answer emails": 30, "Book travel": 90, "Never tracked": 0})
    link = new_link(a)
    shown = page(HttpClient(), a, link.token)
    assert shown.status_code == 200
    html = shown.content.decode()
    assert task_order(html) == ["Book travel", "Answer emails"]  # tasks with entries only, most minutes first
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<main class="survey">' in html and "Sign in" not in html and "Sign out" not in html
    assert html.count('type="radio"') == 2 * 5
    for label in ("1 no pain", "5 very painful", "Where does the process break?"):
        assert label in html
    cookie = shown.cookies[VOTER_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/survey/"


def test_without_any_entries_the_survey_asks_about_every_task_by_name(world):
    a = world.a
    tasks_with_minutes(a, **{"Zip files": 0, "Archive mail": 0})
    html = page(HttpClient(), a, new_link(a).token).content.decode()
    assert task_order(html) == ["Archive mail", "Zip files"]


def test_votes_sent_through_the_page_land_and_the_browser_sees_them_chosen_again(world):
    a = world.a
    tasks = tasks_with_minutes(a, **{"Answer emails": 30, "Book travel": 90})
    link = new_link(a)
    browser = HttpClient(enforce_csrf_checks=True)  # a real browser's form, CSRF token and all
    page(browser, a, link.token)
    emails = tasks["Answer emails"].pk
    sent = answer(
        browser,
        a,
        link.token,
        {
            "csrfmiddlewaretoken": browser.cookies[settings.CSRF_COOKIE_NAME].value,
            f"pain_{emails}": "4",
            f"note_{emails}": "  The CRM times out on attachments ",
        },
    )
    assert sent.status_code == 302 and sent["Location"] == f"/survey/{link.token}/?saved=1"
    assert votes_of(a) == [("Answer emails", 4, "The CRM times out on attachments")]  # Book travel was skipped
    thanks = browser.get(sent["Location"], HTTP_HOST=a.domain).content.decode()
    assert "Thank you: your vote on 1 task is saved." in thanks
    assert re.search(
        rf'value="4"[^>]*name="pain_{emails}"[^>]*checked|name="pain_{emails}" value="4"[^>]*checked', thanks
    )
    assert "The CRM times out on attachments</textarea>" in thanks


def test_the_same_browser_voting_again_replaces_its_vote_and_another_browser_adds_one(world):
    a = world.a
    task = tasks_with_minutes(a, **{"Answer emails": 30})["Answer emails"]
    link = new_link(a)
    browser = HttpClient()
    page(browser, a, link.token)
    answer(browser, a, link.token, {f"pain_{task.pk}": "2"})
    again = answer(browser, a, link.token, {f"pain_{task.pk}": "5", f"note_{task.pk}": "Changed my mind"})
    assert again.status_code == 302
    assert votes_of(a) == [("Answer emails", 5, "Changed my mind")]  # one vote per task per browser
    other = HttpClient()
    answer(other, a, link.token, {f"pain_{task.pk}": "3"})  # its first request: the cookie is set on the answer
    assert votes_of(a) == [("Answer emails", 3, ""), ("Answer emails", 5, "Changed my mind")]
    answer(other, a, link.token, {f"pain_{task.pk}": "1"})
    assert votes_of(a) == [("Answer emails", 1, ""), ("Answer emails", 5, "Changed my mind")]


def test_a_note_without_a_pain_score_and_an_empty_answer_are_refused_on_the_page(world):
    a = world.a
    task = tasks_with_minutes(a, **{"Answer emails": 30})["Answer emails"]
    link = new_link(a)
    browser = HttpClient()
    note_only = answer(browser, a, link.token, {f"note_{task.pk}": "It breaks"})
    assert note_only.status_code == 400
    assert "Choose how painful it is too, or clear the note." in note_only.content.decode()
    nothing = answer(browser, a, link.token, {})
    assert nothing.status_code == 400 and "Choose how painful at least one task is" in nothing.content.decode()
    too_long = answer(browser, a, link.token, {f"pain_{task.pk}": "3", f"note_{task.pk}": "x" * 1001})
    assert too_long.status_code == 400
    not_a_score = answer(browser, a, link.token, {f"pain_{task.pk}": "9"})
    assert not_a_score.status_code == 400
    assert votes_of(a) == []


def test_a_revoked_link_says_the_survey_is_closed_and_the_api_refuses_its_votes(world):
    a = world.a
    task = tasks_with_minutes(a, **{"Answer emails": 30})["Answer emails"]
    link = new_link(a)
    revoked = call(HttpClient(), a, "delete", f"/api/v1/survey-links/{link.pk}/", key=a.keys["write"])
    assert revoked.status_code == 204
    closed = page(HttpClient(), a, link.token)
    assert closed.status_code == 410 and "This survey link is closed" in closed.content.decode()
    posted = answer(HttpClient(), a, link.token, {f"pain_{task.pk}": "4"})
    assert posted.status_code == 410
    vote = call(HttpClient(), a, "post", "/api/v1/friction-votes/", {"task": task.pk, "pain": 4, "token": link.token})
    assert vote.status_code == 403 and "closed" in vote.json()["detail"]
    assert votes_of(a) == []
    with tenant_context(a.client):
        first = SurveyLink.objects.get(pk=link.pk).revoked_at
    assert call(HttpClient(), a, "delete", f"/api/v1/survey-links/{link.pk}/", key=a.keys["write"]).status_code == 204
    with tenant_context(a.client):
        assert SurveyLink.objects.get(pk=link.pk).revoked_at == first  # revoking again changes nothing


def test_an_unknown_token_is_not_found_on_the_page_and_refused_by_the_api(world):
    a = world.a
    task = tasks_with_minutes(a, **{"Answer emails": 30})["Answer emails"]
    for token in ("A" * 32, "not a token", "x"):
        shown = page(HttpClient(), a, token)
        assert shown.status_code == 404 and "This survey link is not known here" in shown.content.decode()
    vote = call(HttpClient(), a, "post", "/api/v1/friction-votes/", {"task": task.pk, "pain": 4, "token": "A" * 32})
    assert vote.status_code == 403 and "No survey link" in vote.json()["detail"]


def test_b_survey_token_opens_nothing_on_a_host(world):
    a, b = world.a, world.b
    tasks_with_minutes(a, **{"Answer emails": 30})
    b_task = tasks_with_minutes(b, **{f"{b.canary} task": 30})[f"{b.canary} task"]
    b_link = new_link(b)
    shown = page(HttpClient(), a, b_link.token)
    assert shown.status_code == 404 and b.canary not in shown.content.decode()
    vote = call(
        HttpClient(), a, "post", "/api/v1/friction-votes/", {"task": b_task.pk, "pain": 1, "token": b_link.token}
    )
    assert vote.status_code == 403 and b.canary not in vote.content.decode()
    with tenant_context(b.client):
        assert FrictionVote.objects.count() == 0
    # On its own host B's token works, for anyone.
    assert page(HttpClient(), b, b_link.token).status_code == 200


@override_settings(SURVEY_VOTE_RATE_PER_ADDRESS="3/h")
def test_votes_through_a_link_are_limited_per_link_and_address(world):
    a = world.a
    task = tasks_with_minutes(a, **{"Answer emails": 30})["Answer emails"]
    link = new_link(a)
    for _ in range(3):
        assert answer(HttpClient(), a, link.token, {f"pain_{task.pk}": "3"}).status_code == 302
    limited = answer(HttpClient(), a, link.token, {f"pain_{task.pk}": "3"})
    assert limited.status_code == 429 and "Too many attempts" in limited.content.decode()
    api = call(HttpClient(), a, "post", "/api/v1/friction-votes/", {"task": task.pk, "pain": 3, "token": link.token})
    assert api.status_code == 429 and "wait a minute" in api.json()["detail"]
    elsewhere = HttpClient().post(
        f"/survey/{link.token}/", {f"pain_{task.pk}": "3"}, HTTP_HOST=a.domain, REMOTE_ADDR="203.0.113.7"
    )
    assert elsewhere.status_code == 302  # another address has its own count
    other_link = new_link(a)
    assert answer(HttpClient(), a, other_link.token, {f"pain_{task.pk}": "3"}).status_code == 302
    assert page(HttpClient(), a, link.token).status_code == 200  # reading the page is not counted
    assert len(votes_of(a)) == 5


@override_settings(SURVEY_VOTE_RATE_PER_LINK="2/h")
def test_a_link_takes_a_limited_number_of_votes_from_everywhere(world):
    a = world.a
    task = tasks_with_minutes(a, **{"Answer emails": 30})["Answer emails"]
    link = new_link(a)
    codes = [
        HttpClient()
        .post(f"/survey/{link.token}/", {f"pain_{task.pk}": "3"}, HTTP_HOST=a.domain, REMOTE_ADDR=f"203.0.113.{n}")
        .status_code
        for n in range(1, 4)
    ]
    assert codes == [302, 302, 429]  # three addresses, one link


# --- votes through the API -------------------------------------------------------------------------------


def test_an_anonymous_vote_with_a_token_needs_no_other_credential(world):
    a = world.a
    task = tasks_with_minutes(a, **{"Answer emails": 30})["Answer emails"]
    link = new_link(a)
    vote = call(
        HttpClient(),
        a,
        "post",
        "/api/v1/friction-votes/",
        {"task": task.pk, "pain": 2, "note": "Copying", "token": link.token},
    )
    assert vote.status_code == 201, vote.content
    assert set(vote.json()) == {"id", "task", "pain", "note", "created_at"}
    with tenant_context(a.client):
        stored = FrictionVote.objects.get()
    assert (stored.survey_link_id, stored.voter_key, stored.pain, stored.note) == (link.pk, "", 2, "Copying")
    refused = call(
        HttpClient(), a, "post", "/api/v1/friction-votes/", {"task": task.pk, "pain": 6, "token": link.token}
    )
    assert refused.status_code == 400 and "pain" in refused.json()


def test_a_vote_without_a_token_needs_a_write_key_or_a_signed_in_manager(world):
    a = world.a
    task = tasks_with_minutes(a, **{"Answer emails": 30})["Answer emails"]
    body = {"task": task.pk, "pain": 4}
    assert call(HttpClient(), a, "post", "/api/v1/friction-votes/", body).status_code in (401, 403)
    assert call(HttpClient(), a, "post", "/api/v1/friction-votes/", body, key=a.keys["read"]).status_code == 403
    assert call(person(a, "viewer"), a, "post", "/api/v1/friction-votes/", body).status_code == 403
    assert call(HttpClient(), a, "post", "/api/v1/friction-votes/", body, key=a.keys["write"]).status_code == 201
    assert call(person(a, "admin"), a, "post", "/api/v1/friction-votes/", body).status_code == 201
    assert call(person(a, "consultant"), a, "post", "/api/v1/friction-votes/", body).status_code == 201
    assert votes_of(a) == [("Answer emails", 4, "")] * 3  # votes without a browser are each their own


# --- links: who may do what ------------------------------------------------------------------------------


def test_who_may_list_open_and_revoke_survey_links_through_the_api(world):
    a = world.a
    made = call(HttpClient(), a, "post", "/api/v1/survey-links/", key=a.keys["write"])
    assert made.status_code == 201, made.content
    body = made.json()
    assert {"id", "token", "url", "created_at", "revoked_at"} <= set(body) and body["revoked_at"] is None
    assert body["url"] == f"http://{a.domain}/survey/{body['token']}/"
    assert body["actor"]["kind"] == "api_key" and body["votes"] == 0
    assert call(HttpClient(), a, "post", "/api/v1/survey-links/", key=a.keys["read"]).status_code == 403
    assert call(person(a, "viewer"), a, "post", "/api/v1/survey-links/").status_code == 403
    assert call(person(a, "viewer"), a, "get", "/api/v1/survey-links/").status_code == 403
    assert call(person(a, "admin"), a, "post", "/api/v1/survey-links/").status_code == 201
    listed = call(HttpClient(), a, "get", "/api/v1/survey-links/", key=a.keys["read"])
    assert listed.status_code == 200 and listed.json()["count"] == 2
    assert call(person(a, "consultant"), a, "get", "/api/v1/survey-links/").json()["count"] == 2
    path = f"/api/v1/survey-links/{body['id']}/"
    assert call(HttpClient(), a, "delete", path, key=a.keys["read"]).status_code == 403
    assert call(person(a, "viewer"), a, "delete", path).status_code == 403
    assert call(person(a, "consultant"), a, "delete", path).status_code == 204
    assert call(HttpClient(), a, "delete", "/api/v1/survey-links/999999/", key=a.keys["write"]).status_code == 404
    with tenant_context(a.client):
        assert SurveyLink.objects.get(pk=body["id"]).revoked_at is not None


def test_managers_open_copy_and_close_links_on_the_survey_page(world):
    a = world.a
    admin = person(a, "admin")
    empty = admin.get("/audit/survey/", HTTP_HOST=a.domain)
    assert empty.status_code == 200 and "No survey link yet." in empty.content.decode()
    assert 'href="/audit/survey/" aria-current="page">Survey</a>' in empty.content.decode()
    opened = admin.post("/audit/survey/new/", HTTP_HOST=a.domain)
    assert opened.status_code == 302 and opened["Location"] == "/audit/survey/"
    with tenant_context(a.client):
        link = SurveyLink.objects.get()
    html = admin.get("/audit/survey/", HTTP_HOST=a.domain).content.decode()
    assert "A new survey link is open" in html
    assert f'value="http://{a.domain}/survey/{link.token}/"' in html and a.admin.email in html
    asked = admin.get(f"/audit/survey/{link.pk}/close/", HTTP_HOST=a.domain)
    assert asked.status_code == 200 and "Close the survey link" in asked.content.decode()
    closed = admin.post(f"/audit/survey/{link.pk}/close/", HTTP_HOST=a.domain)
    assert closed.status_code == 302
    html = admin.get("/audit/survey/", HTTP_HOST=a.domain).content.decode()
    assert "closed " in html and link.token not in html


def test_viewers_read_the_survey_page_without_links_or_forms(world):
    a = world.a
    link = new_link(a)
    task = tasks_with_minutes(a, **{"Answer emails": 30})["Answer emails"]
    with tenant_context(a.client):
        FrictionVoteFactory(task=task, survey_link=link, pain=3, note="The form loses my draft")
    viewer = person(a, "viewer")
    html = viewer.get("/audit/survey/", HTTP_HOST=a.domain).content.decode()
    assert "The form loses my draft" in html and "Answer emails" in html
    assert link.token not in html and "Open a new survey link" not in html and "/close/" not in html
    assert viewer.post("/audit/survey/new/", HTTP_HOST=a.domain).status_code == 403
    assert viewer.get(f"/audit/survey/{link.pk}/close/", HTTP_HOST=a.domain).status_code == 403
    assert HttpClient().get("/audit/survey/", HTTP_HOST=a.domain)["Location"].startswith("/login/")


# --- the friction per task -------------------------------------------------------------------------------


def test_the_friction_per_task_shows_votes_mean_pain_and_notes_without_names(world):
    a = world.a
    tasks = tasks_with_minutes(a, **{"Answer emails": 30, "Book travel": 60, "Quiet task": 10})
    link = new_link(a)
    with tenant_context(a.client):
        FrictionVoteFactory(task=tasks["Answer emails"], survey_link=link, pain=5, note="Zebra: the CRM times out")
        FrictionVoteFactory(task=tasks["Answer emails"], survey_link=link, pain=4, note="")
        FrictionVoteFactory(task=tasks["Answer emails"], survey_link=link, pain=4, note="Attachments get lost")
        FrictionVoteFactory(task=tasks["Book travel"], survey_link=link, pain=2, note="Approvals by e-mail")
        voter_keys = list(FrictionVote.objects.values_list("voter_key", flat=True))
    answer_ = call(person(a, "viewer"), a, "get", "/api/v1/friction/")
    assert answer_.status_code == 200
    rows = answer_.json()["results"]
    assert [(row["task_name"], row["votes"], row["mean_pain"]) for row in rows] == [
        ("Answer emails", 3, 4.33),
        ("Book travel", 1, 2.0),
    ]
    assert rows[0]["task"] == tasks["Answer emails"].pk
    assert rows[0]["notes"] == ["Attachments get lost", "Zebra: the CRM times out"]  # by text, not by arrival
    assert set(rows[0]) == {"task", "task_name", "votes", "mean_pain", "notes"}
    text = (
        answer_.content.decode()
        + call(HttpClient(), a, "get", "/api/v1/friction/", key=a.keys["read"]).content.decode()
    )
    page_html = person(a, "admin").get("/audit/survey/", HTTP_HOST=a.domain).content.decode()
    for shown in (text, page_html):
        assert not [key for key in voter_keys if key in shown]
        assert a.admin.email not in shown.split('id="friction"')[-1]
    assert "Zebra: the CRM times out" in page_html and "4.33" in page_html


# --- merges and the service's own checks ----------------------------------------------------------------


def test_merging_tasks_moves_their_votes_and_a_browser_keeps_its_latest_vote(world, in_a):
    send, invoice = TaskFactory(name="Send invoices"), TaskFactory(name="Invoice customers")
    link = SurveyLinkFactory()
    FrictionVoteFactory(task=send, survey_link=link, pain=2, note="moves")
    FrictionVoteFactory(task=send, survey_link=None, voter_key="", pain=3, note="by the API")
    # Browser b voted on `send` first, then on `invoice`; browser c the other way round.
    FrictionVoteFactory(task=send, survey_link=link, pain=1, voter_key="b" * 64, note="b earlier")
    FrictionVoteFactory(task=invoice, survey_link=link, pain=5, voter_key="b" * 64, note="b later")
    FrictionVoteFactory(task=invoice, survey_link=link, pain=1, voter_key="c" * 64, note="c earlier")
    FrictionVoteFactory(task=send, survey_link=link, pain=4, voter_key="c" * 64, note="c later")
    into = catalogue.task_merge(task=send, into=invoice, actor=ACTOR)
    assert sorted(FrictionVote.objects.filter(task=into).values_list("pain", "note")) == [
        (2, "moves"),
        (3, "by the API"),
        (4, "c later"),
        (5, "b later"),
    ]
    assert FrictionVote.objects.count() == 4 and not Task.objects.filter(pk=send.pk).exists()


def test_vote_cast_explains_what_is_wrong(world, in_a):
    task = TaskFactory(name="Answer emails")
    link = SurveyLinkFactory()
    with pytest.raises(friction.ValidationError) as wrong_pain:
        friction.vote_cast(link=link, task=task, pain=0, note="")
    assert "Choose how painful Answer emails is: 1 (no pain) to 5 (very painful)." in str(wrong_pain.value)
    with pytest.raises(friction.ValidationError) as too_long:
        friction.vote_cast(link=link, task=task, pain=3, note="x" * 1001)
    assert "at most 1,000 characters; this one has 1,001" in str(too_long.value)
    friction.survey_link_revoke(link=link, actor=ACTOR)
    with pytest.raises(friction.SurveyClosed):
        friction.vote_cast(link=link, task=task, pain=3, voter_key="c" * 64)
    assert FrictionVote.objects.count() == 0
