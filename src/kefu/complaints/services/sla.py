"""Timeliness (及时原则): reminders before a step's deadline, escalation to the lead at the deadline and
to the manager after `complaints.manager_escalation_hours` more.

:func:`complaint_sla_sweep` is safe to run as often as cron likes: the flags on the complaint are
raised with a conditional UPDATE and every notice has a unique key, so a second run sends nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kefu.complaints.models import TERMINAL, Complaint, EventKind, ImprovementAction, ImprovementStatus, Status
from kefu.complaints.services.common import event, notice
from kefu.core import audit, scopes
from kefu.core import services as core_services
from kefu.org.models import Employee, OrgUnit, RoleAssignment
from kefu.policy import selectors as policy_selectors

# Steps owned by the complaints desk until a handler is named (and after the customer is satisfied).
DESK_STEPS = {Status.RECORDED, Status.CLASSIFIED, Status.ESCALATED, Status.RESOLVED, Status.ASSESSED, Status.IMPROVING}
MANAGER_POSITIONS = ("manager", "supervisor")


def _users_with(role: str, *, covering: str) -> list[Any]:
    """Users holding `role` on a unit at or above `covering` (its path starts with theirs)."""
    grants = RoleAssignment.objects.filter(role=role).select_related("user", "unit")
    return [g.user for g in grants if covering.startswith(g.unit.path) and g.user.is_active]


def officers(complaint: Complaint) -> list[Any]:
    return _users_with(scopes.COMPLAINTS_OFFICER, covering=complaint.unit.path)


def step_owners(complaint: Complaint) -> list[Any]:
    """Who owns the current step (责任原则): the handler while the case is with them, else the desk."""
    if complaint.status not in DESK_STEPS and complaint.handler and complaint.handler.user_id:
        return [complaint.handler.user]
    return officers(complaint)


def leads(complaint: Complaint) -> list[Any]:
    """The handler's team lead; while nobody handles it, the complaints officers of the branch."""
    if complaint.handler is not None and complaint.status not in DESK_STEPS:
        found = _users_with(scopes.TEAM_LEAD, covering=complaint.handler.unit.path)
        if found:
            return found
    return officers(complaint)


def managers(complaint: Complaint) -> tuple[list[Any], list[str]]:
    """The nearest supervisor/manager above the handler (or in the branch); HQ when they have no login."""
    base = complaint.handler.unit if complaint.handler is not None else complaint.unit
    ancestors = OrgUnit.objects.filter(id__in=base.ancestor_ids()).order_by("-path")
    names: list[str] = []
    for unit in ancestors:
        found = list(Employee.objects.filter(unit=unit, position__code__in=MANAGER_POSITIONS).select_related("user"))
        if found:
            names = [e.name for e in found]
            users = [e.user for e in found if e.user is not None and e.user.is_active]
            if users:
                return users, names
            break
    # Below the branch there may be no manager with a login: the branch's centre manager, then HQ.
    centre_managers = list(
        Employee.objects.filter(
            unit__path__startswith=complaint.unit.path, position__code="manager", user__isnull=False
        ).select_related("user")
    )
    if centre_managers:
        return [e.user for e in centre_managers], names or [e.name for e in centre_managers]
    hq = [u for u in get_user_model().objects.filter(role_assignments__role=scopes.HQ_ADMIN).distinct() if u.is_active]
    return hq, names or ["集团管理员"]


@dataclass
class SweepResult:
    reminders: int = 0
    lead_escalations: int = 0
    manager_escalations: int = 0
    improvement_reminders: int = 0
    notices: int = 0
    touched: list[int] = field(default_factory=list)


def _hours(complaint: Complaint, key: str) -> dt.timedelta:
    return dt.timedelta(hours=float(Decimal(str(policy_selectors.effective(unit=complaint.unit, key=key)))))


def _raise_flag(complaint: Complaint, **change: Any) -> bool:
    """Conditional UPDATE: only the run that flips the flag for this very step goes on to notify."""
    filters: dict[str, Any] = {"id": complaint.id, "step_started_at": complaint.step_started_at}
    if "escalation_level" in change:
        filters["escalation_level__lt"] = change["escalation_level"]
    else:
        filters["reminded"] = False
    return Complaint.objects.filter(**filters).update(**change) == 1


def _step_key(complaint: Complaint, what: str) -> str:
    return f"sla:{complaint.id}:{complaint.status}:{complaint.step_started_at.timestamp():.0f}:{what}"


def complaint_sla_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Remind, escalate to the lead, then to the manager; remind owners of improvement actions due."""
    now = now or timezone.now()
    result = SweepResult()
    due = (
        Complaint.objects.exclude(status__in=TERMINAL)
        .filter(due_at__isnull=False)
        .select_related("unit", "handler__unit", "handler__user", "customer")
        .order_by("due_at", "id")
    )
    for complaint in due.iterator(chunk_size=200):
        assert complaint.due_at is not None
        remind_at = complaint.due_at - _hours(complaint, "complaints.reminder_hours")
        manager_at = complaint.due_at + _hours(complaint, "complaints.manager_escalation_hours")
        step = complaint.get_status_display()
        deadline = f"{timezone.localtime(complaint.due_at):%m-%d %H:%M}"
        with transaction.atomic():
            if remind_at <= now < complaint.due_at and not complaint.reminded and _raise_flag(complaint, reminded=True):
                owners = step_owners(complaint)
                text = f"投诉 {complaint.number}「{step}」将于 {deadline} 到期，请及时处理"
                result.notices += len(
                    core_services.notify(
                        recipients=owners,
                        kind="reminder",
                        key=_step_key(complaint, "remind"),
                        **notice(complaint, text),
                    )
                )
                event(
                    complaint=complaint,
                    kind=EventKind.REMINDER,
                    actor=None,
                    text=f"到期提醒已发给：{_names(owners)}",
                    at=now,
                )
                result.reminders += 1
                result.touched.append(complaint.id)
            if (
                now >= complaint.due_at
                and complaint.escalation_level < 1
                and _raise_flag(complaint, escalation_level=1, reminded=True)
            ):
                to = leads(complaint)
                text = f"投诉 {complaint.number}「{step}」已超时（时限 {deadline}），升级给你督办"
                result.notices += len(
                    core_services.notify(
                        recipients=to,
                        kind="escalation",
                        key=_step_key(complaint, "lead"),
                        **notice(complaint, text),
                    )
                )
                event(
                    complaint=complaint,
                    kind=EventKind.ESCALATION,
                    actor=None,
                    text=f"「{step}」超时，升级组长：{_names(to)}",
                    at=now,
                    data={"level": 1},
                )
                audit.record(
                    actor=None,
                    action="complaint.sla_escalate",
                    obj=complaint,
                    after={"level": 1, "step": complaint.status},
                )
                result.lead_escalations += 1
                result.touched.append(complaint.id)
            if (
                now >= manager_at
                and complaint.escalation_level < 2
                and _raise_flag(complaint, escalation_level=2, reminded=True)
            ):
                to, names = managers(complaint)
                text = f"投诉 {complaint.number}「{step}」超时未处理（时限 {deadline}），已升级至经理"
                result.notices += len(
                    core_services.notify(
                        recipients=to,
                        kind="escalation",
                        key=_step_key(complaint, "manager"),
                        **notice(complaint, text),
                    )
                )
                event(
                    complaint=complaint,
                    kind=EventKind.ESCALATION,
                    actor=None,
                    text=f"「{step}」超时仍未处理，升级经理：{'、'.join(names)}（通知 {_names(to)}）",
                    at=now,
                    data={"level": 2},
                )
                audit.record(
                    actor=None,
                    action="complaint.sla_escalate",
                    obj=complaint,
                    after={"level": 2, "step": complaint.status},
                )
                result.manager_escalations += 1
                result.touched.append(complaint.id)
    today = timezone.localtime(now).date()
    actions = ImprovementAction.objects.filter(
        status=ImprovementStatus.OPEN, reminded=False, due_date__lte=today + dt.timedelta(days=1)
    ).select_related("complaint__unit", "owner__user")
    for action in actions:
        with transaction.atomic():
            if ImprovementAction.objects.filter(id=action.id, reminded=False).update(reminded=True) != 1:
                continue
            overdue = action.due_date < today
            state = "已逾期" if overdue else "即将到期"
            text = f"整改措施{state}（期限 {action.due_date}）：{action.description[:80]}"
            text += f"（投诉 {action.complaint.number}）"
            to = [action.owner.user] if action.owner.user_id else officers(action.complaint)
            result.notices += len(
                core_services.notify(
                    recipients=to,
                    kind="improvement_due",
                    key=f"improvement_due:{action.id}",
                    **notice(action.complaint, text),
                )
            )
            event(complaint=action.complaint, kind=EventKind.REMINDER, actor=None, text=text, at=now)
            result.improvement_reminders += 1
    return result


def _names(users: list[Any]) -> str:
    return "、".join(sorted({u.get_username() for u in users})) or "（无人可通知）"
