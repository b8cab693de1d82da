"""The demo clients' time data (seed_demo): four weeks of a realistic team's tracked work, exported the
way their tracker would and brought in through the real import path (upload, job, COPY, mapping).

Northwind Logistics tracks with Clockify (its export names each person's team); Acme Dental Group
with Toggl Track (no teams in the export: they come from a small identity,team CSV, as a consultant
would load them). The weeks are the 20 working days before the day the demo is seeded, so the
default audit window (the last 10 working days) is full."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from audits.models import SUITABILITY_QUESTIONS, ImportJob, Task
from audits.services import catalogue, friction, imports, people
from audits.services import settings as audit_settings
from smartwork.actors import Actor
from smartwork.tenancy import CONSULTANT

WEEKLY, MONTHLY = -1.0, -2.0


@dataclass(frozen=True)
class Work:
    task: str
    project: str
    team: str
    per_day: float  # times a day per person of the team; WEEKLY or MONTHLY: once a week or month, by one person
    minutes: tuple[int, int]  # shortest and longest


TEAMS = {
    "northwind": {"Customer Service": 8, "Sales": 6, "Finance": 3},
    "acme": {"Front Desk": 6, "Billing": 5, "Clinical Support": 4},
}
WORK = {
    "northwind": [
        Work("Answer shipment status emails", "Support", "Customer Service", 6, (3, 9)),
        Work("Re-key delivery notes into ERP", "Operations", "Customer Service", 3, (2, 6)),
        Work("Qualify inbound leads", "Sales", "Sales", 3, (8, 16)),
        Work("Client strategy call", "Sales", "Sales", 0.4, (30, 70)),
        Work("Weekly pipeline review", "Sales", "Sales", WEEKLY, (50, 70)),
        Work("Invoice matching", "Finance Ops", "Finance", 5, (5, 12)),
        Work("Monthly board report", "Finance Ops", "Finance", MONTHLY, (180, 220)),
    ],
    "acme": [
        Work("Confirm appointments by phone", "Front desk", "Front Desk", 10, (2, 5)),
        Work("Answer patient emails", "Front desk", "Front Desk", 4, (3, 8)),
        Work("Insurance pre-authorisation", "Billing", "Billing", 3, (12, 25)),
        Work("Chase unpaid invoices", "Billing", "Billing", 2, (6, 12)),
        Work("Monthly supplier reconciliation", "Billing", "Billing", MONTHLY, (150, 200)),
        Work("Re-key lab results into the practice system", "Clinical", "Clinical Support", 4, (4, 9)),
        Work("Sterilisation log", "Clinical", "Clinical Support", 2, (5, 10)),
    ],
}
# Each task's suitability answers (rules, input type, input quality, stability, documentation), the
# pain its team gives it in the survey (one vote per member who answered) and what they wrote.
JUDGEMENT = {
    "Answer shipment status emails": (
        (5, 5, 4, 4, 3),
        (4, 4, 5, 3, 4),
        "Same three questions all day; the tracking page has the answer.",
    ),
    "Re-key delivery notes into ERP": (
        (5, 3, 2, 4, 3),
        (5, 4, 5, 5),
        "Typing from scanned PDFs; a wrong digit costs a re-delivery.",
    ),
    "Qualify inbound leads": ((3, 5, 3, 3, 2), (3, 3, 4), "Half the forms are spam or students."),
    "Client strategy call": ((1, 4, 2, 2, 1), (2, 1, 2), ""),
    "Weekly pipeline review": ((2, 5, 4, 3, 3), (2, 3), ""),
    "Invoice matching": ((5, 5, 4, 4, 4), (4, 5, 4), "Matching PO numbers by hand between two systems."),
    "Monthly board report": ((3, 5, 4, 3, 3), (3, 4), "Copying the same charts into slides every month."),
    "Confirm appointments by phone": (
        (5, 5, 5, 4, 4),
        (4, 4, 3, 5, 4),
        "Most calls go to voicemail; we call back twice.",
    ),
    "Answer patient emails": ((3, 5, 3, 3, 2), (3, 3, 2), ""),
    "Insurance pre-authorisation": (
        (4, 4, 3, 2, 3),
        (5, 5, 4),
        "The insurer's portal logs us out mid-form; the forms change every quarter.",
    ),
    "Chase unpaid invoices": ((5, 5, 4, 4, 3), (3, 4), "Same reminder text, three times per invoice."),
    "Monthly supplier reconciliation": ((4, 5, 4, 4, 4), (2, 3), ""),
    "Re-key lab results into the practice system": (
        (5, 4, 3, 4, 3),
        (4, 5, 4),
        "Results arrive as PDF; we type them in line by line.",
    ),
    "Sterilisation log": ((4, 2, 3, 5, 4), (2, 2), ""),
}

FIRST = [
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Eli",
    "Femi",
    "Gus",
    "Hana",
    "Ivo",
    "Jun",
    "Kai",
    "Lena",
    "Mo",
    "Nia",
    "Omar",
    "Pia",
]
LAST = ["Park", "Ito", "Dubois", "Okafor", "Rossi", "Silva", "Nowak", "Berg", "Khan", "Lopez", "Meyer", "Sato"]


def _people(slug: str) -> list[tuple[str, str, str]]:
    """(name, e-mail, team) of each member of the client's team."""
    members, n = [], 0
    for team, size in TEAMS[slug].items():
        for _ in range(size):
            name = f"{FIRST[n % len(FIRST)]} {LAST[(n * 5) % len(LAST)]}"
            members.append((name, f"{name.lower().replace(' ', '.')}@{slug}.demo", team))
            n += 1
    return members


def _working_days(until: date, count: int) -> list[date]:
    days: list[date] = []
    day = until - timedelta(days=1)
    while len(days) < count:
        if day.isoweekday() <= 5:
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days)


def _entries(slug: str, days: list[date]):
    """(person, work, start, minutes) of four weeks, deterministic for the client and the dates."""
    chance = random.Random(f"{slug}:{days[0]}")  # noqa: S311 (demo data, not a secret)
    first_of_team: dict[str, tuple[str, str, str]] = {}
    for person in _people(slug):
        first_of_team.setdefault(person[2], person)
    for number, day in enumerate(days):
        for name, email, team in _people(slug):
            clock = datetime(day.year, day.month, day.day, 8, chance.randrange(0, 30))
            for work in WORK[slug]:
                if work.team != team:
                    continue
                if work.per_day in (WEEKLY, MONTHLY):  # one person's routine: Mondays, or one day of the period
                    due = day.isoweekday() == 1 if work.per_day == WEEKLY else number == len(days) - 3
                    times = 1 if due and first_of_team[team][0] == name else 0
                else:
                    times = int(work.per_day) + (1 if chance.random() < work.per_day % 1 else 0)
                for _ in range(times):
                    minutes = chance.randint(*work.minutes)
                    yield (name, email, team), work, clock, minutes
                    clock += timedelta(minutes=minutes + chance.randrange(0, 12))


def clockify_export(slug: str, days: list[date]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["Project", "Client", "Description", "Task", "User", "Group", "Email", "Tags", "Billable", "Start Date",
         "Start Time", "End Date", "End Time", "Duration (h)", "Duration (decimal)", "Billable Rate (USD)",
         "Billable Amount (USD)"]
    )  # fmt: skip
    for (name, email, team), work, start, minutes in _entries(slug, days):
        end = start + timedelta(minutes=minutes)
        writer.writerow(
            [work.project, "Northwind Logistics", "", work.task, name, team, email, "", "No",
             start.strftime("%m/%d/%Y"), start.strftime("%I:%M:%S %p"), end.strftime("%m/%d/%Y"),
             end.strftime("%I:%M:%S %p"), f"{minutes // 60:02d}:{minutes % 60:02d}:00", f"{minutes / 60:.2f}",
             "0.00", "0.00"]
        )  # fmt: skip
    return out.getvalue().encode()


def toggl_export(slug: str, days: list[date]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["User", "Email", "Client", "Project", "Task", "Description", "Billable", "Start date", "Start time",
         "End date", "End time", "Duration", "Tags", "Amount (USD)"]
    )  # fmt: skip
    for (name, email, _team), work, start, minutes in _entries(slug, days):
        end = start + timedelta(minutes=minutes)
        writer.writerow(
            [name, email, "Acme Dental Group", work.project, "", work.task, "No", start.strftime("%Y-%m-%d"),
             start.strftime("%H:%M:%S"), end.strftime("%Y-%m-%d"), end.strftime("%H:%M:%S"),
             f"{minutes // 60:02d}:{minutes % 60:02d}:00", "", ""]
        )  # fmt: skip
    return out.getvalue().encode()


def demo_time_data(*, client, consultant, actor: Actor) -> list[str]:
    """Import the client's four weeks once (a client that has any import already is left alone)."""
    if client.slug not in WORK or ImportJob.objects.exists():
        return []
    days = _working_days(timezone.localdate(), 20)
    if client.slug == "northwind":
        data, filename = clockify_export(client.slug, days), "clockify-detailed-report.csv"
    else:
        data, filename = toggl_export(client.slug, days), "toggl-detailed-report.csv"
    as_consultant = Actor.person(consultant, CONSULTANT)
    job = imports.import_job_create(
        upload=io.BytesIO(data),
        filename=filename,
        size=len(data),
        format="auto",
        mode="all_or_nothing",
        actor=as_consultant,
    )
    imports.import_job_run(job_id=job.pk)  # the worker's work, done here: the demo is ready when the command ends
    job.refresh_from_db()
    if client.slug == "acme":
        teams = "identity,team\n" + "".join(f"{email},{team}\n" for _name, email, team in _people(client.slug))
        people.participant_teams_set(csv_text=teams)
    # The audit covers the four weeks imported (the default would be the last two).
    audit_settings.audit_settings_update(client=client, actor=as_consultant, window_start=days[0], window_end=days[-1])
    votes = _judgement_record(actor=as_consultant)
    return [f"{job.rows_imported:,} time entries for {client.name} ({job.format} export), {votes} friction votes"]


def _judgement_record(*, actor: Actor) -> int:
    """The consultant's suitability answers and the team's survey votes (through a survey link, each
    member's browser voting once)."""
    link = friction.survey_link_create(actor=actor)
    votes = 0
    for task in Task.objects.filter(name__in=JUDGEMENT):
        answers, pains, note = JUDGEMENT[task.name]
        catalogue.task_update(
            task=task, suitability=dict(zip(SUITABILITY_QUESTIONS, answers, strict=True)), actor=actor
        )
        for member, pain in enumerate(pains):
            friction.vote_cast(
                link=link, task=task, pain=pain, note=note if member == 0 else "", voter_key=f"demo-browser-{member}"
            )
            votes += 1
    return votes
