from django.http import HttpRequest
from ninja import Query, Router, Schema

from kefu.complaints import selectors, services
from kefu.complaints.models import Complaint, ComplaintEvidence, ImprovementAction, Penalty
from kefu.complaints.schemas import (
    ActIn,
    ComplaintCreateIn,
    ComplaintDetailOut,
    ComplaintOut,
    EventOut,
    EvidenceIn,
    EvidenceOut,
    ImprovementDoneIn,
    ImprovementOut,
    PenaltyOut,
)
from kefu.core.errors import ApplicationError

router = Router(tags=["complaints"])


class ComplaintFilter(Schema):
    status: str = ""
    category: str = ""
    sla: str = ""
    q: str = ""
    open_only: bool = False


class PenaltyFilter(Schema):
    employee_id: int | None = None
    period: str = ""


def _out(c: Complaint) -> dict:
    return {
        **{f: getattr(c, f) for f in ComplaintOut.model_fields if hasattr(c, f)},
        "status_label": c.get_status_display(),
        "customer_name": c.customer.name,
        "sla": c.sla_state(),
    }


@router.get("/complaints", response=list[ComplaintOut])
def complaint_list(request: HttpRequest, filters: Query[ComplaintFilter]) -> list[dict]:
    qs = selectors.complaint_list(
        actor=request.user,
        status=filters.status,
        category=filters.category,
        sla=filters.sla,
        search=filters.q,
        open_only=filters.open_only,
    )
    return [_out(c) for c in qs[:200]]


@router.post("/complaints", response={201: ComplaintOut})
def complaint_create(request: HttpRequest, payload: ComplaintCreateIn) -> tuple[int, dict]:
    if payload.conversation_id is not None:
        complaint = services.complaint_from_conversation(
            actor=request.user,
            conversation_id=payload.conversation_id,
            content=payload.content,
            customer_request=payload.customer_request,
            amount_at_stake=payload.amount_at_stake,
            order_id=payload.order_id,
        )
    elif payload.customer_id is not None:
        complaint = services.complaint_record(
            actor=request.user,
            customer_id=payload.customer_id,
            source=payload.source,
            content=payload.content,
            customer_request=payload.customer_request,
            amount_at_stake=payload.amount_at_stake,
            order_id=payload.order_id,
        )
    else:
        raise ApplicationError("请指明会话或客户", extra={"field": "customer_id"})
    return 201, _out(complaint)


@router.get("/complaints/{complaint_id}", response=ComplaintDetailOut)
def complaint_detail(request: HttpRequest, complaint_id: int) -> dict:
    complaint = selectors.complaint_get(actor=request.user, complaint_id=complaint_id)
    return {
        **_out(complaint),
        "findings": complaint.findings,
        "solution": complaint.solution,
        "customer_notice": complaint.customer_notice,
        "feedback": complaint.feedback,
        "allowed_actions": [t.action for t in selectors.allowed_actions(actor=request.user, complaint=complaint)],
        "timeline": [EventOut.model_validate(e, from_attributes=True) for e in selectors.timeline(complaint=complaint)],
    }


@router.post("/complaints/{complaint_id}/act", response=ComplaintOut)
def complaint_act(request: HttpRequest, complaint_id: int, payload: ActIn) -> dict:
    complaint = services.complaint_act(
        actor=request.user,
        complaint_id=complaint_id,
        action=payload.action,
        expected_version=payload.expected_version,
        data=payload.data,
    )
    return _out(complaint)


@router.post("/complaints/{complaint_id}/evidence", response={201: EvidenceOut})
def evidence_add(request: HttpRequest, complaint_id: int, payload: EvidenceIn) -> tuple[int, ComplaintEvidence]:
    evidence = services.evidence_add(
        actor=request.user, complaint_id=complaint_id, kind=payload.kind, ref_id=payload.ref_id, note=payload.note
    )
    return 201, evidence


@router.post("/improvements/{improvement_id}/complete", response=ImprovementOut)
def improvement_complete(request: HttpRequest, improvement_id: int, payload: ImprovementDoneIn) -> ImprovementAction:
    return services.improvement_complete(actor=request.user, improvement_id=improvement_id, note=payload.note)


@router.get("/penalties", response=list[PenaltyOut])
def penalty_list(request: HttpRequest, filters: Query[PenaltyFilter]) -> list[Penalty]:
    return list(
        selectors.penalty_list(actor=request.user, employee_id=filters.employee_id, period=filters.period)[:500]
    )
