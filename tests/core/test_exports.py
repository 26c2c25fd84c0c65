"""Spreadsheet downloads neutralise formulas in people's text and keep numbers and dates typed."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from kefu.core import exports

HOSTILE = ['=HYPERLINK("http://evil.example","点我")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "＝1+1"]


def _sheet(response):
    book = load_workbook(io.BytesIO(response.content))
    return book.active


def test_xlsx_keeps_hostile_text_as_text_and_values_typed() -> None:
    moment = timezone.make_aware(dt.datetime(2026, 11, 20, 10, 30))
    response = exports.xlsx_response(
        stem="cases",
        sheet="案件",
        headers=["文本", "数值", "金额", "时间"],
        rows=[[text, 5, Decimal("12.50"), moment] for text in HOSTILE],
    )

    assert response["Content-Type"] == exports.XLSX_TYPE
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''cases-")
    sheet = _sheet(response)
    rows = list(sheet.iter_rows(min_row=2))
    for text, row in zip(HOSTILE, rows, strict=True):
        assert row[0].value == text and row[0].data_type == "s"  # shown as typed, never a formula
        assert row[0].quotePrefix
        assert row[1].value == 5 and row[2].value == 12.5
        assert row[3].value == dt.datetime(2026, 11, 20, 10, 30)  # local time, as the pages show it
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == ["文本", "数值", "金额", "时间"]


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_prefixes_formula_like_text(text: str) -> None:
    response = exports.csv_response(stem="scores", headers=["文本", "数值"], rows=[[text, -5], ["张三", 3]])

    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[1] == [f"'{text}", "-5"]  # a negative number stays a number
    assert rows[2] == ["张三", "3"]


def test_format_choice() -> None:
    assert exports.spreadsheet_response("csv", stem="x", sheet="x", headers=["a"], rows=[])["Content-Type"].startswith(
        "text/csv"
    )
    assert exports.spreadsheet_response("", stem="x", sheet="x", headers=["a"], rows=[])["Content-Type"] == (
        exports.XLSX_TYPE
    )
