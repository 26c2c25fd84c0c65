"""End to end through the channel's `message_send`: blocked and warned messages in the chat, the events and
cases they leave, the alert reaching branch HR, and the policy swapped in without a restart."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from kefu.channel import selectors as channel_selectors
from kefu.channel.models import Message, Outcome
from kefu.compliance import effective
from kefu.compliance.models import CaseStatus, Party, ViolationCase, ViolationEvent
from kefu.core import scopes
from kefu.core.models import AuditEntry, Notification
from kefu.policy import services as policy_services


def test_agent_sharing_wechat_is_blocked_kept_as_evidence_and_opens_a_case(world, active, send, agent) -> None:
    result = send(active, "加我薇信 lily_2024，私聊更方便")

    assert result.outcome == Outcome.BLOCK
    assert result.notice == "请通过官方渠道联系"
    message = Message.objects.get(id=result.message.id)
    assert message.outcome == Outcome.BLOCK and message.reasons  # kept, with the reason, not delivered
    _, customer_view = active, channel_selectors.visitor_messages(conversation=active)
    assert message.id not in {m.id for m in customer_view}

    event = ViolationEvent.objects.get(message=message)
    assert event.party == Party.AGENT and event.action == "block"
    assert "contact_wechat" in event.categories
    span = event.matches[0]
    assert message.text[span["start"] : span["end"]] == span["text"] and "lily_2024" in span["text"]
    case = event.case
    assert case is not None and case.agent_id == world.me.id and case.status == CaseStatus.OPEN
    assert case.customer_id == active.customer_id
    assert AuditEntry.objects.filter(action="violation_event.block", object_id=str(event.id)).exists()


def test_events_of_one_agent_and_day_gather_in_one_case(world, active, send) -> None:
    send(active, "加我vx: abc123456")
    send(active, "要不扣扣聊，号码 12345678")
    send(active, "您好，订单已经发货了")

    cases = ViolationCase.objects.filter(agent=world.me)
    assert cases.count() == 1
    assert cases.get().events.count() == 2
    assert set(cases.get().categories) >= {"contact_wechat", "contact_qq"}


def test_warned_message_is_delivered_and_branch_hr_is_alerted_in_app_and_by_mail(
    world, active, send, hr, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = send(active, "尾款你私下转我就行，不用走平台")

    assert result.outcome == Outcome.WARN and result.delivered
    assert result.message.id in {m.id for m in channel_selectors.visitor_messages(conversation=active)}
    event = ViolationEvent.objects.get(message_id=result.message.id)
    assert event.action == "warn" and event.case is not None
    alert = Notification.objects.get(recipient=hr, kind="warn_alert", title__contains=world.me.name)
    assert alert.app == "compliance" and alert.subject == f"compliance.violationcase:{event.case_id}"
    assert alert.url.endswith(f"/compliance/cases/{event.case_id}/")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["hr-a@example.com"]
    assert "合规预警" in mail.outbox[0].subject
    # nobody else got it: HR of another branch and QA are not alerted
    assert list(Notification.objects.filter(title__contains=world.me.name).values_list("recipient", flat=True)) == [
        hr.id
    ]


def test_customer_offering_a_red_packet_warns_without_a_case_against_the_agent(world, active, send, hr) -> None:
    result = send(active, "太感谢了，我给你发个红包吧", by="customer")

    assert result.outcome == Outcome.WARN
    event = ViolationEvent.objects.get(message_id=result.message.id)
    assert event.party == Party.CUSTOMER and event.case is None and event.agent_id == world.me.id
    assert not ViolationCase.objects.filter(agent=world.me).exists()
    assert Notification.objects.filter(recipient=hr, kind="warn_alert", title__contains=world.me.name).count() == 1


@pytest.mark.parametrize(
    "text",
    [
        "我不加微信的，有问题请在这里联系我们",
        "不能收红包哦，这是公司规定",
        "可以用微信支付，也可以用支付宝付款",
        "官方客服热线 400-820-8820，订单号 YJ20261120001 已发货",
        "这款售价 1299 元，数量 2 件，11 月 20 日发货",
    ],
)
def test_refusals_official_numbers_and_payment_methods_pass(active, send, text: str) -> None:
    result = send(active, text)

    assert result.outcome == Outcome.DELIVER, result.reasons
    assert not ViolationEvent.objects.filter(conversation=active).exists()


def test_a_phone_number_split_over_messages_is_caught(world, active, send) -> None:
    assert send(active, "我手机号是138").outcome == Outcome.DELIVER
    result = send(active, "0013 8000")

    assert result.outcome == Outcome.BLOCK
    assert ViolationEvent.objects.get(message_id=result.message.id).categories == ["contact_phone"]


def test_branch_word_added_to_policy_blocks_at_once_without_restart(world, active, send) -> None:
    hq = world.users[scopes.HQ_ADMIN]
    assert send(active, "这单可以接私单吗").outcome == Outcome.DELIVER
    holder_before = effective.SCANNERS.holder(active.unit)

    policy_services.policy_set(
        actor=hq, key="compliance.block_terms", unit_id=world.branch_a.id, value=["私单"], note="华东加严"
    )
    result = send(active, "这单可以接私单吗")

    assert result.outcome == Outcome.BLOCK
    assert ViolationEvent.objects.get(message_id=result.message.id).categories == ["custom_block"]
    assert effective.SCANNERS.holder(active.unit) is not holder_before
    # the other branch's scanner is not stricter
    assert effective.build_policy(unit=world.team_b1).rule("custom_block") is None


def test_policy_compiles_once_per_version(world, active) -> None:
    first = effective.SCANNERS.holder(active.unit)
    assert effective.SCANNERS.holder(active.unit) is first
    assert effective.SCANNERS.holder(world.team_a2).current is first.current  # same content, one compilation

    # an unrelated policy change re-reads the policy but compiles nothing new
    policy_services.policy_set(
        actor=world.users[scopes.HQ_ADMIN], key="channel.max_concurrent_chats", unit_id=world.branch_a.id, value=7
    )
    assert effective.SCANNERS.holder(active.unit).current is first.current


def test_policy_changed_signal_rebuilds(world, active) -> None:
    first = effective.SCANNERS.holder(active.unit)
    effective.SCANNERS.invalidate(key="compliance.block_terms", unit_id=world.branch_a.id)

    assert effective.SCANNERS.holder(active.unit) is first  # same content: the compiled policy is reused


def test_hq_lexicon_action_from_policy(world, active, send) -> None:
    """HQ makes red packets a block instead of a warning: the table row's action decides."""
    rows = [dict(r, action="block") if r["category"] == "red_packet" else r for r in effective_rules()]
    policy_services.policy_set(
        actor=world.users[scopes.HQ_ADMIN], key="compliance.scanner_rules", unit_id=world.group.id, value=rows
    )

    assert send(active, "我给你发个红包表示感谢", by="customer").outcome == Outcome.BLOCK


def effective_rules() -> list[dict[str, Any]]:
    from kefu.compliance.keys import default_rules

    return default_rules()


def _qr_png(payload: str) -> bytes:
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(payload, error="m").save(buffer, kind="png", scale=6)
    return buffer.getvalue()


@pytest.mark.parametrize("by", ["agent", "customer"])
def test_personal_qr_picture_is_blocked_before_delivery_and_kept_as_evidence(world, active, agent, by) -> None:
    from kefu.channel import services as channel_services
    from kefu.channel.services.messages import Upload

    upload = Upload(content=_qr_png("https://u.wechat.com/EMxYz-personal"), name="名片.png")
    if by == "agent":
        result = channel_services.message_send(actor=agent, conversation_id=active.id, client_key="qr-1", upload=upload)
    else:
        result = channel_services.visitor_message_send(conversation_id=active.id, client_key="qr-1", upload=upload)

    assert result.outcome == Outcome.BLOCK and result.notice == "请通过官方渠道联系"
    assert any("二维码" in reason for reason in result.reasons)
    stored = Message.objects.get(id=result.message.id)
    assert stored.attachment is not None and stored.attachment.is_image  # the picture is the evidence
    assert ViolationEvent.objects.filter(message=stored).exists()


def test_ordinary_picture_is_delivered(world, active, agent) -> None:
    from kefu.channel import services as channel_services
    from kefu.channel.services.messages import Upload
    from tests.channel.factories import png_bytes

    plain = channel_services.message_send(
        actor=agent, conversation_id=active.id, client_key="pic-1", upload=Upload(content=png_bytes(), name="图.png")
    )
    assert plain.outcome == Outcome.DELIVER


def test_repeated_warnings_in_one_case_alert_branch_hr_once_an_hour(
    world, active, send, hr, django_capture_on_commit_callbacks, time_machine
) -> None:
    time_machine.move_to(timezone.make_aware(dt.datetime(2026, 11, 20, 10, 5)), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        send(active, "尾款你私下转我就行，不用走平台")
        send(active, "私下转账更便宜哦")
    time_machine.move_to(timezone.make_aware(dt.datetime(2026, 11, 20, 11, 1)), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        send(active, "还是私下转账吧")

    case = ViolationCase.objects.get(agent=world.me)
    assert case.events.filter(action="warn").count() == 3  # every event is kept as evidence
    alerts = Notification.objects.filter(recipient=hr, kind="warn_alert", subject__endswith=f":{case.id}")
    assert alerts.count() == 2 and len(mail.outbox) == 2  # one for 10:xx, one for 11:xx
    assert "案件页查看全部事件" in alerts.first().body
