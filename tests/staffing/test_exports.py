"""A forecast run's requirement per queue and interval as a download: the planner's own runs only,
the queue chosen on the page, the same numbers as the run's intervals, names kept as text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from kefu.core import exports, scopes
from kefu.staffing import services
from kefu.staffing.models import ForecastRun, Queue
from tests.conftest import World
from tests.downloads import csv_records, xlsx_sheet
from tests.staffing.factories import MONDAY, queue_with_history


def _client(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _url(run: ForecastRun) -> str:
    return f"/staffing/runs/{run.id}/export/"


@pytest.fixture
def run(world: World) -> ForecastRun:
    queue_with_history(world.team_a1, code="A-PH", days=14, per_slot=40, name='=HYPERLINK("http://evil.example")')
    queue_with_history(world.team_a1, code="A-KA", days=14, per_slot=8, name="KA 专线", tier="ka")
    start = MONDAY + dt.timedelta(days=14)
    services.planned_event_create(
        actor=None, unit_id=world.branch_a.id, name="双11", starts_on=start, ends_on=start, multiplier="3"
    )
    return services.forecast_run_create(
        actor=None, unit_id=world.team_a1.id, channel="phone", starts_on=start, days=1, note="一组预测"
    )


def test_the_planner_downloads_what_the_run_holds_per_interval(world: World, run: ForecastRun) -> None:
    client = _client(world, scopes.BRANCH_HR)
    rows = csv_records(client.get(_url(run), {"format": "csv"}))
    intervals = client.get(f"/api/v1/staffing/runs/{run.id}/intervals").json()  # the page's per-interval detail

    assert len(rows) == len(intervals) > 0
    for row, interval in zip(rows, intervals, strict=True):
        start = timezone.localtime(dt.datetime.fromisoformat(interval["interval_start"]))
        assert row["时段开始"] == f"{start:%Y-%m-%d %H:%M:%S}"
        assert row["需排班（含损耗）"] == str(interval["scheduled"]) and row["在线坐席"] == str(interval["agents"])
    codes = {row["队列编码"] for row in rows}
    assert {"A-PH", "A-KA", "MX-same_team"} <= codes
    assert codes.isdisjoint({"MX-same_branch", "MX-other_branch"})  # the run is team A1's
    assert {row["大促"] for row in rows} == {"双11"}
    assert {row["客户层级"] for row in rows if row["队列编码"] == "A-KA"} == {"KA 大客户"}


def test_the_queue_chosen_on_the_page_applies_to_the_download(world: World, run: ForecastRun) -> None:
    client = _client(world, scopes.TEAM_LEAD)
    ka = Queue.objects.get(code="A-KA")

    rows = csv_records(client.get(_url(run), {"format": "csv", "queue": ka.id}))
    assert rows and {row["队列编码"] for row in rows} == {"A-KA"}
    # A queue that is not the run's is ignored, as on the page: every queue of the run.
    foreign = Queue.objects.get(code="MX-other_branch")
    everything = csv_records(client.get(_url(run), {"format": "csv", "queue": foreign.id}))
    assert len(everything) == len(csv_records(client.get(_url(run), {"format": "csv"}))) > len(rows)
    page = client.get(f"/staffing/runs/{run.id}/", {"queue": ka.id}).content.decode()
    assert f'formaction="{_url(run)}"' in page


def test_a_queue_name_typed_as_a_formula_stays_text(world: World, run: ForecastRun) -> None:
    response = _client(world, scopes.BRANCH_HR).get(_url(run))

    assert response["Content-Type"] == exports.XLSX_TYPE
    sheet = xlsx_sheet(response)
    names = {(row[2].value, row[2].data_type) for row in sheet.iter_rows(min_row=2) if row[1].value == "A-PH"}
    assert names == {('=HYPERLINK("http://evil.example")', "s")}
    first = next(sheet.iter_rows(min_row=2))
    assert first[0].is_date and first[8].data_type == "n"  # times and head counts stay typed


def test_runs_outside_the_planners_scope_are_not_found(world: World, run: ForecastRun) -> None:
    branch_b_run = ForecastRun.objects.get(note="越界预测-other_branch")
    team_a2_run = ForecastRun.objects.get(note="越界预测-same_branch")

    assert _client(world, scopes.BRANCH_HR).get(_url(branch_b_run)).status_code == 404
    lead = _client(world, scopes.TEAM_LEAD)
    assert lead.get(_url(team_a2_run)).status_code == 404
    assert lead.get(_url(run)).status_code == 200


@pytest.mark.parametrize("role", [scopes.AGENT, scopes.QA, scopes.FINANCE, scopes.COMPLAINTS_OFFICER])
def test_people_who_do_not_plan_get_no_download(world: World, run: ForecastRun, role: str) -> None:
    client = _client(world, role)
    assert client.get(f"/staffing/runs/{run.id}/").status_code in (403, 404)
    assert client.get(_url(run)).status_code in (403, 404)
