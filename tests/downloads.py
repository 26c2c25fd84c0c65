"""Reading the spreadsheet downloads back in tests, as the person who opens them would."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook


def csv_rows(response: Any) -> list[list[str]]:
    """A CSV download's rows, the header first (the byte-order mark for Excel dropped)."""
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv"), response
    return list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))


def csv_records(response: Any) -> list[dict[str, str]]:
    """A CSV download's rows keyed by the header."""
    header, *rows = csv_rows(response)
    return [dict(zip(header, row, strict=True)) for row in rows]


def xlsx_sheet(response: Any) -> Any:
    """The first sheet of an Excel download."""
    return load_workbook(io.BytesIO(response.content)).active
