"""The readers refuse what they cannot read, in words a person understands: a whole file with a FileError,
a row with a RowError that names its line and column, and a bad row never stops the good ones after it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl  # type: ignore[import-untyped, unused-ignore]  # no stubs in requirements-dev.txt
import pytest

from audits.readers import FileError, Record, RowError, read
from tests.audits.test_readers import (
    BERLIN,
    GENERIC_HEADER,
    HARVEST_HEADER,
    TOGGL_HEADER,
    TOGGL_ROW,
    csv_bytes,
    errors_of,
    harvest_row,
    items_of,
)


def file_error(data: bytes, **options: object) -> FileError:
    with pytest.raises(FileError) as caught:
        items_of(data, **options)  # type: ignore[arg-type]
    return caught.value


def read_error(data: bytes, *, filename: str = "export.csv", format: str = "auto") -> FileError:
    """The FileError that read() itself raises, before any item is asked for."""
    with pytest.raises(FileError) as caught:
        read(io.BytesIO(data), filename=filename, format=format, tz=BERLIN)
    return caught.value


# Whole files


def test_an_empty_file_is_refused() -> None:
    error = read_error(b"")
    assert (error.code, str(error)) == ("empty_file", "The file is empty.")


def test_a_file_of_blank_lines_has_no_header() -> None:
    assert read_error(b"\r\n\r\n  \r\n").code == "empty_file"


def test_a_header_alone_is_zero_records_and_no_error() -> None:
    assert items_of(csv_bytes(TOGGL_HEADER)) == []
    assert items_of(TOGGL_HEADER.encode()) == []  # without a final newline too


@pytest.mark.parametrize(
    ("data", "filename", "named"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "export.pdf", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "screenshot.png", "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "photo.jpg", "a JPEG image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "export.xls", "(.xls)"),
        (b"\x00\x01\x02\x03binary", "export.csv", "binary"),
    ],
)
def test_files_that_are_not_csv_or_xlsx_are_refused_saying_what_is_accepted(
    data: bytes, filename: str, named: str
) -> None:
    error = read_error(data, filename=filename)
    assert error.code == "unsupported_file"
    assert named in str(error)
    assert "CSV" in str(error) and ".xlsx" in str(error)


def test_a_file_named_xls_is_refused_even_when_it_holds_text() -> None:
    error = read_error(csv_bytes(TOGGL_HEADER, TOGGL_ROW), filename="Export.XLS")
    assert error.code == "unsupported_file"
    assert ".xls" in str(error)


def test_a_zip_that_is_not_named_xlsx_is_refused() -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("export.csv", "a,b\n")
    assert read_error(archive.getvalue(), filename="export.zip").code == "unsupported_file"
    assert read_error(archive.getvalue(), filename="export.xlsx").code == "unsupported_file"  # no workbook inside


def test_a_damaged_xlsx_is_refused() -> None:
    assert read_error(b"PK\x03\x04" + bytes(200), filename="export.xlsx").code == "unreadable_file"


def test_a_file_named_xlsx_that_holds_text_is_refused() -> None:
    assert read_error(csv_bytes(TOGGL_HEADER), filename="export.xlsx").code == "unsupported_file"


def test_an_xlsx_with_an_empty_first_sheet_has_no_header(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.save(tmp_path / "empty.xlsx")
    assert read_error((tmp_path / "empty.xlsx").read_bytes(), filename="empty.xlsx").code == "empty_file"


def test_utf16_text_is_refused_with_what_to_do() -> None:
    error = read_error(csv_bytes(TOGGL_HEADER).decode().encode("utf-16"))
    assert error.code == "invalid_encoding"
    assert "CSV UTF-8" in str(error)


def test_a_header_that_is_not_utf8_is_refused_before_any_row() -> None:
    error = read_error("Benutzer,E-Mail,Tätigkeit\r\n".encode("cp1252"))
    assert error.code == "invalid_encoding"
    assert "Line 1 " in str(error) and "0xE4" in str(error)


def test_invalid_utf8_further_down_fails_the_file_during_iteration_naming_its_line() -> None:
    good = [TOGGL_ROW] * 3000  # past the first chunks the decoder reads
    data = csv_bytes(TOGGL_HEADER, *good) + TOGGL_ROW.replace("Dev Ito", "Dev Itô").encode("latin-1") + b"\r\n"
    with read(io.BytesIO(data), filename="export.csv", tz=BERLIN) as reading, pytest.raises(FileError) as caught:
        for _ in reading.items:
            pass
    assert caught.value.code == "invalid_encoding"
    assert f"Line {len(good) + 2} " in str(caught.value)


def test_an_unknown_header_lists_the_columns_each_format_expects() -> None:
    error = read_error(csv_bytes("When,Who,What", "today,me,stuff"))
    assert error.code == "unknown_header"
    message = str(error)
    assert "When, Who, What" in message
    for expected in ("Toggl", "Clockify", "Harvest", "Kimai", "generic", "Duration (h)", "Employee Id", "person"):
        assert expected in message, expected


def test_a_header_missing_a_required_column_names_it() -> None:
    error = read_error(csv_bytes(TOGGL_HEADER.replace(",Duration,", ",Length,")), format="toggl")
    assert error.code == "missing_columns"
    assert "Toggl" in str(error) and "lacks the column Duration." in str(error)


def test_a_recognised_export_missing_its_label_columns_names_them() -> None:
    header = TOGGL_HEADER.replace(",Task,Description,", ",Ticket,Summary,")
    error = read_error(csv_bytes(header))
    assert error.code == "missing_columns"
    assert "Task or Description" in str(error)


def test_a_clockify_export_with_only_the_rounded_duration_is_refused() -> None:
    header = "Project,Task,User,Email,Start Date,Start Time,Duration (decimal)"
    error = read_error(csv_bytes(header))
    assert error.code == "missing_columns"
    assert "Duration (h)" in str(error)


def test_an_unknown_format_name_is_refused() -> None:
    assert read_error(csv_bytes(TOGGL_HEADER), format="excel").code == "unknown_format"


def test_a_cell_longer_than_the_limit_is_a_row_error_and_the_next_row_still_reads() -> None:
    long_row = TOGGL_ROW.replace("Answer shipment status emails", "x" * 501)
    items = items_of(csv_bytes(TOGGL_HEADER, long_row, TOGGL_ROW), max_cell_chars=500)
    error, record = items
    assert isinstance(error, RowError) and isinstance(record, Record)
    assert (error.line, error.column, error.code) == (2, "Description", "cell_too_long")
    assert "501" in error.message and "500" in error.message
    assert record.line == 3


def test_a_cell_past_the_csv_modules_own_limit_fails_the_file_without_exhausting_memory() -> None:
    huge = '"' + "x" * 200_000 + '"'
    error = file_error(csv_bytes(TOGGL_HEADER, TOGGL_ROW.replace("Dev Ito", huge)))
    assert error.code == "cell_too_long"


def test_an_xlsx_cell_longer_than_the_limit_is_a_row_error(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["person", "task", "date", "minutes"])
    sheet.append(["ana", "t" * 101, "2026-09-07", 5])
    sheet.append(["ana", "Triage", "2026-09-07", 5])
    workbook.save(tmp_path / "long.xlsx")
    error, record = items_of((tmp_path / "long.xlsx").read_bytes(), filename="long.xlsx", max_cell_chars=100)
    assert isinstance(error, RowError) and (error.line, error.column, error.code) == (2, "task", "cell_too_long")
    assert isinstance(record, Record)


def test_a_row_with_more_filled_cells_than_the_header_is_a_row_error() -> None:
    error, record = items_of(
        csv_bytes(GENERIC_HEADER, "ana,Sales,Triage,2026-09-07,09:00,5,surprise", "ana,,T,2026-09-07,,5")
    )
    assert isinstance(error, RowError) and (error.line, error.code) == (2, "too_many_cells")
    assert isinstance(record, Record)


# Rows


@pytest.mark.parametrize(
    ("date", "shown"),
    [("31/02/2026", "'31/02/2026' is not a date"), ("2026-02-30", "'2026-02-30'"), ("yesterday", "'yesterday'")],
)
def test_a_bad_date_is_a_row_error_naming_the_value(date: str, shown: str) -> None:
    (error,) = errors_of(csv_bytes(HARVEST_HEADER, harvest_row("0.25", date=date)))
    assert (error.line, error.column, error.code) == (2, "Date", "invalid_date")
    assert error.message.startswith(shown)
    assert "YYYY-MM-DD" in error.message and "MM/DD/YYYY" in error.message


def test_a_bad_time_is_a_row_error_naming_the_value() -> None:
    row = TOGGL_ROW.replace("08:12:00", "25:61")
    (error,) = errors_of(csv_bytes(TOGGL_HEADER, row))
    assert (error.column, error.code) == ("Start time", "invalid_time")
    assert error.message.startswith("'25:61' is not a time of day")


@pytest.mark.parametrize("hours", ["soon", "1:75", "0.25h", "NaN", "1e3"])
def test_a_bad_duration_is_a_row_error_naming_the_value(hours: str) -> None:
    (error,) = errors_of(csv_bytes(HARVEST_HEADER, harvest_row(hours)))
    assert (error.line, error.column, error.code) == (2, "Hours", "invalid_duration")
    assert error.message.startswith(f"'{hours}' is not a duration")


def test_an_absurdly_long_duration_is_a_row_error() -> None:
    (error,) = errors_of(csv_bytes(HARVEST_HEADER, harvest_row("99999")))
    assert (error.code, error.column) == ("invalid_duration", "Hours")


@pytest.mark.parametrize("hours", ["-0.25", "-0:15"])
def test_a_negative_duration_is_a_row_error(hours: str) -> None:
    (error,) = errors_of(csv_bytes(HARVEST_HEADER, harvest_row(hours)))
    assert (error.column, error.code) == ("Hours", "negative_duration")
    assert error.message == f"'{hours}' is a negative duration."


def test_an_end_before_the_start_is_a_negative_duration() -> None:
    row = TOGGL_ROW.replace("08:19:00,00:07:00", "08:00:00,")
    (error,) = errors_of(csv_bytes(TOGGL_HEADER, row))
    assert (error.column, error.code) == ("Duration", "negative_duration")


def test_a_missing_duration_with_no_end_time_is_a_row_error() -> None:
    row = TOGGL_ROW.replace("08:19:00,00:07:00", ",")
    (error,) = errors_of(csv_bytes(TOGGL_HEADER, row))
    assert (error.column, error.code) == ("Duration", "missing_value")


def test_a_missing_date_is_a_row_error_naming_the_column() -> None:
    (error,) = errors_of(csv_bytes(HARVEST_HEADER, harvest_row("0.25", date="")))
    assert (error.column, error.code) == ("Date", "missing_value")
    assert "'Date'" in error.message


def test_a_row_without_a_person_is_a_row_error() -> None:
    (error,) = errors_of(csv_bytes(GENERIC_HEADER, ",Sales,Triage,2026-09-07,09:00,5"))
    assert (error.line, error.column, error.code) == (2, "person", "missing_value")
    assert error.message == "The cell 'person' is empty; this row needs it."


def test_a_toggl_row_without_email_or_user_is_a_row_error() -> None:
    row = TOGGL_ROW.replace("Dev Ito,Dev.Ito@Example.com,", ",,")
    (error,) = errors_of(csv_bytes(TOGGL_HEADER, row))
    assert (error.column, error.code) == ("Email", "missing_value")
    assert "Email and User" in error.message


def test_bad_rows_do_not_stop_the_good_rows_after_them() -> None:
    items = items_of(
        csv_bytes(
            HARVEST_HEADER,
            harvest_row("0.25"),
            harvest_row("0.25", date="someday"),
            harvest_row("soon"),
            harvest_row("-1"),
            harvest_row("0.25").replace(",Dev,Ito,E103,", ",,,,"),
            harvest_row("0.5"),
        )
    )
    assert [(type(item).__name__, item.line) for item in items] == [
        ("Record", 2),
        ("RowError", 3),
        ("RowError", 4),
        ("RowError", 5),
        ("RowError", 6),
        ("Record", 7),
    ]
    assert [item.code for item in items if isinstance(item, RowError)] == [
        "invalid_date",
        "invalid_duration",
        "negative_duration",
        "missing_value",
    ]


def test_a_bad_row_in_an_xlsx_is_a_row_error_with_its_spreadsheet_row(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["person", "task", "date", "duration"])
    sheet.append(["ana", "Triage", "2026-09-07", "soon"])
    sheet.append([])
    sheet.append(["ana", "Triage", "2026-09-07", "0:05"])
    workbook.save(tmp_path / "bad.xlsx")
    error, record = items_of((tmp_path / "bad.xlsx").read_bytes(), filename="bad.xlsx")
    assert isinstance(error, RowError) and (error.line, error.column, error.code) == (2, "duration", "invalid_duration")
    assert isinstance(record, Record) and record.line == 4
