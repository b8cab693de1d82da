"""Clockify's detailed report (CSV or XLSX).

Columns read: Email (else User) for the person, User for the name, Group for the team, Project, Task
(else Description) for the label, Description, Start Date and Start Time (US dates and 12-hour times as
Clockify writes them, or ISO and 24-hour), Duration (h) (the exact duration, HH:MM:SS or decimal hours;
End Date and End Time only when it is empty). Duration (decimal) is rounded and never read; Client,
Tags, Billable, rates and amounts are ignored.
"""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

from audits.readers import base, toggl
from audits.readers.base import Record, RowError
from audits.readers.columns import columns_check, columns_find, columns_missing
from audits.readers.tables import Table

NAME = "clockify"
TITLE = "Clockify detailed report"
REQUIRED: tuple[tuple[str, ...], ...] = (
    ("Email", "User"),
    ("Start Date",),
    ("Start Time",),
    ("Duration (h)",),
    ("Task", "Description"),
)
columns_check(REQUIRED)


def identify(header: list[str]) -> bool:
    columns = columns_find(header)
    return columns.has("duration_h") or columns.has("duration_decimal")


def missing(header: list[str]) -> list[str]:
    return columns_missing(header, REQUIRED)


def rows(table: Table, tz: ZoneInfo) -> Iterator[Record | RowError]:
    # Same shape as Toggl's report, so the same row conversion, with Clockify's own columns.
    return base.rows_convert(
        table, toggl.converter(table, tz, source=NAME, duration_field="duration_h", team_field="group")
    )
