"""Positive events (an agent refused a red packet or private contact) and the monthly 合规标兵 honours."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from kefu.channel import selectors as channel_selectors
from kefu.channel.models import SenderKind
from kefu.compliance import selectors, workflow
from kefu.compliance.models import Honour, PositiveEvent, PositiveKind, PositiveStatus
from kefu.compliance.services import audience
from kefu.compliance.services.cases import score_entry_add
from kefu.core import audit, scopes
from kefu.core import services as core_services
from kefu.core.errors import ApplicationError, Conflict, Forbidden
from kefu.core.periods import Period
from kefu.core.scopes import Actor
from kefu.org import selectors as org_selectors
from kefu.org.models import Employee, OrgUnit
from kefu.policy import selectors as policy_selectors


@transaction.atomic
def positive_event_report(*, actor: Actor, message_id: int, kind: str, note: str = "") -> PositiveEvent:
    """The agent points at a chat message of their own conversation where they refused."""
    if kind not in PositiveKind.values:
        raise ApplicationError(f"未知类型 {kind!r}", extra={"field": "kind", "allowed": PositiveKind.values})
    message = channel_selectors.message_get(actor=actor, message_id=message_id)  # scoped: 404 outside
    own = scopes.principal(actor).employee_id
    conversation = message.conversation
    if own is None or conversation.agent_id != own:
        raise Forbidden("只有接待该会话的客服本人可以上报")
    if message.sender_kind == SenderKind.SYSTEM:
        raise ApplicationError("请选择客户或你自己发出的消息", extra={"field": "message_id"})
    agent = Employee.objects.select_related("unit").get(id=own)
    try:
        with transaction.atomic():
            event = PositiveEvent.objects.create(
                agent=agent, unit=agent.unit, kind=kind, message=message, note=note.strip()[:500]
            )
    except IntegrityError as exc:
        raise Conflict("这条消息已经上报过了", extra={"field": "message_id"}) from exc
    audit.record(actor=actor, action="positive_event.report", obj=event, after={"kind": kind, "message": message.id})
    core_services.notify(
        app="compliance",
        recipients=audience.branch_hr_users(agent.unit),
        kind="positive",
        title=f"正向事件待核实：{agent.name} {event.get_kind_display()}",
        body=event.note,
        url=reverse("compliance:positive_list"),
        email=False,
    )
    return event


@transaction.atomic
def positive_event_verify(*, actor: Actor, event_id: int, approve: bool, note: str = "") -> PositiveEvent:
    """QA or branch HR verifies (or not); a verified event counts in the agent's favour as policy says."""
    event = selectors.positive_event_get(actor=actor, event_id=event_id)
    event = (
        PositiveEvent.objects.select_for_update(of=("self",))
        .select_related("agent", "unit", "message")
        .get(id=event.id)
    )
    if not scopes.covers(actor, unit_path=event.unit.path, roles=workflow.REVIEWER_ROLES):
        raise Forbidden("只有本分公司的质检、人事或集团管理员可以核实")
    if scopes.principal(actor).employee_id == event.agent_id:
        raise Forbidden("不能核实自己上报的事件")
    if event.status != PositiveStatus.REPORTED:
        raise ApplicationError(f"该事件已{event.get_status_display()}", extra={"status": event.status})
    before = event.status
    event.status = PositiveStatus.VERIFIED if approve else PositiveStatus.REJECTED
    event.verified_by, event.verified_at, event.verify_note = (
        scopes.signed_in(actor),
        timezone.now(),
        note.strip()[:500],
    )
    event.save(update_fields=["status", "verified_by", "verified_at", "verify_note"])
    if approve and policy_selectors.effective(unit=event.unit, key="compliance.positive_reward") == "score":
        bonus = int(policy_selectors.effective(unit=event.unit, key="compliance.positive_score_bonus"))
        if bonus:
            score_entry_add(
                employee=event.agent,
                period=Period.containing(event.message.created_at),
                delta=bonus,
                reason=f"正向事件：{event.get_kind_display()}",
                actor=actor,
                positive_event=event,
            )
    audit.record(actor=actor, action="positive_event.verify", obj=event, before=before, after=event.status, note=note)
    core_services.notify(
        app="compliance",
        recipients=[audience.user_of_employee(event.agent_id)],
        kind="positive",
        title=f"你上报的{event.get_kind_display()}{event.get_status_display()}",
        body=event.verify_note,
        url=reverse("compliance:positive_list"),
        email=False,
    )
    return event


@transaction.atomic
def honours_award(*, actor: Actor, unit_id: int, period: Period) -> list[Honour]:
    """合规标兵 of the month in a unit: agents with zero confirmed violations and ≥1 verified positive event."""
    unit = org_selectors.org_unit_get(actor=actor, unit_id=unit_id)
    scopes.require(actor, unit_path=unit.path, roles=(scopes.BRANCH_HR, scopes.HQ_ADMIN), what="评选合规标兵")
    if period >= Period.containing(timezone.localdate()):
        raise ApplicationError("只能评选已结束的月份", extra={"field": "period"})
    return _award(unit=unit, period=period, by=scopes.signed_in(actor))


def honours_monthly_sweep(*, today: dt.date | None = None) -> int:
    """Award last month's 合规标兵 in every group, on or after the group's `compliance.honours_day`
    (the first days of a month are left to settle open cases). Idempotent: run by `kefu worker`;
    an agent whose case was still open is honoured on a later run once it is dismissed."""
    today = today or timezone.localdate()
    period = Period.containing(today).previous()
    awarded = 0
    for group in OrgUnit.objects.filter(parent__isnull=True).order_by("id"):
        if today.day >= int(policy_selectors.effective(unit=group, key="compliance.honours_day")):
            with transaction.atomic():
                awarded += len(_award(unit=group, period=period, by=None))
    return awarded


def _award(*, unit: OrgUnit, period: Period, by: Any) -> list[Honour]:
    """Honour each candidate once; `by` is the awarding user, None for the monthly sweep."""
    awarded = []
    for row in selectors.honour_candidates(unit=unit, period=period):
        honour, created = Honour.objects.get_or_create(
            employee=row.employee,
            period=str(period),
            defaults={"unit": row.employee.unit, "positive_count": row.positive, "awarded_by": by},
        )
        if created:
            audit.record(actor=by, action="honour.award", obj=honour, after={"positive": row.positive})
            core_services.notify(
                app="compliance",
                recipients=[audience.user_of_employee(row.employee.id)],
                kind="honour",
                title=f"恭喜！你获评 {period} 合规标兵",
                url=reverse("compliance:honours"),
                email=False,
            )
            awarded.append(honour)
    return awarded
