"""Performance downloads: the team board and one employee's points ledger, as the pages show them to
the person, no more (an agent gets only their own), with names kept as text."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from kefu.core import exports, scopes
from tests.conftest import World
from tests.downloads import csv_records, xlsx_sheet
from tests.performance.factories import department_types, work

# The access-matrix world gives every spot's agent a complaint (3 points) on 2025-12-10.
DECEMBER = "2025-12"
TEAM = "/performance/team/export/"


def _client(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _ledger(employee: Any) -> str:
    return f"/performance/employees/{employee.id}/export/"


def test_the_lead_downloads_the_team_board_as_on_the_page(world: World) -> None:
    client = _client(world, scopes.TEAM_LEAD)
    rows = csv_records(client.get(TEAM, {"format": "csv", "period": DECEMBER}))
    page = client.get("/performance/team/", {"period": DECEMBER}).content.decode()

    assert list(rows[0]) == [
        "名次",
        "工号",
        "姓名",
        "班组",
        "月份",
        "积分",
        "记录数",
        "营销业绩（元）",
        "质检平均分",
        "质检次数",
    ]
    assert all(row["姓名"] in page and row["工号"] in page for row in rows)
    names = {row["姓名"] for row in rows}
    assert {"越界同组客服", "本人客服"} <= names
    assert names.isdisjoint({"越界同分公司客服", "越界他分公司客服"})  # the lead leads team A1 only
    first = rows[0]
    assert (first["名次"], first["姓名"], first["月份"], first["积分"], first["记录数"]) == (
        "1",
        "越界同组客服",
        DECEMBER,
        "3.000",
        "1",
    )


def test_branch_hr_downloads_the_branch_and_nothing_of_other_branches(world: World) -> None:
    rows = csv_records(_client(world, scopes.BRANCH_HR).get(TEAM, {"format": "csv", "period": DECEMBER}))
    names = {row["姓名"] for row in rows}
    assert {"越界同组客服", "越界同分公司客服"} <= names and "越界他分公司客服" not in names
    assert "越界华南一组" not in {row["班组"] for row in rows}


def test_the_month_chosen_on_the_page_applies_to_the_download(world: World) -> None:
    department_types(world.team_a1.parent)
    work(world.me, "inquiry", dt.date(2026, 1, 6))
    client = _client(world, scopes.TEAM_LEAD)

    december = {
        row["姓名"]: row["积分"] for row in csv_records(client.get(TEAM, {"format": "csv", "period": DECEMBER}))
    }
    january = {
        row["姓名"]: row["积分"] for row in csv_records(client.get(TEAM, {"format": "csv", "period": "2026-01"}))
    }

    assert (december["越界同组客服"], december["本人客服"]) == ("3.000", "0.000")
    assert (january["越界同组客服"], january["本人客服"]) == ("0.000", "1.000")


def test_a_name_typed_as_a_formula_stays_text(world: World) -> None:
    colleague = world.spots["same_team"].employee
    colleague.name = "=cmd|' /C calc'!A0"
    colleague.save(update_fields=["name"])

    response = _client(world, scopes.TEAM_LEAD).get(TEAM, {"period": DECEMBER})

    assert response["Content-Type"] == exports.XLSX_TYPE
    sheet = xlsx_sheet(response)
    names = [row[2] for row in sheet.iter_rows(min_row=2)]
    assert ("=cmd|' /C calc'!A0", "s") in [(c.value, c.data_type) for c in names]
    points = [row[5] for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type == "n" for c in points)  # numbers stay numbers


def test_an_agent_gets_no_team_board(world: World) -> None:
    client = _client(world, scopes.AGENT)
    assert client.get("/performance/team/").status_code == 403
    assert client.get(TEAM).status_code == 403


def test_the_ledger_has_a_row_per_day_with_the_indicators(world: World) -> None:
    colleague = world.spots["same_team"].employee
    rows = csv_records(_client(world, scopes.TEAM_LEAD).get(_ledger(colleague), {"format": "csv", "period": DECEMBER}))

    assert [(row["日期"], row["工号"], row["积分"], row["记录数"]) for row in rows] == [
        ("2025-12-10", "X0001", "3.000", "1")
    ]
    assert (rows[0]["话务量记录数"], rows[0]["话务量积分"], rows[0]["营销业绩积分"]) == ("1", "3.000", "0")
    assert (
        csv_records(_client(world, scopes.TEAM_LEAD).get(_ledger(colleague), {"format": "csv", "period": "2026-01"}))
        == []
    )


def test_an_agent_downloads_only_their_own_ledger(world: World) -> None:
    department_types(world.team_a1.parent)
    work(world.me, "complaint", dt.date(2026, 1, 6), handle=120, acw=60)
    client = _client(world, scopes.AGENT)

    own = csv_records(client.get(_ledger(world.me), {"format": "csv", "period": "2026-01"}))
    assert [(row["日期"], row["姓名"], row["积分"]) for row in own] == [("2026-01-06", "本人客服", "3.000")]
    for spot in world.spots.values():
        assert client.get(_ledger(spot.employee), {"period": DECEMBER}).status_code == 404
    page = client.get("/performance/", {"period": "2026-01"}).content.decode()
    assert f'href="{_ledger(world.me)}?period=2026-01"' in page


def test_the_lead_gets_no_ledger_outside_the_team(world: World) -> None:
    client = _client(world, scopes.TEAM_LEAD)
    for name in ("same_branch", "other_branch"):
        assert client.get(_ledger(world.spots[name].employee), {"period": DECEMBER}).status_code == 404
