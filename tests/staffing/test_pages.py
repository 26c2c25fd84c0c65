"""The planner pages: charts drawn with plotly (served by core), forms that write, refusals."""

from __future__ import annotations

import datetime as dt

import plotly
import pytest
from django.test import Client

from kefu.core import scopes
from kefu.core.models import AuditEntry
from kefu.staffing import services
from kefu.staffing.models import ContactInterval, ForecastRun, PlannedEvent, Queue, Shift
from tests.conftest import World
from tests.staffing.factories import MONDAY, history_csv, make_queue, queue_with_history


def _client(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


@pytest.fixture
def run(world: World) -> ForecastRun:
    queue_with_history(world.team_a1, code="A-PH", days=14, per_slot=40, name="热线<script>alert(1)</script>")
    queue_with_history(world.team_a1, code="A-KA", days=14, per_slot=8, name="KA 专线", tier="ka")
    start = MONDAY + dt.timedelta(days=14)
    services.planned_event_create(
        actor=None, unit_id=world.branch_a.id, name="双11", starts_on=start, ends_on=start, multiplier="3"
    )
    return services.forecast_run_create(actor=None, unit_id=world.branch_a.id, channel="phone", starts_on=start, days=2)


def test_planner_sees_every_chart_of_a_run_with_local_plotly(world: World, run: ForecastRun) -> None:
    response = _client(world, scopes.BRANCH_HR).get(f"/staffing/runs/{run.id}/")

    assert response.status_code == 200
    body = response.content.decode()
    assert f'src="/plotly.js?v={plotly.__version__}"' in body  # the one copy, served by core
    assert "cdn.plot.ly" not in body and "cdn.jsdelivr" not in body
    assert body.count("Plotly.newPlot") == 5  # forecast vs actual, coverage, peak plan, cost curve, tiers
    assert "离散事件仿真" in body and "Erlang C" in body
    assert "<script>alert(1)</script>" not in body  # the queue name is escaped everywhere


@pytest.mark.parametrize("role", [scopes.AGENT, scopes.QA, scopes.FINANCE, scopes.COMPLAINTS_OFFICER])
def test_people_who_do_not_plan_see_nothing(world: World, run: ForecastRun, role: str) -> None:
    client = _client(world, role)
    assert client.get("/staffing/").status_code == 403
    assert client.get(f"/staffing/runs/{run.id}/").status_code in (403, 404)
    assert client.get("/api/v1/staffing/queues").status_code == 403


def test_team_lead_sees_own_team_queues_only(world: World) -> None:
    make_queue(world.team_a1, code="A1-PH", name="一组热线")
    make_queue(world.team_a2, code="A2-PH", name="二组热线")
    body = _client(world, scopes.TEAM_LEAD).get("/staffing/").content.decode()
    assert "一组热线" in body and "二组热线" not in body


def test_overview_calculator_gives_the_command_line_numbers(world: World) -> None:
    response = _client(world, scopes.TEAM_LEAD).get(
        "/staffing/", {"calls": "100", "aht": "180", "service_level": "0.8", "answer_within": "20", "shrinkage": "0.3"}
    )
    body = response.content.decode()
    assert "在线坐席 <strong>14</strong>" in body and "需排班 <strong>20</strong>" in body
    bad = _client(world, scopes.TEAM_LEAD).get("/staffing/", {"calls": "0", "aht": "180"}).content.decode()
    assert "calls must be greater than 0" in bad


def test_history_upload_form_imports_and_a_bad_file_shows_row_errors(world: World) -> None:
    queue = make_queue(world.team_a1, code="A-PH")
    client = _client(world, scopes.BRANCH_HR)
    text = history_csv(queue, first_day=MONDAY, days=1)

    response = client.post("/staffing/history/import/", {"unit_id": world.branch_a.id, "csv_text": text})
    assert response.status_code == 302
    assert ContactInterval.objects.filter(queue=queue).count() == 18

    broken = text.replace("A-PH,", "A-XX,", 1)
    response = client.post("/staffing/history/import/", {"unit_id": world.branch_a.id, "csv_text": broken + "x"})
    assert response.status_code == 200
    assert "第 2 行" in response.content.decode()
    assert ContactInterval.objects.filter(queue=queue).count() == 18


def test_event_form_and_picking_a_point_are_audited(world: World, run: ForecastRun) -> None:
    client = _client(world, scopes.BRANCH_HR)
    response = client.post(
        "/staffing/events/new/",
        {
            "unit_id": world.branch_a.id,
            "name": "618",
            "starts_on": "2027-06-17",
            "ends_on": "2027-06-18",
            "multiplier": "2.5",
        },
    )
    assert response.status_code == 302 and PlannedEvent.objects.filter(name="618").exists()

    response = client.post(f"/staffing/runs/{run.id}/target/", {"service_level_target": "0.90", "note": "选点"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert str(run.service_level_target) == "0.900"
    assert AuditEntry.objects.filter(action="forecast_run.choose_target").count() == 1
    assert client.get(f"/staffing/runs/{run.id}/target/").status_code == 405


def test_run_form_creates_a_run(world: World) -> None:
    queue_with_history(world.team_a1, code="A-PH", days=14)
    client = _client(world, scopes.TEAM_LEAD)
    response = client.post(
        "/staffing/runs/new/",
        {"unit_id": world.team_a1.id, "channel": "phone", "starts_on": "2026-11-16", "days": 1, "history_days": 14},
    )
    assert response.status_code == 302
    run = ForecastRun.objects.get(created_by=world.users[scopes.TEAM_LEAD])
    assert response["Location"] == f"/staffing/runs/{run.id}/"
    assert _client(world, scopes.TEAM_LEAD).get(response["Location"]).status_code == 200


def test_queue_form_creates_a_queue_and_names_a_taken_code(world: World) -> None:
    client = _client(world, scopes.BRANCH_HR)
    form = {
        "unit_id": world.team_a1.id,
        "code": "A-CHAT",
        "name": "在线客服",
        "channel": "chat",
        "service_group": "HD-PRE",
        "customer_tier": "normal",
        "position_code": "agent",
        "interval_minutes": "30",
    }
    response = client.post("/staffing/queues/new/", form)

    queue = Queue.objects.get(code="A-CHAT")
    assert response.status_code == 302 and response["Location"] == f"/staffing/queues/{queue.id}/"
    assert (queue.channel, queue.service_group, queue.unit_id) == ("chat", "HD-PRE", world.team_a1.id)
    again = client.post("/staffing/queues/new/", form)
    assert again.status_code == 200 and "A-CHAT 已被使用" in again.content.decode()
    assert Queue.objects.filter(code="A-CHAT").count() == 1


def test_shift_form_on_the_queue_page_puts_a_person_on_it_and_refuses_overlaps(world: World) -> None:
    queue = make_queue(world.team_a1, code="A-PH")
    client = _client(world, scopes.TEAM_LEAD)
    assert "排班" in client.get(f"/staffing/queues/{queue.id}/").content.decode()
    shift = {"employee_no": world.me.employee_no, "starts_at": "2026-11-04T09:00", "ends_at": "2026-11-04T17:00"}

    response = client.post(f"/staffing/queues/{queue.id}/shifts/new/", shift)

    assert response.status_code == 302
    created = Shift.objects.get(queue=queue)
    assert (created.employee_id, created.source) == (world.me.id, "entered")
    overlap = client.post(f"/staffing/queues/{queue.id}/shifts/new/", {**shift, "starts_at": "2026-11-04T12:00"})
    assert overlap.status_code == 200 and "时间重叠" in overlap.content.decode()
    stranger = client.post(f"/staffing/queues/{queue.id}/shifts/new/", {**shift, "employee_no": "NOPE-1"})
    assert "找不到工号 NOPE-1" in stranger.content.decode()
    assert Shift.objects.filter(queue=queue).count() == 1
