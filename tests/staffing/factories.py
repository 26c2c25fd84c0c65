"""Staffing test data, built through the services so scope, validation and audit stay real."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from kefu.org.models import OrgUnit
from kefu.staffing import services
from kefu.staffing.models import Queue

# A fixed Monday, so weekday shapes are predictable.
MONDAY = dt.date(2026, 11, 2)


def history_csv(
    queue: Queue,
    *,
    first_day: dt.date,
    days: int,
    per_slot: int = 20,
    aht: int = 200,
    busy_weekday: int | None = None,
    factor_on: dict[dt.date, float] | None = None,
) -> str:
    """A CSV of 30-minute intervals 09:00–18:00, with a midday peak; optionally busier on one weekday."""
    lines = ["queue,interval_start,offered,answered,abandoned,aht_seconds,answered_within"]
    for offset in range(days):
        day = first_day + dt.timedelta(days=offset)
        for slot in range(18):
            moment = dt.datetime.combine(day, dt.time(9 + slot // 2, 30 * (slot % 2)))
            shape = 1.0 + 0.5 * math.sin(math.pi * slot / 17)
            offered = round(per_slot * shape * (1.5 if day.weekday() == busy_weekday else 1.0))
            offered = round(offered * (factor_on or {}).get(day, 1.0))
            abandoned = offered // 20
            answered = offered - abandoned
            lines.append(
                f"{queue.code},{moment:%Y-%m-%d %H:%M},{offered},{answered},{abandoned},{aht},{answered * 8 // 10}"
            )
    return "\n".join(lines) + "\n"


def make_queue(
    unit: OrgUnit, *, code: str, name: str = "测试热线", channel: str = "phone", tier: str = "normal"
) -> Queue:
    return services.queue_create(actor=None, unit_id=unit.id, code=code, name=name, channel=channel, customer_tier=tier)


def queue_with_history(unit: OrgUnit, *, code: str, days: int = 28, **kwargs: Any) -> Queue:
    queue = make_queue(unit, code=code, name=kwargs.pop("name", "测试热线"), tier=kwargs.pop("tier", "normal"))
    services.contact_history_import_csv(
        actor=None, unit_id=unit.id, csv_text=history_csv(queue, first_day=MONDAY, days=days, **kwargs)
    )
    return queue
