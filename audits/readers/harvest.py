"""Harvest's detailed time report (CSV or XLSX).

Columns read: Employee Id (else First Name and Last Name) for the person, First and Last Name for the
name, Roles for the team, Project, Task for the label, Notes, Date, Hours (the exact duration, decimal
hours or H:MM). Harvest has no start time. Hours Rounded, Billable?, rates, amounts and Currency are
never read.
"""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

from audits.readers import base
from audits.readers.base import CellError, Record, Row, RowError, content_hash, record_new
from audits.readers.columns import columns_check, columns_find, columns_missing
from audits.readers.tables import Table

NAME = "harvest"
TITLE = "Harvest detailed time report"
REQUIRED: tuple[tuple[str, ...], ...] = (
    ("Employee Id", "First Name", "Last Name"),
    ("Date",),
    ("Hours",),
    ("Task",),
)
columns_check(REQUIRED)


def identify(header: list[str]) -> bool:
    columns = columns_find(header)
    return (
        columns.has("date")
        and columns.has("hours")
        and any(columns.has(field) for field in ("employee_id", "first_name", "last_name"))
    )


def missing(header: list[str]) -> list[str]:
    return columns_missing(header, REQUIRED)


def rows(table: Table, tz: ZoneInfo) -> Iterator[Record | RowError]:
    columns = columns_find(table.header)
    i_employee, i_first, i_last = columns.index("employee_id"), columns.index("first_name"), columns.index("last_name")
    i_roles, i_project, i_task, i_notes = (
        columns.index("roles"),
        columns.index("project"),
        columns.index("task"),
        columns.index("note"),
    )
    i_date, i_hours = columns.index("date"), columns.index("hours")
    parsers, key = table.parsers, table.content_key
    text, day_of, duration_of = parsers.text, parsers.day, parsers.duration

    def convert(line: int, row: Row) -> Record:
        name = " ".join(part for part in (text(row[i_first]), text(row[i_last])) if part)
        identity = parsers.identity(row[i_employee]) or name
        if not identity:
            raise CellError(
                "missing_value",
                "This row names no person: its Employee Id, First Name and Last Name cells are empty.",
                i_employee if columns.has("employee_id") else i_first,
            )
        project, label, note = text(row[i_project]), text(row[i_task]), text(row[i_notes])
        column = i_date
        try:
            day, day_key = day_of(row[i_date])
            column = i_hours
            duration = duration_of(row[i_hours])
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
            text(row[i_roles]),
            project,
            label,
            "",
            day,
            None,
            minutes,
            note,
            content_hash(key, NAME, identity, project, label, "", day_key, "", milliseconds, note),
        )

    return base.rows_convert(table, convert)
