from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from kefu.compliance import selectors, services, workflow
from kefu.compliance.models import FinanceRecord, PositiveEvent, ViolationCase, ViolationEvent
from kefu.compliance.schemas import (
    CaseActIn,
    CaseDetailOut,
    CaseOut,
    FinanceImportIn,
    FinanceImportOut,
    FinanceRecordIn,
    FinanceRecordOut,
    HeatmapOut,
    HonourAwardIn,
    HonourOut,
    PositiveIn,
    PositiveOut,
    PositiveVerifyIn,
    ScoreDetailOut,
    ScoreOut,
)
from kefu.core.errors import ApplicationError
from kefu.core.periods import Period

router = Router(tags=["compliance"])
WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


def period_of(text: str) -> Period:
    if not text:
        return Period.containing(timezone.localdate())
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise ApplicationError(f"月份格式不对：{text!r}（例如 2026-11）", extra={"field": "period"}) from exc


def case_out(case: ViolationCase) -> dict[str, Any]:
    return {
        "id": case.id,
        "number": case.number,
        "kind": case.kind,
        "status": case.status,
        "status_label": case.get_status_display(),
        "agent_id": case.agent_id,
        "agent_name": case.agent.name if case.agent else "",
        "unit_name": case.unit.name,
        "day": case.day,
        "categories": case.categories,
        "customer_name": case.customer.name if case.customer else "",
        "order_number": case.order.number if case.order else "",
        "opened_at": case.opened_at,
        "decision_note": case.decision_note,
        "appeal_note": case.appeal_note,
        "final_note": case.final_note,
        "finance_lag_seconds": case.finance_lag_seconds,
        "version": case.version,
    }


def event_out(event: ViolationEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "party": event.party,
        "action": event.action,
        "categories": event.categories,
        "matches": event.matches,
        "message_id": event.message_id,
        "conversation_id": event.conversation_id,
        "finance_record_id": event.finance_record_id,
        "occurred_at": event.occurred_at,
        "text": event.message.text if event.message else "",
    }


class CaseFilter(Schema):
    status: str = ""
    kind: str = ""
    period: str = ""
    q: str = ""


@router.get("/cases", response=list[CaseOut])
def case_list(request: HttpRequest, filters: Query[CaseFilter]) -> list[dict[str, Any]]:
    period = period_of(filters.period) if filters.period else None
    qs = selectors.violation_case_list(
        actor=request.user, status=filters.status, kind=filters.kind, period=period, search=filters.q
    )
    return [case_out(c) for c in qs[:200]]


def _case_detail(request: HttpRequest, case: ViolationCase) -> dict[str, Any]:
    evidence = selectors.case_evidence(actor=request.user, case=case)
    return {
        **case_out(case),
        "events": [event_out(e.event) for e in evidence],
        "allowed_actions": [t.action for t in workflow.allowed(request.user, case)],
    }


@router.get("/cases/{violation_case_id}", response=CaseDetailOut)
def case_detail(request: HttpRequest, violation_case_id: int) -> dict[str, Any]:
    case = selectors.violation_case_get(actor=request.user, case_id=violation_case_id)
    return _case_detail(request, case)


@router.post("/cases/{violation_case_id}/act", response=CaseDetailOut)
def case_act(request: HttpRequest, violation_case_id: int, payload: CaseActIn) -> dict[str, Any]:
    case = services.violation_case_act(
        actor=request.user,
        case_id=violation_case_id,
        action=payload.action,
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return _case_detail(request, selectors.violation_case_get(actor=request.user, case_id=case.id))


class PeriodFilter(Schema):
    period: str = ""


def score_out(employee: Any, score: selectors.ComplianceScore) -> dict[str, Any]:
    return {
        "employee_id": employee.id,
        "employee_name": employee.name,
        "period": score.period,
        "score": score.score,
        "start": score.start,
        "confirmed": score.confirmed,
        "positive": score.positive,
        "deductions": score.deductions,
        "bonus": score.bonus,
        "threshold": score.threshold,
        "bonus_eligible": score.bonus_eligible,
        "weight": score.weight,
        "positive_points": score.positive_points,
    }


@router.get("/scores", response=list[ScoreOut])
def score_list(request: HttpRequest, filters: Query[PeriodFilter]) -> list[dict[str, Any]]:
    board = selectors.score_board(actor=request.user, period=period_of(filters.period))
    return [score_out(e, s) for e, s in board]


@router.get("/scores/{employee_id}", response=ScoreDetailOut)
def score_detail(request: HttpRequest, employee_id: int, filters: Query[PeriodFilter]) -> dict[str, Any]:
    found = selectors.score_detail(actor=request.user, employee_id=employee_id, period=period_of(filters.period))
    return {
        **score_out(found.employee, found.score),
        "cases": [case_out(c) for c in found.cases],
        "entries": [
            {
                "id": e.id,
                "delta": e.delta,
                "reason": e.reason,
                "case_id": e.case_id,
                "positive_event_id": e.positive_event_id,
                "created_at": e.created_at,
            }
            for e in found.entries
        ],
    }


def finance_out(record: FinanceRecord) -> dict[str, Any]:
    cases = list(record.cases.all())
    return {
        "id": record.id,
        "kind": record.kind,
        "source": record.source,
        "amount": record.amount,
        "account": record.account,
        "payer_name": record.payer_name,
        "payer_phone": record.payer_phone,
        "order_number": record.order_number,
        "occurred_at": record.occurred_at,
        "recorded_at": record.recorded_at,
        "customer_id": record.customer_id,
        "customer_name": record.customer.name if record.customer else "",
        "matched_by": record.matched_by,
        "case_ids": [c.id for c in cases],
        "agent_names": [c.agent.name for c in cases if c.agent],
    }


class FinanceFilter(Schema):
    kind: str = ""
    q: str = ""


@router.get("/finance-records", response=list[FinanceRecordOut])
def finance_list(request: HttpRequest, filters: Query[FinanceFilter]) -> list[dict[str, Any]]:
    qs = selectors.finance_record_list(actor=request.user, kind=filters.kind, search=filters.q)
    return [finance_out(r) for r in qs[:200]]


@router.post("/finance-records", response={201: FinanceRecordOut})
def finance_create(request: HttpRequest, payload: FinanceRecordIn) -> tuple[int, dict[str, Any]]:
    record = services.finance_record_create(actor=request.user, **payload.dict())
    return 201, finance_out(selectors.finance_record_get(actor=request.user, record_id=record.id))


@router.post("/finance-records/import", response={201: FinanceImportOut})
def finance_import(request: HttpRequest, payload: FinanceImportIn) -> tuple[int, Any]:
    batch = services.finance_import(
        actor=request.user, unit_id=payload.unit_id, filename=payload.filename, content=payload.csv.encode("utf-8")
    )
    return 201, batch


@router.get("/finance-records/{finance_record_id}", response=FinanceRecordOut)
def finance_detail(request: HttpRequest, finance_record_id: int) -> dict[str, Any]:
    return finance_out(selectors.finance_record_get(actor=request.user, record_id=finance_record_id))


def positive_out(event: PositiveEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "agent_id": event.agent_id,
        "agent_name": event.agent.name,
        "kind": event.kind,
        "status": event.status,
        "message_id": event.message_id,
        "note": event.note,
        "reported_at": event.reported_at,
        "verify_note": event.verify_note,
    }


class PositiveFilter(Schema):
    status: str = ""


@router.get("/positive-events", response=list[PositiveOut])
def positive_list(request: HttpRequest, filters: Query[PositiveFilter]) -> list[dict[str, Any]]:
    return [positive_out(e) for e in selectors.positive_event_list(actor=request.user, status=filters.status)[:200]]


@router.post("/positive-events", response={201: PositiveOut})
def positive_report(request: HttpRequest, payload: PositiveIn) -> tuple[int, dict[str, Any]]:
    event = services.positive_event_report(
        actor=request.user, message_id=payload.message_id, kind=payload.kind, note=payload.note
    )
    return 201, positive_out(event)


@router.post("/positive-events/{positive_event_id}/verify", response=PositiveOut)
def positive_verify(request: HttpRequest, positive_event_id: int, payload: PositiveVerifyIn) -> dict[str, Any]:
    event = services.positive_event_verify(
        actor=request.user, event_id=positive_event_id, approve=payload.approve, note=payload.note
    )
    return positive_out(event)


@router.get("/honours", response=list[HonourOut])
def honour_list(request: HttpRequest, filters: Query[PeriodFilter]) -> list[dict[str, Any]]:
    period = period_of(filters.period) if filters.period else None
    return [
        {"id": h.id, "employee_id": h.employee_id, "employee_name": h.employee.name, "period": h.period,
         "positive_count": h.positive_count}
        for h in selectors.honour_list(actor=request.user, period=period)[:500]
    ]  # fmt: skip


@router.post("/honours/award", response=list[HonourOut])
def honour_award(request: HttpRequest, payload: HonourAwardIn) -> list[dict[str, Any]]:
    awarded = services.honours_award(actor=request.user, unit_id=payload.unit_id, period=period_of(payload.period))
    return [
        {"id": h.id, "employee_id": h.employee_id, "employee_name": h.employee.name, "period": h.period,
         "positive_count": h.positive_count}
        for h in awarded
    ]  # fmt: skip


class AnalyticsFilter(Schema):
    days: int = 90


@router.get("/analytics", response=HeatmapOut)
def analytics(request: HttpRequest, filters: Query[AnalyticsFilter]) -> dict[str, Any]:
    days = min(max(filters.days, 1), 730)
    since = selectors.since_days(days)
    groups = selectors.risk_by_group(actor=request.user, since=since)
    return {
        "days": days,
        "weekdays": WEEKDAYS,
        "hours": list(range(24)),
        "counts": selectors.event_heatmap(actor=request.user, since=since),
        "groups": [g.__dict__ for g in groups],
    }
