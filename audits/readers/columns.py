"""The one table of column names: each canonical field and the header spellings that mean it.

Readers find their columns by name through this table, never by position. A spelling matches whatever
its case, spacing or underscores ('Start date', 'start_date', ' START  DATE ' are one spelling). A
spelling belongs to one field only; readers decide which fields they read (Toggl's Duration and Kimai's
Duration are the same field, 'duration', read by different readers).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ALIASES: dict[str, tuple[str, ...]] = {
    # who
    "person": ("person", "participant", "identity"),
    "email": ("email", "e-mail", "email address", "e-mail address", "user email", "mail"),
    "user": ("user", "member", "username", "user name", "benutzer", "benutzername"),
    "name": ("name", "full name", "display name"),
    "first_name": ("first name", "firstname", "vorname"),
    "last_name": ("last name", "lastname", "surname", "nachname"),
    "employee_id": ("employee id", "employee number", "staff number", "staff id", "personalnummer"),
    "team": ("team",),
    "group": ("group", "user group", "groups"),
    "roles": ("roles", "role"),
    # what
    "project": ("project", "project name", "projekt"),
    "task": ("task", "task name"),
    "activity": ("activity", "tätigkeit", "aktivität"),
    "description": ("description", "beschreibung"),
    "note": ("notes", "note", "notiz"),
    # when
    "date": ("date", "day", "datum"),
    "start_date": ("start date", "startdate"),
    "start_time": ("start time", "starttime"),
    "end_date": ("end date", "stop date", "enddate"),
    "end_time": ("end time", "stop time", "endtime"),
    "begin": ("from", "von", "begin", "beginn"),
    "start": ("start", "started at", "start at"),
    # how long: only the exact duration of each tracker (METHOD.md section 2). Rounded, billable and
    # money columns (Hours Rounded, Duration (decimal), rates, amounts, currencies) are not listed on
    # purpose, except Clockify's Duration (decimal), which is named only to recognise Clockify files.
    "duration": ("duration", "dauer"),
    "duration_h": ("duration (h)",),
    "duration_decimal": ("duration (decimal)",),
    "hours": ("hours", "stunden"),
    "minutes": ("minutes", "mins", "duration (minutes)", "duration minutes"),
}


def spelling_normalise(header: object) -> str:
    """A header cell as the table matches it: case-folded, BOM and underscores gone, spaces collapsed."""
    return " ".join(str(header).replace("\ufeff", "").replace("_", " ").split()).casefold()


_FIELD_BY_SPELLING: dict[str, str] = {}
for _field, _spellings in ALIASES.items():
    for _spelling in _spellings:
        _key = spelling_normalise(_spelling)
        assert _key not in _FIELD_BY_SPELLING, f"{_spelling!r} is listed for two fields"
        _FIELD_BY_SPELLING[_key] = _field


def field_of(spelling: str) -> str | None:
    """The canonical field a header spelling means, or None."""
    return _FIELD_BY_SPELLING.get(spelling_normalise(spelling))


@dataclass(frozen=True, slots=True)
class Columns:
    """Where each canonical field sits in one file's header.

    `index(field)` of a field the file lacks is `absent`: the position of the always-empty cell the
    tables add after the last column, so a reader reads a missing optional column as an empty cell."""

    positions: dict[str, int]
    absent: int

    def index(self, field: str) -> int:
        return self.positions.get(field, self.absent)

    def has(self, field: str) -> bool:
        return field in self.positions


def columns_find(header: Sequence[str]) -> Columns:
    positions: dict[str, int] = {}
    for position, cell in enumerate(header):
        field = field_of(cell)
        if field is not None and field not in positions:  # the first of two same-named columns wins
            positions[field] = position
    return Columns(positions=positions, absent=len(header))


def columns_missing(header: Sequence[str], required: Iterable[tuple[str, ...]]) -> list[str]:
    """The required columns a header lacks, in words: each requirement is a group of header spellings of
    which one is enough ('Email or User')."""
    present = columns_find(header).positions
    missing = []
    for group in required:
        if not any(field_of(spelling) in present for spelling in group):
            missing.append(" or ".join(group))
    return missing


def columns_check(required: Iterable[tuple[str, ...]]) -> None:
    """Fail at import time when a reader names a required spelling the table does not know."""
    for group in required:
        for spelling in group:
            assert field_of(spelling) is not None, f"{spelling!r} is not in columns.ALIASES"
