"""Toggl Track's detailed report (CSV or XLSX).

Columns read: Email (else User) for the person, User for the name, Project, Task (else Description) for
the label, Description, Start date and Start time (the tenant's wall-clock time), Duration (the exact
one; End date and End time only when Duration is empty). Client, Billable, Tags and Amount are ignored.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from audits.readers import base
from audits.readers.base import CellError, Record, Row, RowError, content_hash, record_new
from audits.readers.columns import columns_check, columns_find, columns_missing
from audits.readers.tables import Table
from audits.readers.values import Duration, Parsers

NAME = "toggl"
TITLE = "Toggl Track detailed report"
REQUIRED: tuple[tuple[str, ...], ...] = (
    ("Email", "User"),
    ("Start date",),
    ("Start time",),
    ("Duration",),
    ("Task", "Description"),
)
columns_check(REQUIRED)


def identify(header: list[str]) -> bool:
    columns = columns_find(header)
    return all(columns.has(field) for field in ("start_date", "start_time", "duration")) and not columns.has(
        "duration_h"
    )


def missing(header: list[str]) -> list[str]:
    return columns_missing(header, REQUIRED)


def rows(table: Table, tz: ZoneInfo) -> Iterator[Record | RowError]:
    return base.rows_convert(table, converter(table, tz, source=NAME))


def converter(
    table: Table, tz: ZoneInfo, *, source: str, duration_field: str = "duration", team_field: str = ""
) -> base.Converter:
    """One row of a Toggl-shaped export to a Record. Clockify's detailed report has the same shape
    (its team in Group, its duration in Duration (h)), so clockify.py uses this with its own fields."""
    columns = columns_find(table.header)
    i_email, i_user = columns.index("email"), columns.index("user")
    i_team = columns.index(team_field) if team_field else columns.absent
    i_project, i_task, i_description = columns.index("project"), columns.index("task"), columns.index("description")
    i_date, i_time = columns.index("start_date"), columns.index("start_time")
    i_duration = columns.index(duration_field)
    i_end_date, i_end_time = columns.index("end_date"), columns.index("end_time")
    parsers, key = table.parsers, table.content_key
    text, identity_of, day_of, clock_of, duration_of = (
        parsers.text,
        parsers.identity,
        parsers.day,
        parsers.clock,
        parsers.duration,
    )
    combine = datetime.datetime.combine

    def convert(line: int, row: Row) -> Record:
        name = text(row[i_user])
        identity = text(row[i_email]).lower() or identity_of(row[i_user])
        if not identity:
            raise CellError(
                "missing_value",
                "This row names no person: its Email and User cells are empty.",
                i_email if columns.has("email") else i_user,
            )
        description = text(row[i_description])
        label = text(row[i_task]) or description
        project = text(row[i_project])
        column = i_date
        try:
            day, day_key = day_of(row[i_date])
            column = i_time
            clock, clock_key = clock_of(row[i_time])
            column = i_duration
            started_at = combine(day, clock, tz)
            duration = duration_of(row[i_duration])
            if duration is None:
                duration = _duration_from_end(row, started_at, i_end_date, i_end_time, parsers, tz)
        except CellError as error:
            if error.column < 0:
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
            "",
            content_hash(key, source, identity, project, label, description, day_key, clock_key, milliseconds, ""),
        )

    return convert


def _duration_from_end(
    row: Row, started_at: datetime.datetime, i_end_date: int, i_end_time: int, parsers: Parsers, tz: ZoneInfo
) -> Duration:
    """An empty duration cell: the end minus the start, both wall-clock times in the tenant's zone."""
    if parsers.text(row[i_end_time]) == "":
        raise CellError("missing_value", "This row has no duration, and no end time to compute it from.")
    column = i_end_date
    try:
        end_day = parsers.day(row[i_end_date])[0] if parsers.text(row[i_end_date]) else started_at.date()
        column = i_end_time
        ended_at = datetime.datetime.combine(end_day, parsers.clock(row[i_end_time])[0], tz)
    except CellError as error:
        error.column = column
        raise
    # Through UTC: two datetimes sharing a tzinfo subtract as wall clocks, wrong across a DST change.
    seconds = int(ended_at.timestamp() - started_at.timestamp())
    if seconds < 0:
        raise CellError("negative_duration", "This row ends before it starts.")
    minutes = (seconds + 30) // 60
    return minutes, str(seconds * 1000)
