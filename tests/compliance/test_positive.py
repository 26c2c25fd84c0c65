"""Positive events: an agent reports a refused red packet pointing at the chat; once verified it counts in
the agent's favour as policy says; monthly 合规标兵 for zero confirmed violations and verified refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kefu.compliance import selectors, services
from kefu.compliance.models import Honour, PositiveStatus, ScoreEntry, ViolationCase
from kefu.core import scopes
from kefu.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from kefu.core.periods import Period
from kefu.policy import services as policy_services


@pytest.fixture
def offer(active, send):
    return send(active, "亲，给你发个红包感谢一下吧", by="customer").message


def test_verified_refusal_adds_the_policy_bonus_up_to_the_start(world, active, send, offer, agent, qa) -> None:
    send(active, "谢谢您，公司规定不能收红包，心意领了")
    event = services.positive_event_report(actor=agent, message_id=offer.id, kind="refused_red_packet", note="婉拒")
    period = Period.containing(offer.created_at)
    assert selectors.compliance_score(world.me, period).bonus == 0  # not before verification

    services.positive_event_verify(actor=qa, event_id=event.id, approve=True, note="聊天记录属实")

    event.refresh_from_db()
    assert event.status == PositiveStatus.VERIFIED
    score = selectors.compliance_score(world.me, period)
    assert score.positive == 1 and score.bonus == 2 and score.score == 100  # capped at the start
    case = ViolationCase.objects.create(
        kind="chat", agent=world.me, unit=world.team_a1, day=offer.created_at.date(), status="under_review"
    )
    services.violation_case_act(actor=qa, case_id=case.id, action="confirm", note="确认")
    assert selectors.compliance_score(world.me, period).score == 97


def test_points_mode_counts_points_instead_of_score(world, offer, agent, qa) -> None:
    hq = world.users[scopes.HQ_ADMIN]
    policy_services.policy_set(actor=hq, key="compliance.positive_reward", unit_id=world.group.id, value="points")
    event = services.positive_event_report(actor=agent, message_id=offer.id, kind="refused_red_packet")
    services.positive_event_verify(actor=qa, event_id=event.id, approve=True)

    score = selectors.compliance_score(world.me, Period.containing(offer.created_at))
    assert score.positive_points == 10 and score.bonus == 0
    assert not ScoreEntry.objects.filter(positive_event=event).exists()


def test_only_the_serving_agent_reports_and_only_once(world, offer, agent, qa) -> None:
    with pytest.raises(Forbidden):
        services.positive_event_report(actor=qa, message_id=offer.id, kind="refused_red_packet")
    other = world.spots["same_team"].user
    with pytest.raises((NotFound, Forbidden)):
        services.positive_event_report(actor=other, message_id=offer.id, kind="refused_red_packet")
    services.positive_event_report(actor=agent, message_id=offer.id, kind="refused_red_packet")
    with pytest.raises(Conflict):
        services.positive_event_report(actor=agent, message_id=offer.id, kind="refused_private_contact")
    with pytest.raises(ApplicationError):
        services.positive_event_report(actor=agent, message_id=offer.id, kind="helped_colleague")


def test_agent_cannot_verify_and_rejected_event_counts_nothing(world, offer, agent, hr) -> None:
    event = services.positive_event_report(actor=agent, message_id=offer.id, kind="refused_red_packet")
    with pytest.raises((Forbidden, NotFound)):
        services.positive_event_verify(actor=agent, event_id=event.id, approve=True)
    services.positive_event_verify(actor=hr, event_id=event.id, approve=False, note="客户并未提出红包")

    assert selectors.compliance_score(world.me, Period.containing(offer.created_at)).positive == 0
    with pytest.raises(ApplicationError):
        services.positive_event_verify(actor=hr, event_id=event.id, approve=True)


def _old_message(conversation, text: str, when: dt.datetime):
    """A customer message of last month (written directly: the channel stamps messages with now)."""
    from kefu.channel.models import Message

    return Message.objects.create(
        conversation=conversation, customer_id=conversation.customer_id, seq=9000, sender_kind="customer",
        created_at=when, text=text, client_key="old-1",
    )  # fmt: skip


def _verified_refusal_last_month(
    active, agent, qa, *, day: int = 5, text: str = "给你发个红包吧", kind: str = "refused_red_packet"
) -> tuple[Period, dt.datetime]:
    """A customer's offer on `day` of last month, which the agent refused and QA verified."""
    last_month = Period.containing(timezone.localdate()).previous()
    when = dt.datetime.combine(
        last_month.first_day() + dt.timedelta(days=day), dt.time(15), tzinfo=timezone.get_current_timezone()
    )
    offer = _old_message(active, text, when)
    event = services.positive_event_report(actor=agent, message_id=offer.id, kind=kind)
    services.positive_event_verify(actor=qa, event_id=event.id, approve=True)
    return last_month, when


def test_monthly_honours_go_to_clean_agents_with_verified_refusals(world, active, agent, qa, hr) -> None:
    last_month, _ = _verified_refusal_last_month(active, agent, qa, day=9, text="给你转点辛苦费吧")
    this_month = Period.containing(timezone.localdate())

    with pytest.raises(ApplicationError, match="已结束"):
        services.honours_award(actor=hr, unit_id=world.branch_a.id, period=this_month)
    with pytest.raises(Forbidden):
        services.honours_award(actor=qa, unit_id=world.branch_a.id, period=last_month)
    awarded = services.honours_award(actor=hr, unit_id=world.branch_a.id, period=last_month)

    assert [h.employee_id for h in awarded] == [world.me.id]
    assert services.honours_award(actor=hr, unit_id=world.branch_a.id, period=last_month) == []  # once
    assert [h.employee_id for h in selectors.honour_list(actor=agent)] == [world.me.id]


def test_a_confirmed_violation_in_the_month_rules_out_the_honour(world, active, agent, qa) -> None:
    last_month, when = _verified_refusal_last_month(
        active, agent, qa, day=3, text="加个微信，发你红包", kind="refused_private_contact"
    )
    case = ViolationCase.objects.create(
        kind="chat", agent=world.me, unit=world.team_a1, day=when.date(), status="under_review"
    )
    services.violation_case_act(actor=qa, case_id=case.id, action="confirm", note="确认")

    assert selectors.honour_candidates(unit=world.branch_a, period=last_month) == []
    assert not Honour.objects.exists()


def test_the_worker_awards_last_months_honours_from_the_policy_day_on_once(world, active, agent, qa) -> None:
    last_month, _ = _verified_refusal_last_month(active, agent, qa)
    first_of_month = last_month.next().first_day()

    assert services.honours_monthly_sweep(today=first_of_month + dt.timedelta(days=3)) == 0  # before the 5th
    assert not Honour.objects.exists()
    assert services.honours_monthly_sweep(today=first_of_month + dt.timedelta(days=4)) == 1
    assert services.honours_monthly_sweep(today=first_of_month + dt.timedelta(days=5)) == 0  # once

    honour = Honour.objects.get()
    assert (honour.employee_id, honour.period, honour.awarded_by) == (world.me.id, str(last_month), None)


def test_an_open_case_holds_the_honour_until_it_is_dismissed(world, active, agent, qa) -> None:
    last_month, when = _verified_refusal_last_month(active, agent, qa)
    case = ViolationCase.objects.create(
        kind="chat", agent=world.me, unit=world.team_a1, day=when.date(), status="under_review"
    )
    day = last_month.next().first_day() + dt.timedelta(days=6)

    assert services.honours_monthly_sweep(today=day) == 0
    services.violation_case_act(actor=qa, case_id=case.id, action="dismiss", note="误报")
    assert services.honours_monthly_sweep(today=day) == 1


def test_the_monthly_sweep_is_a_worker_job() -> None:
    from kefu.core import periodic

    assert "compliance.monthly_honours" in {job.name for job in periodic.jobs()}
