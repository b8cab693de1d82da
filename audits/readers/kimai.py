"""Kimai's timesheet export (CSV or XLSX, English or German headers).

Columns read: E-mail (else Staff number, else User, else Name) for the person, Name (else User) for the
name, Project, Activity for the label, Description, Date (ISO, US or German DD.MM.YYYY) and From (the
tenant's wall-clock time), Duration (the exact duration, H:MM, H:MM:SS or decimal hours). Kimai has no
team column. To, prices, rates, Currency and Billable are ignored.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from audits.readers import base
from audits.readers.base import CellError, Record, Row, RowError, content_hash, record_new
from audits.readers.columns import columns_check, columns_find, columns_missing
from audits.readers.tables import Table

NAME = "kimai"
TITLE = "Kimai timesheet export"
REQUIRED: tuple[tuple[str, ...], ...] = (
    ("E-mail", "Staff number", "User", "Name"),
    ("Date",),
    ("Duration",),
    ("Activity",),
)
columns_check(REQUIRED)


def identify(header: list[str]) -> bool:
    columns = columns_find(header)
    return columns.has("begin") and columns.has("date") and (columns.has("activity") or columns.has("duration"))


def missing(header: list[str]) -> list[str]:
    return columns_missing(header, REQUIRED)


def rows(table: Table, tz: ZoneInfo) -> Iterator[Record | RowError]:
    columns = columns_find(table.header)
    i_email, i_staff, i_user, i_name = (
        columns.index("email"),
        columns.index("employee_id"),
        columns.index("user"),
        columns.index("name"),
    )
    i_project, i_activity, i_description = (
        columns.index("project"),
        columns.index("activity"),
        columns.index("description"),
    )
    i_date, i_begin, i_duration = columns.index("date"), columns.index("begin"), columns.index("duration")
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
        name = text(row[i_name]) or text(row[i_user])
        identity = (
            text(row[i_email]).lower() or text(row[i_staff]) or identity_of(row[i_user]) or identity_of(row[i_name])
        )
        if not identity:
            raise CellError(
                "missing_value",
                "This row names no person: its E-mail, Staff number, User and Name cells are empty.",
                next((i for i in (i_email, i_staff, i_user, i_name) if i != columns.absent), -1),
            )
        project, label, description = text(row[i_project]), text(row[i_activity]), text(row[i_description])
        column = i_date
        try:
            day, day_key = day_of(row[i_date])
            started_at: datetime.datetime | None = None
            clock_key = ""
            if text(row[i_begin]):
                column = i_begin
                clock, clock_key = clock_of(row[i_begin])
                started_at = combine(day, clock, tz)
            column = i_duration
            duration = duration_of(row[i_duration])
            if duration is None:
                raise CellError("missing_value")
        except CellError as error:
            error.column = column
            raise
        minutes, milliseconds = duration
        return record_new(
            line,
            identity,
            name,
            "",
            project,
            label,
            description,
            day,
            started_at,
            minutes,
            "",
            content_hash(key, NAME, identity, project, label, description, day_key, clock_key, milliseconds, ""),
        )

    return base.rows_convert(table, convert)
