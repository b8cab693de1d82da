"""The generic CSV (or XLSX) that any other tracker can be turned into (API.md, "Tenant host: step 1").

Columns: person (an e-mail, staff id or name), team (optional), task, date, start (optional: a time of
day, or a whole timestamp, with or without an offset), minutes, or duration as H:MM[:SS] (or decimal
hours). Optional too: project, description, note. When start is a whole timestamp, the day is its date
in the tenant's time zone, whatever the date column says.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from audits.readers import base
from audits.readers.base import CellError, Record, Row, RowError, content_hash, record_new
from audits.readers.columns import columns_check, columns_find, columns_missing
from audits.readers.tables import Table

NAME = "generic"
TITLE = "generic CSV"
REQUIRED: tuple[tuple[str, ...], ...] = (
    ("person",),
    ("task",),
    ("date", "start"),
    ("minutes", "duration"),
)
columns_check(REQUIRED)


def identify(header: list[str]) -> bool:
    return not missing(header)


def missing(header: list[str]) -> list[str]:
    return columns_missing(header, REQUIRED)


def rows(table: Table, tz: ZoneInfo) -> Iterator[Record | RowError]:
    columns = columns_find(table.header)
    i_person, i_team, i_task = columns.index("person"), columns.index("team"), columns.index("task")
    i_project, i_description, i_note = columns.index("project"), columns.index("description"), columns.index("note")
    i_date, i_start, i_minutes, i_duration = (
        columns.index("date"),
        columns.index("start"),
        columns.index("minutes"),
        columns.index("duration"),
    )
    parsers, key = table.parsers, table.content_key
    text, identity_of = parsers.text, parsers.identity

    def convert(line: int, row: Row) -> Record:
        identity = identity_of(row[i_person])
        if not identity:
            raise CellError("missing_value", "", i_person)
        name = "" if "@" in identity else identity
        project, label = text(row[i_project]), text(row[i_task])
        description, note = text(row[i_description]), text(row[i_note])
        column = i_start
        try:
            started_at: datetime.datetime | None = None
            clock_key = ""
            if text(row[i_start]):
                moment = parsers.moment(row[i_start])
                if isinstance(moment, datetime.datetime):
                    started_at = moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)
                    day = started_at.date()
                    clock_key = started_at.time().replace(microsecond=0).isoformat()
                    day_key = day.isoformat()
                else:
                    column = i_date
                    day, day_key = parsers.day(row[i_date])
                    clock, clock_key = moment
                    started_at = datetime.datetime.combine(day, clock, tz)
            else:
                column = i_date
                day, day_key = parsers.day(row[i_date])
            column = i_minutes
            duration = parsers.minutes(row[i_minutes])
            if duration is None:
                column = i_duration
                duration = parsers.duration(row[i_duration])
            if duration is None:
                column = i_minutes if columns.has("minutes") else i_duration
                raise CellError("missing_value")
        except CellError as error:
            error.column = column
            raise
        minutes, milliseconds = duration
        return record_new(
            line,
            identity,
            name,
            text(row[i_team]),
            project,
            label,
            description,
            day,
            started_at,
            minutes,
            note,
            content_hash(key, NAME, identity, project, label, description, day_key, clock_key, milliseconds, note),
        )

    return base.rows_convert(table, convert)
