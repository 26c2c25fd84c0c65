"""The workflow writes: one entry point, :func:`complaint_act`, moves a complaint along the table in
``workflow.py`` (optimistic lock, refusal naming what is missing, audit entry, timeline row), plus
evidence, improvement actions and penalty reversal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date

from kefu.complaints import selectors, workflow
from kefu.complaints.models import (
    Complaint,
    EventKind,
    ImprovementAction,
    ImprovementKind,
    ImprovementStatus,
    Penalty,
    ResponsibleParty,
    SolutionKind,
    Status,
)
from kefu.complaints.services.common import event, money, notice, start_step
from kefu.core import audit, scopes
from kefu.core import services as core_services
from kefu.core.errors import ApplicationError, Conflict, Forbidden
from kefu.core.periods import Period
from kefu.core.scopes import Actor
from kefu.org.models import Employee
from kefu.policy import selectors as policy_selectors

TRUE = {True, "true", "1", "yes", "on", "是"}
FALSE = {False, "false", "0", "no", "off", "否"}


def _bool(value: Any) -> bool | None:
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    return None


def _int(value: Any, *, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApplicationError(
            f"{workflow.FIELD_LABELS.get(field, field)}不对：{value!r}", extra={"field": field}
        ) from None


def _locked(actor: Actor | None, complaint_id: int, expected_version: int | None) -> Complaint:
    complaint = selectors.complaint_get_for_update(actor=actor, complaint_id=complaint_id)
    _check_version(complaint, expected_version)
    return complaint


def _check_version(complaint: Complaint, expected_version: int | None) -> None:
    if expected_version is None:
        raise ApplicationError("缺少版本号：请从投诉页面提交", extra={"field": "expected_version"})
    if int(expected_version) != complaint.version:
        last = complaint.events.order_by("-at", "-id").first()
        who = f"{last.actor_label} 于 {timezone.localtime(last.at):%H:%M:%S}" if last else "其他人"
        raise Conflict(
            f"这条投诉刚被{who}更新（现为「{complaint.get_status_display()}」，版本 {complaint.version}），"
            "你的操作没有保存：请刷新后再试",
            extra={"expected_version": expected_version, "version": complaint.version, "status": complaint.status},
        )


def _clean(value: Any, limit: int = 5000) -> str:
    return str(value or "").strip()[:limit]


@transaction.atomic
def complaint_act(
    *,
    actor: Actor | None,
    complaint_id: int | None = None,
    action: str,
    expected_version: int | None,
    data: dict[str, Any] | None = None,
    token: str = "",
    now: dt.datetime | None = None,
) -> Complaint:
    """Take one step of the workflow. `token` instead of `complaint_id`: the customer on the status page."""
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in (data or {}).items()}
    if token:
        found = selectors.complaint_by_token(token=token)
        complaint = (
            Complaint.objects.select_for_update(of=("self",)).select_related("unit", "handler__unit").get(id=found.id)
        )
        _check_version(complaint, expected_version)
    else:
        if complaint_id is None:
            raise ApplicationError("缺少投诉编号", extra={"field": "complaint_id"})
        complaint = _locked(actor, complaint_id, expected_version)
    transition = workflow.check(actor, complaint, action, via_token=bool(token))
    missing = workflow.missing_fields(transition, data)
    if missing:
        labels = "、".join(workflow.FIELD_LABELS.get(f, f) for f in missing)
        raise ApplicationError(f"「{transition.label}」还缺：{labels}", extra={"missing": missing})
    now = now or timezone.now()
    before = complaint.status
    text, after = _apply(actor, complaint, action, data, now=now)
    complaint.status = transition.target
    if not complaint.is_open:
        complaint.closed_at = now
    start_step(complaint, now=now)
    complaint.version += 1
    complaint.save()
    event(
        complaint=complaint,
        kind=EventKind.CUSTOMER if token else EventKind.TRANSITION,
        actor=actor,
        action=action,
        from_status=before,
        to_status=complaint.status,
        text=text,
        data=after,
        public=action in PUBLIC_ACTIONS,
        at=now,
        label="客户" if token else "",
    )
    audit.record(
        actor=actor,
        action=f"complaint.{action}",
        obj=complaint,
        before={"status": before},
        after={"status": complaint.status, **after},
    )
    _after(complaint, action)
    return complaint


# What the customer sees on the status page: outcomes meant for them, never internal findings.
PUBLIC_ACTIONS = {"classify", "reject", "assign", "notify", "satisfied", "reopen", "escalate", "close"}


def _apply(
    actor: Actor | None, c: Complaint, action: str, data: dict[str, Any], *, now: dt.datetime
) -> tuple[str, dict[str, Any]]:
    """Set the fields this step records; refuse with a message naming what is wrong."""
    match action:
        case "classify":  # 已登记 -> 已定性
            category = _category(c, data)
            founded, reasonable = _bool(data.get("founded")), _bool(data.get("reasonable"))
            if founded is None or reasonable is None:
                raise ApplicationError(
                    "请判定理由是否充分、要求是否合理（是/否）", extra={"missing": ["founded", "reasonable"]}
                )
            if not founded:
                raise ApplicationError(
                    "理由不充分的投诉请用「不成立结案」，并写明告知客户的原因", extra={"field": "founded"}
                )
            c.category, c.founded, c.reasonable = category, True, reasonable
            note = "" if reasonable else "（客户要求不完全合理，方案可与诉求不同）"
            return f"类别：{category}；理由充分；要求{'合理' if reasonable else '不合理'}{note}", {
                "category": category,
                "reasonable": reasonable,
            }
        case "reject":  # -> 不成立已结案
            c.category = _category(c, data)
            c.founded = False
            c.reasonable = _bool(data.get("reasonable"))
            c.rejection_reason = _clean(data["rejection_reason"])
            return f"投诉不成立：{c.rejection_reason}", {"category": c.category, "reason": c.rejection_reason}
        case "assign":  # 已定性/已升级 -> 已分派
            handler_id = _int(data.get("handler_id"), field="handler_id") or 0
            handler = selectors.assignable_employees(actor=actor, complaint=c).filter(id=handler_id).first()
            if handler is None:
                raise ApplicationError("处理人须是本分公司、在你权限内的员工", extra={"field": "handler_id"})
            previous = c.handler
            c.handler = handler
            text = f"处理人：{handler.name}" + (
                f"（原处理人 {previous.name}）" if previous and previous != handler else ""
            )
            return text, {"handler": handler.id}
        case "investigate":  # 已分派 -> 已调查
            party = data["responsible_party"]
            if party not in ResponsibleParty.values:
                raise ApplicationError(f"未知责任方 {party!r}", extra={"field": "responsible_party"})
            agent = None
            if party == ResponsibleParty.AGENT:
                agent_id = _int(data.get("responsible_agent_id"), field="responsible_agent_id") or c.subject_agent_id
                if agent_id is None:
                    raise ApplicationError("认定客服有责时须指明责任客服", extra={"missing": ["responsible_agent_id"]})
                agent = Employee.objects.filter(id=agent_id, unit__path__startswith=c.unit.path).first()
                if agent is None:
                    raise ApplicationError("责任客服须是本分公司的员工", extra={"field": "responsible_agent_id"})
            c.findings = _clean(data["findings"])
            c.responsible_party, c.responsible_agent = party, agent
            c.responsible_note = _clean(data.get("responsible_note"), 200)
            who = ResponsibleParty(party).label + (f"：{agent.name}" if agent else "")
            if c.responsible_note:
                who += f"（{c.responsible_note}）"
            return f"调查结论：{c.findings}；责任方：{who}", {"party": party, "agent": agent.id if agent else None}
        case "propose":  # 已调查 -> 已提出方案
            kind = data["solution_kind"]
            if kind not in SolutionKind.values:
                raise ApplicationError(f"未知解决方式 {kind!r}", extra={"field": "solution_kind"})
            amount = money(data.get("compensation_amount"), field="compensation_amount", label="赔付金额")
            limit = selectors.approval_limit(complaint=c)
            c.solution_kind, c.solution, c.compensation_amount = kind, _clean(data["solution"]), amount
            c.approval_required = amount > limit
            c.proposed_by, c.approved_by = scopes.signed_in(actor), None
            tail = f"；超过审批上限 ¥{limit}，须审批" if c.approval_required else ""
            return (
                f"方案：{SolutionKind(kind).label}，{c.solution}；金额 ¥{amount}{tail}",
                {"kind": kind, "amount": str(amount), "approval_required": c.approval_required},
            )
        case "approve":  # 已提出方案 -> 方案已审批
            if not c.approval_required:
                raise ApplicationError(
                    f"方案金额 ¥{c.compensation_amount} 未超过审批上限，无需审批，可直接通知客户",
                    extra={"field": "action"},
                )
            if c.proposed_by_id is not None and c.proposed_by_id == getattr(actor, "pk", None):
                raise Forbidden("方案提出人不能审批自己的方案：请由另一位投诉专员或组长审批")
            c.approved_by = scopes.signed_in(actor)
            return f"审批通过：¥{c.compensation_amount}；{_clean(data.get('note'), 300)}".rstrip("；"), {}
        case "notify":  # 已提出方案/已审批 -> 已通知客户
            if c.approval_required and c.status != Status.APPROVED:
                limit = selectors.approval_limit(complaint=c)
                raise ApplicationError(
                    f"方案金额 ¥{c.compensation_amount} 超过审批上限 ¥{limit}：还缺 审批方案",
                    extra={"missing": ["approve"]},
                )
            c.customer_notice = _clean(data["customer_notice"])
            return f"已通知客户：{c.customer_notice}", {"notice": c.customer_notice}
        case "satisfied":  # 已通知客户 -> 客户满意
            c.satisfied, c.feedback = True, _clean(data.get("feedback"))
            return f"客户满意。{c.feedback}".strip(), {"satisfied": True}
        case "reopen" | "escalate":  # 已通知客户 -> 已分派 / 已升级
            c.satisfied, c.feedback = False, _clean(data["feedback"])
            c.reopen_count += 1
            word = "重新处理" if action == "reopen" else "升级给上级处理"
            return f"客户不满意，{word}：{c.feedback}", {"satisfied": False, "reopen_count": c.reopen_count}
        case "assess":  # 客户满意 -> 已定责 (+ penalty)
            return _assess(actor, c, data, now=now)
        case "plan":  # 已定责 -> 整改中
            action_obj = _improvement(actor, c, data)
            return (
                f"整改：{action_obj.get_kind_display()}·{action_obj.description}；"
                f"负责人 {action_obj.owner.name}；期限 {action_obj.due_date}",
                {"improvement": action_obj.id},
            )
        case "close":  # 整改中 -> 已结案
            open_actions = list(c.improvements.filter(status=ImprovementStatus.OPEN))
            if open_actions:
                names = "；".join(a.description[:30] for a in open_actions)
                raise ApplicationError(
                    f"还有 {len(open_actions)} 项整改措施未完成，不能结案：{names}", extra={"missing": ["improvements"]}
                )
            return f"结案。{_clean(data.get('note'), 500)}".strip(), {}
    raise ApplicationError(f"未知操作 {action!r}")  # pragma: no cover - workflow.check knows every action


def _category(c: Complaint, data: dict[str, Any]) -> str:
    category = _clean(data.get("category"), 50)
    allowed = selectors.categories(complaint=c)
    if category not in allowed:
        raise ApplicationError(f"投诉类别须是：{'、'.join(allowed)}", extra={"field": "category"})
    return category


def _band(c: Complaint, loss: Decimal) -> dict[str, Decimal]:
    bands = policy_selectors.effective(
        unit=c.responsible_agent.unit if c.responsible_agent else c.unit, key="complaints.penalty_bands"
    )
    for band in bands:
        if band["loss_from"] <= loss < band["loss_to"]:
            return band  # type: ignore[no-any-return]
    raise ApplicationError(f"扣罚档位表里没有覆盖损失 ¥{loss} 的档位：请集团补全策略 complaints.penalty_bands")


def _assess(actor: Actor | None, c: Complaint, data: dict[str, Any], *, now: dt.datetime) -> tuple[str, dict[str, Any]]:
    loss = money(data["loss_amount"], field="loss_amount", label="损失金额")
    wants = _bool(data.get("apply_penalty"))
    apply_penalty = (c.responsible_party == ResponsibleParty.AGENT) if wants is None else wants
    c.loss_amount = loss
    if not apply_penalty:
        who = c.get_responsible_party_display() or "未认定"
        waiver = _clean(data.get("note"), 300)
        if c.responsible_party == ResponsibleParty.AGENT and not waiver:
            raise ApplicationError("责任客服不扣罚时须写明理由", extra={"missing": ["note"]})
        return f"定责：{who}，损失 ¥{loss}，不扣罚。{waiver}".strip(), {"loss": str(loss), "penalty": None}
    if c.responsible_agent is None:
        raise ApplicationError(
            "没有责任客服，不能扣罚：调查时须认定责任方为客服并指明责任客服",
            extra={"missing": ["responsible_agent_id"]},
        )
    band = _band(c, loss)
    period = Period.containing(now)
    penalty = Penalty.objects.create(
        complaint=c,
        employee=c.responsible_agent,
        period=str(period),
        loss_amount=loss,
        loss_from=band["loss_from"],
        loss_to=band["loss_to"],
        deduct_rate=band["deduct_rate"],
        note=f"投诉 {c.number}：损失 ¥{loss}，按档位扣减绩效工资 {band['deduct_rate'] * 100:.0f}%",
        created_by=scopes.signed_in(actor),
        created_at=now,
    )
    audit.record(
        actor=actor,
        action="complaint.penalty",
        obj=penalty,
        after={"rate": str(band["deduct_rate"]), "period": str(period)},
    )
    event(
        complaint=c,
        kind=EventKind.PENALTY,
        actor=actor,
        text=penalty.note,
        data={"penalty": penalty.id, "rate": str(band["deduct_rate"]), "period": str(period)},
        at=now,
    )
    if c.responsible_agent.user_id:
        core_services.notify(
            recipients=[c.responsible_agent.user],
            kind="penalty",
            key=f"penalty:{penalty.id}",
            **notice(c, f"投诉 {c.number} 认定你负有责任：{period} 绩效工资扣减 {band['deduct_rate'] * 100:.0f}%"),
        )
    return (
        f"定责：客服 {c.responsible_agent.name}，损失 ¥{loss}，扣减 {period} 绩效工资 {band['deduct_rate'] * 100:.0f}%",
        {"loss": str(loss), "penalty": penalty.id},
    )


def _improvement(actor: Actor | None, c: Complaint, data: dict[str, Any]) -> ImprovementAction:
    kind = data.get("improvement_kind")
    if kind not in ImprovementKind.values:
        raise ApplicationError(f"未知整改类型 {kind!r}", extra={"field": "improvement_kind"})
    owner_id = _int(data.get("owner_id"), field="owner_id") or 0
    owner = scopes.restrict(actor, Employee.objects.filter(id=owner_id), employee="").first() if actor else None
    if owner is None:
        owner = (
            Employee.objects.filter(id=owner_id, unit__path__startswith=c.unit.path).first() if actor is None else None
        )
    if owner is None:
        raise ApplicationError("负责人须是你权限内的员工", extra={"field": "owner_id"})
    due = data.get("due_date")
    due_date = due if isinstance(due, dt.date) else parse_date(str(due or ""))
    if due_date is None:
        raise ApplicationError(f"完成期限格式不对：{due!r}（例如 2026-12-31）", extra={"field": "due_date"})
    if due_date < timezone.localdate():
        raise ApplicationError("完成期限不能早于今天", extra={"field": "due_date"})
    action = ImprovementAction.objects.create(
        complaint=c, kind=kind, description=_clean(data["improvement_description"]), owner=owner, due_date=due_date
    )
    audit.record(
        actor=actor, action="complaint.improvement_add", obj=action, after={"owner": owner.id, "due": str(due_date)}
    )
    if owner.user_id:
        core_services.notify(
            recipients=[owner.user],
            kind="improvement",
            key=f"improvement:{action.id}",
            **notice(c, f"投诉 {c.number} 的整改措施由你负责，期限 {due_date}：{action.description[:100]}"),
        )
    return action


def _after(c: Complaint, action: str) -> None:
    """The new owner of the next step hears about it (in-app now, e-mail after commit)."""
    if action == "assign" and c.handler and c.handler.user_id:
        core_services.notify(
            recipients=[c.handler.user],
            kind="assigned",
            key=f"assigned:{c.id}:{c.version}",
            **notice(c, f"投诉 {c.number}（{c.category}）分派给你处理"),
        )
    if action == "propose" and c.approval_required:
        from kefu.complaints.services.sla import officers

        approvers = [u for u in officers(c) if u.pk != c.proposed_by_id]
        core_services.notify(
            recipients=approvers,
            kind="approval",
            key=f"approval:{c.id}:{c.version}",
            **notice(c, f"投诉 {c.number} 的方案 ¥{c.compensation_amount} 超过审批上限，等待审批"),
        )
