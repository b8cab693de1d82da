"""The readers of time-tracker exports (audits/readers): the four Northwind samples reproduce their truth
in CSV and as XLSX twins, and each accepted variant of a file reads to the same records. Pure: no database.

The helpers at the top (reading bytes, building an XLSX twin) are used by test_readers_errors.py too."""

from __future__ import annotations

import collections
import copy
import csv
import dataclasses
import datetime
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl  # type: ignore[import-untyped, unused-ignore]  # no stubs in requirements-dev.txt
import pytest

from audits.readers import Record, RowError, read

SAMPLES = Path(__file__).resolve().parent / "samples"  # copies of ../shared/samples
BERLIN = ZoneInfo("Europe/Berlin")


def items_of(
    data: bytes, *, filename: str = "export.csv", format: str = "auto", tz: ZoneInfo = BERLIN, **options: Any
) -> list[Record | RowError]:
    with read(io.BytesIO(data), filename=filename, format=format, tz=tz, **options) as reading:
        return list(reading.items)


def records_of(data: bytes, **options: object) -> list[Record]:
    items = items_of(data, **options)  # type: ignore[arg-type]
    errors = [item for item in items if isinstance(item, RowError)]
    assert not errors, errors
    return [item for item in items if isinstance(item, Record)]


def errors_of(data: bytes, **options: object) -> list[RowError]:
    return [item for item in items_of(data, **options) if isinstance(item, RowError)]  # type: ignore[arg-type]


def csv_bytes(*lines: str, newline: str = "\r\n") -> bytes:
    return (newline.join(lines) + newline).encode()


def _us_or_iso_date(text: str) -> datetime.date:
    if "/" in text:
        return datetime.datetime.strptime(text, "%m/%d/%Y").date()
    return datetime.date.fromisoformat(text)


def _clock(text: str) -> datetime.time:
    for pattern in ("%I:%M:%S %p", "%H:%M:%S", "%H:%M"):
        try:
            return datetime.datetime.strptime(text, pattern).time()
        except ValueError:
            continue
    raise ValueError(text)


def _duration(text: str) -> datetime.timedelta:
    parts = [int(part) for part in text.split(":")]
    hours, minutes, seconds = [*parts, 0][:3]
    return datetime.timedelta(hours=hours, minutes=minutes, seconds=seconds)


# Which columns of each sample become which native Excel type in its twin.
NATIVE_COLUMNS: dict[str, dict[str, Callable[[str], object]]] = {
    "toggl": {
        "Start date": _us_or_iso_date,
        "End date": _us_or_iso_date,
        "Start time": _clock,
        "End time": _clock,
        "Duration": _duration,
    },
    "clockify": {
        "Start Date": _us_or_iso_date,
        "End Date": _us_or_iso_date,
        "Start Time": _clock,
        "End Time": _clock,
        "Duration (h)": _duration,
        "Duration (decimal)": float,
    },
    "harvest": {"Date": _us_or_iso_date, "Hours": float, "Hours Rounded": float},
    "kimai": {"Date": _us_or_iso_date, "From": _clock, "To": _clock, "Duration": _duration},
}


def xlsx_twin(csv_data: bytes, tracker: str, path: Path) -> Path:
    """The same export as an .xlsx workbook on disk, with dates, times and durations as native cells
    (date, time and timedelta; decimal hours as numbers), as the trackers' own XLSX exports have them."""
    natives = NATIVE_COLUMNS[tracker]
    rows = csv.reader(io.StringIO(csv_data.decode("utf-8-sig"), newline=""))
    header = next(rows)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(
            [
                natives[column](cell) if column in natives and cell else (cell or None)
                for column, cell in zip(header, row, strict=True)
            ]
        )
    workbook.save(path)
    return path


# The samples: every format reproduces the truth, in CSV and as an XLSX twin

TRUTH = json.loads((SAMPLES / "northwind-truth.json").read_text())
TRACKERS = ("toggl", "clockify", "harvest", "kimai")


def sample_bytes(tracker: str) -> bytes:
    return (SAMPLES / f"northwind-{tracker}.csv").read_bytes()


def sample_records(tracker: str) -> list[Record]:
    return records_of(sample_bytes(tracker), filename=f"northwind-{tracker}.csv")


def xlsx_records(path: Path, *, format: str = "auto") -> list[Record]:
    with path.open("rb") as file, read(file, filename=path.name, format=format, tz=BERLIN) as reading:
        items = list(reading.items)
    assert not [item for item in items if isinstance(item, RowError)]
    return [item for item in items if isinstance(item, Record)]


@pytest.mark.parametrize("tracker", TRACKERS)
def test_each_sample_read_with_auto_reproduces_the_truth_per_task(tracker: str) -> None:
    with (SAMPLES / f"northwind-{tracker}.csv").open("rb") as file:
        reading = read(file, filename=f"northwind-{tracker}.csv", tz=BERLIN)
        assert reading.format == tracker
        items = list(reading.items)

    assert not [item for item in items if isinstance(item, RowError)]
    assert len(items) == TRUTH["rows"]
    per_task: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for record in items:
        assert isinstance(record, Record)
        per_task[record.label][0] += 1
        per_task[record.label][1] += record.minutes
    assert per_task == {task: [figures["entries"], figures["minutes"]] for task, figures in TRUTH["tasks"].items()}


@pytest.mark.parametrize("tracker", ["clockify", "harvest"])
def test_samples_that_carry_teams_reproduce_each_teams_size(tracker: str) -> None:
    people: dict[str, set[str]] = collections.defaultdict(set)
    for record in sample_records(tracker):
        people[record.team].add(record.identity)
    assert {team: len(identities) for team, identities in people.items()} == TRUTH["teams"]


def test_every_sample_names_the_same_days_within_the_truths_window() -> None:
    start, end = (datetime.date.fromisoformat(TRUTH[key]) for key in ("window_start", "window_end"))
    for tracker in TRACKERS:
        days = {record.day for record in sample_records(tracker)}
        assert min(days) >= start and max(days) <= end, tracker


@pytest.mark.parametrize("tracker", TRACKERS)
def test_the_xlsx_twin_of_each_sample_gives_identical_records_and_hashes(tracker: str, tmp_path: Path) -> None:
    path = xlsx_twin(sample_bytes(tracker), tracker, tmp_path / f"northwind-{tracker}.xlsx")

    assert xlsx_records(path) == sample_records(tracker)


def test_the_xlsx_twin_really_holds_native_excel_types(tmp_path: Path) -> None:
    path = xlsx_twin(sample_bytes("toggl"), "toggl", tmp_path / "toggl.xlsx")
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    header, first = list(workbook.worksheets[0].iter_rows(values_only=True, max_row=2))
    workbook.close()
    row = dict(zip(header, first, strict=True))
    assert isinstance(row["Start date"], datetime.datetime)
    assert isinstance(row["Start time"], datetime.time)
    assert isinstance(row["Duration"], datetime.timedelta)


def test_records_carry_the_sample_rows_line_person_and_start() -> None:
    first = sample_records("toggl")[0]
    assert first.line == 2
    assert first.identity == "dev.ito@example.com"
    assert first.name == "Dev Ito"
    assert first.project == "Support"
    assert first.started_at == datetime.datetime(2026, 9, 7, 8, 12, tzinfo=BERLIN)
    assert first.day == datetime.date(2026, 9, 7)
    assert first.minutes == 7
    assert first.note == ""


def test_harvest_identity_is_the_employee_id_and_its_name_the_first_and_last_name() -> None:
    first = sample_records("harvest")[0]
    assert (first.identity, first.name, first.started_at) == ("E103", "Dev Ito", None)


def test_a_record_is_a_genuine_frozen_record_equal_to_one_built_directly() -> None:
    record = sample_records("kimai")[0]
    assert type(record) is Record
    assert record == Record(**{name: getattr(record, name) for name in Record.__dataclass_fields__})
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.minutes = 0  # type: ignore[misc]
    assert hash(record) == hash(copy.copy(record))


def test_the_same_entry_hashes_alike_in_csv_and_xlsx_but_differs_by_tracker() -> None:
    hashes = {tracker: sample_records(tracker)[0].content_hash for tracker in TRACKERS}
    assert len(set(hashes.values())) == len(TRACKERS)  # the source is part of the content
    assert all(len(value) == 64 and int(value, 16) >= 0 for value in hashes.values())


def test_a_content_key_keys_every_hash_and_keeps_twins_and_repeats_alike(tmp_path: Path) -> None:
    key = b"tenant secret"
    data = csv_bytes(HARVEST_HEADER, harvest_row("0.25"), harvest_row("0.25"))
    plain = records_of(data)
    keyed = records_of(data, content_key=key)
    assert keyed[0].content_hash != plain[0].content_hash
    assert keyed[0].content_hash == keyed[1].content_hash
    assert [dataclasses.replace(record, content_hash="") for record in keyed] == [
        dataclasses.replace(record, content_hash="") for record in plain
    ]
    assert records_of(data, content_key=b"another tenant")[0].content_hash != keyed[0].content_hash

    path = xlsx_twin(sample_bytes("toggl"), "toggl", tmp_path / "toggl.xlsx")
    with path.open("rb") as file, read(file, filename="toggl.xlsx", tz=BERLIN, content_key=key) as reading:
        from_xlsx = list(reading.items)
    assert from_xlsx == records_of(sample_bytes("toggl"), content_key=key)


# Variants of a file that must read the same

TOGGL_HEADER = "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags,Amount (USD)"
TOGGL_ROW = "Dev Ito,Dev.Ito@Example.com,Northwind,Support,,Answer shipment status emails,No,2026-09-07,08:12:00,2026-09-07,08:19:00,00:07:00,,"
CLOCKIFY_HEADER = (
    "Project,Client,Description,Task,User,Group,Email,Tags,Billable,Start Date,Start Time,End Date,End Time,"
    "Duration (h),Duration (decimal),Billable Rate (USD),Billable Amount (USD)"
)
HARVEST_HEADER = (
    "Date,Client,Project,Project Code,Task,Notes,Hours,Hours Rounded,Billable?,Invoiced?,Approved?,First Name,"
    "Last Name,Employee Id,Roles,Employee?,Billable Rate,Billable Amount,Cost Rate,Cost Amount,Currency,"
    "External Reference URL"
)
KIMAI_HEADER = (
    "Date,From,To,Duration,Currency,Price,Internal price,Hourly price,Fixed price,Name,User,E-mail,Staff number,"
    "Customer,Project,Activity,Description,Billable,Tags,Type,category,Account,Project number,VAT-ID,Order number"
)


def harvest_row(hours: str, *, date: str = "2026-09-07", notes: str = "", sep: str = ",") -> str:
    cells = [date, "Northwind", "Support", "", "Answer shipment status emails", notes, hours, "0.25", "No", "No"]
    cells += ["Yes", "Dev", "Ito", "E103", "Customer Service", "Yes", "0", "0", "45", "5.25", "Euro - EUR", ""]
    return sep.join(cells)


def test_a_utf8_bom_and_windows_line_endings_read_like_plain_unix_text() -> None:
    plain = records_of(csv_bytes(TOGGL_HEADER, TOGGL_ROW, newline="\n"))
    with_bom_and_crlf = records_of(b"\xef\xbb\xbf" + csv_bytes(TOGGL_HEADER, TOGGL_ROW, newline="\r\n"))
    assert plain == with_bom_and_crlf
    assert plain[0].identity == "dev.ito@example.com"  # e-mails are lower-cased


def test_a_semicolon_file_with_decimal_commas_reads_like_its_comma_twin() -> None:
    semicolon = records_of(csv_bytes(HARVEST_HEADER.replace(",", ";"), harvest_row("0,125", sep=";")))
    comma = records_of(csv_bytes(HARVEST_HEADER, harvest_row("0.125")))
    assert semicolon == comma
    assert semicolon[0].minutes == 8


def test_a_tab_separated_file_is_read_too() -> None:
    records = records_of(csv_bytes(HARVEST_HEADER.replace(",", "\t"), harvest_row("0.5", sep="\t")))
    assert records[0].minutes == 30


@pytest.mark.parametrize(
    ("hours", "minutes"),
    [("0.125", 8), ("0.1167", 7), ("0.0667", 4), ("3.3833", 203), ("0.1083", 6), ("1", 60), ("0:45", 45)],
)
def test_harvest_decimal_hours_round_to_the_nearest_minute_half_up(hours: str, minutes: int) -> None:
    assert records_of(csv_bytes(HARVEST_HEADER, harvest_row(hours)))[0].minutes == minutes


def test_identical_harvest_rows_are_two_records_with_one_hash() -> None:
    first, second = records_of(csv_bytes(HARVEST_HEADER, harvest_row("0.25"), harvest_row("0.25")))
    assert (first.line, second.line) == (2, 3)
    assert first.content_hash == second.content_hash
    assert dataclasses.replace(first, line=3) == second


def test_rows_that_differ_in_any_normalised_content_hash_differently() -> None:
    base_row = records_of(csv_bytes(HARVEST_HEADER, harvest_row("0.25")))[0]
    others = [
        harvest_row("0.2501"),
        harvest_row("0.25", date="2026-09-08"),
        harvest_row("0.25", notes="called back"),
    ]
    for row in others:
        assert records_of(csv_bytes(HARVEST_HEADER, row))[0].content_hash != base_row.content_hash, row


def test_the_same_value_written_differently_hashes_alike() -> None:
    iso = records_of(csv_bytes(HARVEST_HEADER, harvest_row("0.25", date="2026-09-07")))[0]
    us = records_of(csv_bytes(HARVEST_HEADER, harvest_row("0.25", date="09/07/2026")))[0]
    clock = records_of(csv_bytes(HARVEST_HEADER, harvest_row("0:15", date="07.09.2026")))[0]
    assert iso.content_hash == us.content_hash == clock.content_hash


def test_harvest_notes_become_the_note_and_roles_the_team() -> None:
    record = records_of(csv_bytes(HARVEST_HEADER, harvest_row("0.25", notes="Called the depot")))[0]
    assert (record.note, record.team, record.label, record.description) == (
        "Called the depot",
        "Customer Service",
        "Answer shipment status emails",
        "",
    )


def test_harvest_without_an_employee_id_identifies_the_person_by_name() -> None:
    row = harvest_row("0.25").replace(",E103,", ",,")
    assert records_of(csv_bytes(HARVEST_HEADER, row))[0].identity == "Dev Ito"


def test_the_toggl_label_is_the_task_when_filled_else_the_description() -> None:
    with_task = TOGGL_ROW.replace(",Support,,", ",Support,Email triage,")
    task, description = records_of(csv_bytes(TOGGL_HEADER, with_task, TOGGL_ROW))
    assert (task.label, task.description) == ("Email triage", "Answer shipment status emails")
    assert (description.label, description.description) == ("Answer shipment status emails",) * 2


def test_toggl_without_an_email_identifies_the_person_by_user() -> None:
    row = TOGGL_ROW.replace("Dev.Ito@Example.com", "")
    assert records_of(csv_bytes(TOGGL_HEADER, row))[0].identity == "Dev Ito"


def test_a_toggl_row_with_an_empty_duration_falls_back_to_end_minus_start() -> None:
    row = TOGGL_ROW.replace("08:19:00,00:07:00", "09:01:30,")
    assert records_of(csv_bytes(TOGGL_HEADER, row))[0].minutes == 50  # 49.5 minutes, half up


def test_the_end_minus_start_fallback_counts_real_time_across_a_dst_change() -> None:
    # 25 October 2026, Berlin: clocks go back at 03:00, so 01:00 to 05:00 on the wall is five hours.
    row = TOGGL_ROW.replace(
        "2026-09-07,08:12:00,2026-09-07,08:19:00,00:07:00", "2026-10-25,01:00:00,2026-10-25,05:00:00,"
    )
    assert records_of(csv_bytes(TOGGL_HEADER, row))[0].minutes == 300


def test_an_entry_past_midnight_belongs_to_its_start_day() -> None:
    row = TOGGL_ROW.replace(
        "2026-09-07,08:12:00,2026-09-07,08:19:00,00:07:00", "2026-09-07,23:50:00,2026-09-08,00:20:00,00:30:00"
    )
    record = records_of(csv_bytes(TOGGL_HEADER, row))[0]
    assert (record.day, record.minutes) == (datetime.date(2026, 9, 7), 30)


def clockify_row(*, date: str = "09/07/2026", start: str = "08:12:00 AM", duration: str = "00:07:00") -> str:
    return (
        f"Support,Northwind,Answer emails,Answer shipment status emails,Dev Ito,Customer Service,dev.ito@example.com,"
        f",No,{date},{start},{date},{start},{duration},0.12,0.00,0.00"
    )


def test_clockify_us_dates_and_12_hour_clock_times_are_read_in_the_tenants_zone() -> None:
    evening, past_midnight, noon = records_of(
        csv_bytes(
            CLOCKIFY_HEADER,
            clockify_row(start="08:12:00 PM"),
            clockify_row(start="12:05 AM"),
            clockify_row(date="12/31/2026", start="12:30 PM"),
        )
    )
    assert evening.started_at == datetime.datetime(2026, 9, 7, 20, 12, tzinfo=BERLIN)
    assert past_midnight.started_at == datetime.datetime(2026, 9, 7, 0, 5, tzinfo=BERLIN)
    assert noon.started_at == datetime.datetime(2026, 12, 31, 12, 30, tzinfo=BERLIN)
    assert noon.started_at.utcoffset() == datetime.timedelta(hours=1)  # winter time in Berlin


def test_clockify_group_is_the_team_and_task_the_label() -> None:
    record = records_of(csv_bytes(CLOCKIFY_HEADER, clockify_row()))[0]
    assert (record.team, record.label, record.description) == (
        "Customer Service",
        "Answer shipment status emails",
        "Answer emails",
    )


def test_clockify_reads_duration_h_and_never_the_rounded_decimal_column() -> None:
    # Duration (decimal) says 0.12 h (7.2 min) in every row; Duration (h) is the exact one.
    exact, decimal_hours = records_of(
        csv_bytes(CLOCKIFY_HEADER, clockify_row(duration="00:09:31"), clockify_row(duration="0.5"))
    )
    assert (exact.minutes, decimal_hours.minutes) == (10, 30)


def test_money_columns_change_nothing() -> None:
    plain = records_of(csv_bytes(HARVEST_HEADER, harvest_row("0.25")))[0]
    priced = harvest_row("0.25").replace(",45,5.25,Euro - EUR,", ",90,22.50,US Dollar - USD,")
    assert records_of(csv_bytes(HARVEST_HEADER, priced))[0] == plain


def kimai_row(*, date: str = "2026-09-07", begin: str = "08:12", duration: str = "0:07") -> str:
    return (
        f"{date},{begin},08:19,{duration},EUR,0,0,0,,Dev Ito,dev.ito,dev.ito@example.com,E103,Northwind,Support,"
        "Answer shipment status emails,,no,,timesheet,work,,,,"
    )


@pytest.mark.parametrize(("duration", "minutes"), [("1:30", 90), ("0:07", 7), ("01:30:30", 91), ("1.25", 75)])
def test_kimai_durations_as_h_mm_h_mm_ss_or_decimal_hours(duration: str, minutes: int) -> None:
    assert records_of(csv_bytes(KIMAI_HEADER, kimai_row(duration=duration)))[0].minutes == minutes


def test_a_german_kimai_export_reads_like_the_english_one() -> None:
    german_header = (
        "Datum;Von;Bis;Dauer;Währung;Preis;Name;Benutzer;E-Mail;Personalnummer;Kunde;Projekt;Tätigkeit;Beschreibung"
    )
    german_row = "07.09.2026;08:12;08:19;0:07;EUR;0;Dev Ito;dev.ito;dev.ito@example.com;E103;Northwind;Support;Answer shipment status emails;"
    german = records_of(csv_bytes(german_header, german_row))[0]
    english = records_of(csv_bytes(KIMAI_HEADER, kimai_row()))[0]
    assert german == english


def test_kimai_falls_back_from_email_to_staff_number_then_user() -> None:
    no_email = kimai_row().replace("dev.ito@example.com", "")
    no_staff = no_email.replace(",E103,", ",,")
    assert records_of(csv_bytes(KIMAI_HEADER, no_email))[0].identity == "E103"
    assert records_of(csv_bytes(KIMAI_HEADER, no_staff))[0].identity == "dev.ito"


GENERIC_HEADER = "person,team,task,date,start,minutes"


def test_generic_rows_with_minutes_and_with_duration_read_alike() -> None:
    minutes = records_of(csv_bytes(GENERIC_HEADER, "ana@example.com,Sales,Qualify inbound leads,2026-09-07,09:00,12"))
    duration = records_of(
        csv_bytes(
            "person,team,task,date,start,duration", "ana@example.com,Sales,Qualify inbound leads,2026-09-07,09:00,0:12"
        )
    )
    assert minutes == duration
    assert (minutes[0].team, minutes[0].label, minutes[0].minutes) == ("Sales", "Qualify inbound leads", 12)


def test_generic_durations_with_seconds_and_minutes_with_decimals_round_half_up() -> None:
    header = "person,task,date,duration"
    assert records_of(csv_bytes(header, "ana,Triage,2026-09-07,0:12:30"))[0].minutes == 13
    assert records_of(csv_bytes("person,task,date,minutes", "ana,Triage,2026-09-07,12.5"))[0].minutes == 13
    assert records_of(csv_bytes("person,task,date,minutes", "ana,Triage,2026-09-07,12.49"))[0].minutes == 12


def test_generic_without_a_start_has_no_started_at_and_a_name_that_is_not_an_email() -> None:
    by_name, by_email = records_of(
        csv_bytes("person,task,date,minutes", "Ana Park,Triage,2026-09-07,5", "Ana@Example.com,Triage,2026-09-07,5")
    )
    assert (by_name.identity, by_name.name, by_name.started_at) == ("Ana Park", "Ana Park", None)
    assert (by_email.identity, by_email.name) == ("ana@example.com", "")


def test_a_generic_start_with_an_offset_takes_its_day_in_the_tenants_zone() -> None:
    # 23:30 in New York on 7 September is 05:30 in Berlin on 8 September.
    record = records_of(csv_bytes(GENERIC_HEADER, "ana,Sales,Qualify,2026-09-07,2026-09-07T23:30:00-04:00,10"))[0]
    assert record.day == datetime.date(2026, 9, 8)
    assert record.started_at == datetime.datetime(2026, 9, 8, 5, 30, tzinfo=BERLIN)
    assert record.started_at.tzinfo is BERLIN


def test_a_generic_start_in_utc_and_its_berlin_twin_are_one_entry() -> None:
    utc = records_of(csv_bytes(GENERIC_HEADER, "ana,Sales,Qualify,,2026-09-07T22:30:00Z,10"))[0]
    local = records_of(csv_bytes(GENERIC_HEADER, "ana,Sales,Qualify,2026-09-08,00:30,10"))[0]
    assert utc == local


def test_the_same_file_read_in_another_time_zone_keeps_its_wall_clock_times() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    record = records_of(csv_bytes(TOGGL_HEADER, TOGGL_ROW), tz=tokyo)[0]
    assert record.started_at == datetime.datetime(2026, 9, 7, 8, 12, tzinfo=tokyo)


def test_quoted_cells_may_hold_separators_quotes_and_newlines() -> None:
    row = TOGGL_ROW.replace(",Answer shipment status emails,", ',"Answer ""urgent"" emails,\nthen file them",')
    first, second = records_of(csv_bytes(TOGGL_HEADER, row, TOGGL_ROW))
    assert first.label == 'Answer "urgent" emails,\nthen file them'
    assert (first.line, second.line) == (2, 3)  # rows as a spreadsheet numbers them, not physical lines


def test_blank_lines_are_skipped_but_keep_their_row_numbers() -> None:
    records = records_of(csv_bytes(TOGGL_HEADER, "", TOGGL_ROW, ",,,,,,,,,,,,,", TOGGL_ROW, ""))
    assert [record.line for record in records] == [3, 5]


def test_short_rows_read_their_missing_trailing_cells_as_empty() -> None:
    row = TOGGL_ROW.removesuffix(",,")
    assert records_of(csv_bytes(TOGGL_HEADER, row))[0].minutes == 7


def test_headers_match_whatever_their_case_spacing_or_order() -> None:
    header = " duration ,START TIME,start_date,EMAIL,description"
    record = records_of(csv_bytes(header, "0:07,08:12,2026-09-07,ana@example.com,Triage"), format="toggl")[0]
    assert (record.minutes, record.label, record.identity) == (7, "Triage", "ana@example.com")


def test_an_explicit_format_reads_a_file_auto_would_take_for_another() -> None:
    reading = read(io.BytesIO(csv_bytes(GENERIC_HEADER)), filename="x.csv", format="generic", tz=BERLIN)
    assert (reading.format, reading.header) == ("generic", GENERIC_HEADER.split(","))


def test_items_stream_lazily_and_a_reading_can_be_left_unfinished(tmp_path: Path) -> None:
    path = xlsx_twin(sample_bytes("kimai"), "kimai", tmp_path / "kimai.xlsx")
    with path.open("rb") as file:
        reading = read(file, filename="kimai.xlsx", tz=BERLIN)
        assert isinstance(reading.items, Iterator)
        first = next(reading.items)
        assert isinstance(first, Record) and first.line == 2
        reading.close()
        assert file.closed is False  # the caller's file is the caller's to close


def test_an_xlsx_from_a_stream_that_cannot_seek_is_spooled_and_read(tmp_path: Path) -> None:
    path = xlsx_twin(sample_bytes("harvest"), "harvest", tmp_path / "harvest.xlsx")

    class Unseekable(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    stream = io.BufferedReader(Unseekable(path.read_bytes()))
    with read(stream, filename="harvest.xlsx", tz=BERLIN) as reading:
        records = list(reading.items)
    assert records == sample_records("harvest")


def test_xlsx_cells_typed_as_text_numbers_or_day_fractions_read_like_native_ones(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Email", "User", "Project", "Task", "Description", "Start date", "Start time", "Duration"])
    sheet.append(["ana@example.com", "Ana", "Ops", None, "Triage", "2026-09-07", "08:12:00", "00:07:00"])
    sheet.append(["ana@example.com", "Ana", "Ops", None, "Triage", 46272, 0.3416666666666667, 0.11666666666666667])
    workbook.save(tmp_path / "typed.xlsx")
    text_cells, number_cells = xlsx_records(tmp_path / "typed.xlsx")
    assert text_cells.day == number_cells.day == datetime.date(2026, 9, 7)
    assert text_cells.started_at == number_cells.started_at == datetime.datetime(2026, 9, 7, 8, 12, tzinfo=BERLIN)
    assert text_cells.minutes == number_cells.minutes == 7  # a bare number in Duration is decimal hours


def test_xlsx_numbers_in_text_columns_read_as_their_text(tmp_path: Path) -> None:
    rows = sample_bytes("harvest").decode("utf-8-sig").replace(",E103,", ",103,")
    path = xlsx_twin(rows.encode(), "harvest", tmp_path / "harvest.xlsx")
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    column = [cell.value for cell in sheet[1]].index("Employee Id") + 1
    for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
        if cell.value == "103":
            cell.value = 103
    workbook.save(path)
    assert xlsx_records(path) == records_of(rows.encode())
