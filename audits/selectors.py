"""Reads of the time audit: its settings and window, imports, entries, participants, tasks, labels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

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
    days, day = [], start
    while day <= end:
        if day.isoweekday() in weekdays and day not in holidays:
            days.append(day)
        day += timedelta(days=1)
    return days


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
    today = today or timezone.localdate()
    weekdays, holidays = set(audit.working_days), set(audit.holidays)
    recent: list[date] = []
    day = today - timedelta(days=1)
    while len(recent) < DEFAULT_WINDOW_WORKING_DAYS and (today - day).days <= 366:
        if day.isoweekday() in weekdays and day not in holidays:
            recent.append(day)
        day -= timedelta(days=1)
    if not recent:
        return Window(today, today, 0, default=True)
    return Window(recent[-1], recent[0], len(recent), default=True)


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
