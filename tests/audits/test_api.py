"""The step-1 API on a client's host (API.md "Tenant host: step 1"): settings, imports, raw entries,
participants, tasks and rules, and what each role and key scope may do there."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django_tenants.utils import tenant_context

from audits.models import AuditSettings, ImportJob, Participant, Task, TimeEntry
from audits.services import imports
from tests.audits.conftest import sample_path
from tests.conftest import login

pytestmark = pytest.mark.django_db

GENERIC = b"person,team,task,date,minutes\nann@x.test,Support,Answer emails,2026-09-07,30\nbo@x.test,Support,Answer emails,2026-09-08,20\n"


def person(tenant, who: str) -> HttpClient:
    http = HttpClient()
    login(http, host=tenant.domain, email=getattr(tenant, who).email)
    return http


def call(http, tenant, method, path, data=None, key=None, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {key}"} if key else {}
    if "content_type" not in extra and method != "get":
        extra["content_type"] = "application/json"
    return getattr(http, method)(path, data, HTTP_HOST=tenant.domain, **headers, **extra)


def import_file(http, tenant, data: bytes, key=None, name="export.csv", **fields):
    return http.post(
        "/api/v1/imports/",
        {"file": SimpleUploadedFile(name, data), **fields},
        HTTP_HOST=tenant.domain,
        **({"HTTP_AUTHORIZATION": f"Api-Key {key}"} if key else {}),
    )


def run_queued(tenant) -> None:
    with tenant_context(tenant.client):
        for job in ImportJob.objects.filter(status="queued"):
            imports.import_job_run(job_id=job.pk)


def test_an_import_through_the_api_is_queued_then_reports_its_counts(world, truth):
    a = world.a
    answer = import_file(HttpClient(), a, sample_path("northwind-kimai.csv").read_bytes(), key=a.keys["write"])
    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert body["status"] == "queued" and body["url"].endswith(f"/api/v1/imports/{body['id']}/")
    assert body["actor"]["kind"] == "api_key" and body["format"] == "kimai"
    run_queued(a)
    detail = call(HttpClient(), a, "get", f"/api/v1/imports/{body['id']}/", key=a.keys["read"]).json()
    assert detail["status"] == "succeeded" and detail["progress"] == 100
    assert (detail["rows_total"], detail["rows_imported"], detail["rows_rejected"], detail["errors"]) == (
        truth["rows"],
        truth["rows"],
        0,
        [],
    )
    listed = call(HttpClient(), a, "get", "/api/v1/imports/", key=a.keys["read"]).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]


def test_a_rejected_row_is_reported_with_row_column_code_and_message(world):
    a = world.a
    bad = GENERIC + b"cy@x.test,Support,Answer emails,2026-13-01,15\n"
    answer = import_file(person(a, "admin"), a, bad)
    run_queued(a)
    detail = call(person(a, "admin"), a, "get", f"/api/v1/imports/{answer.json()['id']}/").json()
    assert detail["status"] == "failed" and detail["rows_imported"] == 0
    [error] = detail["errors"]
    assert (error["row"], error["column"]) == (4, "date") and error["code"] and "2026-13-01" in error["message"]


@pytest.mark.parametrize(
    ("data", "name", "field"),
    [(b"", "empty.csv", "file"), (b"\x89PNG\r\n\x1a\n", "photo.png", "file"), (GENERIC, "x.csv", "format")],
    ids=["empty", "image", "unknown format"],
)
def test_a_file_that_cannot_be_imported_is_a_400_and_stores_nothing(world, data, name, field):
    a = world.a
    extra = {"format": "excel97"} if field == "format" else {}
    answer = import_file(person(a, "admin"), a, data, name=name, **extra)
    assert answer.status_code == 400 and field in answer.json()
    with tenant_context(a.client):
        assert ImportJob.objects.count() == 0


def test_a_viewer_and_a_read_key_cannot_import_but_can_read_the_imports(world):
    a = world.a
    assert import_file(person(a, "viewer"), a, GENERIC).status_code == 403
    assert import_file(HttpClient(), a, GENERIC, key=a.keys["read"]).status_code == 403
    assert call(person(a, "viewer"), a, "get", "/api/v1/imports/").status_code == 200


def test_raw_entries_and_participants_are_for_consultants_and_keys_only(world):
    a = world.a
    import_file(person(a, "consultant"), a, GENERIC)
    run_queued(a)
    with tenant_context(a.client):
        AuditSettings.objects.update(window_start="2026-09-07", window_end="2026-09-18", k=2)
    for who in ("admin", "viewer"):
        assert call(person(a, who), a, "get", "/api/v1/time-entries/").status_code == 403
        # Client people get the teams, folded, never a participant.
        teams = call(person(a, who), a, "get", "/api/v1/participants/").json()["results"]
        assert teams == [{"team": "Support", "participants": 2}]
    with tenant_context(a.client):
        AuditSettings.objects.update(k=3)
    folded = call(person(a, "admin"), a, "get", "/api/v1/participants/").json()["results"]
    assert folded == [{"team": "Other teams", "participants": 2}]
    entries = call(person(a, "consultant"), a, "get", "/api/v1/time-entries/").json()["results"]
    assert len(entries) == 2 and all(row["participant"].startswith("P-") for row in entries)
    assert "ann@x.test" not in str(entries)
    participants = call(HttpClient(), a, "get", "/api/v1/participants/", key=a.keys["read"]).json()["results"]
    assert {row["team"] for row in participants} == {"Support"}


def test_time_entries_posted_twice_are_one_entry_updated(world):
    a = world.a
    entry = {
        "participant": "ann@x.test",
        "task_name": "Qualify leads",
        "day": "2026-09-07",
        "minutes": 12,
        "external_id": "crm-1",
    }
    first = call(HttpClient(), a, "post", "/api/v1/time-entries/", [entry], key=a.keys["write"])
    assert first.status_code == 201 and first.json() == {"created": 1, "updated": 0}
    again = call(HttpClient(), a, "post", "/api/v1/time-entries/", {**entry, "minutes": 14}, key=a.keys["write"])
    assert again.json() == {"created": 0, "updated": 1}
    with tenant_context(a.client):
        saved = TimeEntry.objects.get()
        assert (saved.minutes, saved.source, saved.task.name) == (14, "api", "Qualify leads")
        assert Participant.objects.get().pseudonym == saved.participant.pseudonym


def test_a_time_entry_started_at_with_an_offset_takes_its_day_in_the_clients_time_zone(world):
    a = world.a
    call(person(a, "admin"), a, "patch", "/api/v1/audit/", {"timezone": "America/New_York"})
    entry = {
        "participant": "ann@x.test",
        "task_name": "Late call",
        "started_at": "2026-09-08T01:30:00+00:00",
        "minutes": 30,
        "external_id": "x",
    }
    assert call(HttpClient(), a, "post", "/api/v1/time-entries/", entry, key=a.keys["write"]).status_code == 201
    with tenant_context(a.client):
        assert str(TimeEntry.objects.get().day) == "2026-09-07"


@pytest.mark.parametrize(
    "entry",
    [
        {"participant": "ann@x.test", "task_name": "x", "minutes": 5, "external_id": "no day"},
        {"participant": "ann@x.test", "task_name": "x", "day": "2026-09-07", "minutes": 0, "external_id": "zero"},
        {
            "participant": "ann@x.test",
            "task_name": "x",
            "started_at": "2026-09-07T08:00:00",
            "minutes": 5,
            "external_id": "naive",
        },
    ],
    ids=["no day", "zero minutes", "time without offset"],
)
def test_a_bad_time_entry_is_refused_and_nothing_is_written(world, entry):
    a = world.a
    good = {"participant": "bo@x.test", "task_name": "y", "day": "2026-09-07", "minutes": 5, "external_id": "good"}
    answer = call(HttpClient(), a, "post", "/api/v1/time-entries/", [good, entry], key=a.keys["write"])
    assert answer.status_code == 400
    with tenant_context(a.client):
        assert TimeEntry.objects.count() == 0


def test_the_audit_settings_refuse_a_window_without_a_working_day(world):
    a = world.a
    admin = person(a, "admin")
    answer = call(admin, a, "patch", "/api/v1/audit/", {"window_start": "2026-09-12", "window_end": "2026-09-13"})
    assert answer.status_code == 400 and "no working day" in answer.json()["window_start"][0]
    ok = call(
        admin,
        a,
        "patch",
        "/api/v1/audit/",
        {"window_start": "2026-09-07", "window_end": "2026-09-18", "currency": "EUR"},
    )
    assert ok.status_code == 200
    assert (ok.json()["window_working_days"], ok.json()["currency"], ok.json()["window_is_default"]) == (
        10,
        "EUR",
        False,
    )
    assert call(person(a, "viewer"), a, "patch", "/api/v1/audit/", {"k": 3}).status_code == 403


def test_a_rule_maps_entries_already_imported_and_deleting_it_maps_them_back(world):
    a = world.a
    admin = person(a, "admin")
    import_file(admin, a, GENERIC + b"cy@x.test,Sales,Inbox triage,2026-09-07,10\n")
    run_queued(a)
    with tenant_context(a.client):
        target = Task.objects.create(name="Customer email")
    rule = call(
        admin,
        a,
        "post",
        "/api/v1/mapping-rules/",
        {"field": "label", "match": "contains", "pattern": "EMAIL", "task": target.pk},
    )
    assert rule.status_code == 201, rule.content
    with tenant_context(a.client):
        assert TimeEntry.objects.filter(task=target).count() == 2
    assert call(admin, a, "delete", f"/api/v1/mapping-rules/{rule.json()['id']}/").status_code == 204
    with tenant_context(a.client):
        assert TimeEntry.objects.filter(task__name="Answer emails").count() == 2


def test_a_bad_regex_rule_is_refused_with_a_reason(world):
    a = world.a
    with tenant_context(a.client):
        task = Task.objects.create(name="T")
    answer = call(
        person(a, "admin"),
        a,
        "post",
        "/api/v1/mapping-rules/",
        {"field": "label", "match": "regex", "pattern": "(unclosed", "task": task.pk},
    )
    assert answer.status_code == 400 and "regular expression" in answer.json()["pattern"][0]


def test_renaming_and_merging_tasks_keep_every_minute(world):
    a = world.a
    admin = person(a, "admin")
    import_file(admin, a, sample_path("northwind-toggl.csv").read_bytes())
    run_queued(a)
    with tenant_context(a.client):
        total = sum(TimeEntry.objects.values_list("minutes", flat=True))
        board = Task.objects.get(name="Monthly board report")
        review = Task.objects.get(name="Weekly pipeline review")
    renamed = call(
        admin, a, "patch", f"/api/v1/tasks/{board.pk}/", {"name": "Board report", "suitability": {"rules": 4}}
    )
    assert renamed.status_code == 200 and renamed.json()["suitability"]["rules"] == 4
    merged = call(admin, a, "post", f"/api/v1/tasks/{review.pk}/merge/", {"into": board.pk})
    assert merged.status_code == 200
    with tenant_context(a.client):
        assert sum(TimeEntry.objects.values_list("minutes", flat=True)) == total
        assert TimeEntry.objects.filter(task=board).count() == 3
        assert not Task.objects.filter(pk=review.pk).exists()
    # A second import of the same export finds the renamed and merged tasks again.
    import_file(admin, a, sample_path("northwind-toggl.csv").read_bytes())
    run_queued(a)
    with tenant_context(a.client):
        assert not Task.objects.filter(name__in=["Monthly board report", "Weekly pipeline review"]).exists()


def test_teams_come_from_a_small_identity_team_csv(world):
    a = world.a
    import_file(
        person(a, "admin"), a, b"person,task,date,minutes\nann@x.test,T,2026-09-07,5\nbo@x.test,T,2026-09-07,5\n"
    )
    run_queued(a)
    csv_file = SimpleUploadedFile("teams.csv", b"identity,team\nANN@x.test,Finance\nnobody@x.test,Sales\n")
    answer = HttpClient()
    answer = answer.post(
        "/api/v1/participants/teams/",
        {"file": csv_file},
        HTTP_HOST=a.domain,
        HTTP_AUTHORIZATION=f"Api-Key {a.keys['write']}",
    )
    assert answer.status_code == 200 and answer.json() == {"updated": 1, "unknown": 1}
    with tenant_context(a.client):
        assert sorted(Participant.objects.values_list("team", flat=True)) == ["", "Finance"]


def test_the_candidates_come_ranked_with_their_figures_for_any_window(world):
    a = world.a
    import_file(person(a, "admin"), a, sample_path("northwind-toggl.csv").read_bytes())
    run_queued(a)
    answer = call(HttpClient(), a, "get", "/api/v1/candidates/?start=2026-09-07&end=2026-09-18", key=a.keys["read"])
    assert answer.status_code == 200
    ranked = answer.json()
    assert [row["rank"] for row in ranked] == list(range(1, 8))
    top = ranked[0]
    assert top["task_name"] == "Answer shipment status emails" and top["entries"] == 507
    assert top["hours_per_month"] == round(3020 / 60 / 10 * 21, 4) and top["low_confidence"] is False
    assert top["currency"] == a.client.currency
    board = next(row for row in ranked if row["task_name"] == "Monthly board report")
    assert board["low_confidence"] is True and board["team"] == "Other teams"  # no teams in a Toggl export
    assert call(person(a, "viewer"), a, "get", "/api/v1/candidates/?start=2026-09-07&end=2026-09-18").status_code == 200


@pytest.mark.parametrize(
    ("query", "words"),
    [("?start=2026-09-12&end=2026-09-13", "no working day"), ("?start=2026-09-12", "both")],
    ids=["weekend", "start only"],
)
def test_a_candidate_window_that_cannot_be_ranked_is_a_400(world, query, words):
    answer = call(HttpClient(), world.a, "get", f"/api/v1/candidates/{query}", key=world.a.keys["read"])
    assert answer.status_code == 400 and words in str(answer.json())


def test_a_client_admin_cannot_read_a_participants_figures_through_a_change(world):
    a = world.a
    import_file(person(a, "consultant"), a, GENERIC)
    run_queued(a)
    with tenant_context(a.client):
        someone = Participant.objects.first()
    for who in ("admin", "viewer"):
        answer = call(person(a, who), a, "patch", f"/api/v1/participants/{someone.pk}/", {})
        assert answer.status_code == 403 and "P-" not in answer.content.decode()
    assert (
        call(person(a, "consultant"), a, "patch", f"/api/v1/participants/{someone.pk}/", {"team": "Ops"}).status_code
        == 200
    )


def test_two_spellings_of_one_name_are_one_participant_in_a_file_and_in_the_api(world):
    a = world.a
    data = b"person,task,date,minutes\nAnn Lee,Calls,2026-09-07,5\nann  lee,Calls,2026-09-08,5\n"
    import_file(person(a, "admin"), a, data)
    run_queued(a)
    posted = [
        {"participant": "Bo Kim", "task_name": "Calls", "day": "2026-09-07", "minutes": 5, "external_id": "x1"},
        {"participant": "bo kim", "task_name": "Calls", "day": "2026-09-08", "minutes": 5, "external_id": "x2"},
    ]
    assert call(HttpClient(), a, "post", "/api/v1/time-entries/", posted, key=a.keys["write"]).status_code == 201
    with tenant_context(a.client):
        assert ImportJob.objects.get().status == "succeeded"
        assert Participant.objects.count() == 2 and TimeEntry.objects.count() == 4


@pytest.mark.parametrize(
    "query",
    ["?start=9999-12-31&end=9999-12-31", "?start=0001-01-01&end=9999-12-30"],
    ids=["the calendar's last day", "ten thousand years"],
)
def test_a_window_at_the_calendars_edge_is_answered_never_a_500(world, query):
    answer = call(HttpClient(), world.a, "get", f"/api/v1/candidates/{query}", key=world.a.keys["read"])
    assert answer.status_code in (200, 400)
    settings = call(
        person(world.a, "admin"),
        world.a,
        "patch",
        "/api/v1/audit/",
        {"window_start": "9999-12-27", "window_end": "9999-12-31"},
    )
    assert settings.status_code == 200 and settings.json()["window_working_days"] == 5
