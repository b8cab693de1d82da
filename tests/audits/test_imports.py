"""Imports of tracker exports through the job's service (audits.services.imports), in client A's
schema: the samples' truth, idempotent re-imports, all_or_nothing and valid_rows, pseudonyms."""

import io
from collections import defaultdict

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum

from audits.models import ImportJob, Participant, Task, TimeEntry
from audits.services import imports
from smartwork.actors import Actor
from tests.audits.conftest import sample_path

ACTOR = Actor.cli("tests")


def upload(
    data: bytes, *, filename: str = "export.csv", format: str = "auto", mode: str = "all_or_nothing"
) -> ImportJob:
    """Queue and run an import as the worker would; returns the finished job."""
    job = imports.import_job_create(
        upload=io.BytesIO(data), filename=filename, size=len(data), format=format, mode=mode, actor=ACTOR
    )
    imports.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def totals() -> dict[str, tuple[int, int]]:
    rows = TimeEntry.objects.values("task__name").annotate(entries=Count("id"), minutes=Sum("minutes"))
    return {row["task__name"]: (row["entries"], row["minutes"]) for row in rows}


@pytest.mark.parametrize("tracker", ["toggl", "clockify", "harvest", "kimai"])
def test_each_sample_imports_to_the_truth_totals(in_a, truth, tracker):
    job = upload(sample_path(f"northwind-{tracker}.csv").read_bytes(), filename=f"northwind-{tracker}.csv")
    assert job.status == "succeeded", job.message
    assert job.format == tracker
    assert (job.rows_total, job.rows_imported, job.rows_duplicate, job.rows_rejected) == (
        truth["rows"],
        truth["rows"],
        0,
        0,
    )
    assert job.progress == 100 and job.finished_at and job.path == ""
    expected = {name: (task["entries"], task["minutes"]) for name, task in truth["tasks"].items()}
    assert totals() == expected
    assert Participant.objects.count() == sum(truth["teams"].values())
    if tracker in ("clockify", "harvest"):  # the formats that carry teams
        sizes = dict(Participant.objects.values_list("team").annotate(n=Count("id")))
        assert sizes == truth["teams"]


def test_a_second_import_of_the_same_file_adds_nothing(in_a, truth):
    data = sample_path("northwind-harvest.csv").read_bytes()
    upload(data)
    again = upload(data)
    assert again.status == "succeeded"
    assert (again.rows_imported, again.rows_duplicate) == (0, truth["rows"])
    assert TimeEntry.objects.count() == truth["rows"]


def test_an_overlapping_export_adds_only_the_rows_not_there(in_a, truth):
    lines = sample_path("northwind-toggl.csv").read_bytes().splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    first = upload(header + b"".join(rows[:700]))
    whole = upload(header + b"".join(rows))
    assert (first.rows_imported, whole.rows_imported, whole.rows_duplicate) == (700, len(rows) - 700, 700)
    assert TimeEntry.objects.count() == truth["rows"]


HARVEST_HEADER = b"Date,Client,Project,Task,Notes,Hours,Hours Rounded,First Name,Last Name,Employee Id,Roles\n"


def test_identical_rows_of_one_file_are_two_entries_and_a_reimport_still_adds_nothing(in_a):
    row = b"2026-09-07,Northwind,Support,Answer emails,,0.25,0.25,Dev,Ito,E103,Customer Service\n"
    data = HARVEST_HEADER + row + row
    assert upload(data).rows_imported == 2
    assert upload(data).rows_imported == 0
    assert upload(HARVEST_HEADER + row + row + row).rows_imported == 1  # a third identical row is new
    assert TimeEntry.objects.count() == 3


def test_all_or_nothing_writes_nothing_when_a_row_is_bad_and_lists_every_bad_row(in_a):
    good = b"2026-09-07,Northwind,Support,Answer emails,,0.25,0.25,Dev,Ito,E103,Customer Service\n"
    bad_date = b"2026-02-31,Northwind,Support,Answer emails,,0.25,0.25,Dev,Ito,E103,Customer Service\n"
    bad_hours = b"2026-09-08,Northwind,Support,Answer emails,,a while,0.25,Dev,Ito,E103,Customer Service\n"
    job = upload(HARVEST_HEADER + good + bad_date + good.replace(b"09-07", b"09-09") + bad_hours)
    assert job.status == "failed" and job.rows_imported == 0 and job.rows_rejected == 2
    assert "nothing was imported" in job.message
    errors = list(job.row_errors.values_list("row", "column", "code"))
    assert [(row, column) for row, column, _ in errors] == [(3, "Date"), (5, "Hours")]
    assert TimeEntry.objects.count() == 0 and Participant.objects.count() == 0 and Task.objects.count() == 0


def test_valid_rows_writes_the_good_rows_and_lists_the_bad(in_a):
    good = b"2026-09-07,Northwind,Support,Answer emails,,0.25,0.25,Dev,Ito,E103,Customer Service\n"
    bad = b"2026-09-07,Northwind,Support,Answer emails,,-1,0.25,Dev,Ito,E103,Customer Service\n"
    job = upload(HARVEST_HEADER + good + bad, mode="valid_rows")
    assert job.status == "succeeded"
    assert (job.rows_total, job.rows_imported, job.rows_rejected) == (2, 1, 1)
    assert job.row_errors.get().row == 3
    assert TimeEntry.objects.get().minutes == 15


@pytest.mark.parametrize(
    ("data", "filename", "words"),
    [
        (b"", "empty.csv", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "report.pdf", "CSV"),
        (b"Name,Colour\nann,blue\n", "other.csv", "not an export we know"),
    ],
    ids=["empty", "pdf", "unknown header"],
)
def test_a_file_that_cannot_be_imported_is_refused_at_once_and_nothing_is_stored(in_a, data, filename, words):
    with pytest.raises(ValidationError) as refused:
        upload(data, filename=filename)
    assert words.lower() in str(refused.value).lower()
    assert ImportJob.objects.count() == 0


def test_a_file_over_the_limit_is_refused(in_a, settings):
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="at most"):
        upload(HARVEST_HEADER * 10)


def test_invalid_utf8_later_in_the_file_fails_the_job_and_writes_nothing(in_a):
    good = b"2026-09-07,Northwind,Support,Answer emails,,0.25,0.25,Dev,Ito,E103,Customer Service\n"
    job = upload(HARVEST_HEADER + good * 20_000 + b"2026-09-07,Northw\xff\xfend,Support,x,,0.25,0.25,A,B,E1,X\n")
    assert job.status == "failed" and "UTF-8" in job.message
    assert TimeEntry.objects.count() == 0


def test_no_name_or_e_mail_of_the_team_is_stored(in_a):
    upload(sample_path("northwind-toggl.csv").read_bytes())
    stored = " ".join(
        " ".join(str(value) for value in row)
        for row in [*Participant.objects.values_list(), *TimeEntry.objects.values_list()]
    ).lower()
    for person in ("dev ito", "dev.ito@example.com", "quinn dubois", "quinn.dubois"):
        assert person not in stored
    assert all(p.pseudonym.startswith("P-") and len(p.pseudonym) == 8 for p in Participant.objects.all())


def test_the_same_person_gets_the_same_pseudonym_from_every_tracker_that_names_them_alike(in_a):
    upload(sample_path("northwind-toggl.csv").read_bytes())
    upload(sample_path("northwind-kimai.csv").read_bytes())  # both key people by e-mail
    assert Participant.objects.count() == 17


def test_another_clients_secret_gives_other_pseudonyms(world, db):
    from django_tenants.utils import tenant_context

    data = HARVEST_HEADER + b"2026-09-07,N,Support,Answer,,0.25,0.25,Dev,Ito,E103,CS\n"
    seen = []
    for tenant in (world.a, world.b):
        with tenant_context(tenant.client):
            upload(data)
            seen.append(Participant.objects.get().pseudonym)
    assert seen[0] != seen[1]


def test_an_entry_without_a_label_stays_unmapped_and_a_label_creates_its_task(in_a):
    header = b"User,Email,Project,Task,Description,Start date,Start time,Duration\n"
    rows = b"Ann,ann@x.test,Ops,,,2026-09-07,09:00:00,00:30:00\nAnn,ann@x.test,Ops,,Call Bob,2026-09-07,10:00:00,00:10:00\n"
    upload(header + rows)
    assert TimeEntry.objects.filter(task__isnull=True).count() == 1
    assert list(Task.objects.values_list("name", flat=True)) == ["Call Bob"]


def test_the_day_is_the_start_date_in_the_clients_time_zone(in_a):
    from audits.models import AuditSettings

    AuditSettings.objects.update(timezone="Asia/Tokyo")
    header = b"person,task,date,start,minutes\n"
    upload(header + b"ann@x.test,Call,2026-09-07,2026-09-07T23:30:00+00:00,15\n", format="generic")
    entry = TimeEntry.objects.get()
    assert str(entry.day) == "2026-09-08"


def test_rows_per_participant_come_out_by_pseudonym_only(in_a):
    upload(sample_path("northwind-clockify.csv").read_bytes())
    per_team = defaultdict(int)
    for team, minutes in TimeEntry.objects.values_list("participant__team").annotate(m=Sum("minutes")):
        per_team[team] += minutes
    assert sum(per_team.values()) == sum(
        task["minutes"]
        for task in __import__("json").loads(sample_path("northwind-truth.json").read_text())["tasks"].values()
    )


@pytest.mark.parametrize("tracker", ["clockify", "harvest"])
def test_the_xlsx_twin_of_a_sample_imports_to_the_same_entries_and_adds_nothing_after_the_csv(
    in_a, truth, tracker, tmp_path
):
    from tests.audits.test_readers import xlsx_twin

    csv_data = sample_path(f"northwind-{tracker}.csv").read_bytes()
    workbook = xlsx_twin(csv_data, tracker, tmp_path / f"{tracker}.xlsx").read_bytes()
    job = upload(workbook, filename=f"northwind-{tracker}.xlsx")
    assert job.status == "succeeded" and job.rows_imported == truth["rows"], job.message
    assert totals() == {name: (task["entries"], task["minutes"]) for name, task in truth["tasks"].items()}
    again = upload(csv_data, filename=f"northwind-{tracker}.csv")  # the same export as CSV: the same entries
    assert (again.rows_imported, again.rows_duplicate) == (0, truth["rows"])


def test_a_huge_cell_is_rejected_with_its_row_and_nothing_is_written(in_a):
    huge = "x" * 20_000
    data = f"person,task,date,minutes\nann@x.test,Call,2026-09-07,5\nbo@x.test,{huge},2026-09-07,5\n".encode()
    job = upload(data)
    assert job.status == "failed" and job.rows_imported == 0
    assert TimeEntry.objects.count() == 0
    assert job.row_errors.exists() or "long" in job.message.lower()
