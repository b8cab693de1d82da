"""Reads of the time audit: its settings and window, imports, entries, participants, tasks, labels."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum

from audits import privacy
from audits.models import AuditSettings, ImportJob, MappingRule, Participant, Task, TimeEntry

DEFAULT_WINDOW_WORKING_DAYS = 10


def audit_settings_get() -> AuditSettings:
    """The client's audit settings (the row its schema's migration made)."""
    found = AuditSettings.objects.first()
    if found is None:  # a schema made before the row existed: make it now
        found, _ = AuditSettings.objects.get_or_create(pk=1)
    return found


def working_days(*, start: date, end: date, audit: AuditSettings) -> list[date]:
    """The audit's working days from start to end, both included (weekdays of the settings, not holidays)."""
    weekdays, holidays = set(audit.working_days), set(audit.holidays)
    every_day = (start + timedelta(days=offset) for offset in range((end - start).days + 1))
    return [day for day in every_day if day.isoweekday() in weekdays and day not in holidays]


@dataclass(frozen=True)
class Window:
    start: date
    end: date
    working_days: int
    default: bool  # True when the settings set no window: the last 10 working days


def audit_window(audit: AuditSettings | None = None, *, today: date | None = None) -> Window:
    """The audit window: the settings', or the last 10 working days before today."""
    audit = audit or audit_settings_get()
    if audit.window_start and audit.window_end:
        days = working_days(start=audit.window_start, end=audit.window_end, audit=audit)
        return Window(audit.window_start, audit.window_end, len(days), default=False)
    today = today or datetime.now(ZoneInfo(audit.timezone)).date()  # the client's today, not the server's
    last_year = working_days(start=today - timedelta(days=366), end=today - timedelta(days=1), audit=audit)
    recent = last_year[-DEFAULT_WINDOW_WORKING_DAYS:]
    if not recent:
        return Window(today, today, 0, default=True)
    return Window(recent[0], recent[-1], len(recent), default=True)


def import_job_list() -> QuerySet[ImportJob]:
    return ImportJob.objects.all()


def time_entry_list(
    *, task: int | None = None, day_after: date | None = None, day_before: date | None = None, source: str | None = None
) -> QuerySet[TimeEntry]:
    entries = TimeEntry.objects.select_related("participant", "task").order_by("-day", "-id")
    if task is not None:
        entries = entries.filter(task_id=task)
    if day_after is not None:
        entries = entries.filter(day__gt=day_after)
    if day_before is not None:
        entries = entries.filter(day__lt=day_before)
    if source:
        entries = entries.filter(source=source)
    return entries


def participant_list(*, window: Window | None = None) -> QuerySet[Participant]:
    window = window or audit_window()
    in_window = Q(entries__day__gte=window.start, entries__day__lte=window.end)
    return Participant.objects.annotate(entries_in_window=Count("entries", filter=in_window)).order_by("pseudonym")


def task_list() -> QuerySet[Task]:
    return Task.objects.annotate(entry_count=Count("entries"), minutes=Sum("entries__minutes")).order_by("name")


def mapping_rule_list() -> QuerySet[MappingRule]:
    return MappingRule.objects.select_related("task").order_by("position", "id")


@dataclass(frozen=True)
class UnmappedLabel:
    project: str
    description: str
    entries: int
    minutes: int


def unmapped_list(*, limit: int = 200) -> list[UnmappedLabel]:
    """Entries no rule maps and no label names, grouped by project and description, most minutes first:
    what a consultant maps next."""
    rows = (
        TimeEntry.objects.filter(task__isnull=True)
        .values("project", "description")
        .annotate(entries=Count("id"), minutes=Sum("minutes"))
        .order_by("-minutes", "project", "description")[:limit]
    )
    return [UnmappedLabel(r["project"], r["description"], r["entries"], r["minutes"]) for r in rows]


# --- candidates (METHOD.md section 2, "Candidate scoring") ------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One task's figures in a window, exact (Decimal); rounded only for display."""

    rank: int
    task_id: int
    task_name: str
    process: str
    team: str  # the team with most minutes on the task, after the privacy fold
    entries: int
    minutes: int
    occurrences_per_month: Decimal
    minutes_per_occurrence: Decimal
    hours_per_month: Decimal
    automation_potential: Decimal
    recoverable_hours_per_month: Decimal
    hourly_cost: Decimal
    value_per_month: Decimal
    pain: Decimal
    votes: int
    priority: Decimal
    low_confidence: bool


class WindowRefused(ValueError):
    """A window no figure can be computed for (it holds no working day)."""


LOW_CONFIDENCE_ENTRIES = 3
WINDOW_MAX_DAYS = 3660  # ten years: a ranking, and the settings, refuse longer windows
NEUTRAL_PAIN = Decimal(3)
NO_ANSWER_POTENTIAL = Decimal("0.5")

# One query over the rollups (audits.rollups keeps them equal to the entries, in the writes' own
# transactions): per task its entries, minutes and money-weighted minutes, the team with most minutes,
# its mean pain; and per team the participants with entries in the window (for the fold).
_CANDIDATE_SQL = """
WITH in_window AS (
    SELECT task_id, team, entries, minutes, costed_minutes_value, uncosted_minutes
      FROM audits_taskmonthrollup WHERE month >= %(full_from)s AND month < %(full_until)s
    UNION ALL
    SELECT task_id, team, entries, minutes, costed_minutes_value, uncosted_minutes
      FROM audits_taskdayrollup
     WHERE day BETWEEN %(start)s AND %(end)s AND NOT (day >= %(full_from)s AND day < %(full_until)s)
), per_task AS (
    SELECT task_id, sum(entries) AS entries, sum(minutes) AS minutes,
           sum(costed_minutes_value) AS costed, sum(uncosted_minutes) AS uncosted
      FROM in_window GROUP BY task_id
), main_team AS (
    SELECT DISTINCT ON (task_id) task_id, team
      FROM (SELECT task_id, team, sum(minutes) AS minutes FROM in_window GROUP BY task_id, team) AS by_team
     ORDER BY task_id, minutes DESC, team
), pain AS (
    SELECT task_id, avg(pain) AS pain, count(*) AS votes FROM audits_frictionvote GROUP BY task_id
)
SELECT task.id, task.name, task.process, main_team.team, per_task.entries, per_task.minutes,
       per_task.costed, per_task.uncosted, pain.pain, coalesce(pain.votes, 0),
       task.rules, task.input_type, task.input_quality, task.stability, task.documentation
  FROM per_task
  JOIN audits_task AS task ON task.id = per_task.task_id
  JOIN main_team ON main_team.task_id = per_task.task_id
  LEFT JOIN pain ON pain.task_id = per_task.task_id
"""

_TEAM_SIZES_SQL = """
SELECT participant.team, count(DISTINCT presence.participant_id)
  FROM (SELECT participant_id FROM audits_participantmonth WHERE month >= %(full_from)s AND month < %(full_until)s
        UNION ALL
        SELECT participant_id FROM audits_participantday
         WHERE day BETWEEN %(start)s AND %(end)s AND NOT (day >= %(full_from)s AND day < %(full_until)s)
       ) AS presence
  JOIN audits_participant AS participant ON participant.id = presence.participant_id
 GROUP BY participant.team
"""


def _next_month(day: date) -> date:
    """The first day of the month after `day`'s (the calendar's last month has none: date.max)."""
    if (day.year, day.month) == (date.max.year, date.max.month):
        return date.max
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _window_params(start: date, end: date) -> dict[str, date]:
    """The window's bounds, and the calendar months wholly inside it (full_from <= month < full_until):
    those are read from the monthly rollups, the other days from the daily ones."""
    full_from = start if start.day == 1 else _next_month(start)
    following = _next_month(end)
    full_until = following if end < date.max and end + timedelta(days=1) == following else end.replace(day=1)
    if full_until < full_from:
        full_until = full_from  # no whole month: every day from the daily rollups
    return {"start": start, "end": end, "full_from": full_from, "full_until": full_until}


def team_sizes(*, start: date, end: date) -> dict[str, int]:
    """Participants with entries from start to end, per team ('' for the unassigned)."""
    with connection.cursor() as cursor:
        cursor.execute(_TEAM_SIZES_SQL, _window_params(start, end))
        return dict(cursor.fetchall())


def candidate_list(*, start: date | None = None, end: date | None = None) -> list[Candidate]:
    """The tasks with entries in the window, ranked by priority (ties: hours per month, then name).
    Without start and end: the audit window. Raises WindowRefused for a window without a working day."""
    audit = audit_settings_get()
    if start is None or end is None:
        window = audit_window(audit)
        start, end = window.start, window.end
    if start > end:
        raise WindowRefused(f"The window ends ({end}) before it starts ({start}).")
    if (end - start).days >= WINDOW_MAX_DAYS:
        raise WindowRefused(f"A window covers at most {WINDOW_MAX_DAYS:,} days; choose a shorter one.")
    window_days = len(working_days(start=start, end=end, audit=audit))
    if window_days == 0:
        raise WindowRefused(
            f"The window {start} to {end} has no working day (weekends and holidays do not count); "
            "choose dates that include at least one."
        )
    per_month = Decimal(audit.working_days_per_month) / window_days
    default_cost = Decimal(audit.hourly_cost)
    shown = privacy.teams_shown(sizes=team_sizes(start=start, end=end), k=audit.k)
    with connection.cursor() as cursor:
        cursor.execute(_CANDIDATE_SQL, _window_params(start, end))
        rows = cursor.fetchall()
    unranked = []
    for task_id, name, process, team, entries, minutes, costed, uncosted, pain, votes, *answers in rows:
        minutes, entries = int(minutes), int(entries)
        answered = [Decimal(answer) for answer in answers if answer is not None]
        potential = (sum(answered, Decimal(0)) / len(answered) - 1) / 4 if answered else NO_ANSWER_POTENTIAL
        hours_per_month = Decimal(minutes) / 60 * per_month
        recoverable = hours_per_month * potential
        hourly_cost = (Decimal(costed) + Decimal(uncosted) * default_cost) / minutes if minutes else default_cost
        pain_value = Decimal(pain) if pain is not None else NEUTRAL_PAIN
        unranked.append(
            Candidate(
                rank=0,
                task_id=task_id,
                task_name=name,
                process=process,
                team=privacy.team_fold(team, shown=shown),
                entries=entries,
                minutes=minutes,
                occurrences_per_month=Decimal(entries) * per_month,
                minutes_per_occurrence=Decimal(minutes) / entries,
                hours_per_month=hours_per_month,
                automation_potential=potential,
                recoverable_hours_per_month=recoverable,
                hourly_cost=hourly_cost,
                value_per_month=recoverable * hourly_cost,
                pain=pain_value,
                votes=votes,
                priority=recoverable * (1 + (pain_value - 3) / 4),
                low_confidence=entries < LOW_CONFIDENCE_ENTRIES,
            )
        )
    unranked.sort(key=lambda c: (-c.priority, -c.hours_per_month, c.task_name.lower(), c.task_id))
    return [replace(candidate, rank=rank) for rank, candidate in enumerate(unranked, start=1)]


@dataclass(frozen=True)
class TeamRow:
    team: str  # after the privacy fold
    participants: int  # with entries in the window


def teams_folded(*, start: date, end: date) -> list[TeamRow]:
    """The teams a client sees for a window (audits.privacy): the shown ones, largest first, then
    "Other teams" when it holds anyone."""
    audit = audit_settings_get()
    folded = privacy.team_sizes_folded(sizes=team_sizes(start=start, end=end), k=audit.k)
    rows = [TeamRow(team, size) for team, size in folded.items() if team != privacy.OTHER_TEAMS]
    rows.sort(key=lambda row: (-row.participants, row.team))
    if folded.get(privacy.OTHER_TEAMS):
        rows.append(TeamRow(privacy.OTHER_TEAMS, folded[privacy.OTHER_TEAMS]))
    return rows
