"""The time audit's pages on client A's host, as consultants, client admins and client viewers use
them: settings, imports with their progress, participants (teams only for client people), the task
catalogue with its rules and the unmapped labels."""

import datetime
import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.test import Client as HttpClient
from django.utils import timezone
from django_tenants.utils import tenant_context

from audits.models import AuditSettings, ImportJob, MappingRule, Participant, Task, TimeEntry
from audits.services import catalogue, imports
from audits.services.entries import EntryIn, entries_upsert
from audits.services.settings import audit_settings_update
from smartwork.actors import Actor
from tests.conftest import login

ACTOR = Actor.cli("tests")
DAY = datetime.date(2026, 9, 7)  # a Monday, inside the window the tests set
GENERIC_CSV = b"person,task,date,minutes\nann@example.com,Answer emails,2026-09-07,30\nbob@example.com,Answer emails,2026-09-08,45\n"
PAGES = ["/audit/imports/", "/audit/tasks/", "/audit/participants/", "/audit/settings/"]


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"


def signed_in(world, role: str) -> HttpClient:
    http = HttpClient()
    login(http, host=world.a.domain, email=getattr(world.a, role).email)
    return http


@pytest.fixture
def admin(world, db) -> HttpClient:
    return signed_in(world, "admin")


@pytest.fixture
def consultant(world, db) -> HttpClient:
    return signed_in(world, "consultant")


@pytest.fixture
def viewer(world, db) -> HttpClient:
    return signed_in(world, "viewer")


def in_a(world):
    return tenant_context(world.a.client)


def get(http: HttpClient, world, path: str):
    return http.get(path, HTTP_HOST=world.a.domain)


def post(http: HttpClient, world, path: str, data: dict | None = None):
    return http.post(path, data or {}, HTTP_HOST=world.a.domain)


def entries_add(*rows: dict) -> None:
    """Time entries as the API adds them; each row gives identity and whatever else differs."""
    entries_upsert(
        entries=[
            EntryIn(
                source="api",
                external_id=f"test-{number}",
                day=row.pop("day", DAY),
                minutes=row.pop("minutes", 30),
                **row,
            )
            for number, row in enumerate(rows, start=1)
        ]
    )


def window_set(client) -> None:
    audit_settings_update(
        client=client,
        actor=ACTOR,
        window_start=datetime.date(2026, 9, 7),
        window_end=datetime.date(2026, 9, 18),
    )


def import_job_queued(data: bytes = GENERIC_CSV) -> ImportJob:
    return imports.import_job_create(
        upload=io.BytesIO(data), filename="week.csv", size=len(data), format="generic", actor=ACTOR
    )


def sign_out_form_only(page: str) -> bool:
    """A page whose only POST form is the sign-out in the top bar."""
    return page.count('method="post"') == 1 and 'action="/logout/"' in page


# --- who sees what ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "consultant", "viewer"])
def test_every_audit_page_renders_for_each_role_with_the_audit_in_the_nav(world, db, role):
    http = signed_in(world, role)
    with in_a(world):
        job = import_job_queued()
    for path in [*PAGES, f"/audit/imports/{job.pk}/"]:
        response = get(http, world, path)
        assert response.status_code == 200, path
        page = response.content.decode()
        assert 'href="/audit/">Audit</a>' in page
        assert 'href="/audit/tasks/"' in page and 'href="/audit/settings/"' in page  # the audit's own nav
        if role == "viewer":
            assert sign_out_form_only(page), path
        elif path in PAGES:
            assert not sign_out_form_only(page), path


def test_a_viewer_sees_no_form_on_any_audit_page(world, viewer):
    with in_a(world):
        import_job_queued()
        entries_add({"identity": "ann@example.com", "label": "Answer emails"})
    for path in PAGES:
        page = get(viewer, world, path).content.decode()
        assert sign_out_form_only(page), path
        assert "Run again" not in page and "Merge into" not in page and "Add rule" not in page


def test_a_viewers_posts_to_the_audit_pages_are_refused_and_change_nothing(world, viewer):
    with in_a(world):
        job = import_job_queued()
        entries_add(
            {"identity": "ann@example.com", "label": "Answer emails"}, {"identity": "bob@example.com", "label": "Reply"}
        )
        task, other = Task.objects.order_by("name")
        rule = catalogue.mapping_rule_create(field="label", match="equals", pattern="Reply", task=task, actor=ACTOR)
        participant = Participant.objects.first()
    attempts = {
        "/audit/settings/": {"k": 2},
        "/audit/imports/": {"file": SimpleUploadedFile("week.csv", GENERIC_CSV), "format": "generic"},
        f"/audit/imports/{job.pk}/run/": {},
        "/audit/participants/teams/": {"file": SimpleUploadedFile("teams.csv", b"ann@example.com,Sales\n")},
        f"/audit/participants/{participant.pk}/": {"team": "Sales"},
        "/audit/tasks/new/": {"name": "New"},
        f"/audit/tasks/{task.pk}/": {"name": "Renamed"},
        f"/audit/tasks/{task.pk}/merge/": {"into": other.pk},
        "/audit/rules/new/": {"field": "label", "match": "equals", "pattern": "x", "task": task.pk},
        f"/audit/rules/{rule.pk}/delete/": {},
        "/audit/unmapped/rule/": {"description": "x", "task_name": "New"},
    }
    for path, data in attempts.items():
        assert post(viewer, world, path, data).status_code == 403, path
    assert get(viewer, world, f"/audit/tasks/{task.pk}/merge/").status_code == 403
    with in_a(world):
        assert ImportJob.objects.count() == 1 and Task.objects.count() == 2 and MappingRule.objects.count() == 1
        assert AuditSettings.objects.get().k == 5 and Participant.objects.filter(team="Sales").count() == 0


# --- imports ------------------------------------------------------------------------------------------


def test_a_csv_uploaded_on_the_imports_page_is_queued_and_then_shown_succeeded_with_its_counts(world, admin):
    upload = SimpleUploadedFile("week.csv", GENERIC_CSV, content_type="text/csv")
    response = post(admin, world, "/audit/imports/", {"file": upload, "format": "generic", "mode": "all_or_nothing"})
    assert response.status_code == 302 and response["Location"] == "/audit/imports/"
    with in_a(world):
        job = ImportJob.objects.get()
        assert (job.status, job.format, job.actor.label) == ("queued", "generic", world.a.admin.email)
    page = get(admin, world, "/audit/imports/").content.decode()
    assert "week.csv is queued for import" in page and "<progress" in page

    with in_a(world):
        imports.import_job_run(job_id=job.pk)  # the worker's part: on_commit never fires in a test
    page = get(admin, world, "/audit/imports/").content.decode()
    row = re.search(rf'<tr id="import-{job.pk}".*?</tr>', page, re.S).group(0)
    assert "succeeded" in row and "2 entries imported." in row and "hx-trigger" not in row
    assert [int(n) for n in re.findall(r'class="num">(\d+)<', row)] == [2, 0, 0]
    assert world.a.admin.email in row


def test_the_progress_fragment_polls_every_second_while_queued_and_stops_once_finished(world, admin):
    with in_a(world):
        job = import_job_queued()
    fragment = get(admin, world, f"/audit/imports/{job.pk}/progress/").content.decode()
    assert f'hx-get="/audit/imports/{job.pk}/progress/"' in fragment and 'hx-trigger="every 1s"' in fragment
    assert "<progress" in fragment and "<html" not in fragment
    with in_a(world):
        imports.import_job_run(job_id=job.pk)
    fragment = get(admin, world, f"/audit/imports/{job.pk}/progress/").content.decode()
    assert "hx-trigger" not in fragment and "hx-get" not in fragment and "succeeded" in fragment


@pytest.mark.parametrize(
    ("data", "words"),
    [(b"", "The submitted file is empty."), (b"Name,Colour\nann,blue\n", "not an export we know")],
    ids=["empty", "unknown header"],
)
def test_a_file_that_cannot_be_imported_is_shown_on_the_form_with_400_and_no_job(world, admin, data, words):
    upload = SimpleUploadedFile("bad.csv", data, content_type="text/csv")
    response = post(admin, world, "/audit/imports/", {"file": upload, "format": "auto", "mode": "all_or_nothing"})
    assert response.status_code == 400
    page = response.content.decode()
    form = page[page.index('id="import-upload"') :]
    assert words in form[: form.index("</form>")]
    with in_a(world):
        assert ImportJob.objects.count() == 0


def test_a_stalled_import_offers_run_again_to_admins_and_queues_it(world, admin, viewer):
    with in_a(world):
        job = import_job_queued()
        ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert "Run again" in get(admin, world, "/audit/imports/").content.decode()
    assert "Run again" not in get(viewer, world, "/audit/imports/").content.decode()
    response = post(admin, world, f"/audit/imports/{job.pk}/run/")
    assert response.status_code == 302
    assert "queued again" in get(admin, world, "/audit/imports/").content.decode()


def test_an_import_page_lists_every_rejected_row(world, admin):
    data = b"person,task,date,minutes\nann@example.com,Answer emails,2026-02-31,30\nbob@example.com,Answer emails,2026-09-08,soon\n"
    with in_a(world):
        job = imports.import_job_create(
            upload=io.BytesIO(data), filename="bad.csv", size=len(data), format="generic", actor=ACTOR
        )
        imports.import_job_run(job_id=job.pk)
    page = get(admin, world, f"/audit/imports/{job.pk}/").content.decode()
    table = page[page.index('id="row-errors"') :]
    assert re.search(r'<td class="num">2</td><td>date</td>', table)
    assert re.search(r'<td class="num">3</td><td>minutes</td>', table)
    assert "nothing was imported" in page


# --- participants -------------------------------------------------------------------------------------


def _teams_world(world) -> list[str]:
    """Five people in Sales, two in Ops, one without a team, all with entries in the window."""
    window_set(world.a.client)
    people = [(f"sales{n}@example.com", "Sales") for n in range(5)]
    people += [("ops1@example.com", "Ops"), ("ops2@example.com", "Ops"), ("solo@example.com", "")]
    entries_add(*({"identity": identity, "team": team, "label": "Answer emails"} for identity, team in people))
    return list(Participant.objects.values_list("pseudonym", flat=True))


def _teams_table(page: str) -> list[tuple[str, int]]:
    table = page[page.index('id="teams"') :]
    table = table[: table.index("</table>")]
    return [(team, int(n)) for team, n in re.findall(r'<tr><td>([^<]+)</td><td class="num">(\d+)</td></tr>', table)]


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_client_people_see_teams_folded_under_k_and_no_pseudonym(world, db, role):
    with in_a(world):
        pseudonyms = _teams_world(world)
    page = get(signed_in(world, role), world, "/audit/participants/").content.decode()
    assert _teams_table(page) == [("Sales", 5), ("Other teams", 3)]
    assert "Ops" not in page
    assert not any(pseudonym in page for pseudonym in pseudonyms)
    assert not re.search(r"P-[0-9a-f]{6}", page)


def test_a_consultant_sees_every_pseudonym_and_the_same_folded_teams(world, consultant):
    with in_a(world):
        pseudonyms = _teams_world(world)
    page = get(consultant, world, "/audit/participants/").content.decode()
    assert _teams_table(page) == [("Sales", 5), ("Other teams", 3)]
    assert all(pseudonym in page for pseudonym in pseudonyms)


def test_a_consultant_sets_a_participants_team_and_cost_and_a_refused_cost_shows_on_its_row(world, consultant):
    with in_a(world):
        entries_add({"identity": "ann@example.com", "label": "Answer emails"})
        participant = Participant.objects.get()
    path = f"/audit/participants/{participant.pk}/"
    refused = post(consultant, world, path, {"team": "Sales", "role_title": "", "hourly_cost": "-5"})
    assert refused.status_code == 400 and "greater than or equal to 0" in refused.content.decode()
    saved = post(consultant, world, path, {"team": "Sales", "role_title": "Agent", "hourly_cost": "42.50"})
    assert saved.status_code == 302
    with in_a(world):
        participant.refresh_from_db()
        assert (participant.team, participant.role_title, str(participant.hourly_cost)) == ("Sales", "Agent", "42.50")


def test_an_admin_sets_teams_from_a_csv_and_is_told_how_many_were_updated_and_unknown(world, admin):
    with in_a(world):
        entries_add({"identity": "ann@example.com", "label": "Answer emails"})
    teams = SimpleUploadedFile("teams.csv", b"identity,team\nAnn@Example.com,Sales\nnobody@example.com,Ops\n")
    response = post(admin, world, "/audit/participants/teams/", {"file": teams})
    assert response.status_code == 302
    page = get(admin, world, "/audit/participants/").content.decode()
    assert "Teams set for 1 participant; 1 identity is not in any import yet." in page
    with in_a(world):
        assert Participant.objects.get().team == "Sales"


def test_an_admin_cannot_edit_participants_as_they_never_see_them(world, admin):
    with in_a(world):
        entries_add({"identity": "ann@example.com", "label": "Answer emails"})
        participant = Participant.objects.get()
    assert post(admin, world, f"/audit/participants/{participant.pk}/", {"team": "Sales"}).status_code == 403


# --- tasks, rules, unmapped ---------------------------------------------------------------------------


def _total_minutes() -> int:
    return TimeEntry.objects.aggregate(total=Sum("minutes"))["total"]


def test_a_rename_and_a_merge_through_the_pages_move_entries_and_lose_no_minute(world, admin):
    with in_a(world):
        entries_add(
            {"identity": "ann@example.com", "label": "Answer emails", "minutes": 30},
            {"identity": "bob@example.com", "label": "Answer emails", "minutes": 45},
            {"identity": "ann@example.com", "label": "Reply to mail", "minutes": 20},
        )
        before = _total_minutes()
        emails, reply = Task.objects.get(name="Answer emails"), Task.objects.get(name="Reply to mail")
    renamed = post(
        admin, world, f"/audit/tasks/{emails.pk}/", {"name": "Email replies", "process": "Support", "rules": "4"}
    )
    assert renamed.status_code == 302
    page = get(admin, world, "/audit/tasks/").content.decode()
    assert "Answer emails is renamed Email replies" in page
    with in_a(world):
        emails.refresh_from_db()
        assert (emails.name, emails.process, emails.rules, emails.entries.count()) == ("Email replies", "Support", 4, 2)

    ask = get(admin, world, f"/audit/tasks/{reply.pk}/merge/")
    assert ask.status_code == 200 and "Merge Reply to mail into another task?" in ask.content.decode()
    with in_a(world):
        assert Task.objects.filter(pk=reply.pk).exists()  # asking changes nothing
    merged = post(admin, world, f"/audit/tasks/{reply.pk}/merge/", {"into": emails.pk})
    assert merged.status_code == 302 and merged["Location"] == "/audit/tasks/"
    with in_a(world):
        assert not Task.objects.filter(pk=reply.pk).exists()
        assert TimeEntry.objects.filter(task=emails).count() == 3
        assert _total_minutes() == before == 95


def test_a_rename_to_a_taken_name_is_shown_on_the_tasks_row_with_400(world, admin):
    with in_a(world):
        entries_add(
            {"identity": "ann@example.com", "label": "Answer emails"}, {"identity": "ann@example.com", "label": "Reply"}
        )
        reply = Task.objects.get(name="Reply")
    response = post(admin, world, f"/audit/tasks/{reply.pk}/", {"name": "answer emails"})
    assert response.status_code == 400
    row = re.search(rf'<tr id="task-row-{reply.pk}".*?</tr>', response.content.decode(), re.S).group(0)
    assert "There is already a task named" in row


def test_merging_a_task_into_itself_is_refused_on_the_merge_page(world, admin):
    with in_a(world):
        entries_add({"identity": "ann@example.com", "label": "Answer emails"})
        task = Task.objects.get()
    response = post(admin, world, f"/audit/tasks/{task.pk}/merge/", {"into": task.pk})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()


def test_a_rule_added_from_the_unmapped_list_maps_those_entries_to_a_new_task(world, admin):
    with in_a(world):
        entries_add(
            {"identity": "ann@example.com", "project": "Ops", "description": "Call with supplier", "minutes": 30},
            {"identity": "bob@example.com", "project": "Ops", "description": "Call with supplier", "minutes": 15},
            {"identity": "bob@example.com", "project": "Ops", "description": "", "minutes": 10},
        )
        assert TimeEntry.objects.filter(task__isnull=True).count() == 3
    page = get(admin, world, "/audit/tasks/").content.decode()
    unmapped = page[page.index('id="unmapped"') :]
    assert "Call with supplier" in unmapped and 'value="Call with supplier"' in unmapped
    assert "The rule catches every entry of project Ops" in unmapped  # the line without a description

    form = {"project": "Ops", "description": "Call with supplier", "task_name": "Supplier calls"}
    assert post(admin, world, "/audit/unmapped/rule/", form).status_code == 302
    with in_a(world):
        task = Task.objects.get(name="Supplier calls")
        assert TimeEntry.objects.filter(task=task).count() == 2
        rule = MappingRule.objects.get()
        assert (rule.field, rule.match, rule.pattern) == ("description", "equals", "Call with supplier")
    # The line without a description: a project rule, to the existing task named in another case.
    assert (
        post(admin, world, "/audit/unmapped/rule/", {"project": "Ops", "task_name": "supplier CALLS"}).status_code
        == 302
    )
    with in_a(world):
        assert Task.objects.count() == 1 and TimeEntry.objects.filter(task__isnull=True).count() == 0
    page = get(admin, world, "/audit/tasks/").content.decode()
    assert "Every entry is mapped to a task." in page


def test_an_unmapped_line_without_a_task_name_is_shown_with_400_and_makes_nothing(world, admin):
    with in_a(world):
        entries_add({"identity": "ann@example.com", "project": "Ops", "description": "Call with supplier"})
    response = post(admin, world, "/audit/unmapped/rule/", {"project": "Ops", "description": "Call with supplier"})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    with in_a(world):
        assert Task.objects.count() == 0 and MappingRule.objects.count() == 0


def test_a_rule_added_on_the_tasks_page_previews_the_labels_it_catches_and_is_deleted_after_asking(world, admin):
    with in_a(world):
        entries_add(
            {"identity": "ann@example.com", "project": "Inbox", "label": "Answer emails", "minutes": 30},
            {"identity": "bob@example.com", "project": "Inbox", "label": "Sort email", "minutes": 90},
            {"identity": "bob@example.com", "project": "CRM", "label": "Qualify lead", "minutes": 20},
        )
        target = Task.objects.get(name="Answer emails")
    rule = {"field": "label", "match": "regex", "pattern": "e?mails?$", "task": target.pk, "position": ""}
    assert post(admin, world, "/audit/rules/new/", rule).status_code == 302
    page = get(admin, world, "/audit/tasks/").content.decode()
    with in_a(world):
        added = MappingRule.objects.get()
        assert TimeEntry.objects.filter(task=target).count() == 2
    row = re.search(rf'<tr id="rule-{added.pk}".*?</tr>', page, re.S).group(0)
    assert "Sort email" in row and "1.50 h" in row and "Answer emails" in row and "Qualify lead" not in row

    bad = post(admin, world, "/audit/rules/new/", {**rule, "pattern": "(unclosed"})
    assert bad.status_code == 400 and "is not a regular expression PostgreSQL accepts" in bad.content.decode()

    ask = get(admin, world, f"/audit/rules/{added.pk}/delete/")
    assert ask.status_code == 200 and "Delete rule 1" in ask.content.decode()
    assert post(admin, world, f"/audit/rules/{added.pk}/delete/").status_code == 302
    with in_a(world):
        assert not MappingRule.objects.exists() and TimeEntry.objects.filter(task=target).count() == 1


def test_a_viewer_reads_the_catalogue_with_hours_and_answers(world, viewer):
    with in_a(world):
        entries_add({"identity": "ann@example.com", "label": "Answer emails", "minutes": 90})
        Task.objects.update(rules=4)
    page = get(viewer, world, "/audit/tasks/").content.decode()
    assert "Answer emails" in page and "1.50" in page and '<td class="num">4</td>' in page


# --- settings -----------------------------------------------------------------------------------------


def _settings_form(**changes) -> dict:
    form = {
        "window_start": "",
        "window_end": "",
        "working_days": ["1", "2", "3", "4", "5"],
        "working_days_per_month": "21",
        "hourly_cost": "55.50",
        "currency": "usd",
        "timezone": "Europe/Berlin",
        "holidays": "2026-12-24\n2026-12-25\n",
        "k": "5",
    }
    return {**form, **changes}


def test_the_settings_page_says_the_window_is_the_default_until_one_is_set(world, viewer):
    page = get(viewer, world, "/audit/settings/").content.decode()
    assert "this is the default: the last 10 working days" in page
    assert "not stored" in page


def test_settings_saved_on_the_page_redirect_and_show_the_window_set(world, admin):
    response = post(
        admin,
        world,
        "/audit/settings/",
        _settings_form(window_start="2026-09-07", window_end="2026-09-18", keep_names="on"),
    )
    assert response.status_code == 302 and response["Location"] == "/audit/settings/"
    page = get(admin, world, "/audit/settings/").content.decode()
    assert "The audit settings are saved." in page and "10 working days" in page and "this is the default" not in page
    with in_a(world):
        audit = AuditSettings.objects.get()
        assert (audit.timezone, str(audit.hourly_cost), audit.keep_names) == ("Europe/Berlin", "55.50", True)
        assert audit.holidays == [datetime.date(2026, 12, 24), datetime.date(2026, 12, 25)]
    world.a.client.refresh_from_db()
    assert world.a.client.currency == "USD"


def test_settings_refuse_a_window_with_no_working_day_with_a_clear_message(world, admin):
    response = post(
        admin, world, "/audit/settings/", _settings_form(window_start="2026-09-05", window_end="2026-09-06")
    )
    assert response.status_code == 400
    assert "The window 2026-09-05 to 2026-09-06 has no working day" in response.content.decode()
    with in_a(world):
        assert AuditSettings.objects.get().window_start is None


def test_settings_refuse_a_holiday_that_is_not_a_date(world, admin):
    response = post(admin, world, "/audit/settings/", _settings_form(holidays="2026-12-24\nChristmas"))
    assert response.status_code == 400 and "Line 2, &#x27;Christmas&#x27;, is not a date" in response.content.decode()
