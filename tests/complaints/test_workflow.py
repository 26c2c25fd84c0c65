"""The whole workflow, each refusal, optimistic locking, and the penalty reaching the pay calculation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kefu.complaints import selectors, services
from kefu.complaints.models import ComplaintEvent, EventKind, ImprovementStatus, Penalty, Status
from kefu.core import scopes
from kefu.core.append_only import AppendOnlyViolation
from kefu.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from kefu.core.models import AuditEntry, Notification
from kefu.core.periods import Period
from kefu.policy import services as policy_services

FULL = ("classify", "assign", "investigate", "propose", "notify", "satisfied", "assess", "plan")


def test_complaint_from_chat_links_conversation_order_and_agent(world: Any, raised: Any, chat: Any) -> None:
    conversation, order = chat
    assert raised.status == Status.RECORDED
    assert raised.conversation_id == conversation.id
    assert raised.order_id == order.id  # the order mentioned in the chat
    assert raised.subject_agent_id == world.me.id
    assert raised.unit_id == world.branch_a.id
    assert raised.number.startswith("TS")
    assert {e.kind for e in raised.evidence.all()} == {"conversation", "order"}
    assert raised.due_at is not None  # SLA of the first step started
    assert AuditEntry.objects.filter(action="complaint.record", object_id=str(raised.id)).exists()


def test_whole_workflow_to_closed(world: Any, raised: Any, walk: Any, officer: Any, handler: Any) -> None:
    complaint = walk(raised, *FULL)
    assert complaint.status == Status.IMPROVING
    assert complaint.category == "商品质量" and complaint.founded and complaint.reasonable
    assert complaint.handler == handler.employee
    assert complaint.responsible_agent == world.me  # defaults to the agent complained about
    improvement = complaint.improvements.get()
    lead = world.users[scopes.TEAM_LEAD]

    services.improvement_complete(actor=lead, improvement_id=improvement.id, note="已完成全组培训")
    complaint.refresh_from_db()
    complaint = services.complaint_act(
        actor=officer, complaint_id=complaint.id, action="close", expected_version=complaint.version
    )

    assert complaint.status == Status.CLOSED and complaint.closed_at is not None
    improvement.refresh_from_db()
    assert improvement.status == ImprovementStatus.DONE
    actions = list(complaint.events.filter(kind=EventKind.TRANSITION).values_list("action", flat=True))
    assert actions == [*FULL, "close"]
    audited = set(
        AuditEntry.objects.filter(object_id=str(complaint.id), action__startswith="complaint.").values_list(
            "action", flat=True
        )
    )
    assert {f"complaint.{a}" for a in [*FULL, "close"]} <= audited


def test_penalty_by_loss_band_appears_for_the_pay_calculation(world: Any, raised: Any, walk: Any) -> None:
    complaint = walk(raised, *FULL[:7])  # through assess: loss 308.00 -> band 0–500 -> 5%
    period = Period.containing(timezone.now())
    penalties = selectors.penalties_for_period(world.me, period)
    assert [(p.complaint_id, p.deduct_rate, p.loss_amount) for p in penalties] == [
        (complaint.id, Decimal("0.0500"), Decimal("308.00"))
    ]
    assert selectors.net_deduct_rate(world.me.id, str(period)) == Decimal("0.05")
    assert selectors.penalties_for_period(world.me, period.next()) == []
    assert Notification.objects.filter(recipient=world.users[scopes.AGENT], kind="penalty").exists()
    with pytest.raises(AppendOnlyViolation):
        Penalty.objects.filter(id=penalties[0].id).update(deduct_rate=0)


def test_penalty_band_follows_policy_table(world: Any, raised: Any, walk: Any, officer: Any) -> None:
    complaint = walk(raised, *FULL[:6])
    complaint = services.complaint_act(
        actor=officer,
        complaint_id=complaint.id,
        action="assess",
        expected_version=complaint.version,
        data={"loss_amount": "6000"},
    )
    assert Penalty.objects.get(complaint=complaint).deduct_rate == Decimal("0.2000")


def test_revoked_penalty_is_a_compensating_row(world: Any, raised: Any, walk: Any, officer: Any) -> None:
    walk(raised, *FULL[:7])
    penalty = Penalty.objects.get()
    services.penalty_revoke(actor=officer, penalty_id=penalty.id, reason="申诉成立：包装问题属仓库")
    assert selectors.net_deduct_rate(world.me, penalty.period) == Decimal("0")
    assert len(selectors.penalties_for_period(world.me, penalty.period)) == 2
    with pytest.raises(ApplicationError, match="已经撤销"):
        services.penalty_revoke(actor=officer, penalty_id=penalty.id, reason="再撤一次")


def test_no_penalty_without_a_responsible_agent(raised: Any, walk: Any, officer: Any) -> None:
    complaint = walk(raised, "classify", "assign")
    complaint = services.complaint_act(
        actor=officer,
        complaint_id=complaint.id,
        action="investigate",
        expected_version=complaint.version,
        data={"findings": "物流挤压", "responsible_party": "logistics"},
    )
    complaint = walk(complaint, "propose", "notify", "satisfied")
    with pytest.raises(ApplicationError, match="没有责任客服，不能扣罚"):
        services.complaint_act(
            actor=officer,
            complaint_id=complaint.id,
            action="assess",
            expected_version=complaint.version,
            data={"loss_amount": "100", "apply_penalty": "true"},
        )
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED and not Penalty.objects.exists()
    # Without asking for a penalty, the logistics finding is recorded and nobody is penalised.
    complaint = services.complaint_act(
        actor=officer,
        complaint_id=complaint.id,
        action="assess",
        expected_version=complaint.version,
        data={"loss_amount": "100"},
    )
    assert complaint.status == Status.ASSESSED and not Penalty.objects.exists()


def test_closing_before_the_customer_was_notified_names_what_is_missing(raised: Any, walk: Any, officer: Any) -> None:
    complaint = walk(raised, "classify", "assign", "investigate", "propose")
    with pytest.raises(ApplicationError) as refused:
        services.complaint_act(
            actor=officer, complaint_id=complaint.id, action="close", expected_version=complaint.version
        )
    assert "还缺 通知客户 → 记录客户满意的反馈 → 定责 → 制定整改措施" in refused.value.message
    complaint.refresh_from_db()
    assert complaint.status == Status.PROPOSED


def test_missing_fields_are_named(raised: Any, officer: Any) -> None:
    with pytest.raises(ApplicationError, match="「定性判定」还缺：投诉类别、理由是否充分"):
        services.complaint_act(
            actor=officer,
            complaint_id=raised.id,
            action="classify",
            expected_version=raised.version,
            data={"reasonable": "true"},
        )


def test_category_must_come_from_the_policy_list(world: Any, raised: Any, officer: Any) -> None:
    data = {"category": "其他", "founded": "true", "reasonable": "true"}
    with pytest.raises(ApplicationError, match="投诉类别须是：商品质量"):
        services.complaint_act(actor=officer, complaint_id=raised.id, action="classify", expected_version=1, data=data)
    policy_services.policy_set(
        actor=world.users[scopes.HQ_ADMIN],
        key="complaints.categories",
        unit_id=world.group.id,
        value=["商品质量", "购销合同", "货物运输", "服务", "建议/意见", "其他"],
        locked=True,
        note="集团新增类别",
    )
    complaint = services.complaint_act(
        actor=officer, complaint_id=raised.id, action="classify", expected_version=1, data=data
    )
    assert complaint.category == "其他"


def test_unfounded_complaint_closes_with_reason_the_customer_sees(raised: Any, officer: Any) -> None:
    with pytest.raises(ApplicationError, match="不成立结案"):
        services.complaint_act(
            actor=officer,
            complaint_id=raised.id,
            action="classify",
            expected_version=1,
            data={"category": "服务", "founded": "false", "reasonable": "false"},
        )
    complaint = services.complaint_act(
        actor=officer,
        complaint_id=raised.id,
        action="reject",
        expected_version=1,
        data={"category": "服务", "rejection_reason": "经核查聊天记录，客服已按规定答复"},
    )
    assert complaint.status == Status.REJECTED and complaint.founded is False and complaint.closed_at
    shown = selectors.timeline(complaint=complaint, public_only=True)
    assert any("经核查聊天记录" in e.text for e in shown)
    with pytest.raises(ApplicationError, match="不能再"):
        services.complaint_act(
            actor=officer, complaint_id=complaint.id, action="assign", expected_version=complaint.version
        )


def test_solution_above_limit_needs_approval_by_someone_else(world: Any, raised: Any, walk: Any, officer: Any) -> None:
    complaint = walk(raised, "classify", "assign", "investigate")
    complaint = services.complaint_act(
        actor=officer,
        complaint_id=complaint.id,
        action="propose",
        expected_version=complaint.version,
        data={"solution_kind": "compensation", "solution": "赔偿", "compensation_amount": "800.00"},
    )
    assert complaint.approval_required
    with pytest.raises(ApplicationError, match=r"超过审批上限 ¥500\.00：还缺 审批方案"):
        walk(complaint, "notify")
    with pytest.raises(Forbidden, match="不能审批自己的方案"):
        walk(complaint, "approve")
    lead = world.users[scopes.TEAM_LEAD]  # the handler's team lead
    complaint = services.complaint_act(
        actor=lead, complaint_id=complaint.id, action="approve", expected_version=complaint.version
    )
    assert complaint.status == Status.APPROVED and complaint.approved_by == lead
    assert walk(complaint, "notify").status == Status.NOTIFIED


def test_small_solution_needs_no_approval(raised: Any, walk: Any) -> None:
    complaint = walk(raised, "classify", "assign", "investigate", "propose")
    with pytest.raises(ApplicationError, match="无需审批"):
        walk(complaint, "approve")


@pytest.mark.parametrize("amount", ["-5", "abc", "1e3x", "NaN"])
def test_amounts_are_validated_money(raised: Any, walk: Any, officer: Any, amount: str) -> None:
    complaint = walk(raised, "classify", "assign", "investigate")
    with pytest.raises(ApplicationError, match="赔付金额"):
        services.complaint_act(
            actor=officer,
            complaint_id=complaint.id,
            action="propose",
            expected_version=complaint.version,
            data={"solution_kind": "refund", "solution": "退款", "compensation_amount": amount},
        )


def test_unsatisfied_customer_reopens_then_escalates(raised: Any, walk: Any, officer: Any, handler: Any) -> None:
    complaint = walk(raised, "classify", "assign", "investigate", "propose", "notify")
    complaint = services.complaint_act(
        actor=handler,
        complaint_id=complaint.id,
        action="reopen",
        expected_version=complaint.version,
        data={"feedback": "杯子还是漏水"},
    )
    assert complaint.status == Status.ASSIGNED and complaint.reopen_count == 1 and complaint.satisfied is False
    complaint = walk(complaint, "investigate", "propose", "notify")
    complaint = services.complaint_act(
        actor=officer,
        complaint_id=complaint.id,
        action="escalate",
        expected_version=complaint.version,
        data={"feedback": "要求主管处理"},
    )
    assert complaint.status == Status.ESCALATED
    assert walk(complaint, "assign").status == Status.ASSIGNED


def test_second_of_two_concurrent_actors_gets_a_conflict(raised: Any, officer: Any, world: Any) -> None:
    seen = raised.version
    services.complaint_act(
        actor=officer,
        complaint_id=raised.id,
        action="classify",
        expected_version=seen,
        data={"category": "服务", "founded": "true", "reasonable": "true"},
    )
    with pytest.raises(Conflict, match=r"刚被.*更新.*请刷新"):
        services.complaint_act(
            actor=world.users[scopes.HQ_ADMIN],
            complaint_id=raised.id,
            action="reject",
            expected_version=seen,
            data={"category": "服务", "rejection_reason": "重复投诉"},
        )
    raised.refresh_from_db()
    assert raised.status == Status.CLASSIFIED and raised.version == seen + 1


def test_only_the_right_people_take_each_step(world: Any, raised: Any, walk: Any, handler: Any) -> None:
    agent = world.users[scopes.AGENT]  # the agent complained about sees the case but cannot judge it
    with pytest.raises(Forbidden, match="只有投诉专员可以「定性判定」"):
        services.complaint_act(
            actor=agent,
            complaint_id=raised.id,
            action="classify",
            expected_version=1,
            data={"category": "服务", "founded": "true", "reasonable": "true"},
        )
    complaint = walk(raised, "classify", "assign")
    # The handler investigates their own case.
    complaint = services.complaint_act(
        actor=handler,
        complaint_id=complaint.id,
        action="investigate",
        expected_version=complaint.version,
        data={"findings": "核实", "responsible_party": "supplier"},
    )
    assert complaint.status == Status.INVESTIGATED


def test_foreign_branch_officer_gets_not_found(world: Any, raised: Any) -> None:
    from tests.factories import make_user

    foreign = make_user("hn_officer", role=scopes.COMPLAINTS_OFFICER, unit=world.branch_b)
    with pytest.raises(NotFound):
        services.complaint_act(actor=foreign, complaint_id=raised.id, action="classify", expected_version=1, data={})
    assert not ComplaintEvent.objects.filter(complaint=raised, kind=EventKind.TRANSITION).exists()


def test_close_waits_for_every_improvement_action(world: Any, raised: Any, walk: Any, officer: Any) -> None:
    complaint = walk(raised, *FULL)
    services.improvement_add(
        actor=officer,
        complaint_id=complaint.id,
        expected_version=complaint.version,
        data={
            "improvement_kind": "rule",
            "improvement_description": "修订易碎品发货规则",
            "owner_id": world.me.id,
            "due_date": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
        },
    )
    first = complaint.improvements.order_by("id").first()
    services.improvement_complete(actor=officer, improvement_id=first.id, note="培训完成")
    complaint.refresh_from_db()
    with pytest.raises(ApplicationError, match="还有 1 项整改措施未完成"):
        services.complaint_act(
            actor=officer, complaint_id=complaint.id, action="close", expected_version=complaint.version
        )
    # The owner (the agent) completes their own action.
    second = complaint.improvements.order_by("id").last()
    services.improvement_complete(actor=world.users[scopes.AGENT], improvement_id=second.id, note="规则已发布")
    complaint.refresh_from_db()
    assert (
        services.complaint_act(
            actor=officer, complaint_id=complaint.id, action="close", expected_version=complaint.version
        ).status
        == Status.CLOSED
    )


def test_improvement_due_date_cannot_be_in_the_past(world: Any, raised: Any, walk: Any, officer: Any) -> None:
    complaint = walk(raised, *FULL[:7])
    with pytest.raises(ApplicationError, match="不能早于今天"):
        services.complaint_act(
            actor=officer,
            complaint_id=complaint.id,
            action="plan",
            expected_version=complaint.version,
            data={
                "improvement_kind": "training",
                "improvement_description": "培训",
                "owner_id": world.me.id,
                "due_date": "2020-01-01",
            },
        )


def test_timeline_is_append_only(raised: Any) -> None:
    with pytest.raises(AppendOnlyViolation):
        raised.events.first().delete()


def test_handler_suggestion_prefers_light_load_and_experience(world: Any, raised: Any, walk: Any, handler: Any) -> None:
    from tests.factories import EmployeeFactory, make_user

    other = EmployeeFactory(name="处理员小林", employee_no="A0101", unit=world.team_a1)
    make_user("handler_lin", role=scopes.COMPLAINTS_OFFICER, unit=world.branch_a, employee=other)
    walk(raised, "classify", "assign")  # the handler now has one open case
    fresh = services.complaint_record(
        actor=world.users[scopes.COMPLAINTS_OFFICER],
        customer_id=raised.customer_id,
        content="再次投诉",
        amount_at_stake="10",
    )
    suggestions = selectors.handler_suggestions(complaint=fresh)
    assert suggestions[0].employee == other or suggestions[0].open_cases == 0
    loads = {s.employee.id: s.open_cases for s in suggestions}
    assert loads[handler.employee.id] == 1
