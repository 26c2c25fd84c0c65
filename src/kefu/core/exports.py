"""Spreadsheet downloads (Excel and CSV) for every app's lists.

Text that people typed (customer names, complaint texts, chat snippets) reaches HR's and finance's
spreadsheets. A cell starting with =, +, -, @, a tab or a carriage return would run as a formula in
Excel or WPS (CSV injection: =HYPERLINK(…), =cmd|…), so every such text is neutralised: in .xlsx it is
stored as a string marked "quote prefix" (shown as typed, never evaluated, not even after an edit), in
.csv it gets a leading apostrophe. Numbers, dates and Decimals stay typed values.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")  # full-width forms too (WPS reads them)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | float | Decimal | dt.date | dt.datetime | None


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_LEADS)


def _plain(value: Any) -> Cell:
    """A value a spreadsheet can hold: aware times in local time without a zone, the rest as text."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if value is None or isinstance(value, str | int | float | Decimal | dt.date):
        return value
    return str(value)


def _xlsx_cell(sheet: Any, value: Any, *, bold: bool = False) -> WriteOnlyCell:
    plain = _plain(value)
    cell = WriteOnlyCell(sheet, value=plain)
    if isinstance(plain, str):
        cell.data_type = "s"  # openpyxl would store a string starting with "=" as a formula
        if is_formula_like(plain):
            cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    return cell


def _filename(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localdate():%Y%m%d}.{extension}"


def _attach(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "private, no-store"  # personal data: no cache keeps a copy
    return response


def xlsx_response(*, stem: str, sheet: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """An .xlsx download named `<stem>-<today>.xlsx`: one header row, then `rows` (written row by row by a
    write-only workbook, so a long list is not held as cell objects)."""
    book = Workbook(write_only=True)
    worksheet = book.create_sheet(title=sheet[:31])
    worksheet.append([_xlsx_cell(worksheet, header, bold=True) for header in headers])
    for row in rows:
        worksheet.append([_xlsx_cell(worksheet, value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return _attach(HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE), _filename(stem, "xlsx"))


def csv_cell(value: Any) -> str:
    plain = _plain(value)
    if plain is None:
        return ""
    if isinstance(plain, dt.datetime):
        return plain.strftime("%Y-%m-%d %H:%M:%S")
    text = str(plain)
    return f"'{text}" if is_formula_like(plain) else text


def csv_response(*, stem: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """A UTF-8 CSV download with a byte-order mark (Excel on Chinese Windows then reads it right)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    response = HttpResponse(buffer.getvalue().encode(), content_type="text/csv; charset=utf-8")
    return _attach(response, _filename(stem, "csv"))


def spreadsheet_response(
    request_format: str, *, stem: str, sheet: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """`?format=csv` gives CSV; anything else Excel."""
    if request_format == "csv":
        return csv_response(stem=stem, headers=headers, rows=rows)
    return xlsx_response(stem=stem, sheet=sheet, headers=headers, rows=rows)
