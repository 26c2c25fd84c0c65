"""Reads of the compliance app, always through core.scopes: an agent sees own cases and score, a team lead
the team's, QA and branch HR their branch, HQ everything. `compliance_score` is the unscoped read other
apps (performance) use for a known employee."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone

from kefu.channel import selectors as channel_selectors
from kefu.channel.models import Message, Outcome, SenderKind
from kefu.compliance.models import (
    COUNTED_STATUSES,
    OPEN_STATUSES,
    CaseStatus,
    FinanceRecord,
    Honour,
    PositiveEvent,
    PositiveStatus,
    ScoreEntry,
    ViolationCase,
    ViolationEvent,
)
from kefu.core import scopes
from kefu.core.errors import NotFound
from kefu.core.periods import Period
from kefu.core.scopes import Actor
from kefu.org.models import Employee, OrgUnit, UnitKind
from kefu.policy import selectors as policy_selectors

CASE_READERS = (scopes.AGENT, scopes.TEAM_LEAD, scopes.QA, scopes.BRANCH_HR, scopes.HQ_ADMIN)
ANALYSTS = (scopes.TEAM_LEAD, scopes.QA, scopes.BRANCH_HR, scopes.HQ_ADMIN)
FINANCE_READERS = (scopes.FINANCE, scopes.QA, scopes.BRANCH_HR, scopes.HQ_ADMIN)
CONTEXT_MESSAGES = 3  # before and after each event's message


# --- cases ---------------------------------------------------------------------------------------


def _cases(actor: Actor) -> QuerySet[ViolationCase]:
    return scopes.restrict(actor, ViolationCase.objects.all(), employee="agent", unit="unit", roles=CASE_READERS)


def violation_case_list(
    *,
    actor: Actor,
    status: str = "",
    kind: str = "",
    period: Period | None = None,
    agent_id: int | None = None,
    search: str = "",
) -> QuerySet[ViolationCase]:
    qs = _cases(actor)
    if status == "open":
        qs = qs.filter(status__in=(CaseStatus.OPEN, CaseStatus.UNDER_REVIEW, CaseStatus.APPEALED))
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if period is not None:
        qs = qs.filter(day__gte=period.first_day(), day__lt=period.next().first_day())
    if agent_id is not None:
        qs = qs.filter(agent_id=agent_id)
    if search:
        qs = qs.filter(Q(agent__name__icontains=search) | Q(customer__name__icontains=search))
    return qs.select_related("agent", "unit", "customer", "order", "finance_record").order_by("-opened_at", "-id")


def violation_case_get(*, actor: Actor, case_id: int) -> ViolationCase:
    case = violation_case_list(actor=actor).filter(id=case_id).first()
    if case is None:
        raise NotFound("找不到该案件", extra={"case_id": case_id})
    return case


def violation_case_get_for_update(*, actor: Actor, case_id: int) -> ViolationCase:
    violation_case_get(actor=actor, case_id=case_id)  # scoped: 404 outside
    return (
        ViolationCase.objects.select_for_update(of=("self",))
        .select_related("agent", "unit", "customer", "order", "finance_record")
        .get(id=case_id)
    )


@dataclass
class Segment:
    text: str
    category: str = ""  # non-empty: a matched span (highlighted)


@dataclass
class ContextLine:
    message: Message
    segments: list[Segment]
    is_event: bool


@dataclass
class EventEvidence:
    event: ViolationEvent
    lines: list[ContextLine] = field(default_factory=list)


def highlight(text: str, matches: list[dict[str, Any]]) -> list[Segment]:
    """The text cut into plain and matched pieces (overlapping spans merged)."""
    spans = sorted((int(m["start"]), int(m["end"]), str(m.get("category", ""))) for m in matches)
    segments, cursor = [], 0
    for start, end, category in spans:
        start, end = max(start, cursor), min(end, len(text))
        if start >= end:
            continue
        if start > cursor:
            segments.append(Segment(text[cursor:start]))
        segments.append(Segment(text[start:end], category or "hit"))
        cursor = end
    if cursor < len(text):
        segments.append(Segment(text[cursor:]))
    return segments


def case_evidence(*, actor: Actor, case: ViolationCase) -> list[EventEvidence]:
    """Each event with its message's matched spans highlighted and the surrounding messages.

    Reviewers see blocked messages of both sides (evidence); the case's agent sees what they may see in
    the chat itself (not the customer's blocked attempts).
    """
    reviewer = scopes.covers(actor, unit_path=case.unit.path, roles=ANALYSTS)
    own = scopes.principal(actor).employee_id
    found = []
    for event in case.events.select_related("message", "conversation", "finance_record").order_by("occurred_at", "id"):
        evidence = EventEvidence(event)
        if event.message_id is not None:
            low, high = event.message.seq - CONTEXT_MESSAGES, event.message.seq + CONTEXT_MESSAGES
            qs = Message.objects.filter(conversation_id=event.message.conversation_id, seq__gte=low, seq__lte=high)
        elif event.conversation_id is not None:  # a finance case: the chat behind the money
            last = Message.objects.filter(conversation_id=event.conversation_id).order_by("-seq").values("seq")[:1]
            top = last[0]["seq"] if last else 0
            qs = Message.objects.filter(conversation_id=event.conversation_id, seq__gt=top - 30)
        else:
            found.append(evidence)
            continue
        if not reviewer:
            qs = qs.filter(~Q(outcome=Outcome.BLOCK) | Q(sender_kind=SenderKind.AGENT, sender_employee_id=own))
        events_by_message = dict(ViolationEvent.objects.filter(message__in=qs).values_list("message_id", "matches"))
        for message in qs.select_related("sender_employee", "order").order_by("seq"):
            matches = events_by_message.get(message.id) or []
            evidence.lines.append(
                ContextLine(message, highlight(message.text, matches), is_event=message.id == event.message_id)
            )
        found.append(evidence)
    return found


# --- compliance score ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplianceScore:
    employee_id: int
    period: str
    score: int
    start: int
    confirmed: int  # confirmed violation cases of the month (appealed and upheld included)
    positive: int  # verified positive events of the month
    deductions: int
    bonus: int
    threshold: int
    weight: Decimal  # the score's weight in performance (policy, 15–25%)
    positive_points: int  # performance points for positive events when the policy rewards with points

    @property
    def bonus_eligible(self) -> bool:
        return self.score >= self.threshold


def compliance_score(employee: Employee, period: Period) -> ComplianceScore:
    """The agent's compliance score of the month, from the policy and the ledger (start, −penalty per
    confirmed violation, + verified positive events when the policy rewards with score, 0 ≤ score ≤ start)."""
    unit = employee.unit

    def value(key: str) -> Any:
        return policy_selectors.effective(unit=unit, key=key)

    start = int(value("compliance.score_start"))
    entries = ScoreEntry.objects.filter(employee=employee, period=str(period))
    deductions = -int(entries.filter(delta__lt=0).aggregate(total=Sum("delta"))["total"] or 0)
    bonus = int(entries.filter(delta__gt=0).aggregate(total=Sum("delta"))["total"] or 0)
    first, after = period.bounds()
    confirmed = ViolationCase.objects.filter(
        agent=employee, status__in=COUNTED_STATUSES, day__gte=period.first_day(), day__lt=period.next().first_day()
    ).count()
    positive = PositiveEvent.objects.filter(
        agent=employee,
        status=PositiveStatus.VERIFIED,
        message__created_at__gte=first,
        message__created_at__lt=after,
    ).count()
    points = (
        positive * int(value("compliance.positive_points")) if value("compliance.positive_reward") == "points" else 0
    )
    return ComplianceScore(
        employee_id=employee.id,
        period=str(period),
        score=max(0, min(start, start - deductions + bonus)),
        start=start,
        confirmed=confirmed,
        positive=positive,
        deductions=deductions,
        bonus=bonus,
        threshold=int(value("compliance.bonus_threshold")),
        weight=value("compliance.weight"),
        positive_points=points,
    )


def compliance_score_between(employee: Employee, start: dt.date, end: dt.date) -> Decimal:
    """For performance reviews of any length: the mean of the monthly scores of the months the dates touch."""
    period, last = Period.containing(start), Period.containing(end)
    scores = [compliance_score(employee, period).score]
    while period != last and period.first_day() < last.first_day():
        period = period.next()
        scores.append(compliance_score(employee, period).score)
    return (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.1"))


def confirmed_violation_counts(employee_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[int, int]:
    """Confirmed violation cases per agent with a case day in [start, end] (contests of zero violations)."""
    rows = (
        ViolationCase.objects.filter(
            agent_id__in=list(employee_ids), status__in=COUNTED_STATUSES, day__gte=start, day__lte=end
        )
        .values("agent_id")
        .annotate(n=Count("id"))
        .values_list("agent_id", "n")
    )
    return dict(rows)


def _employees(actor: Actor) -> QuerySet[Employee]:
    return scopes.restrict(actor, Employee.objects.all(), employee="", unit="unit", roles=CASE_READERS)


def score_employee_get(*, actor: Actor, employee_id: int) -> Employee:
    employee = _employees(actor).select_related("unit").filter(id=employee_id).first()
    if employee is None:
        raise NotFound("找不到该员工", extra={"employee_id": employee_id})
    return employee


@dataclass
class ScoreDetail:
    employee: Employee
    score: ComplianceScore
    cases: list[ViolationCase]
    entries: list[ScoreEntry]


def score_detail(*, actor: Actor, employee_id: int, period: Period) -> ScoreDetail:
    """One agent's score of the month and the cases and ledger lines behind it."""
    employee = score_employee_get(actor=actor, employee_id=employee_id)
    cases = list(violation_case_list(actor=actor, period=period, agent_id=employee.id))
    entries = list(
        ScoreEntry.objects.filter(employee=employee, period=str(period)).select_related("case", "positive_event")
    )
    return ScoreDetail(employee, compliance_score(employee, period), cases, entries)


def score_board(*, actor: Actor, period: Period, limit: int = 300) -> list[tuple[Employee, ComplianceScore]]:
    """Scores of the agents in the actor's scope: those with a case or a ledger line first, lowest first."""
    employees = list(
        _employees(actor).filter(position__code__in=("agent", "senior_agent")).select_related("unit")[:limit]
    ) or list(_employees(actor).select_related("unit")[:limit])
    rows = [(e, compliance_score(e, period)) for e in employees]
    return sorted(rows, key=lambda row: (row[1].score, row[0].name))


# --- finance -----------------------------------------------------------------------------------------


def finance_record_list(*, actor: Actor, kind: str = "", search: str = "") -> QuerySet[FinanceRecord]:
    qs = scopes.restrict(actor, FinanceRecord.objects.all(), unit="unit", roles=FINANCE_READERS)
    if kind:
        qs = qs.filter(kind=kind)
    if search:
        qs = qs.filter(
            Q(account__icontains=search)
            | Q(payer_name__icontains=search)
            | Q(order_number__icontains=search)
            | Q(customer__name__icontains=search)
        )
    return (
        qs.select_related("unit", "customer", "order").prefetch_related("cases__agent").order_by("-recorded_at", "-id")
    )


def finance_record_get(*, actor: Actor, record_id: int) -> FinanceRecord:
    record = finance_record_list(actor=actor).filter(id=record_id).first()
    if record is None:
        raise NotFound("找不到该财务记录", extra={"record_id": record_id})
    return record


# --- positive events and honours ---------------------------------------------------------------------


def positive_event_list(*, actor: Actor, status: str = "") -> QuerySet[PositiveEvent]:
    qs = scopes.restrict(actor, PositiveEvent.objects.all(), employee="agent", unit="unit", roles=CASE_READERS)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("agent", "unit", "message__conversation__customer", "verified_by").order_by(
        "-reported_at", "-id"
    )


def positive_event_get(*, actor: Actor, event_id: int) -> PositiveEvent:
    event = positive_event_list(actor=actor).filter(id=event_id).first()
    if event is None:
        raise NotFound("找不到该正向事件", extra={"event_id": event_id})
    return event


def reportable_messages(*, actor: Actor, limit: int = 30) -> list[Message]:
    """Recent customer messages of the agent's own conversations that a refusal could point at."""
    own = scopes.principal(actor).employee_id
    if own is None:
        return []
    return list(
        Message.objects.filter(conversation__agent_id=own, sender_kind=SenderKind.CUSTOMER)
        .exclude(outcome=Outcome.BLOCK)
        .select_related("conversation__customer")
        .order_by("-created_at", "-id")[:limit]
    )


def honour_list(*, actor: Actor, period: Period | None = None) -> QuerySet[Honour]:
    qs = scopes.restrict(actor, Honour.objects.all(), employee="employee", unit="unit", roles=CASE_READERS)
    if period is not None:
        qs = qs.filter(period=str(period))
    return qs.select_related("employee", "unit").order_by("-period", "employee__name")


@dataclass(frozen=True)
class HonourCandidate:
    employee: Employee
    positive: int


def honour_candidates(*, unit: OrgUnit, period: Period) -> list[HonourCandidate]:
    """Agents in `unit` with zero confirmed violations and at least one verified positive event in `period`.

    An agent with a case of that month still open or under review waits until it is settled: an honour
    must not go to someone whose violation is confirmed a week later."""
    first, after = period.bounds()
    positives = dict(
        PositiveEvent.objects.filter(
            unit__path__startswith=unit.path,
            status=PositiveStatus.VERIFIED,
            message__created_at__gte=first,
            message__created_at__lt=after,
        )
        .values("agent_id")
        .annotate(n=Count("id"))
        .values_list("agent_id", "n")
    )
    ruled_out = set(
        ViolationCase.objects.filter(
            agent_id__in=positives,
            status__in=(*COUNTED_STATUSES, *OPEN_STATUSES),
            day__gte=period.first_day(),
            day__lt=period.next().first_day(),
        ).values_list("agent_id", flat=True)
    )
    employees = Employee.objects.filter(id__in=set(positives) - ruled_out).select_related("unit").order_by("name")
    return [HonourCandidate(e, positives[e.id]) for e in employees]


# --- analytics ---------------------------------------------------------------------------------------


def _events(actor: Actor, since: dt.datetime) -> QuerySet[ViolationEvent]:
    qs = scopes.restrict(actor, ViolationEvent.objects.all(), employee="agent", unit="unit", roles=ANALYSTS)
    return qs.filter(occurred_at__gte=since).exclude(action="log")


def event_heatmap(*, actor: Actor, since: dt.datetime) -> list[list[int]]:
    """Counts of events by weekday (rows, Monday first) and local hour (columns)."""
    grid = [[0] * 24 for _ in range(7)]
    rows = (
        _events(actor, since)
        .annotate(weekday=ExtractIsoWeekDay("occurred_at"), hour=ExtractHour("occurred_at"))
        .values("weekday", "hour")
        .annotate(n=Count("id"))
    )
    for row in rows:
        grid[int(row["weekday"]) - 1][int(row["hour"])] += int(row["n"])
    return grid


@dataclass(frozen=True)
class GroupRisk:
    name: str
    branch: str
    events: int
    agent_events: int
    confirmed: int


def risk_by_group(*, actor: Actor, since: dt.datetime) -> list[GroupRisk]:
    """Events (all and the agents' own) and confirmed cases per team, with its branch."""
    events = {
        row["unit_id"]: row
        for row in _events(actor, since)
        .values("unit_id")
        .annotate(n=Count("id"), own=Count("id", filter=Q(party="agent")))
    }
    confirmed = dict(
        scopes.restrict(actor, ViolationCase.objects.all(), employee="agent", unit="unit", roles=ANALYSTS)
        .filter(status__in=COUNTED_STATUSES, opened_at__gte=since)
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    unit_ids = set(events) | set(confirmed)
    units = OrgUnit.objects.in_bulk(unit_ids)
    ancestors = OrgUnit.objects.in_bulk({a for u in units.values() for a in u.ancestor_ids()})
    found = []
    for unit_id in unit_ids:
        unit = units[unit_id]
        branch = next((ancestors[a] for a in unit.ancestor_ids() if ancestors[a].kind == UnitKind.BRANCH), unit)
        row = events.get(unit_id, {"n": 0, "own": 0})
        found.append(GroupRisk(unit.name, branch.name, int(row["n"]), int(row["own"]), int(confirmed.get(unit_id, 0))))
    return sorted(found, key=lambda g: (-g.confirmed, -g.events, g.name))


def status_counts(*, actor: Actor) -> dict[str, int]:
    return dict(_cases(actor).values("status").annotate(n=Count("id")).values_list("status", "n"))


def since_days(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def message_visible(*, actor: Actor, message_id: int) -> Message:
    return channel_selectors.message_get(actor=actor, message_id=message_id)
