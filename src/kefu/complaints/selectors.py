"""Reads of complaints, always through core.scopes.

Who sees a complaint: branch roles (complaints officer, QA, branch HR) through its branch; HQ all;
an agent those assigned to them (handler) or about them (the agent complained about or found
responsible); a team lead the same for everyone in the team. ``scopes.restrict`` takes one employee
path, so "assigned to OR about" is the union of one restricted queryset per path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from kefu.complaints import workflow
from kefu.complaints.models import (
    TERMINAL,
    Complaint,
    ImprovementAction,
    ImprovementStatus,
    Penalty,
    Status,
)
from kefu.core import scopes
from kefu.core.errors import NotFound
from kefu.core.periods import Period
from kefu.core.scopes import Actor
from kefu.org.models import Employee, RoleAssignment
from kefu.policy import selectors as policy_selectors

BRANCH_READERS = (scopes.COMPLAINTS_OFFICER, scopes.QA, scopes.BRANCH_HR, scopes.HQ_ADMIN)
PERSONAL_READERS = (scopes.AGENT, scopes.TEAM_LEAD)
EMPLOYEE_PATHS = ("handler", "subject_agent", "responsible_agent")


def _scoped(actor: Actor | None, qs: QuerySet[Complaint]) -> QuerySet[Complaint]:
    parts = [scopes.restrict(actor, qs, unit="unit", roles=BRANCH_READERS)]
    parts += [scopes.restrict(actor, qs, employee=path, roles=PERSONAL_READERS) for path in EMPLOYEE_PATHS]
    return reduce(or_, parts)


def complaint_list(
    *,
    actor: Actor | None,
    status: str = "",
    category: str = "",
    source: str = "",
    search: str = "",
    sla: str = "",
    open_only: bool = False,
    mine: bool = False,
    now: dt.datetime | None = None,
) -> QuerySet[Complaint]:
    qs = _scoped(actor, Complaint.objects.all())
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.exclude(status__in=TERMINAL)
    if category:
        qs = qs.filter(category=category)
    if source:
        qs = qs.filter(source=source)
    if search:
        qs = qs.filter(
            Q(number__icontains=search)
            | Q(customer__name__icontains=search)
            | Q(order__number__icontains=search)
            | Q(content__icontains=search)
        )
    if mine:
        qs = qs.filter(handler_id=scopes.principal(actor).employee_id or -1)
    if sla:
        now = now or timezone.now()
        open_qs = qs.exclude(status__in=TERMINAL).filter(due_at__isnull=False)
        if sla == "overdue":
            qs = open_qs.filter(due_at__lte=now)
        elif sla == "soon":
            qs = open_qs.filter(due_at__gt=now, due_at__lte=now + dt.timedelta(hours=4))
    return qs.select_related("customer", "order", "unit", "handler", "subject_agent", "responsible_agent").order_by(
        "-created_at", "-id"
    )


def complaint_export_list(*, actor: Actor | None, **filters: Any) -> QuerySet[Complaint]:
    """The inbox exactly as :func:`complaint_list` filters it, with each complaint's net penalty rate
    (a revoked penalty's reversal cancels it; None when nobody was penalised)."""
    return complaint_list(actor=actor, **filters).annotate(penalty_rate=Sum("penalties__deduct_rate"))


def complaint_get(*, actor: Actor | None, complaint_id: int) -> Complaint:
    complaint = complaint_list(actor=actor).filter(id=complaint_id).first()
    if complaint is None:
        raise NotFound("找不到该投诉", extra={"complaint_id": complaint_id})
    return complaint


def complaint_get_for_update(*, actor: Actor | None, complaint_id: int) -> Complaint:
    """Scoped (404 outside), then the row locked for the caller's transaction."""
    complaint_get(actor=actor, complaint_id=complaint_id)
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("unit", "customer", "handler__unit", "responsible_agent__unit")
        .get(id=complaint_id)
    )


def complaint_by_token(*, token: str) -> Complaint:
    """The customer's status page: the token alone opens exactly one complaint."""
    complaint = (
        Complaint.objects.select_related("customer", "unit").filter(public_token=token).first() if token else None
    )
    if complaint is None:
        raise NotFound("链接无效或已过期")
    return complaint


def timeline(*, complaint: Complaint, public_only: bool = False) -> QuerySet[Any]:
    qs = complaint.events.all()
    if public_only:
        qs = qs.filter(public=True)
    return qs.select_related("actor").order_by("at", "id")


def evidence(*, complaint: Complaint) -> QuerySet[Any]:
    return complaint.evidence.select_related("conversation", "order", "payment", "attachment", "added_by")


def categories(*, complaint: Complaint | None = None, unit: Any = None) -> list[str]:
    target = complaint.unit if complaint is not None else unit
    return list(policy_selectors.effective(unit=target, key="complaints.categories"))


def approval_limit(*, complaint: Complaint) -> Decimal:
    return Decimal(policy_selectors.effective(unit=complaint.unit, key="complaints.approval_limit"))


# --- handler suggestion -----------------------------------------------------------------------


@dataclass(frozen=True)
class HandlerSuggestion:
    employee: Employee
    open_cases: int
    same_category: int

    @property
    def reason(self) -> str:
        return f"在办 {self.open_cases} 件，处理过同类 {self.same_category} 件"


def handler_candidates(*, complaint: Complaint) -> QuerySet[Employee]:
    """Who handles complaints in the branch: the complaints officers' own teams and past handlers."""
    officer_users = RoleAssignment.objects.filter(
        role=scopes.COMPLAINTS_OFFICER, unit__path__startswith=complaint.unit.path
    ).values_list("user_id", flat=True)
    officer_units = Employee.objects.filter(user_id__in=officer_users).values_list("unit_id", flat=True)
    past = Complaint.objects.filter(unit=complaint.unit, handler__isnull=False).values_list("handler_id", flat=True)
    return (
        Employee.objects.filter(unit__path__startswith=complaint.unit.path)
        .filter(Q(unit_id__in=officer_units) | Q(id__in=past) | Q(user_id__in=officer_users))
        .exclude(status="left")
        .select_related("unit")
    )


def handler_suggestions(*, complaint: Complaint, limit: int = 5) -> list[HandlerSuggestion]:
    """Suggested from category experience and current workload: least loaded first, then most experienced."""
    candidates = handler_candidates(complaint=complaint).annotate(
        open_cases=Count("complaints_handled", filter=~Q(complaints_handled__status__in=TERMINAL), distinct=True),
        same_category=Count(
            "complaints_handled",
            filter=Q(complaints_handled__category=complaint.category) & ~Q(complaints_handled__id=complaint.id),
            distinct=True,
        ),
    )
    ranked = sorted(candidates, key=lambda e: (e.open_cases, -e.same_category, e.employee_no))  # type: ignore[attr-defined]
    return [HandlerSuggestion(e, e.open_cases, e.same_category) for e in ranked[:limit]]  # type: ignore[attr-defined]


def assignable_employees(*, actor: Actor | None, complaint: Complaint) -> QuerySet[Employee]:
    """Anyone in the complaint's branch the actor reaches (the suggestion is a default, not a limit)."""
    qs = scopes.restrict(actor, Employee.objects.filter(unit__path__startswith=complaint.unit.path), employee="")
    return qs.exclude(status="left").select_related("unit").order_by("unit__path", "name")


# --- penalties: what the pay calculation reads ----------------------------------------------------


def penalties_for_period(employee: Employee | int, period: Period | str) -> list[Penalty]:
    """Penalty rows (reversals included, with negative rates) for the pay run of `period`.

    No actor: the pay calculation applies them for everyone it pays; people read them through
    :func:`penalty_list`. Net rate = sum of `deduct_rate`.
    """
    employee_id = employee if isinstance(employee, int) else employee.id
    return list(
        Penalty.objects.filter(employee_id=employee_id, period=str(period))
        .select_related("complaint")
        .order_by("created_at", "id")
    )


def net_deduct_rate(employee: Employee | int, period: Period | str) -> Decimal:
    total = sum((p.deduct_rate for p in penalties_for_period(employee, period)), Decimal("0"))
    return min(max(total, Decimal("0")), Decimal("1"))


def penalty_list(*, actor: Actor | None, employee_id: int | None = None, period: str = "") -> QuerySet[Penalty]:
    qs = scopes.restrict(actor, Penalty.objects.all(), employee="employee")
    if employee_id is not None:
        qs = qs.filter(employee_id=employee_id)
    if period:
        qs = qs.filter(period=period)
    return qs.select_related("employee", "complaint").order_by("-period", "-id")


# --- the agent's performance file ---------------------------------------------------------------


@dataclass
class AgentFile:
    employee: Employee
    about: list[Complaint]
    responsible: list[Complaint]
    handled: list[Complaint]
    penalties: list[Penalty]
    by_category: list[dict[str, Any]]


def agent_file(*, actor: Actor, employee_id: int) -> AgentFile:
    from kefu.org import selectors as org_selectors

    employee = org_selectors.employee_get(actor=actor, employee_id=employee_id)  # scoped: 404 outside
    visible = complaint_list(actor=actor)
    about = list(visible.filter(subject_agent=employee)[:100])
    responsible = list(visible.filter(responsible_agent=employee)[:100])
    handled = list(visible.filter(handler=employee)[:100])
    by_category = list(
        visible.filter(Q(subject_agent=employee) | Q(responsible_agent=employee))
        .exclude(category="")
        .values("category")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    penalties = list(penalty_list(actor=actor, employee_id=employee.id))
    return AgentFile(employee, about, responsible, handled, penalties, by_category)


# --- prevention: recurring categories per product and per agent -----------------------------------


@dataclass
class Recurrence:
    key: str  # product name or agent name
    category: str
    count: int
    last_at: dt.datetime | None


def recurring_by_agent(*, actor: Actor | None, since: dt.datetime, minimum: int = 2) -> list[Recurrence]:
    rows = (
        complaint_list(actor=actor)
        .filter(created_at__gte=since, subject_agent__isnull=False)
        .exclude(category="")
        .exclude(status=Status.REJECTED)
        .values("subject_agent__name", "subject_agent__employee_no", "subject_agent_id", "category")
        .annotate(n=Count("id"), last=Max("created_at"))
        .order_by("-n")
    )
    found = []
    for row in rows:
        if row["n"] >= minimum:
            label = f"{row['subject_agent__name']}（{row['subject_agent__employee_no']}）"
            found.append(Recurrence(label, row["category"], row["n"], row["last"]))
    return found


def recurring_by_product(*, actor: Actor | None, since: dt.datetime, minimum: int = 2) -> list[Recurrence]:
    """Orders carry their product lines as JSON, so products are counted here rather than in SQL."""
    counts: dict[tuple[str, str], int] = {}
    qs = (
        complaint_list(actor=actor)
        .filter(created_at__gte=since, order__isnull=False)
        .exclude(category="")
        .exclude(status=Status.REJECTED)
    )
    for category, items in qs.values_list("category", "order__items"):
        for name in {str(item.get("name", "")) for item in items or [] if isinstance(item, dict)}:
            if name:
                counts[(name, category)] = counts.get((name, category), 0) + 1
    rows = [Recurrence(k[0], k[1], n, None) for k, n in counts.items() if n >= minimum]
    return sorted(rows, key=lambda r: (-r.count, r.key))


def category_counts(*, actor: Actor | None, since: dt.datetime) -> list[dict[str, Any]]:
    return list(
        complaint_list(actor=actor)
        .filter(created_at__gte=since)
        .exclude(category="")
        .values("category")
        .annotate(n=Count("id"), amount=Sum("amount_at_stake"))
        .order_by("-n")
    )


# --- improvements ------------------------------------------------------------


def improvement_get(*, actor: Actor | None, improvement_id: int) -> ImprovementAction:
    action = (
        ImprovementAction.objects.select_related("complaint__unit", "owner__unit").filter(id=improvement_id).first()
    )
    if action is None:
        raise NotFound("找不到该整改措施")
    complaint_get(actor=actor, complaint_id=action.complaint_id)  # scoped through its complaint
    return action


def improvement_list(*, actor: Actor | None, open_only: bool = True) -> QuerySet[ImprovementAction]:
    qs = ImprovementAction.objects.filter(complaint__in=complaint_list(actor=actor).values("id"))
    if open_only:
        qs = qs.filter(status=ImprovementStatus.OPEN)
    return qs.select_related("complaint", "owner").order_by("due_date", "id")


def allowed_actions(*, actor: Actor | None, complaint: Complaint) -> list[workflow.Transition]:
    return workflow.allowed(actor, complaint)


def monthly_categories(*, actor: Actor | None, since: dt.datetime) -> list[tuple[str, str, int]]:
    """(month, category, count) for the prevention chart; months in local time."""
    counts: dict[tuple[str, str], int] = {}
    qs = complaint_list(actor=actor).filter(created_at__gte=since).exclude(category="")
    for created_at, category in qs.values_list("created_at", "category"):
        month = str(Period.containing(created_at))
        counts[(month, category)] = counts.get((month, category), 0) + 1
    return sorted((m, c, n) for (m, c), n in counts.items())
