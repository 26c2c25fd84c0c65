"""Reads of staffing records, always through core.scopes.

Planners are team leads (their team), branch HR (their branch) and HQ (everything). Nobody else sees
staffing: agents, QA, finance and complaints officers get a 403 on pages and API alike.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from kefu.core import scopes
from kefu.core.errors import Forbidden, NotFound
from kefu.core.scopes import Actor
from kefu.org.models import OrgUnit
from kefu.staffing.models import (
    ContactImport,
    ContactInterval,
    ForecastRun,
    PlannedEvent,
    Queue,
    Shift,
)

PLANNERS = (scopes.TEAM_LEAD, scopes.BRANCH_HR, scopes.HQ_ADMIN)


def require_planner(actor: Actor | None) -> None:
    """403 for anyone without a planner role (the menu hides staffing from them too)."""
    if not scopes.has_any_role(actor, PLANNERS):
        raise Forbidden("只有组长、分公司人事和集团管理员可以查看排班与人力", extra={"roles": list(PLANNERS)})


def planner_unit_list(*, actor: Actor) -> QuerySet[OrgUnit]:
    require_planner(actor)
    return scopes.restrict(actor, OrgUnit.objects.filter(active=True), unit="", roles=PLANNERS).order_by("path")


def planner_unit_get(*, actor: Actor, unit_id: int) -> OrgUnit:
    unit = planner_unit_list(actor=actor).filter(id=unit_id).first()
    if unit is None:
        raise NotFound("找不到该组织单元", extra={"unit_id": unit_id})
    return unit


def queue_list(*, actor: Actor, channel: str = "", unit_id: int | None = None) -> QuerySet[Queue]:
    require_planner(actor)
    qs = scopes.restrict(actor, Queue.objects.all(), unit="unit", roles=PLANNERS)
    if channel:
        qs = qs.filter(channel=channel)
    if unit_id is not None:
        qs = qs.filter(unit__path__startswith=planner_unit_get(actor=actor, unit_id=unit_id).path)
    return qs.select_related("unit")


def queue_get(*, actor: Actor, queue_id: int) -> Queue:
    queue = queue_list(actor=actor).filter(id=queue_id).first()
    if queue is None:
        raise NotFound("找不到该队列", extra={"queue_id": queue_id})
    return queue


def contact_interval_list(
    *, actor: Actor, queue_id: int, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> QuerySet[ContactInterval]:
    queue = queue_get(actor=actor, queue_id=queue_id)
    qs = ContactInterval.objects.filter(queue=queue)
    if start is not None:
        qs = qs.filter(interval_start__gte=start)
    if end is not None:
        qs = qs.filter(interval_start__lt=end)
    return qs.order_by("interval_start")


def contact_import_list(*, actor: Actor) -> QuerySet[ContactImport]:
    require_planner(actor)
    return scopes.restrict(actor, ContactImport.objects.all(), unit="unit", roles=PLANNERS).select_related("unit")


def planned_event_list(*, actor: Actor) -> QuerySet[PlannedEvent]:
    require_planner(actor)
    return scopes.restrict(actor, PlannedEvent.objects.all(), unit="unit", roles=PLANNERS).select_related("unit")


def planned_event_get(*, actor: Actor, event_id: int) -> PlannedEvent:
    event = planned_event_list(actor=actor).filter(id=event_id).first()
    if event is None:
        raise NotFound("找不到该活动", extra={"event_id": event_id})
    return event


def forecast_run_list(*, actor: Actor) -> QuerySet[ForecastRun]:
    require_planner(actor)
    return scopes.restrict(actor, ForecastRun.objects.all(), unit="unit", roles=PLANNERS).select_related("unit")


def forecast_run_get(*, actor: Actor, run_id: int) -> ForecastRun:
    run = forecast_run_list(actor=actor).filter(id=run_id).first()
    if run is None:
        raise NotFound("找不到该预测", extra={"run_id": run_id})
    return run


def shift_list(
    *, actor: Actor, start: dt.datetime | None = None, end: dt.datetime | None = None, queue_id: int | None = None
) -> QuerySet[Shift]:
    require_planner(actor)
    qs = scopes.restrict(actor, Shift.objects.all(), unit="queue__unit", roles=PLANNERS)
    if start is not None:
        qs = qs.filter(ends_at__gt=start)
    if end is not None:
        qs = qs.filter(starts_at__lt=end)
    if queue_id is not None:
        qs = qs.filter(queue_id=queue_id)
    return qs.select_related("employee", "queue").order_by("starts_at", "employee__employee_no")
