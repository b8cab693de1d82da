"""CSV files people open in a spreadsheet (METHOD.md section 5): a text cell that begins with =, +, -,
@, a tab or a carriage return is prefixed with a single quote, so no spreadsheet runs it as a
formula; numbers stay numbers. The audit's ranking uses it now, step 3's reports after it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXACT = Decimal("0.0001")  # exact figures are written with 4 decimals (the API's precision)

Cell = str | int | Decimal | bool | date | None


def csv_cell_escape(text: str) -> str:
    """A text cell as a spreadsheet must show it: with a leading single quote when it would start a
    formula (=, +, -, @, a tab or a carriage return), else unchanged."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cell(value: Cell) -> str | int:
    """One cell: text escaped, numbers as plain numbers (a Decimal with 4 decimals, never escaped, so
    -2 stays the number -2), booleans as true/false, dates as YYYY-MM-DD, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return format(value.quantize(EXACT), "f")
    if isinstance(value, date):
        return value.isoformat()
    return csv_cell_escape(str(value))


def csv_text(*, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """A whole CSV file (comma separated, CRLF line ends as RFC 4180 says) with every cell through
    csv_cell; the header too, so a column name can never run either."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(name) for name in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()
