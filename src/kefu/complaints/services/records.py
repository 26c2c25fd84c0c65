"""Records around a complaint that are not steps of the workflow: evidence (chats, orders, payments,
files checked as in the channel), extra improvement actions and their completion, penalty reversal."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.channel import selectors as channel_selectors
from kefu.channel import services as channel_services
from kefu.channel.models import Attachment
from kefu.complaints import selectors, workflow
from kefu.complaints.models import (
    Complaint,
    ComplaintEvidence,
    EventKind,
    EvidenceKind,
    ImprovementAction,
    ImprovementStatus,
    Penalty,
    Status,
)
from kefu.complaints.services.actions import _clean, _improvement, _locked
from kefu.complaints.services.common import event
from kefu.core import audit, scopes
from kefu.core.errors import ApplicationError, Forbidden, NotFound
from kefu.core.scopes import Actor

# --- evidence, improvements, penalty reversal ---------------------------------------------------

EVIDENCE_ROLES = (workflow.OFFICE, workflow.HANDLER, workflow.LEAD)


@transaction.atomic
def evidence_add(
    *,
    actor: Actor,
    complaint_id: int,
    kind: str,
    ref_id: int | None = None,
    note: str = "",
    upload: channel_services.Upload | None = None,
) -> ComplaintEvidence:
    """Link a chat, order or payment the actor can see, an uploaded file (checked as in the channel), or a note."""
    complaint = selectors.complaint_get_for_update(actor=actor, complaint_id=complaint_id)
    if not complaint.is_open:
        raise ApplicationError("投诉已结案，不能再添加证据")
    if not workflow.roles_of(actor, complaint) & set(EVIDENCE_ROLES):
        raise Forbidden("只有投诉专员、处理人或其组长可以添加证据")
    evidence = ComplaintEvidence(
        complaint=complaint, kind=kind, note=_clean(note, 2000), added_by=scopes.signed_in(actor)
    )
    match kind:
        case EvidenceKind.CONVERSATION:
            evidence.conversation = channel_selectors.conversation_get(actor=actor, conversation_id=_need_ref(ref_id))
            label = f"会话 #{evidence.conversation.id}"
        case EvidenceKind.ORDER:
            evidence.order = channel_selectors.order_get(actor=actor, order_id=_need_ref(ref_id))
            label = f"订单 {evidence.order.number}"
        case EvidenceKind.PAYMENT:
            evidence.payment = channel_selectors.payment_get(actor=actor, payment_id=_need_ref(ref_id))
            label = f"付款 ¥{evidence.payment.amount}（{evidence.payment.receiving_account}）"
        case EvidenceKind.FILE:
            if upload is None:
                raise ApplicationError("请选择要上传的文件", extra={"field": "file"})
            attachment, name = _store(upload)
            evidence.attachment, evidence.attachment_name = attachment, name
            label = f"附件 {name}"
        case EvidenceKind.NOTE:
            if not evidence.note:
                raise ApplicationError("请填写说明", extra={"field": "note"})
            label = "说明"
        case _:
            raise ApplicationError(f"未知证据类型 {kind!r}", extra={"field": "kind"})
    evidence.save()
    event(complaint=complaint, kind=EventKind.EVIDENCE, actor=actor, text=f"添加证据：{label}。{evidence.note}".strip())
    audit.record(
        actor=actor, action="complaint.evidence_add", obj=complaint, after={"kind": kind, "evidence": evidence.id}
    )
    return evidence


def _need_ref(ref_id: int | None) -> int:
    if ref_id is None:
        raise ApplicationError("请填写要关联的记录编号", extra={"field": "ref_id"})
    return ref_id


def _store(upload: channel_services.Upload) -> tuple[Attachment, str]:
    from kefu.channel import uploads

    checked = uploads.check(content=upload.content, name=upload.name)
    attachment = Attachment.objects.filter(sha256=checked.sha256).first()
    if attachment is None:
        attachment = Attachment.objects.create(
            sha256=checked.sha256, size=checked.size, content_type=checked.content_type, content=checked.content
        )
    return attachment, checked.name


@transaction.atomic
def improvement_add(
    *, actor: Actor, complaint_id: int, expected_version: int | None, data: dict[str, Any]
) -> ImprovementAction:
    """Another improvement action while the complaint is 整改中."""
    complaint = _locked(actor, complaint_id, expected_version)
    if complaint.status != Status.IMPROVING:
        raise ApplicationError(
            "只有整改中的投诉可以追加整改措施；先「定责」再「制定整改」", extra={"status": complaint.status}
        )
    if not workflow.roles_of(actor, complaint) & {workflow.OFFICE, workflow.LEAD}:
        raise Forbidden("只有投诉专员或组长可以追加整改措施")
    missing = [f for f in ("improvement_kind", "improvement_description", "owner_id", "due_date") if not data.get(f)]
    if missing:
        raise ApplicationError(
            "追加整改还缺：" + "、".join(workflow.FIELD_LABELS[f] for f in missing), extra={"missing": missing}
        )
    action = _improvement(actor, complaint, data)
    complaint.version += 1
    complaint.save(update_fields=["version"])
    event(
        complaint=complaint,
        kind=EventKind.IMPROVEMENT,
        actor=actor,
        text=f"追加整改：{action.description}；负责人 {action.owner.name}",
    )
    return action


@transaction.atomic
def improvement_complete(*, actor: Actor, improvement_id: int, note: str) -> ImprovementAction:
    """The owner (or the officer, the lead) marks an improvement done, saying what was done."""
    action = selectors.improvement_get(actor=actor, improvement_id=improvement_id)  # scoped: 404 outside
    action = ImprovementAction.objects.select_for_update().select_related("complaint__unit", "owner").get(id=action.id)
    complaint = action.complaint
    is_owner = scopes.principal(actor).employee_id == action.owner_id
    if not is_owner and not workflow.roles_of(actor, complaint) & {workflow.OFFICE, workflow.LEAD}:
        raise Forbidden("只有负责人、投诉专员或组长可以完成整改措施")
    if action.status == ImprovementStatus.DONE:
        raise ApplicationError("这项整改措施已经完成了")
    note = _clean(note, 2000)
    if not note:
        raise ApplicationError("请写明完成情况", extra={"field": "note"})
    action.status, action.done_at, action.done_note = ImprovementStatus.DONE, timezone.now(), note
    action.version += 1
    action.save(update_fields=["status", "done_at", "done_note", "version"])
    Complaint.objects.filter(id=complaint.id).update(version=complaint.version + 1)
    event(
        complaint=complaint,
        kind=EventKind.IMPROVEMENT,
        actor=actor,
        text=f"整改完成：{action.description[:60]}——{note}",
    )
    audit.record(actor=actor, action="complaint.improvement_done", obj=action, before="open", after="done", note=note)
    return action


@transaction.atomic
def penalty_revoke(*, actor: Actor, penalty_id: int, reason: str) -> Penalty:
    """Revoke a penalty (appeal upheld): a compensating row with the negative rate, same period."""
    original = selectors.penalty_list(actor=actor).filter(id=penalty_id, reverses__isnull=True).first()
    if original is None:
        raise NotFound("找不到该扣罚记录")
    complaint = original.complaint
    if workflow.OFFICE not in workflow.roles_of(actor, complaint):
        raise Forbidden("只有投诉专员可以撤销扣罚")
    if Penalty.objects.filter(reverses=original).exists():
        raise ApplicationError("这条扣罚已经撤销过了")
    reason = _clean(reason, 300)
    if not reason:
        raise ApplicationError("请写明撤销理由", extra={"field": "reason"})
    reversal = Penalty.objects.create(
        complaint=complaint,
        employee=original.employee,
        period=original.period,
        loss_amount=original.loss_amount,
        loss_from=original.loss_from,
        loss_to=original.loss_to,
        deduct_rate=-original.deduct_rate,
        note=f"撤销扣罚：{reason}",
        reverses=original,
        created_by=scopes.signed_in(actor),
    )
    event(complaint=complaint, kind=EventKind.PENALTY, actor=actor, text=reversal.note)
    audit.record(actor=actor, action="complaint.penalty_revoke", obj=reversal, note=reason)
    return reversal
