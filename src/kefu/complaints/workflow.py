"""The complaint workflow in one table (seed 004's 投诉管理流程): which action moves which status to
which, who may take it, and what it needs. Services call :func:`check`; nothing else decides.

Who may act, by token:
  office   — a complaints officer of the complaint's branch, or HQ
  handler  — the employee the complaint is assigned to
  lead     — a team lead over the handler (approvals, improvement plans)
  customer — the customer, through the status link (feedback only)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kefu.complaints.models import Complaint, Status
from kefu.core import scopes
from kefu.core.errors import ApplicationError, Forbidden
from kefu.core.scopes import Actor

DEFAULT_CATEGORIES = ("商品质量", "购销合同", "货物运输", "服务", "建议/意见")

# Hours allowed per step ("*" = every category); the sweep reminds before and escalates after.
DEFAULT_SLA: list[dict[str, Any]] = [
    {"step": "recorded", "category": "*", "hours": "4"},
    {"step": "classified", "category": "*", "hours": "8"},
    {"step": "assigned", "category": "*", "hours": "24"},
    {"step": "assigned", "category": "商品质量", "hours": "48"},
    {"step": "investigated", "category": "*", "hours": "24"},
    {"step": "proposed", "category": "*", "hours": "8"},
    {"step": "approved", "category": "*", "hours": "8"},
    {"step": "notified", "category": "*", "hours": "48"},
    {"step": "escalated", "category": "*", "hours": "8"},
    {"step": "resolved", "category": "*", "hours": "72"},
    {"step": "assessed", "category": "*", "hours": "72"},
]

OFFICE, HANDLER, LEAD, CUSTOMER = "office", "handler", "lead", "customer"
WHO_LABELS = {OFFICE: "投诉专员", HANDLER: "处理人", LEAD: "处理人的组长", CUSTOMER: "客户"}
OFFICE_ROLES = (scopes.COMPLAINTS_OFFICER, scopes.HQ_ADMIN)


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    who: tuple[str, ...]
    needs: tuple[str, ...] = ()  # form fields that must be filled (named in the refusal)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        # 已登记 -> 已定性: category and judgement (理由充分, 要求合理)
        Transition(
            "classify",
            "定性判定",
            (Status.RECORDED,),
            Status.CLASSIFIED,
            (OFFICE,),
            ("category", "founded", "reasonable"),
        ),
        # 已登记/已定性 -> 不成立已结案: the reason is what the customer is told
        Transition(
            "reject",
            "不成立结案",
            (Status.RECORDED, Status.CLASSIFIED),
            Status.REJECTED,
            (OFFICE,),
            ("category", "rejection_reason"),
        ),
        # 已定性/已升级 -> 已分派: a handler who owns the case from here
        Transition(
            "assign", "分派处理人", (Status.CLASSIFIED, Status.ESCALATED), Status.ASSIGNED, (OFFICE,), ("handler_id",)
        ),
        # 已分派 -> 已调查: findings, responsible party, evidence
        Transition(
            "investigate",
            "调查定因",
            (Status.ASSIGNED,),
            Status.INVESTIGATED,
            (OFFICE, HANDLER),
            ("findings", "responsible_party"),
        ),
        # 已调查 -> 已提出方案
        Transition(
            "propose",
            "提出方案",
            (Status.INVESTIGATED,),
            Status.PROPOSED,
            (OFFICE, HANDLER),
            ("solution_kind", "solution", "compensation_amount"),
        ),
        # 已提出方案 -> 方案已审批 (only when above the policy limit; never by the proposer)
        Transition("approve", "审批方案", (Status.PROPOSED,), Status.APPROVED, (OFFICE, LEAD)),
        # 已提出方案/已审批 -> 已通知客户
        Transition(
            "notify",
            "通知客户",
            (Status.PROPOSED, Status.APPROVED),
            Status.NOTIFIED,
            (OFFICE, HANDLER),
            ("customer_notice",),
        ),
        # 已通知客户 -> 客户满意
        Transition("satisfied", "客户满意", (Status.NOTIFIED,), Status.RESOLVED, (OFFICE, HANDLER, CUSTOMER)),
        # 已通知客户 -> 已分派: unsatisfied, the handler investigates again
        Transition(
            "reopen", "不满意·重新处理", (Status.NOTIFIED,), Status.ASSIGNED, (OFFICE, HANDLER, CUSTOMER), ("feedback",)
        ),
        # 已通知客户 -> 已升级: unsatisfied, a more senior handler takes over
        Transition(
            "escalate", "不满意·升级", (Status.NOTIFIED,), Status.ESCALATED, (OFFICE, HANDLER, CUSTOMER), ("feedback",)
        ),
        # 客户满意 -> 已定责: loss and, when an agent is responsible, the penalty from the policy bands
        Transition("assess", "定责处罚", (Status.RESOLVED,), Status.ASSESSED, (OFFICE,), ("loss_amount",)),
        # 已定责 -> 整改中: what changes, who owns it, by when
        Transition(
            "plan",
            "制定整改",
            (Status.ASSESSED,),
            Status.IMPROVING,
            (OFFICE, LEAD),
            ("improvement_kind", "improvement_description", "owner_id", "due_date"),
        ),
        # 整改中 -> 已结案: every improvement action done
        Transition("close", "结案", (Status.IMPROVING,), Status.CLOSED, (OFFICE,)),
    )
}

# The main path; a refusal names the steps between where the complaint is and where the action starts.
PATH = [
    Status.RECORDED,
    Status.CLASSIFIED,
    Status.ASSIGNED,
    Status.INVESTIGATED,
    Status.PROPOSED,
    Status.NOTIFIED,
    Status.RESOLVED,
    Status.ASSESSED,
    Status.IMPROVING,
    Status.CLOSED,
]
STEP_INTO = {
    Status.CLASSIFIED: "定性判定",
    Status.ASSIGNED: "分派处理人",
    Status.INVESTIGATED: "调查定因",
    Status.PROPOSED: "提出方案",
    Status.NOTIFIED: "通知客户",
    Status.RESOLVED: "记录客户满意的反馈",
    Status.ASSESSED: "定责",
    Status.IMPROVING: "制定整改措施",
    Status.CLOSED: "结案",
}
FIELD_LABELS = {
    "category": "投诉类别",
    "founded": "理由是否充分",
    "reasonable": "要求是否合理",
    "rejection_reason": "不成立原因（告知客户）",
    "handler_id": "处理人",
    "findings": "调查结论",
    "responsible_party": "责任方",
    "responsible_agent_id": "责任客服",
    "solution_kind": "解决方式",
    "solution": "方案内容",
    "compensation_amount": "赔付金额",
    "customer_notice": "告知客户的内容",
    "feedback": "客户反馈",
    "loss_amount": "损失金额",
    "improvement_kind": "整改类型",
    "improvement_description": "改进内容",
    "owner_id": "负责人",
    "due_date": "完成期限",
}


def _position(status: str) -> int:
    # An escalated complaint waits for assignment; an approved one sits where a proposal does.
    aliases: dict[str, str] = {Status.ESCALATED: Status.CLASSIFIED, Status.APPROVED: Status.PROPOSED}
    status = aliases.get(status, status)
    values = [str(s) for s in PATH]
    return values.index(status) if status in values else -1


def roles_of(actor: Actor | None, complaint: Complaint, *, via_token: bool = False) -> set[str]:
    """The workflow tokens the actor holds on this complaint."""
    if via_token:
        return {CUSTOMER}
    held: set[str] = set()
    if scopes.covers(actor, unit_path=complaint.unit.path, roles=OFFICE_ROLES):
        held.add(OFFICE)
    employee_id = scopes.principal(actor).employee_id
    if employee_id is not None and employee_id == complaint.handler_id:
        held.add(HANDLER)
    if complaint.handler is not None and scopes.covers(
        actor, unit_path=complaint.handler.unit.path, roles=(scopes.TEAM_LEAD,)
    ):
        held.add(LEAD)
    return held


def out_of_order(complaint: Complaint, transition: Transition) -> ApplicationError:
    current = Status(complaint.status).label
    if not complaint.is_open:
        return ApplicationError(
            f"投诉已{current}，不能再「{transition.label}」", extra={"status": complaint.status, "missing": []}
        )
    here = _position(complaint.status)
    starts = [_position(s) for s in transition.sources]
    ahead = [p for p in starts if p > here]
    if ahead:
        steps = [STEP_INTO[PATH[i]] for i in range(here + 1, min(ahead) + 1)]
        return ApplicationError(
            f"当前状态为「{current}」，还不能「{transition.label}」：还缺 {' → '.join(steps)}",
            extra={"status": complaint.status, "missing": steps},
        )
    return ApplicationError(
        f"当前状态为「{current}」，这一步「{transition.label}」已经过了",
        extra={"status": complaint.status, "missing": []},
    )


def get(action: str) -> Transition:
    try:
        return TRANSITIONS[action]
    except KeyError:
        raise ApplicationError(f"未知操作 {action!r}", extra={"field": "action"}) from None


def check(actor: Actor | None, complaint: Complaint, action: str, *, via_token: bool = False) -> Transition:
    """Refuse unless the complaint's status and the actor's part allow `action` now."""
    transition = get(action)
    if complaint.status not in transition.sources:
        raise out_of_order(complaint, transition)
    if not roles_of(actor, complaint, via_token=via_token) & set(transition.who):
        who = "、".join(WHO_LABELS[w] for w in transition.who)
        raise Forbidden(f"只有{who}可以「{transition.label}」", extra={"who": list(transition.who)})
    return transition


def allowed(actor: Actor | None, complaint: Complaint) -> list[Transition]:
    """The next actions this actor may take now (the complaint page shows these as forms)."""
    held = roles_of(actor, complaint)
    return [t for t in TRANSITIONS.values() if complaint.status in t.sources and held & set(t.who)]


def missing_fields(transition: Transition, data: dict[str, Any]) -> list[str]:
    return [f for f in transition.needs if data.get(f) in (None, "", [])]
