"""The one record type every tracker's reader yields, its row and file errors, and the row loop they share.

Pure code: no ORM, no database. METHOD.md section 2 ("Time entry") defines what a record holds.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, final

if TYPE_CHECKING:
    from audits.readers.tables import Table


@dataclass(frozen=True, slots=True)
class Record:
    """One time entry of an export, normalised the same way whatever the tracker and file type."""

    line: int  # the row's number as a spreadsheet shows it: the header is row 1, the first data row 2
    identity: str  # e-mail (lower-cased), else staff/employee id, else the name; never empty
    name: str  # the person's display name ('' if none): stored only when the tenant opts in
    team: str  # from the export where it has one (Clockify Group, Harvest Roles), else ''
    project: str
    label: str  # the task label (METHOD.md section 2, "Task"); '' when the row has none
    description: str
    day: datetime.date  # the entry's start date in the tenant's time zone
    started_at: datetime.datetime | None  # aware, in the tenant's time zone; None when the export has no start
    minutes: int  # the exact duration rounded to the nearest whole minute, half up
    note: str
    content_hash: str  # hex BLAKE2b-256 of the row's normalised content (see `content_hash`), not of its line


@dataclass(slots=True)
class _RecordDraft:
    """Record's mutable twin with the same slots: the hot path builds one and turns it into a Record.

    A frozen dataclass sets each of its 12 fields through object.__setattr__, which costs about 1 µs a
    record, a quarter of the 1M-row parsing budget; the twin's plain __init__ and one __class__
    assignment cost a quarter of that and give back a genuine, frozen Record."""

    line: int
    identity: str
    name: str
    team: str
    project: str
    label: str
    description: str
    day: datetime.date
    started_at: datetime.datetime | None
    minutes: int
    note: str
    content_hash: str


# The __class__ swap is only allowed between classes with the same memory layout.
assert _RecordDraft.__slots__ == Record.__slots__


def record_new(
    line: int,
    identity: str,
    name: str,
    team: str,
    project: str,
    label: str,
    description: str,
    day: datetime.date,
    started_at: datetime.datetime | None,
    minutes: int,
    note: str,
    content_hash: str,
) -> Record:
    """A Record, built about four times faster than by calling Record(...) (see _RecordDraft)."""
    draft = _RecordDraft(
        line, identity, name, team, project, label, description, day, started_at, minutes, note, content_hash
    )
    draft.__class__ = Record  # type: ignore[assignment]
    return draft  # type: ignore[return-value]


def content_hash(
    key: bytes,
    source: str,
    identity: str,
    project: str,
    label: str,
    description: str,
    day: str,
    start: str,
    milliseconds: str,
    note: str,
) -> str:
    """Hex BLAKE2b-256 of a row's normalised content: the source, the identity, project, label,
    description, the day (ISO), the start's wall-clock time in the tenant's zone ('HH:MM:SS', '' when
    there is none; its date is the day), the exact duration in milliseconds, and the note.

    The line number is left out on purpose: two identical rows of a file hash alike, and the import
    service tells them apart by their occurrence number (METHOD.md section 2, "Time entry").

    `key` (read()'s content_key, b"" for none) makes it a keyed hash. The content includes the identity
    (an e-mail, often): without a per-tenant key, anyone who sees an entry's hash and its other fields
    could test guessed e-mails against it and undo the pseudonym."""
    data = "\x1f".join((source, identity, project, label, description, day, start, milliseconds, note)).encode()
    return hashlib.blake2b(data, digest_size=32, key=key).hexdigest()


@final
@dataclass(frozen=True, slots=True)
class RowError:
    """A row that cannot become a time entry, and why, in words a person understands."""

    line: int
    column: str  # the column's header as written in the file; '' when it concerns the whole row
    code: str  # 'invalid_date', 'invalid_time', 'invalid_duration', 'negative_duration', 'missing_value',
    # 'cell_too_long', 'too_many_cells'
    message: str


class FileError(ValueError):
    """The whole file cannot be read (not CSV or XLSX, not UTF-8, no header, unknown or incomplete header).

    read() raises it before yielding anything for what the start of the file shows; a problem found
    later (invalid UTF-8 or a malformed CSV further down) raises it during iteration, and the import
    service must then treat the whole file as failed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class CellError(ValueError):
    """Raised by a value parser for a cell it cannot read; the row loop turns it into a RowError.

    `column` is the cell's position, set by the reader that knows which cell it was parsing; an empty
    `message` for 'missing_value' is filled in with the column's name."""

    def __init__(self, code: str, message: str = "", column: int = -1) -> None:
        super().__init__(message or code)
        self.code = code
        self.message = message
        self.column = column


Row = Sequence[Any]
Converter = Callable[[int, Row], Record]


def rows_convert(table: Table, convert: Converter) -> Iterator[Record | RowError]:
    """The loop every reader ends with: each data row through the reader's `convert`, lazily; a
    CellError becomes a RowError with the line and the column's name, and a row with nothing in it is
    skipped silently (the blank lines spreadsheets leave at the end of an export). The table runs the
    loop (tables.Table.records)."""
    return table.records(convert)


def row_error(line: int, header: Sequence[str], error: CellError) -> RowError:
    column = header[error.column] if 0 <= error.column < len(header) else ""
    message = error.message
    if not message and error.code == "missing_value":
        message = f"The cell '{column}' is empty; this row needs it." if column else "This row is missing a value."
    return RowError(line=line, column=column, code=error.code, message=message)


def row_is_blank(row: Row) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)


def value_shown(value: object, limit: int = 40) -> str:
    """A cell's value as a message quotes it: in quotes, cut to `limit` characters."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"
