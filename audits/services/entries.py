"""Time entries that arrive one by one: the API's POST /api/v1/time-entries/ and the trackers'
webhooks. Idempotent on (source, external id): a repeat updates the entry it names, never adds one."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection, transaction

from audits import rollups
from audits.models import Participant, Task, TimeEntry
from audits.selectors import audit_settings_get
from audits.services import catalogue
from audits.services.catalogue import COMBOS_TABLE, combos_map
from audits.services.people import Person, identity_hash, participants_upsert

ENTRIES_PER_REQUEST = 1000
ARRIVALS_TABLE = "audit_arrivals"


@dataclass
class EntryIn:
    """One entry as it arrives: a person's identity (never stored), and either a task or a label."""

    identity: str
    minutes: int
    source: str
    external_id: str
    day: date | None = None
    started_at: datetime | None = None
    team: str = ""
    task: Task | None = None
    label: str = ""
    project: str = ""
    description: str = ""
    note: str = ""
    name: str = ""


@transaction.atomic
def entries_upsert(*, entries: list[EntryIn]) -> tuple[int, int]:
    """Write arriving entries; returns (created, updated). The day is taken from started_at in the
    client's time zone when only that is given; a label maps to its task as an import's would."""
    if not entries:
        return 0, 0
    audit = audit_settings_get()
    tz = zoneinfo.ZoneInfo(audit.timezone)
    catalogue.rules_read_lock()  # the labels map by the rules as they are until this commits
    people: dict[str, Person] = {}  # by identity hash: two spellings of one name are one person
    hash_of: dict[str, str] = {}
    for entry in entries:
        if entry.task is not None:
            entry.label = entry.task.name
        if entry.started_at is not None:
            entry.started_at = entry.started_at.astimezone(tz)
            entry.day = entry.day or entry.started_at.date()
        digest = hash_of.setdefault(entry.identity, identity_hash(entry.identity, secret=audit.pseudonym_secret))
        person = people.setdefault(digest, Person(identity_hash=digest))
        person.team = entry.team or person.team
        if audit.keep_names and entry.name:
            person.name = entry.name
    # A participant whose team this changes moves their earlier minutes to it in the rollups.
    rollups.rollups_refresh_for_participants(participants_upsert(people=list(people.values())))
    rollups.rollups_lock()  # before reading the days an update moves entries from
    participant_ids = dict(
        Participant.objects.filter(identity_hash__in=[p.identity_hash for p in people.values()]).values_list(
            "identity_hash", "id"
        )
    )
    task_of = _tasks_for(entries)
    found = list(
        TimeEntry.objects.filter(
            source__in={e.source for e in entries}, external_id__in=[e.external_id for e in entries]
        ).values_list("source", "external_id", "day")
    )
    existing = {(source, external_id) for source, external_id, _ in found}
    days = {day for _, _, day in found}  # an update may move an entry to another day: both are refreshed
    rows = {}
    for entry in entries:
        assert (
            entry.day is not None
        )  # the API and the webhooks give a day or a start  # the last of two arrivals with one (source, external id) wins
        rows[(entry.source, entry.external_id)] = TimeEntry(
            participant_id=participant_ids[hash_of[entry.identity]],
            task_id=entry.task.pk
            if entry.task is not None
            else task_of.get((entry.project, entry.label, entry.description)),
            day=entry.day,
            started_at=entry.started_at,
            minutes=entry.minutes,
            source=entry.source,
            external_id=entry.external_id,
            project=entry.project,
            label=entry.label,
            description=entry.description,
            note=entry.note,
        )
    TimeEntry.objects.bulk_create(
        rows.values(),
        update_conflicts=True,
        unique_fields=["source", "external_id"],
        update_fields=[
            "participant",
            "task",
            "day",
            "started_at",
            "minutes",
            "project",
            "label",
            "description",
            "note",
        ],
    )
    rollups.rollups_refresh_days(days | {row.day for row in rows.values()})
    updated = len(existing & set(rows))
    return len(rows) - updated, updated


def _tasks_for(entries: list[EntryIn]) -> dict[tuple[str, str, str], int | None]:
    """The task each arriving (project, label, description) maps to, by the rules and names (catalogue)."""
    combos = {(e.project, e.label, e.description) for e in entries if e.task is None}
    if not combos:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {ARRIVALS_TABLE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {ARRIVALS_TABLE} (project text, label text, description text) ON COMMIT DROP"
        )
        with cursor.copy(f"COPY {ARRIVALS_TABLE} (project, label, description) FROM STDIN") as copy:
            for combo in combos:
                copy.write_row(combo)
        combos_map(source_table=ARRIVALS_TABLE)
        cursor.execute(f"SELECT project, label, description, task_id FROM {COMBOS_TABLE}")
        mapped = {(project, label, description): task for project, label, description, task in cursor.fetchall()}
        cursor.execute(f"DROP TABLE {COMBOS_TABLE}")
        cursor.execute(f"DROP TABLE {ARRIVALS_TABLE}")
    return mapped


@transaction.atomic
def entry_delete(*, source: str, external_id: str) -> bool:
    """Delete the entry a tracker deleted; False when there was none."""
    rollups.rollups_lock()  # an update moving this entry to another day cannot slip between read and delete
    gone = TimeEntry.objects.filter(source=source, external_id=external_id)
    days = set(gone.values_list("day", flat=True))
    deleted, _ = gone.delete()
    rollups.rollups_refresh_days(days)
    return bool(deleted)
