"""Readers of time-tracker exports for step 1's imports: a file's bytes to a stream of normalised records.

One small module per tracker (toggl, clockify, harvest, kimai, generic), each with `NAME`, `TITLE`,
`REQUIRED` (its required columns, as it spells them), `identify(header)`, `missing(header)` and
`rows(table, tz)`; `read()` opens the file, picks the reader and checks its columns. Pure code: no ORM,
no database. The import service stages the records, computes pseudonyms, dedupes and maps them to tasks.

    with read(file, filename="export.csv", tz=ZoneInfo("Europe/Berlin")) as reading:
        for item in reading.items:  # a Record or a RowError, one at a time
            ...

read() raises FileError for what the start of the file shows. A problem found further down (bytes
that are not UTF-8, a malformed CSV line, a damaged workbook) raises FileError *while iterating*: the
service must then treat the whole file as failed, whatever it already took from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import BinaryIO, Protocol
from zoneinfo import ZoneInfo

from audits.readers import clockify, generic, harvest, kimai, toggl
from audits.readers.base import FileError, Record, RowError
from audits.readers.tables import Table, table_open

__all__ = ["FORMATS", "FileError", "Reading", "Record", "RowError", "read"]

FORMATS = ("toggl", "clockify", "harvest", "kimai", "generic")


class TrackerReader(Protocol):
    """What each reader module has (toggl.py is one): a new tracker is one such module and its tests."""

    NAME: str  # the format's name, one of FORMATS
    TITLE: str  # the export as people call it, for messages
    REQUIRED: tuple[tuple[str, ...], ...]  # required columns as the tracker spells them; one of a group is enough

    def identify(self, header: list[str]) -> bool: ...
    def missing(self, header: list[str]) -> list[str]: ...
    def rows(self, table: Table, tz: ZoneInfo) -> Iterator[Record | RowError]: ...


# The order format=auto tries them in: the more specific first, generic last.
READERS: tuple[TrackerReader, ...] = (clockify, toggl, kimai, harvest, generic)
_BY_NAME = {reader.NAME: reader for reader in READERS}
assert set(_BY_NAME) == set(FORMATS)


@dataclass(eq=False)
class Reading:
    """An opened export: its format, its header as written, and its items, read lazily.

    Iterating `items` to the end releases the file's table (an XLSX workbook included); `close()` (or a
    `with` block) does it for a reading left unfinished."""

    format: str
    header: list[str]
    items: Iterator[Record | RowError]
    _table: Table = field(repr=False)

    def close(self) -> None:
        self._table.close()

    def __enter__(self) -> Reading:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


def read(
    stream: BinaryIO,
    *,
    filename: str,
    format: str = "auto",
    tz: ZoneInfo,
    max_cell_chars: int = 10_000,
    content_key: bytes = b"",
) -> Reading:
    """Open an uploaded export (CSV or XLSX, as its bytes and name say) and the reader for its format.

    `format` is one of FORMATS or "auto" (the first reader that knows the header). `tz` is the tenant's
    time zone: exports write wall-clock times without an offset, and each entry's day is its start date
    there. For XLSX, `stream` must be seekable (a file on disk opened 'rb'); other streams are spooled to
    a temporary file first.

    `content_key` (at most 64 bytes; b"" for none) keys each record's content_hash. Pass a per-tenant
    secret when the hash is stored where people can read it: the hashed content includes the person's
    identity, so an unkeyed hash would let a reader of it test guessed e-mails against an entry."""
    if format != "auto" and format not in _BY_NAME:
        raise FileError(
            "unknown_format", f"'{format}' is not a format we read; choose auto or one of {', '.join(FORMATS)}."
        )
    if len(content_key) > 64:
        raise ValueError("content_key is at most 64 bytes (BLAKE2b's key size); pass a digest of a longer secret.")
    table = table_open(stream, filename=filename, max_cell_chars=max_cell_chars)
    table.content_key = content_key
    try:
        reader = _reader_choose(table.header, format)
        absent = reader.missing(table.header)
        if absent:
            raise FileError(
                "missing_columns",
                f"This {reader.TITLE} lacks the column{'s' if len(absent) > 1 else ''} "
                f"{'; '.join(absent)}. Its columns are: {_header_shown(table.header)}.",
            )
    except BaseException:
        table.close()
        raise
    return Reading(format=reader.NAME, header=table.header, items=reader.rows(table, tz), _table=table)


def _reader_choose(header: list[str], format: str) -> TrackerReader:
    if format != "auto":
        return _BY_NAME[format]
    for reader in READERS:
        if reader.identify(header):
            return reader
    expected = "; ".join(
        f"{reader.TITLE} ({', '.join(' or '.join(group) for group in reader.REQUIRED)})" for reader in READERS
    )
    raise FileError(
        "unknown_header",
        f"The columns of this file ({_header_shown(header)}) are not an export we know. We read: {expected}.",
    )


def _header_shown(header: list[str], limit: int = 12) -> str:
    shown = ", ".join(cell[:40] for cell in header[:limit])
    return shown + (f" and {len(header) - limit} more" if len(header) > limit else "")
