"""Candidate scoring (METHOD.md section 2) on hand-computed cases, the sample month's ranking, the
privacy fold at k-1, k and k+1, and the rollups staying equal to the raw aggregate after every kind
of write."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from audits import rollups
from audits.models import AuditSettings, Participant, Task, TimeEntry
from audits.selectors import WindowRefused, candidate_list
from audits.services import catalogue, entries, imports, people
from audits.services.entries import EntryIn
from smartwork.actors import Actor
from tests.audits.conftest import sample_path

ACTOR = Actor.cli("tests")
WINDOW = {"window_start": "2026-09-07", "window_end": "2026-09-18"}  # two weeks: 10 working days


def generic(rows: list[tuple[str, str, str, str, int]]) -> None:
    """Import (person, team, task, date, minutes) rows through the real import path."""
    text = "person,team,task,date,minutes\n" + "".join(f"{p},{t},{task},{d},{m}\n" for p, t, task, d, m in rows)
    data = text.encode()
    job = imports.import_job_create(upload=io.BytesIO(data), filename="g.csv", size=len(data), actor=ACTOR)
    imports.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded", job.message


def window(**extra) -> None:
    AuditSettings.objects.update(window_start="2026-09-07", window_end="2026-09-18", **extra)


WORKDAYS = [f"2026-09-{day:02d}" for day in (7, 8, 9, 10, 11, 14, 15, 16, 17, 18)]


def fifty_a_day_and_one_monthly() -> None:
    rows = [("ann@x.test", "Support", "Answer emails", day, 10) for day in WORKDAYS for _ in range(50)]
    rows.append(("bo@x.test", "Finance", "Board report", "2026-09-15", 180))
    generic(rows)


def by_name() -> dict:
    return {c.task_name: c for c in candidate_list()}


def test_fifty_times_a_day_at_ten_minutes_outranks_three_hours_once_a_month(in_a):
    window(hourly_cost=30)
    fifty_a_day_and_one_monthly()
    often, rare = candidate_list()
    assert (often.rank, often.task_name, rare.task_name) == (1, "Answer emails", "Board report")
    assert often.hours_per_month == Decimal(175)  # 5,000 minutes / 60 / 10 days * 21
    assert often.occurrences_per_month == Decimal(1050) and often.minutes_per_occurrence == Decimal(10)
    assert rare.hours_per_month == Decimal("6.3") and rare.occurrences_per_month == Decimal("2.1")
    assert often.automation_potential == Decimal("0.5") == rare.automation_potential  # nothing answered
    assert often.recoverable_hours_per_month == Decimal("87.5") and often.priority == Decimal("87.5")
    assert (often.low_confidence, rare.low_confidence) == (False, True)
    assert often.value_per_month == Decimal("87.5") * 30  # no participant has a cost: the client's


def test_pain_does_not_turn_the_ranking_of_fifty_a_day_against_once_a_month(in_a):
    from audits.models import FrictionVote

    window()
    fifty_a_day_and_one_monthly()
    FrictionVote.objects.create(task=Task.objects.get(name="Answer emails"), pain=1)
    FrictionVote.objects.create(task=Task.objects.get(name="Board report"), pain=5)
    often, rare = candidate_list()
    assert often.task_name == "Answer emails" and often.pain == 1 and rare.pain == 5
    assert often.priority == Decimal("87.5") * Decimal("0.5") and rare.priority == Decimal("3.15") * Decimal("1.5")


def test_suitability_answers_set_the_automation_potential(in_a):
    window()
    fifty_a_day_and_one_monthly()
    task = Task.objects.get(name="Answer emails")
    catalogue.task_update(task=task, suitability={"rules": 5, "input_type": 4, "stability": 3}, actor=ACTOR)
    often = by_name()["Answer emails"]
    assert often.automation_potential == (Decimal(12) / 3 - 1) / 4  # answered only: mean 4 -> 0.75
    assert often.recoverable_hours_per_month == Decimal(175) * Decimal("0.75")


def test_the_hourly_cost_is_weighted_by_minutes_and_falls_back_to_the_clients(in_a):
    window(hourly_cost=30)
    generic([("ann@x.test", "S", "Calls", "2026-09-07", 30), ("bo@x.test", "S", "Calls", "2026-09-08", 90)])
    ann = Participant.objects.get(pseudonym=Participant.objects.order_by("id").first().pseudonym)
    people.participant_update(participant=ann, hourly_cost=Decimal(60))
    calls = by_name()["Calls"]
    assert calls.hourly_cost == (30 * Decimal(60) + 90 * Decimal(30)) / 120  # 37.5
    assert calls.value_per_month == calls.recoverable_hours_per_month * Decimal("37.5")


def test_a_holiday_is_not_a_working_day_of_the_window(in_a):
    window(holidays=["2026-09-10"])
    generic([("ann@x.test", "S", "Calls", "2026-09-07", 60)])
    assert by_name()["Calls"].hours_per_month == Decimal(1) / 9 * 21


def test_a_window_with_no_working_day_is_refused(in_a):
    with pytest.raises(WindowRefused, match="no working day"):
        candidate_list(start=date(2026, 9, 12), end=date(2026, 9, 13))


def test_entries_outside_the_window_and_unmapped_entries_count_nowhere(in_a):
    window()
    generic([("ann@x.test", "S", "Calls", "2026-09-07", 60), ("ann@x.test", "S", "Calls", "2026-10-07", 60)])
    generic([("ann@x.test", "S", "", "2026-09-08", 60)])
    assert [(c.task_name, c.minutes) for c in candidate_list()] == [("Calls", 60)]


def test_the_sample_month_ranks_its_tasks_with_the_truth_figures(in_a, truth):
    window()
    data = sample_path("northwind-clockify.csv").read_bytes()
    job = imports.import_job_create(upload=io.BytesIO(data), filename="c.csv", size=len(data), actor=ACTOR)
    imports.import_job_run(job_id=job.pk)
    ranked = candidate_list()
    assert {c.task_name: (c.entries, c.minutes) for c in ranked} == {
        name: (task["entries"], task["minutes"]) for name, task in truth["tasks"].items()
    }
    for candidate in ranked:
        assert candidate.hours_per_month == Decimal(candidate.minutes) / 60 / 10 * 21
        assert candidate.low_confidence == (truth["tasks"][candidate.task_name]["entries"] < 3)
    # Finance has 3 people (under k = 5): its tasks show "Other teams"; the others their team.
    assert {c.task_name: c.team for c in ranked} == {
        name: (task["team"] if truth["teams"][task["team"]] >= 5 else "Other teams")
        for name, task in truth["tasks"].items()
    }
    assert [c.rank for c in ranked] == list(range(1, len(ranked) + 1))
    assert ranked[0].task_name == "Answer shipment status emails"


@pytest.mark.parametrize(("people_in_team", "shown"), [(4, False), (5, True), (6, True)], ids=["k-1", "k", "k+1"])
def test_a_team_is_named_only_from_k_participants_with_entries(in_a, people_in_team, shown):
    window()
    generic([(f"p{n}@x.test", "Billing", "Chase invoices", "2026-09-07", 10) for n in range(people_in_team)])
    assert by_name()["Chase invoices"].team == ("Billing" if shown else "Other teams")


def test_unassigned_is_always_folded(in_a):
    window()
    generic([(f"p{n}@x.test", "", "Chase invoices", "2026-09-07", 10) for n in range(7)])
    assert by_name()["Chase invoices"].team == "Other teams"


# --- the rollups stay equal to the raw aggregate ----------------------------------------------------

RAW = """
SELECT entry.task_id, entry.day, participant.team, count(*), sum(entry.minutes),
       coalesce(sum(entry.minutes * participant.hourly_cost), 0),
       coalesce(sum(entry.minutes) FILTER (WHERE participant.hourly_cost IS NULL), 0)
  FROM audits_timeentry entry JOIN audits_participant participant ON participant.id = entry.participant_id
 WHERE entry.task_id IS NOT NULL GROUP BY 1, 2, 3
"""
ROLLUP = """SELECT task_id, day, team, entries, minutes, costed_minutes_value, uncosted_minutes
              FROM audits_taskdayrollup"""
PRESENCE_RAW = "SELECT participant_id, day, count(*) FROM audits_timeentry GROUP BY 1, 2"
PRESENCE = "SELECT participant_id, day, entries FROM audits_participantday"


MONTHS_RAW = RAW.replace("entry.day", "date_trunc('month', entry.day)::date")
MONTHS = """SELECT task_id, month, team, entries, minutes, costed_minutes_value, uncosted_minutes
              FROM audits_taskmonthrollup"""
PRESENCE_MONTHS_RAW = (
    "SELECT participant_id, date_trunc('month', day)::date, count(*) FROM audits_timeentry GROUP BY 1, 2"
)
PRESENCE_MONTHS = "SELECT participant_id, month, entries FROM audits_participantmonth"


def assert_rollups_equal_the_entries() -> None:
    with connection.cursor() as cursor:
        results = []
        for query in (RAW, ROLLUP, PRESENCE_RAW, PRESENCE, MONTHS_RAW, MONTHS, PRESENCE_MONTHS_RAW, PRESENCE_MONTHS):
            cursor.execute(query)
            results.append(sorted(cursor.fetchall(), key=str))
    assert results[0] == results[1] and results[0]
    assert results[2] == results[3]
    assert results[4] == results[5]
    assert results[6] == results[7]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 9, 7), date(2026, 9, 18)),  # inside one month
        (date(2026, 8, 20), date(2026, 10, 10)),  # partial months at both ends, September whole
        (date(2026, 8, 1), date(2026, 10, 31)),  # whole months only
        (date(2026, 1, 1), date(2026, 12, 31)),  # a year
    ],
    ids=["days", "partial months", "whole months", "year"],
)
def test_any_window_ranks_the_same_figures_as_the_raw_entries(in_a, start, end):
    window()
    days = ["2026-08-03", "2026-08-31", "2026-09-01", "2026-09-15", "2026-09-30", "2026-10-01", "2026-10-12"]
    generic([(f"p{n % 3}@x.test", "T", f"Task {n % 4}", day, 5 + n) for n, day in enumerate(days * 3)])
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT task.name, count(*), sum(minutes) FROM audits_timeentry entry
                 JOIN audits_task task ON task.id = entry.task_id WHERE day BETWEEN %s AND %s GROUP BY task.name""",
            [start, end],
        )
        raw = {name: (entries, minutes) for name, entries, minutes in cursor.fetchall()}
    assert {c.task_name: (c.entries, c.minutes) for c in candidate_list(start=start, end=end)} == raw


def test_the_rollups_equal_the_raw_aggregate_after_imports_merges_renames_remaps_and_deletes(in_a):
    window()
    fifty_a_day_and_one_monthly()
    generic([("cy@x.test", "Sales", "Qualify leads", day, 12) for day in WORKDAYS])
    assert_rollups_equal_the_entries()
    board, leads = (Task.objects.get(name=n) for n in ("Board report", "Qualify leads"))
    catalogue.task_merge(task=board, into=leads, actor=ACTOR)
    assert_rollups_equal_the_entries()
    catalogue.task_update(task=leads, name="Leads and board", actor=ACTOR)
    assert_rollups_equal_the_entries()
    rule = catalogue.mapping_rule_create(field="label", match="contains", pattern="emails", task=leads, actor=ACTOR)
    assert_rollups_equal_the_entries()
    catalogue.mapping_rule_delete(rule=rule, actor=ACTOR)
    assert_rollups_equal_the_entries()
    someone = Participant.objects.first()
    people.participant_update(participant=someone, team="Renamed team", hourly_cost=Decimal("41.50"))
    assert_rollups_equal_the_entries()
    people.participant_teams_set(csv_text="identity,team\nann@x.test,Front\n")
    assert_rollups_equal_the_entries()
    new = EntryIn(
        identity="dee@x.test", minutes=25, source="api", external_id="e1", label="Answer emails", day=date(2026, 9, 9)
    )
    entries.entries_upsert(entries=[new])
    assert_rollups_equal_the_entries()
    # The same entry again: another day, another task (the update must leave nothing on the old day).
    moved = EntryIn(
        identity="dee@x.test", minutes=35, source="api", external_id="e1", label="Qualify", day=date(2026, 9, 10)
    )
    entries.entries_upsert(entries=[moved])
    assert_rollups_equal_the_entries()
    # A team named by an arriving entry moves the person's earlier minutes to it.
    entries.entries_upsert(
        entries=[
            EntryIn(
                identity="cy@x.test",
                team="Billing",
                minutes=5,
                source="api",
                external_id="e2",
                label="Qualify",
                day=date(2026, 9, 11),
            )
        ]
    )
    assert_rollups_equal_the_entries()
    entries.entry_delete(source="api", external_id="e2")
    entries.entry_delete(source="api", external_id="e1")
    assert_rollups_equal_the_entries()
    assert TimeEntry.objects.filter(source="api").count() == 0
    rollups.rollups_refresh_all()
    assert_rollups_equal_the_entries()
