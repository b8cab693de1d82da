"""Cell values of time exports read into dates, times of day and durations, for CSV text and XLSX cells.

A CSV cell is always text; an XLSX cell may also arrive as a native datetime, date, time, timedelta or
number. Both end as the same values, so a file and its XLSX twin give identical records. Text parsers
are memoised (exports repeat the same dates, times and durations) with a bounded cache.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from audits.readers.base import CellError, value_shown

# A parsed day: the date and its ISO text (the text goes into the content hash).
Day = tuple[datetime.date, str]
# A parsed time of day: the time (whole seconds) and its 'HH:MM:SS' text.
Clock = tuple[datetime.time, str]
# A parsed duration: whole minutes (rounded half up, METHOD.md section 2) and the exact duration in
# milliseconds as text (for the content hash).
Duration = tuple[int, str]

_CACHE = 4096
# Durations in seconds are more varied than dates or times (an 8-hour day has 28,800 of them): a larger
# cache keeps the hit rate up; an entry costs about 200 bytes.
_DURATION_CACHE = 32768
_MAX_HOURS = 10_000  # more than a year around the clock in one entry: a typo, not a time entry
_EXCEL_EPOCH = datetime.datetime(1899, 12, 30)
_DATE_FORMATS = "YYYY-MM-DD, MM/DD/YYYY or DD.MM.YYYY"
_TIME_FORMATS = "HH:MM or HH:MM:SS, 24-hour or with AM/PM"
_DURATION_FORMATS = "H:MM, H:MM:SS or decimal hours such as 0.25"


def missing() -> CellError:
    return CellError("missing_value")


# Text (CSV) parsers


def identity_of(value: str) -> str:
    """A person's identity as METHOD.md section 2 keeps it: stripped, e-mails lower-cased."""
    value = value.strip()
    return value.lower() if "@" in value else value


@lru_cache(maxsize=_CACHE)
def day_text(value: str) -> Day:
    text = value.strip()
    if not text:
        raise missing()
    try:
        if len(text) >= 10 and text[4] == "-":
            # ISO, possibly followed by a time ('2026-09-07T08:12:00', '2026-09-07 08:12')
            if len(text) > 10 and text[10] not in "T ":
                raise ValueError(text)
            day = datetime.date.fromisoformat(text[:10])
        elif "/" in text:
            month, dom, year = text.split("/")
            day = _date(year, month, dom)
        elif "." in text:
            dom, month, year = text.split(".")
            day = _date(year, month, dom)
        else:
            raise ValueError(text)
    except ValueError:
        raise CellError("invalid_date", f"{value_shown(text)} is not a date (expected {_DATE_FORMATS}).") from None
    return day, day.isoformat()


def _date(year: str, month: str, dom: str) -> datetime.date:
    if len(year) != 4 or not (year + month + dom).isdigit():
        raise ValueError(year)
    return datetime.date(int(year), int(month), int(dom))


@lru_cache(maxsize=_CACHE)
def clock_text(value: str) -> Clock:
    text = value.strip()
    if not text:
        raise missing()
    try:
        clock = _clock(text)
    except ValueError:
        raise CellError(
            "invalid_time", f"{value_shown(text)} is not a time of day (expected {_TIME_FORMATS})."
        ) from None
    return clock, clock.isoformat()


def _clock(text: str) -> datetime.time:
    upper = text.upper().replace(".", "") if text[-1] in "mM." else text
    meridiem = ""
    if upper.endswith(("AM", "PM")):
        meridiem, upper = upper[-2:], upper[:-2].rstrip()
    elif len(text) > 10 and text[4] == "-":
        # a whole timestamp where a time was expected ('2026-09-07 08:12:00'): its time part
        return _whole_seconds(datetime.datetime.fromisoformat(text).time())
    parts = upper.split(":")
    if len(parts) not in (2, 3) or not all(part.strip().replace(".", "", 1).isdigit() for part in parts):
        raise ValueError(text)
    hour, minute = int(parts[0]), int(parts[1])
    second = float(parts[2]) if len(parts) == 3 else 0.0
    if meridiem:
        if not 1 <= hour <= 12:
            raise ValueError(text)
        hour = hour % 12 + (12 if meridiem == "PM" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= second < 60):
        raise ValueError(text)
    return datetime.time(hour, minute, min(round(second), 59))


@lru_cache(maxsize=_DURATION_CACHE)
def duration_text(value: str) -> Duration | None:
    """H:MM, H:MM:SS (hours may pass 24) or decimal hours ('0.1167', or '0,1167' with a decimal comma).
    None for an empty cell: some readers then fall back to end minus start."""
    text = value.strip()
    if not text:
        return None
    parts = text.split(":")
    if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit() and parts[2].isdigit():
        # the common case, HH:MM:SS in whole seconds, in integers
        whole_minutes, whole_seconds = int(parts[1]), int(parts[2])
        if whole_minutes < 60 and whole_seconds < 60:
            return duration_of_seconds(int(parts[0]) * 3600 + whole_minutes * 60 + whole_seconds, text)
    negative = text[0] == "-"
    body = text[1:].strip() if negative else text
    try:
        if ":" in body:
            parts = body.split(":")
            if len(parts) not in (2, 3) or not all(part.isdigit() for part in parts[:2]):
                raise ValueError(text)
            hours, minutes = int(parts[0]), int(parts[1])
            seconds = _decimal(parts[2]) if len(parts) == 3 else Decimal(0)
            if minutes > 59 or not 0 <= seconds < 60:
                raise ValueError(text)
            exact = Decimal(hours * 3600 + minutes * 60) + seconds
        else:
            exact = _decimal(body) * 3600
    except ValueError:
        raise CellError(
            "invalid_duration", f"{value_shown(text)} is not a duration (expected {_DURATION_FORMATS})."
        ) from None
    return duration_of_seconds(-exact if negative else exact, text)


@lru_cache(maxsize=_CACHE)
def minutes_text(value: str) -> Duration | None:
    """A number of minutes ('7', '7.5', '7,5'), for the generic format's minutes column."""
    text = value.strip()
    if not text:
        return None
    try:
        exact = _decimal(text) * 60
    except ValueError:
        raise CellError("invalid_duration", f"{value_shown(text)} is not a number of minutes.") from None
    return duration_of_seconds(exact, text)


def _decimal(text: str) -> Decimal:
    """A plain decimal number; a single comma with no point is a decimal comma ('0,1167')."""
    if "," in text and "." not in text and text.count(",") == 1:
        text = text.replace(",", ".")
    if not text or not text.lstrip("-").replace(".", "", 1).isdigit():
        raise ValueError(text)
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None


def duration_of_seconds(exact: Decimal | int, shown: object) -> Duration:
    if exact < 0:
        raise CellError("negative_duration", f"{value_shown(shown)} is a negative duration.")
    if exact > _MAX_HOURS * 3600:
        raise CellError("invalid_duration", f"{value_shown(shown)} is longer than {_MAX_HOURS:,} hours.")
    if isinstance(exact, int):
        return (exact + 30) // 60, str(exact * 1000)
    minutes = int((exact / 60).to_integral_value(ROUND_HALF_UP))
    return minutes, str(int((exact * 1000).to_integral_value(ROUND_HALF_UP)))


@lru_cache(maxsize=_CACHE)
def moment_text(value: str) -> datetime.datetime | Clock:
    """The generic format's start: a time of day, or a whole timestamp, naive (a wall-clock time in the
    tenant's zone) or with an offset ('2026-09-07T08:12:00+02:00', 'Z')."""
    text = value.strip()
    if not text:
        raise missing()
    if len(text) > 10 and text[4] == "-":
        try:
            return datetime.datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            raise CellError(
                "invalid_time",
                f"{value_shown(text)} is not a start time (expected a time of day or YYYY-MM-DDTHH:MM[:SS][+HH:MM]).",
            ) from None
    if " " in text and ":" in text.split(" ", 1)[1] and any(mark in text[:10] for mark in "/."):
        date_part, time_part = text.split(" ", 1)
        day, _ = day_text(date_part)
        clock, _ = clock_text(time_part)
        return datetime.datetime.combine(day, clock)
    return clock_text(text)


# Any-cell (XLSX) parsers: native values first, text through the parsers above.


def text_any(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def day_any(value: Any) -> Day:
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        day = (_EXCEL_EPOCH + datetime.timedelta(days=int(value))).date()  # an Excel serial date
    elif value is None:
        raise missing()
    else:
        return day_text(str(value))
    return day, day.isoformat()


def clock_any(value: Any) -> Clock:
    if isinstance(value, datetime.datetime):
        clock = value.time()
    elif isinstance(value, datetime.time):
        clock = value
    elif isinstance(value, datetime.timedelta):
        clock = (datetime.datetime.min + value % datetime.timedelta(days=1)).time()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        # an Excel day fraction (a time cell without a time format)
        seconds = round((value % 1) * 86400) % 86400
        clock = datetime.time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    elif value is None:
        raise missing()
    else:
        return clock_text(str(value))
    clock = _whole_seconds(clock)
    return clock, clock.isoformat()


def _whole_seconds(clock: datetime.time) -> datetime.time:
    """Exports count whole seconds; Excel's binary fractions can land a few microseconds off."""
    if clock.microsecond >= 500_000 and (clock.hour, clock.minute, clock.second) != (23, 59, 59):
        moved = datetime.datetime.combine(datetime.date.min, clock) + datetime.timedelta(seconds=1)
        return moved.time().replace(microsecond=0)
    return clock.replace(microsecond=0, tzinfo=None)


def duration_any(value: Any) -> Duration | None:
    """A duration cell: a timedelta (an Excel [h]:mm:ss cell), a time (an hh:mm:ss cell under 24 hours),
    a number (decimal hours, like Harvest's Hours) or text."""
    if isinstance(value, datetime.timedelta):
        return duration_of_seconds(_timedelta_seconds(value), value)
    if isinstance(value, datetime.time):
        delta = datetime.datetime.combine(datetime.date.min, value) - datetime.datetime.min
        return duration_of_seconds(_timedelta_seconds(delta), value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return duration_text(repr(value))
    if value is None:
        return None
    return duration_text(str(value))


def minutes_any(value: Any) -> Duration | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return minutes_text(repr(value))
    if value is None:
        return None
    return minutes_text(str(value))


def moment_any(value: Any) -> datetime.datetime | Clock:
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.time | datetime.timedelta | int | float) and not isinstance(value, bool):
        return clock_any(value)
    if value is None:
        raise missing()
    return moment_text(str(value))


def _timedelta_seconds(delta: datetime.timedelta) -> Decimal | int:
    microseconds = delta // datetime.timedelta(microseconds=1)
    if microseconds % 1_000_000 == 0:
        return microseconds // 1_000_000
    return Decimal(microseconds) / 1_000_000


@dataclass(frozen=True, slots=True)
class Parsers:
    """The value parsers for one kind of table: text-only for CSV, native-aware for XLSX."""

    text: Callable[[Any], str]
    identity: Callable[[Any], str]
    day: Callable[[Any], Day]
    clock: Callable[[Any], Clock]
    duration: Callable[[Any], Duration | None]
    minutes: Callable[[Any], Duration | None]
    moment: Callable[[Any], datetime.datetime | Clock]


CSV_PARSERS = Parsers(
    text=str.strip,  # every CSV cell is a str: the method itself is the fastest call
    identity=identity_of,
    day=day_text,
    clock=clock_text,
    duration=duration_text,
    minutes=minutes_text,
    moment=moment_text,
)
XLSX_PARSERS = Parsers(
    text=text_any,
    identity=lambda value: identity_of(text_any(value)),
    day=day_any,
    clock=clock_any,
    duration=duration_any,
    minutes=minutes_any,
    moment=moment_any,
)
