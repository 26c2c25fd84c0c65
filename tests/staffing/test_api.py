"""The staffing API: the same reads and writes as the pages, scoped."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from kefu.core import scopes
from kefu.staffing import services
from kefu.staffing.models import ContactInterval
from tests.conftest import World
from tests.staffing.factories import MONDAY, make_queue, queue_with_history


def _client(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_api_runs_a_forecast_and_reads_requirement_accuracy_coverage_cost_and_tiers(world: World) -> None:
    queue_with_history(world.team_a1, code="A-PH", days=14, per_slot=40)
    client = _client(world, scopes.BRANCH_HR)
    start = (MONDAY + dt.timedelta(days=14)).isoformat()

    created = _post(
        client,
        "/api/v1/staffing/runs",
        {"unit_id": world.branch_a.id, "channel": "phone", "starts_on": start, "days": 1},
    )
    assert created.status_code == 201, created.content
    run_id = created.json()["id"]
    assert created.json()["model"] == "erlang_c"

    queue_id = ContactInterval.objects.filter(queue__code="A-PH").values_list("queue_id", flat=True)[0]
    intervals = client.get(f"/api/v1/staffing/runs/{run_id}/intervals?queue_id={queue_id}").json()
    assert len(intervals) == 48 and {"agents", "scheduled", "service_level", "model"} <= set(intervals[0])
    assert client.get(f"/api/v1/staffing/runs/{run_id}/accuracy").json()["compared"] == 0
    assert len(client.get(f"/api/v1/staffing/runs/{run_id}/coverage").json()["points"]) == 48
    curve = client.get(f"/api/v1/staffing/runs/{run_id}/cost-curve").json()
    assert curve["model"] == "erlang_c" and len(curve["points"]) > 5
    tiers = client.get(f"/api/v1/staffing/runs/{run_id}/tiers").json()
    assert {line["model"] for line in tiers["lines"]} == {"simulation", "erlang_c"}
    assert client.get(f"/api/v1/staffing/runs/{run_id}/peak-plan").json()["points"] == []

    chosen = _post(client, f"/api/v1/staffing/runs/{run_id}/target", {"service_level_target": "0.9"})
    assert chosen.status_code == 200 and chosen.json()["service_level_target"] == "0.900"


def test_api_records_history_rows_for_a_queue_once(world: World) -> None:
    queue = make_queue(world.team_a1, code="A-PH")
    client = _client(world, scopes.TEAM_LEAD)
    body = {
        "rows": [
            {
                "interval_start": "2026-11-20T10:00:00+08:00",
                "offered": 12,
                "answered": 11,
                "abandoned": 1,
                "aht_seconds": "210.5",
            }
        ]
    }

    first = _post(client, f"/api/v1/staffing/queues/{queue.id}/history", body)
    again = _post(client, f"/api/v1/staffing/queues/{queue.id}/history", body)

    assert first.status_code == 201 and first.json()["created"] == 1
    assert again.json()["already_imported"] is True
    assert ContactInterval.objects.get(queue=queue).offered == 12
    rows = client.get(f"/api/v1/staffing/queues/{queue.id}/history").json()["items"]
    assert rows[0]["aht_seconds"] == "210.5"

    refused = _post(
        client, f"/api/v1/staffing/queues/{queue.id}/history", {"rows": [{**body["rows"][0], "answered": 13}]}
    )
    assert refused.status_code == 400 and refused.json()["extra"]["errors"][0]["line"] == 1


def test_api_events_and_shifts(world: World) -> None:
    queue = make_queue(world.team_a1, code="A-PH")
    client = _client(world, scopes.TEAM_LEAD)
    event = _post(
        client,
        "/api/v1/staffing/events",
        {
            "unit_id": world.team_a1.id,
            "name": "双11",
            "starts_on": "2026-11-10",
            "ends_on": "2026-11-12",
            "multiplier": "3.5",
        },
    )
    assert event.status_code == 201 and event.json()["multiplier"] == "3.50"
    shift = _post(
        client,
        "/api/v1/staffing/shifts",
        {
            "employee_id": world.me.id,
            "queue_id": queue.id,
            "starts_at": "2026-11-11T08:00:00+08:00",
            "ends_at": "2026-11-11T17:00:00+08:00",
        },
    )
    assert shift.status_code == 201
    listed = client.get("/api/v1/staffing/shifts").json()["items"]
    assert "本人客服" in [s["employee_name"] for s in listed]


@pytest.mark.parametrize(
    ("query", "status"),
    [("calls=100&aht=180&service_level=0.8&answer_within=20", 200), ("calls=0&aht=180", 400),
     ("calls=100&aht=180&service_level=1", 400), ("calls=100000&aht=300&patience=60", 200)],
)  # fmt: skip
def test_api_calculator(world: World, query: str, status: int) -> None:
    response = _client(world, scopes.TEAM_LEAD).get(f"/api/v1/staffing/erlang?{query}")
    assert response.status_code == status
    assert _client(world, scopes.AGENT).get(f"/api/v1/staffing/erlang?{query}").status_code == 403


def test_hq_sees_both_branches_and_branch_hr_its_own(world: World) -> None:
    queue_with_history(world.team_a1, code="A-PH", days=7)
    queue_with_history(world.team_b1, code="B-PH", days=7)
    for unit in (world.branch_a, world.branch_b):
        services.forecast_run_create(
            actor=None, unit_id=unit.id, channel="phone", starts_on=MONDAY + dt.timedelta(days=7), days=1
        )
    hq = {q["code"] for q in _client(world, scopes.HQ_ADMIN).get("/api/v1/staffing/queues").json()}
    hr = {q["code"] for q in _client(world, scopes.BRANCH_HR).get("/api/v1/staffing/queues").json()}
    assert {"A-PH", "B-PH"} <= hq and "B-PH" not in hr and "A-PH" in hr
    assert _client(world, scopes.BRANCH_HR).get("/api/v1/staffing/runs").json()["count"] == 1 + 2  # + spot runs in A
