"""Moving a violation case through its workflow (the table is in workflow.py) and the score ledger it drives."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kefu.compliance import selectors, workflow
from kefu.compliance.models import PositiveEvent, ScoreEntry, ViolationCase
from kefu.compliance.services import audience
from kefu.core import audit, scopes
from kefu.core import services as core_services
from kefu.core.errors import Conflict
from kefu.core.periods import Period
from kefu.core.scopes import Actor
from kefu.org.models import Employee
from kefu.policy import selectors as policy_selectors


def score_entry_add(
    *,
    employee: Employee,
    period: Period,
    delta: int,
    reason: str,
    actor: Actor | None,
    case: ViolationCase | None = None,
    positive_event: PositiveEvent | None = None,
) -> ScoreEntry:
    """Append one line to the compliance score ledger (the caller's transaction and audit entry)."""
    return ScoreEntry.objects.create(
        employee=employee,
        period=str(period),
        delta=delta,
        reason=reason[:200],
        case=case,
        positive_event=positive_event,
        created_by=scopes.signed_in(actor),
    )


@transaction.atomic
def violation_case_act(
    *, actor: Actor, case_id: int, action: str, note: str = "", expected_version: int | None = None
) -> ViolationCase:
    """One workflow step by a reviewer (QA / branch HR / HQ) or the case's agent (appeal).

    Confirming deducts the policy's penalty from the agent's score of the violation's month; an appeal
    that succeeds adds it back as a compensating ledger line. Every step is audited; the agent is told.
    """
    case = selectors.violation_case_get_for_update(actor=actor, case_id=case_id)
    if expected_version is not None and expected_version != case.version:
        raise Conflict("案件已被他人处理，请刷新后再操作", extra={"version": case.version})
    transition = workflow.check(actor, case, action, note)
    before = case.status
    now = timezone.now()
    note = note.strip()
    case.status = transition.target
    case.version += 1
    fields = ["status", "version"]
    if action in ("confirm", "dismiss"):
        case.reviewer, case.decided_at, case.decision_note = scopes.signed_in(actor), now, note
        fields += ["reviewer", "decided_at", "decision_note"]
    elif action == "appeal":
        case.appealed_at, case.appeal_note = now, note
        fields += ["appealed_at", "appeal_note"]
    elif action in ("uphold", "overturn", "finalise"):
        case.final_note = note
        fields.append("final_note")
    if case.status in workflow.FINAL_STATUSES:
        case.closed_at = now
        fields.append("closed_at")
    case.save(update_fields=fields)

    period = Period.containing(case.day)
    if case.agent is not None and action in ("confirm", "overturn"):
        penalty = int(policy_selectors.effective(unit=case.unit, key="compliance.violation_penalty"))
        delta = -penalty if action == "confirm" else penalty
        reason = f"违规案件 {case.number} 确认" if action == "confirm" else f"违规案件 {case.number} 申诉成立，撤销扣分"
        score_entry_add(employee=case.agent, period=period, delta=delta, reason=reason, actor=actor, case=case)

    audit.record(actor=actor, action=f"violation_case.{action}", obj=case, before=before, after=case.status, note=note)
    if case.agent is not None and action != "appeal":
        core_services.notify(
            app="compliance",
            recipients=[audience.user_of_employee(case.agent_id)],
            kind="case_update",
            title=f"你的合规案件 {case.number}：{case.get_status_display()}",
            body=note,
            subject=case,
            url=reverse("compliance:case_detail", args=[case.id]),
            email=False,
        )
    if action == "appeal":
        core_services.notify(
            app="compliance",
            recipients=audience.branch_hr_users(case.unit),
            kind="case_update",
            title=f"合规案件 {case.number} 被申诉：{case.agent}",
            body=note,
            subject=case,
            url=reverse("compliance:case_detail", args=[case.id]),
        )
    return case
