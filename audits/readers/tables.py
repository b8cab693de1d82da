"""Opening an uploaded export as a table, from CSV text or an XLSX workbook, whichever its bytes are: its
header, and a lazy loop that hands each data row to a reader's conversion.

Rows stream: nothing holds more than one row (and the decoder's chunk) at a time. Every data row is
padded to the header's width plus one always-empty cell (see columns.Columns.absent), and numbered as
a spreadsheet numbers it. Problems the start of the file shows raise FileError from table_open;
problems found further down raise FileError while the records are iterated.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any, BinaryIO, Literal

from audits.readers.base import CellError, Converter, FileError, Record, Row, RowError, row_error, row_is_blank
from audits.readers.values import CSV_PARSERS, XLSX_PARSERS, Parsers

ACCEPTED = "CSV (UTF-8 text, comma, semicolon or tab separated) or an Excel workbook (.xlsx)"

_HEAD_BYTES = 8192
_HEADER_MAX_CHARS = 1 << 20  # a header line longer than this is not a header
_TEXT_CHUNK = 1 << 16  # bytes decoded at a time
_XLSX_MAX_SHARED_STRINGS = 256 << 20  # openpyxl holds a workbook's shared strings in memory

# Files that are neither CSV text nor XLSX, by their first bytes, and what to call them in a message.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel workbook (.xls) or another Office 97-2003 file"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"{\\rtf", "an RTF document"),
)
_REFUSED_SUFFIXES = {
    ".xls": "an old Excel workbook (.xls)",
    ".xlsb": "a binary Excel workbook (.xlsb)",
    ".ods": "an OpenDocument spreadsheet (.ods)",
    ".numbers": "a Numbers spreadsheet",
    ".pdf": "a PDF document",
    ".json": "a JSON file",
}
_XLSX_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(eq=False)
class Table:
    """An export opened for reading: its header, and `records(convert)`, which runs a reader's `convert`
    over each data row that is not empty, lazily, yielding its Record or a RowError (for a cell the
    reader cannot read, a cell too long, or more cells than the header). The loop over rows and the
    conversion share one generator: at a million rows, each layer of generators costs a tenth of a
    second."""

    kind: Literal["csv", "xlsx"]
    header: list[str]
    parsers: Parsers
    loop: Callable[[Converter], Generator[Record | RowError, None, None]]
    closers: list[Callable[[], None]] = field(default_factory=list)
    content_key: bytes = b""  # the key of the records' content hashes (see base.content_hash)
    _loops: list[Generator[Record | RowError, None, None]] = field(default_factory=list)

    def records(self, convert: Converter) -> Iterator[Record | RowError]:
        records = self.loop(convert)
        self._loops.append(records)
        return records

    def close(self) -> None:
        while self._loops:
            self._loops.pop().close()
        _close_all(self.closers)


def table_open(stream: BinaryIO, *, filename: str, max_cell_chars: int) -> Table:
    """Open `stream` (positioned at the file's start) as CSV or XLSX, by its first bytes and name."""
    suffix = PurePath(filename).suffix.lower()
    start = stream.tell() if stream.seekable() else 0
    head = stream.read(_HEAD_BYTES)
    if not head:
        raise FileError("empty_file", "The file is empty.")
    if head.startswith(b"PK\x03\x04"):
        if suffix not in _XLSX_SUFFIXES:
            raise FileError(
                "unsupported_file",
                f"This file is a ZIP archive, not a CSV file. We accept {ACCEPTED}; "
                "an Excel workbook must keep its .xlsx name.",
            )
        return _xlsx_open(stream, head, start, max_cell_chars)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            raise FileError("unsupported_file", f"This file is {kind}. We accept {ACCEPTED}.")
    if suffix in _REFUSED_SUFFIXES:
        raise FileError("unsupported_file", f"This file is {_REFUSED_SUFFIXES[suffix]}. We accept {ACCEPTED}.")
    if suffix in _XLSX_SUFFIXES:
        raise FileError("unsupported_file", f"This file is named {suffix} but is not an Excel workbook.")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileError(
            "invalid_encoding",
            "This file is UTF-16 text (Excel's 'Unicode text'). Save it as 'CSV UTF-8' and upload it again.",
        )
    if b"\x00" in head:
        raise FileError("unsupported_file", f"This file is binary, not text. We accept {ACCEPTED}.")
    return _csv_open(stream, head, max_cell_chars)


# CSV


class _CountingStream(io.BufferedIOBase):
    """The uploaded bytes, as TextIOWrapper reads them, counting newlines: so that a byte that is not
    UTF-8 can be reported with its line, though the decoder meets it a whole chunk ahead of the rows."""

    def __init__(self, stream: IO[bytes], head: bytes) -> None:
        super().__init__()
        self._stream = stream
        self._head = head
        self.newlines_before_chunk = 0
        self._newlines = 0

    def readable(self) -> bool:
        return True

    def read1(self, size: int | None = -1) -> bytes:
        if self._head:
            chunk, self._head = self._head, b""
        else:
            chunk = self._stream.read(size if size and size > 0 else _TEXT_CHUNK)
        self.newlines_before_chunk = self._newlines
        self._newlines += chunk.count(b"\n")
        return chunk

    read = read1

    @property
    def name(self) -> str:
        return str(getattr(self._stream, "name", ""))

    def line_of(self, error: UnicodeDecodeError) -> int:
        """The line of the file (counting from 1) where `error`'s bad bytes are."""
        data = error.object
        return self.newlines_before_chunk + bytes(data[: error.start]).count(b"\n") + 1


def _encoding_error(counter: _CountingStream, error: UnicodeDecodeError) -> FileError:
    bad = bytes(error.object[error.start : error.start + 4])
    shown = " ".join(f"0x{byte:02X}" for byte in bad[: max(1, error.end - error.start)])
    return FileError(
        "invalid_encoding",
        f"Line {counter.line_of(error)} is not UTF-8 text (bytes {shown}). "
        "Save the file as 'CSV UTF-8' and upload it again.",
    )


def _csv_open(stream: IO[bytes], head: bytes, max_cell_chars: int) -> Table:
    counter = _CountingStream(stream, head)
    text = io.TextIOWrapper(counter, encoding="utf-8-sig", newline="")
    line = 0
    try:
        while True:
            first = text.readline(_HEADER_MAX_CHARS)
            if not first:
                raise FileError("empty_file", "The file has no header row: it is empty or blank.")
            line += 1
            if len(first) >= _HEADER_MAX_CHARS and not first.endswith(("\n", "\r")):
                raise FileError("unsupported_file", "The file's first line is too long to be a header row.")
            if first.strip(" \t\r\n,;"):
                break
    except UnicodeDecodeError as error:
        raise _encoding_error(counter, error) from None
    delimiter = _delimiter_sniff(first)
    reader = csv.reader(itertools.chain([first], text), delimiter=delimiter)
    try:
        header = _header_trim(next(reader))
    except csv.Error as error:
        raise FileError("malformed_csv", f"The header row cannot be read as CSV: {error}.") from None
    except UnicodeDecodeError as error:
        raise _encoding_error(counter, error) from None

    def loop(convert: Converter) -> Generator[Record | RowError, None, None]:
        return _csv_records(reader, counter, header, line + 1, max_cell_chars, convert)

    return Table(kind="csv", header=header, parsers=CSV_PARSERS, loop=loop)


def _delimiter_sniff(line: str) -> str:
    """The separator the header line uses: the most frequent of ',', ';' and tab outside quotes."""
    outside = line.split('"')[::2]
    counts = {sep: sum(part.count(sep) for part in outside) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _header_trim(cells: list[Any]) -> list[str]:
    header = ["" if cell is None else str(cell).strip() for cell in cells]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise FileError("empty_file", "The file has no header row: it is empty or blank.")
    return header


def _csv_records(
    reader: Iterator[list[str]],
    counter: _CountingStream,
    header: list[str],
    first_line: int,
    limit: int,
    convert: Converter,
) -> Generator[Record | RowError, None, None]:
    width = len(header)
    line = first_line - 1
    try:
        for row in reader:
            line += 1
            cells = len(row)
            if cells != width:
                if cells == 0:
                    continue
                if cells > width:
                    if any(cell.strip() for cell in row[width:]):
                        yield _too_many_cells(line, width, cells)
                        continue
                    del row[width:]
                else:
                    row.extend([""] * (width - cells))
            row.append("")
            # The joined length is cheap and bounds every cell; look at cells one by one only past it.
            if len("".join(row)) > limit:
                too_long = _too_long(line, header, row, limit)
                if too_long is not None:
                    yield too_long
                    continue
            try:
                record = convert(line, row)
            except CellError as error:
                if not row_is_blank(row):
                    yield row_error(line, header, error)
                continue
            yield record
    except UnicodeDecodeError as error:
        raise _encoding_error(counter, error) from None
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise FileError(
                "cell_too_long",
                f"Row {line + 1} has a cell longer than {csv.field_size_limit():,} characters.",
            ) from None
        raise FileError("malformed_csv", f"Row {line + 1} cannot be read as CSV: {error}.") from None


def _too_many_cells(line: int, width: int, cells: int) -> RowError:
    return RowError(
        line=line,
        column="",
        code="too_many_cells",
        message=f"This row has {cells} cells but the header has {width} columns.",
    )


def _too_long(line: int, header: list[str], row: Row, limit: int) -> RowError | None:
    for position, cell in enumerate(row):
        if isinstance(cell, str) and len(cell) > limit:
            column = header[position] if position < len(header) else ""
            return RowError(
                line=line,
                column=column,
                code="cell_too_long",
                message=f"This cell has {len(cell):,} characters; the most a cell may have is {limit:,}.",
            )
    return None


# XLSX


def _xlsx_open(stream: BinaryIO, head: bytes, start: int, max_cell_chars: int) -> Table:
    import openpyxl  # type: ignore[import-untyped, unused-ignore]  # imported here: CSV imports never pay for it

    closers: list[Callable[[], None]] = []
    if stream.seekable():
        stream.seek(start)
        source: IO[bytes] = stream
    else:  # openpyxl needs to seek: spool the upload to a temporary file first
        spool = tempfile.TemporaryFile()  # noqa: SIM115  # closed with the workbook, by the table
        spool.write(head)
        shutil.copyfileobj(stream, spool)
        spool.seek(0)
        closers.append(spool.close)
        source = spool
    try:
        _xlsx_inspect(source)
        source.seek(0 if source is not stream else start)
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except FileError:
        _close_all(closers)
        raise
    except Exception:  # a damaged workbook fails in many ways inside zipfile, XML and openpyxl
        _close_all(closers)
        raise FileError(
            "unreadable_file", "This .xlsx file cannot be opened: it is damaged or not a workbook."
        ) from None
    closers.append(workbook.close)
    try:
        if not workbook.worksheets:
            raise FileError("empty_file", "This workbook has no sheet.")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers record a wrong size; read every cell that is there
        cells = sheet.iter_rows(values_only=True)
        line = 0
        for values in cells:
            line += 1
            if any(value is not None and str(value).strip() for value in values):
                break
        else:
            raise FileError("empty_file", "The first sheet has no header row: it is empty.")
        header = _header_trim(list(values))
    except FileError:
        _close_all(closers)
        raise
    except Exception:
        _close_all(closers)
        raise FileError("unreadable_file", "This .xlsx file cannot be read: it is damaged.") from None

    def loop(convert: Converter) -> Generator[Record | RowError, None, None]:
        return _xlsx_records(cells, header, line + 1, max_cell_chars, closers, convert)

    return Table(kind="xlsx", header=header, parsers=XLSX_PARSERS, loop=loop, closers=closers)


def _close_all(closers: list[Callable[[], None]]) -> None:
    while closers:
        closers.pop()()


def _xlsx_inspect(source: IO[bytes]) -> None:
    """Refuse, before openpyxl loads it, a workbook whose shared strings would not fit in memory."""
    try:
        with zipfile.ZipFile(source) as archive:
            names = {info.filename: info for info in archive.infolist()}
    except zipfile.BadZipFile:
        raise FileError("unreadable_file", "This .xlsx file cannot be opened: it is damaged.") from None
    if "xl/workbook.xml" not in names:
        raise FileError("unsupported_file", f"This ZIP archive is not an Excel workbook. We accept {ACCEPTED}.")
    strings = names.get("xl/sharedStrings.xml")
    if strings is not None and strings.file_size > _XLSX_MAX_SHARED_STRINGS:
        raise FileError("file_too_large", "This workbook's text is too large to read; export it as CSV instead.")


def _xlsx_records(
    cells: Iterator[tuple[Any, ...]],
    header: list[str],
    first_line: int,
    limit: int,
    closers: list[Callable[[], None]],
    convert: Converter,
) -> Generator[Record | RowError, None, None]:
    """The workbook's rows converted; the workbook (and its spool file) is closed when they end."""
    width = len(header)
    line = first_line - 1
    try:
        while True:
            try:
                values = next(cells)
            except StopIteration:
                return
            except Exception:  # damaged XML or ZIP further down the sheet, however openpyxl meets it
                raise FileError(
                    "unreadable_file", f"This .xlsx file cannot be read past row {line}: it is damaged."
                ) from None
            line += 1
            row = list(values)
            if len(row) > width:
                if any(value is not None and str(value).strip() for value in row[width:]):
                    yield _too_many_cells(line, width, len(row))
                    continue
                del row[width:]
            if row_is_blank(row):
                continue
            row.extend([None] * (width + 1 - len(row)))
            too_long = _too_long(line, header, row, limit)
            if too_long is not None:
                yield too_long
                continue
            try:
                record = convert(line, row)
            except CellError as error:
                yield row_error(line, header, error)
                continue
            yield record
    finally:
        _close_all(closers)
