"""Shared pieces of the complaint writes: the timeline row, the step deadline, what a notice to a person says."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone

from kefu.complaints.models import Complaint, ComplaintEvent
from kefu.core import scopes
from kefu.core.errors import ApplicationError
from kefu.core.money import to_money
from kefu.core.scopes import Actor
from kefu.policy import selectors as policy_selectors


def actor_label(actor: Actor | None) -> str:
    if actor is None or not actor.is_authenticated:
        return "系统"
    employee = getattr(actor, "employee", None)
    return f"{employee.name}（{actor.get_username()}）" if employee else str(actor.get_username())


def event(
    *,
    complaint: Complaint,
    kind: str,
    actor: Actor | None,
    text: str = "",
    action: str = "",
    from_status: str = "",
    to_status: str = "",
    data: dict[str, Any] | None = None,
    public: bool = False,
    at: dt.datetime | None = None,
    label: str = "",
) -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        complaint=complaint,
        kind=kind,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=scopes.signed_in(actor),
        actor_label=label or actor_label(actor),
        text=text,
        data=data or {},
        public=public,
        at=at or timezone.now(),
    )


def sla_hours(complaint: Complaint, step: str) -> Decimal | None:
    rows = policy_selectors.effective(unit=complaint.unit, key="complaints.sla_hours")
    exact = [r for r in rows if r["step"] == step and r["category"] == complaint.category]
    generic = [r for r in rows if r["step"] == step and r["category"] == "*"]
    chosen = (exact or generic or [None])[0]
    return Decimal(str(chosen["hours"])) if chosen else None


def start_step(complaint: Complaint, *, now: dt.datetime) -> None:
    """A new step begins: its deadline from policy, reminders and escalations start over."""
    complaint.step_started_at = now
    hours = sla_hours(complaint, complaint.status) if complaint.is_open else None
    complaint.due_at = now + dt.timedelta(hours=float(hours)) if hours is not None else None
    complaint.reminded = False
    complaint.escalation_level = 0


def money(value: Any, *, field: str, label: str) -> Decimal:
    if value in (None, ""):
        return Decimal("0.00")
    try:
        amount = to_money(value if not isinstance(value, float) else str(value))
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise ApplicationError(f"{label}不是有效金额：{value!r}", extra={"field": field}) from exc
    if amount < 0:
        raise ApplicationError(f"{label}不能为负数", extra={"field": field})
    if amount >= Decimal("10000000000"):
        raise ApplicationError(f"{label}太大", extra={"field": field})
    return amount


def notice(complaint: Complaint | None, text: str) -> dict[str, Any]:
    """What a complaint notice carries into core's notification centre (``core.services.notify``): the
    text as its title, the complaint page as where to go, and the e-mail subject complaints always used."""
    return {
        "app": "complaints",
        "title": text,
        "url": reverse("complaints:detail", args=[complaint.id]) if complaint is not None else "",
        "subject": complaint,
        "email_subject": f"[kefu 投诉] {text[:60]}",
    }
