"""Staffing records at every spot of the access-matrix world: a queue with a day of history, a planned
event, a shift and a forecast run. Their names are the markers that must never leak out of scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kefu.staffing import services
from kefu.staffing.models import ForecastRun, Queue
from tests.staffing.factories import MONDAY, history_csv


def _code(spot: Any) -> str:
    return f"MX-{spot.name}"


def _queue(spot: Any) -> Queue:
    return Queue.objects.get(code=_code(spot))


def build(world: Any, spot: Any) -> list[str]:
    queue = services.queue_create(
        actor=None, unit_id=spot.unit.id, code=_code(spot), name=f"越界队列-{spot.name}", channel="phone"
    )
    services.contact_history_import_csv(
        actor=None,
        unit_id=spot.unit.id,
        csv_text=history_csv(queue, first_day=MONDAY, days=1),
        filename=f"越界文件-{spot.name}.csv",
    )
    services.planned_event_create(
        actor=None,
        unit_id=spot.unit.id,
        name=f"越界大促-{spot.name}",
        starts_on=MONDAY + dt.timedelta(days=1),
        ends_on=MONDAY + dt.timedelta(days=1),
        multiplier="2",
    )
    services.shift_create(
        actor=None,
        employee_id=spot.employee.id,
        queue_id=queue.id,
        starts_at=dt.datetime.fromisoformat("2026-11-03T09:00:00+08:00"),
        ends_at=dt.datetime.fromisoformat("2026-11-03T17:00:00+08:00"),
    )
    services.forecast_run_create(
        actor=None,
        unit_id=spot.unit.id,
        channel="phone",
        starts_on=MONDAY + dt.timedelta(days=1),
        days=1,
        history_days=7,
        note=f"越界预测-{spot.name}",
    )
    return [queue.name, _code(spot), f"越界大促-{spot.name}", f"越界预测-{spot.name}", f"越界文件-{spot.name}.csv"]


def _run(spot: Any) -> int:
    return ForecastRun.objects.get(note=f"越界预测-{spot.name}").id


PARAMS = {
    "queue_id": lambda world, spot: _queue(spot).id,
    "run_id": lambda world, spot: _run(spot),
}

_CSV = "queue,interval_start,offered,answered,abandoned,aht_seconds\n{code},2026-11-20 10:00,10,9,1,200\n"

WRITE_BODIES = {
    ("POST", "/api/v1/staffing/queues"): lambda world, spot: {
        "unit_id": spot.unit.id,
        "code": "MX-NEW",
        "name": "越权队列",
        "channel": "phone",
    },
    ("POST", "/api/v1/staffing/queues/{queue_id}/history"): lambda world, spot: {
        "rows": [
            {
                "interval_start": "2026-11-20T10:00:00+08:00",
                "offered": 10,
                "answered": 9,
                "abandoned": 1,
                "aht_seconds": "200",
            }
        ]
    },
    ("POST", "/api/v1/staffing/history/import"): lambda world, spot: {
        "unit_id": spot.unit.id,
        "csv_text": _CSV.format(code=_code(spot)),
    },
    ("POST", "/api/v1/staffing/events"): lambda world, spot: {
        "unit_id": spot.unit.id,
        "name": "越权活动",
        "starts_on": "2026-12-12",
        "ends_on": "2026-12-12",
        "multiplier": "3",
    },
    ("POST", "/api/v1/staffing/runs"): lambda world, spot: {
        "unit_id": spot.unit.id,
        "channel": "phone",
        "starts_on": "2026-11-03",
        "days": 1,
        "history_days": 7,
    },
    ("POST", "/api/v1/staffing/runs/{run_id}/target"): lambda world, spot: {"service_level_target": "0.9"},
    ("POST", "/api/v1/staffing/shifts"): lambda world, spot: {
        "employee_id": spot.employee.id,
        "queue_id": _queue(spot).id,
        "starts_at": "2026-11-04T09:00:00+08:00",
        "ends_at": "2026-11-04T17:00:00+08:00",
    },
    ("POST", "/api/v1/staffing/shifts/import"): lambda world, spot: {
        "unit_id": spot.unit.id,
        "csv_text": f"employee_no,queue,starts_at,ends_at\n{spot.employee.employee_no},{_code(spot)},"
        "2026-11-05 09:00,2026-11-05 17:00\n",
    },
    ("POST", "/staffing/runs/new/"): lambda world, spot: {
        "unit_id": spot.unit.id,
        "channel": "phone",
        "starts_on": "2026-11-03",
        "days": 1,
        "history_days": 7,
    },
    ("POST", "/staffing/runs/<run_id>/target/"): lambda world, spot: {"service_level_target": "0.9"},
    ("POST", "/staffing/events/new/"): lambda world, spot: {
        "unit_id": spot.unit.id,
        "name": "越权活动",
        "starts_on": "2026-12-12",
        "ends_on": "2026-12-12",
        "multiplier": "3",
    },
    ("POST", "/staffing/history/import/"): lambda world, spot: {
        "unit_id": spot.unit.id,
        "csv_text": _CSV.format(code=_code(spot)),
    },
    ("POST", "/staffing/queues/new/"): lambda world, spot: {
        "unit_id": spot.unit.id,
        "code": "MX-PAGE",
        "name": "越权队列",
        "channel": "chat",
        "customer_tier": "normal",
        "position_code": "agent",
        "interval_minutes": "30",
    },
    ("POST", "/staffing/queues/<queue_id>/shifts/new/"): lambda world, spot: {
        "employee_no": spot.employee.employee_no,
        "starts_at": "2026-11-06T09:00",
        "ends_at": "2026-11-06T17:00",
    },
    ("POST", "/staffing/shifts/import/"): lambda world, spot: {
        "unit_id": spot.unit.id,
        "csv_text": f"employee_no,queue,starts_at,ends_at\n{spot.employee.employee_no},{_code(spot)},"
        "2026-11-05 09:00,2026-11-05 17:00\n",
    },
}

SPOT_BUILDERS = [build]
