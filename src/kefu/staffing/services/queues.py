"""Queues: the contact streams a planner forecasts and staffs."""

from __future__ import annotations

import re

from django.db import transaction

from kefu.core import audit
from kefu.core.errors import ApplicationError
from kefu.core.scopes import Actor
from kefu.org.models import Position
from kefu.staffing.models import Channel, CustomerTier, Queue
from kefu.staffing.services.common import planner_unit

_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


@transaction.atomic
def queue_create(
    *,
    actor: Actor | None,
    unit_id: int,
    code: str,
    name: str,
    channel: str,
    service_group: str = "",
    customer_tier: str = CustomerTier.NORMAL,
    position_code: str = "agent",
    interval_minutes: int = 30,
) -> Queue:
    """Add a queue under `unit_id` (a branch, centre, department or team the planner reaches)."""
    unit = planner_unit(actor=actor, unit_id=unit_id, what="在该单元下建立队列")
    code, name = code.strip(), name.strip()
    if not _CODE.match(code):
        raise ApplicationError("队列编码只能用字母、数字、点、横线和下划线（最多 40 位）", extra={"field": "code"})
    if not name:
        raise ApplicationError("队列名称不能为空", extra={"field": "name"})
    if channel not in Channel.values:
        raise ApplicationError(f"渠道只能是 {', '.join(Channel.values)}", extra={"field": "channel"})
    if customer_tier not in CustomerTier.values:
        raise ApplicationError(f"客户层级只能是 {', '.join(CustomerTier.values)}", extra={"field": "customer_tier"})
    if interval_minutes not in (15, 30, 60):
        raise ApplicationError("统计间隔只能是 15、30 或 60 分钟", extra={"field": "interval_minutes"})
    if not Position.objects.filter(code=position_code).exists():
        raise ApplicationError(f"未知岗位 {position_code!r}", extra={"field": "position_code"})
    if Queue.objects.filter(code=code).exists():
        raise ApplicationError(f"队列编码 {code} 已被使用", extra={"field": "code"})
    queue = Queue.objects.create(
        unit=unit,
        code=code,
        name=name,
        channel=channel,
        service_group=service_group.strip(),
        customer_tier=customer_tier,
        position_code=position_code,
        interval_minutes=interval_minutes,
    )
    audit.record(
        actor=actor,
        action="staffing_queue.create",
        obj=queue,
        after={"code": code, "name": name, "channel": channel, "tier": customer_tier, "unit": unit.name},
    )
    return queue
