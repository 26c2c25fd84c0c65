"""The violation-case workflow in one table: which action moves which status to which, and who may take it.

    待审核 open ─start_review→ 审核中 under_review ─confirm→ 已确认 confirmed ─appeal→ 申诉中 appealed
    审核中 under_review ─dismiss→ 不成立 dismissed
    已确认 confirmed ─finalise→ 终审维持 upheld
    申诉中 appealed ─uphold→ 终审维持 upheld │ ─overturn→ 申诉成立 overturned

Reviewers are QA and branch HR of the case's branch (HQ everywhere); only the case's own agent appeals.
Services call :func:`check`; nobody sets `status` anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from kefu.compliance.models import CaseStatus, ViolationCase
from kefu.core import scopes
from kefu.core.errors import ApplicationError, Forbidden
from kefu.core.scopes import Actor

REVIEWER_ROLES = (scopes.QA, scopes.BRANCH_HR, scopes.HQ_ADMIN)
REVIEWER, AGENT = "reviewer", "agent"


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    who: str
    needs_note: bool = True


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        # 待审核 -> 审核中: a reviewer takes the case
        Transition("start_review", "开始审核", (CaseStatus.OPEN,), CaseStatus.UNDER_REVIEW, REVIEWER, needs_note=False),
        # 审核中 -> 已确认: counts against the agent from now on (score −penalty)
        Transition("confirm", "确认违规", (CaseStatus.UNDER_REVIEW,), CaseStatus.CONFIRMED, REVIEWER),
        # 审核中 -> 不成立: nothing counts
        Transition("dismiss", "判定不成立", (CaseStatus.UNDER_REVIEW,), CaseStatus.DISMISSED, REVIEWER),
        # 已确认 -> 申诉中: the agent disagrees; still counts until overturned
        Transition("appeal", "提出申诉", (CaseStatus.CONFIRMED,), CaseStatus.APPEALED, AGENT),
        # 申诉中 -> 终审维持
        Transition("uphold", "维持原判", (CaseStatus.APPEALED,), CaseStatus.UPHELD, REVIEWER),
        # 申诉中 -> 申诉成立: the deduction is compensated
        Transition("overturn", "申诉成立", (CaseStatus.APPEALED,), CaseStatus.OVERTURNED, REVIEWER),
        # 已确认 -> 终审维持: closed without an appeal
        Transition("finalise", "结案", (CaseStatus.CONFIRMED,), CaseStatus.UPHELD, REVIEWER, needs_note=False),
    )
}

FINAL_STATUSES = (CaseStatus.DISMISSED, CaseStatus.UPHELD, CaseStatus.OVERTURNED)


def is_reviewer(actor: Actor, case: ViolationCase) -> bool:
    return scopes.covers(actor, unit_path=case.unit.path, roles=REVIEWER_ROLES)


def is_own_agent(actor: Actor, case: ViolationCase) -> bool:
    return case.agent_id is not None and scopes.principal(actor).employee_id == case.agent_id


def allowed(actor: Actor, case: ViolationCase) -> list[Transition]:
    """The actions the actor may take on the case now (for buttons)."""
    found = []
    for transition in TRANSITIONS.values():
        if case.status not in transition.sources:
            continue
        if (transition.who == REVIEWER and is_reviewer(actor, case) and not is_own_agent(actor, case)) or (
            transition.who == AGENT and is_own_agent(actor, case)
        ):
            found.append(transition)
    return found


def check(actor: Actor, case: ViolationCase, action: str, note: str) -> Transition:
    """The transition `action` of `case` by `actor`, or a refusal naming what is missing."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ApplicationError(f"未知操作 {action!r}", extra={"field": "action", "allowed": sorted(TRANSITIONS)})
    if transition.who == REVIEWER:
        if not is_reviewer(actor, case):
            raise Forbidden("只有本分公司的质检、人事或集团管理员可以审核案件", extra={"action": action})
        if is_own_agent(actor, case):
            raise Forbidden("不能审核自己的案件", extra={"action": action})
    elif not is_own_agent(actor, case):
        raise Forbidden("只有案件所涉客服本人可以申诉", extra={"action": action})
    if case.status not in transition.sources:
        sources = "、".join(str(CaseStatus(s).label) for s in transition.sources)
        raise ApplicationError(
            f"“{transition.label}”只能用于{sources}的案件，当前为{case.get_status_display()}",
            extra={"status": case.status, "action": action},
        )
    if transition.needs_note and not note.strip():
        raise ApplicationError(f"“{transition.label}”需要填写意见或理由", extra={"field": "note"})
    return transition
