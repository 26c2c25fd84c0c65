"""Planned events: the peaks (双11, 618, a live-stream sale) a planner enters with their multiplier."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction

from kefu.core import audit, scopes
from kefu.core.errors import ApplicationError
from kefu.core.scopes import Actor
from kefu.staffing.models import Channel, PlannedEvent
from kefu.staffing.services.common import planner_unit

MAX_MULTIPLIER = Decimal(100)
MAX_EVENT_DAYS = 62


@transaction.atomic
def planned_event_create(
    *,
    actor: Actor | None,
    unit_id: int,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    multiplier: Decimal | str | int,
    channel: str = "",
    note: str = "",
) -> PlannedEvent:
    """Enter a peak for the queues under `unit_id`: their forecast is multiplied on these dates."""
    unit = planner_unit(actor=actor, unit_id=unit_id, what="为该单元录入大促活动")
    name = name.strip()
    if not name:
        raise ApplicationError("活动名称不能为空", extra={"field": "name"})
    if ends_on < starts_on:
        raise ApplicationError("结束日期早于开始日期", extra={"field": "ends_on"})
    if (ends_on - starts_on).days + 1 > MAX_EVENT_DAYS:
        raise ApplicationError(f"一个活动最长 {MAX_EVENT_DAYS} 天", extra={"field": "ends_on"})
    if isinstance(multiplier, float):
        raise ApplicationError('倍数请写成字符串，例如 "3.5"', extra={"field": "multiplier"})
    try:
        factor = Decimal(str(multiplier).strip())
    except InvalidOperation:
        raise ApplicationError(f"倍数 {multiplier!r} 不是数字", extra={"field": "multiplier"}) from None
    if not factor.is_finite() or not Decimal(0) < factor <= MAX_MULTIPLIER:
        raise ApplicationError(f"倍数必须大于 0 且不超过 {MAX_MULTIPLIER}", extra={"field": "multiplier"})
    if factor != factor.quantize(Decimal("0.01")):
        raise ApplicationError("倍数最多两位小数", extra={"field": "multiplier"})
    factor = factor.quantize(Decimal("0.01"))
    if channel and channel not in Channel.values:
        raise ApplicationError(f"渠道只能是 {', '.join(Channel.values)} 或留空（全部）", extra={"field": "channel"})
    event = PlannedEvent.objects.create(
        unit=unit,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        multiplier=factor,
        channel=channel,
        note=note.strip()[:300],
        created_by=scopes.signed_in(actor),
    )
    audit.record(
        actor=actor,
        action="planned_event.create",
        obj=event,
        after={"name": name, "starts_on": starts_on, "ends_on": ends_on, "multiplier": factor, "channel": channel},
        note=note,
    )
    return event
