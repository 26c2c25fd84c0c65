"""The case workflow (open → under review → confirmed/dismissed → appealed → final), its audit trail, who may
take each step, and the compliance score that follows only confirmed violations."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kefu.compliance import selectors, services
from kefu.compliance.models import CaseStatus, ScoreEntry, ViolationCase
from kefu.core import scopes
from kefu.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from kefu.core.models import AuditEntry, Notification
from kefu.core.periods import Period
from kefu.policy import services as policy_services
from tests.factories import EmployeeFactory, make_user


@pytest.fixture
def case(world, active, send) -> ViolationCase:
    message = send(active, "加我微信 wx_zhang88 私聊").message
    return ViolationCase.objects.get(events__message=message)


def _period(case: ViolationCase) -> Period:
    return Period.containing(case.day)


def _score(world: Any, case: ViolationCase) -> int:
    return selectors.compliance_score(world.me, _period(case)).score


def test_confirmed_case_costs_five_points_and_an_upheld_appeal_keeps_it(world, case, qa, hr, agent) -> None:
    assert _score(world, case) == 100

    services.violation_case_act(actor=qa, case_id=case.id, action="start_review")
    services.violation_case_act(actor=hr, case_id=case.id, action="confirm", note="聊天记录确认私加微信")
    assert _score(world, case) == 95
    score = selectors.compliance_score(world.me, _period(case))
    assert score.confirmed == 1 and score.bonus_eligible and score.weight == Decimal("0.20")

    services.violation_case_act(actor=agent, case_id=case.id, action="appeal", note="是客户先发的，我只是复述")
    services.violation_case_act(actor=qa, case_id=case.id, action="uphold", note="记录显示为客服主动发送")

    case.refresh_from_db()
    assert case.status == CaseStatus.UPHELD and case.closed_at is not None
    assert _score(world, case) == 95
    actions = list(
        AuditEntry.objects.filter(object_type="compliance.violationcase", object_id=str(case.id)).values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "violation_case.open",
        "violation_case.start_review",
        "violation_case.confirm",
        "violation_case.appeal",
        "violation_case.uphold",
    ]
    assert Notification.objects.filter(recipient=agent, kind="case_update").count() == 3


def test_successful_appeal_gives_the_points_back_with_a_compensating_line(world, case, qa, hr, agent) -> None:
    services.violation_case_act(actor=qa, case_id=case.id, action="start_review")
    services.violation_case_act(actor=qa, case_id=case.id, action="confirm", note="确认")
    services.violation_case_act(actor=agent, case_id=case.id, action="appeal", note="客户的微信号，我在提醒他勿外泄")
    services.violation_case_act(actor=hr, case_id=case.id, action="overturn", note="申诉成立")

    assert _score(world, case) == 100
    assert list(ScoreEntry.objects.filter(case=case).values_list("delta", flat=True)) == [-5, 5]
    assert selectors.compliance_score(world.me, _period(case)).confirmed == 0


def test_dismissed_case_does_not_count(world, case, qa) -> None:
    services.violation_case_act(actor=qa, case_id=case.id, action="start_review")
    services.violation_case_act(actor=qa, case_id=case.id, action="dismiss", note="系统误判")

    assert _score(world, case) == 100
    assert not ScoreEntry.objects.filter(employee=world.me).exists()


def test_steps_out_of_order_or_without_a_note_are_refused_and_change_nothing(case, qa, agent) -> None:
    with pytest.raises(ApplicationError, match="审核中"):
        services.violation_case_act(actor=qa, case_id=case.id, action="confirm", note="跳过审核")
    services.violation_case_act(actor=qa, case_id=case.id, action="start_review")
    with pytest.raises(ApplicationError, match="意见"):
        services.violation_case_act(actor=qa, case_id=case.id, action="confirm", note="  ")
    with pytest.raises(Conflict):
        services.violation_case_act(actor=qa, case_id=case.id, action="confirm", note="确认", expected_version=1)

    case.refresh_from_db()
    assert case.status == CaseStatus.UNDER_REVIEW
    assert not ScoreEntry.objects.exists()


def test_the_agent_cannot_review_and_others_cannot_appeal(world, case, qa, agent) -> None:
    with pytest.raises(Forbidden):
        services.violation_case_act(actor=agent, case_id=case.id, action="start_review")
    services.violation_case_act(actor=qa, case_id=case.id, action="start_review")
    services.violation_case_act(actor=qa, case_id=case.id, action="confirm", note="确认")
    with pytest.raises(Forbidden):
        services.violation_case_act(actor=qa, case_id=case.id, action="appeal", note="替他申诉")
    lead = world.users[scopes.TEAM_LEAD]
    with pytest.raises(Forbidden):
        services.violation_case_act(actor=lead, case_id=case.id, action="finalise")


def test_branch_hr_of_another_branch_cannot_see_or_confirm(world, case, qa) -> None:
    hr_b = make_user("hr_b", role=scopes.BRANCH_HR, unit=world.branch_b)
    services.violation_case_act(actor=qa, case_id=case.id, action="start_review")

    with pytest.raises(NotFound):
        services.violation_case_act(actor=hr_b, case_id=case.id, action="confirm", note="越权")
    assert case.id not in {c.id for c in selectors.violation_case_list(actor=hr_b)}
    case.refresh_from_db()
    assert case.status == CaseStatus.UNDER_REVIEW


def test_agent_sees_only_own_cases(world, case) -> None:
    colleague = EmployeeFactory(name="同组同事", unit=world.team_a1)
    other = make_user("colleague", role=scopes.AGENT, unit=world.team_a1, employee=colleague)

    assert case.id in {c.id for c in selectors.violation_case_list(actor=world.users[scopes.AGENT])}
    assert not selectors.violation_case_list(actor=other).filter(id=case.id).exists()
    with pytest.raises(NotFound):
        selectors.score_detail(actor=other, employee_id=world.me.id, period=_period(case))


def test_score_floors_at_zero_and_loses_bonus_eligibility(world, case, qa) -> None:
    hq = world.users[scopes.HQ_ADMIN]
    policy_services.policy_set(actor=hq, key="compliance.violation_penalty", unit_id=world.group.id, value=60)
    services.violation_case_act(actor=qa, case_id=case.id, action="start_review")
    services.violation_case_act(actor=qa, case_id=case.id, action="confirm", note="确认")
    second = ViolationCase.objects.create(
        kind="chat", agent=world.me, unit=world.team_a1, day=case.day, status=CaseStatus.UNDER_REVIEW
    )
    services.violation_case_act(actor=qa, case_id=second.id, action="confirm", note="确认")

    score = selectors.compliance_score(world.me, _period(case))
    assert score.score == 0 and not score.bonus_eligible and score.deductions == 120


def test_score_drop_below_threshold_loses_bonus(world, case, qa) -> None:
    hq = world.users[scopes.HQ_ADMIN]
    policy_services.policy_set(actor=hq, key="compliance.violation_penalty", unit_id=world.group.id, value=11)
    services.violation_case_act(actor=qa, case_id=case.id, action="start_review")
    services.violation_case_act(actor=qa, case_id=case.id, action="confirm", note="确认")

    score = selectors.compliance_score(world.me, _period(case))
    assert score.score == 89 and not score.bonus_eligible
