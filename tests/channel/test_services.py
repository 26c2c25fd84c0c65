from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from kefu.channel import hooks, selectors, services
from kefu.channel.models import (
    AssignmentKind,
    Attachment,
    ConversationAssignment,
    ConversationStatus,
    Message,
    Outcome,
    Payment,
    SenderKind,
    Tier,
)
from kefu.channel.services import Upload
from kefu.core import scopes
from kefu.core.append_only import AppendOnlyViolation
from kefu.core.errors import ApplicationError, Forbidden, NotFound
from kefu.core.models import AuditEntry
from kefu.policy import services as policy_services
from tests.channel.factories import png_bytes
from tests.conftest import World
from tests.factories import EmployeeFactory, make_user

# --- routing and the queue ----------------------------------------------------------------------


def test_queue_serves_ka_then_vip_then_first_come(world: World, agent: Any, make_customer: Any, start: Any) -> None:
    make_customer("普通早到", Tier.NORMAL, phone="13800000001")
    make_customer("VIP客户", Tier.VIP, phone="13800000002")
    make_customer("KA客户", Tier.KA, phone="13800000003")
    make_customer("普通晚到", Tier.NORMAL, phone="13800000004")
    early, vip, ka, late = (start(phone=f"1380000000{i}") for i in range(1, 5))
    assert {c.status for c in (early, vip, ka, late)} == {ConversationStatus.QUEUED}
    assert selectors.queue_position(conversation=late) == 3
    assert selectors.queue_position(conversation=ka) == 0

    services.presence_set(actor=agent, status="online", max_chats=1)
    served = [c for c in (early, vip, ka, late) if _refresh(c).status == ConversationStatus.ACTIVE]
    assert served == [ka]

    order = []
    for _ in range(3):
        current = next(c for c in (early, vip, ka, late) if _refresh(c).status == ConversationStatus.ACTIVE)
        order.append(current.customer.name)
        services.conversation_close(actor=agent, conversation_id=current.id)
        services.queue_dispatch(service_group_id=current.service_group_id)  # on_commit in production
    assert order == ["KA客户", "VIP客户", "普通早到"]
    assert _refresh(late).status == ConversationStatus.ACTIVE


def _refresh(conversation: Any) -> Any:
    conversation.refresh_from_db()
    return conversation


def test_only_online_agents_below_their_limit_receive_chats(world: World, agent: Any, start: Any) -> None:
    services.presence_set(actor=agent, status="busy")
    first = start(phone="13900000001")
    assert _refresh(first).status == ConversationStatus.QUEUED

    policy_services.policy_set(
        actor=world.users[scopes.HQ_ADMIN], key="channel.max_concurrent_chats", unit_id=world.team_a1.id, value=2
    )
    services.presence_set(actor=agent, status="online")
    second, third = start(phone="13900000002"), start(phone="13900000003")
    assert [_refresh(c).status for c in (first, second, third)] == ["active", "active", "queued"]
    assert _refresh(first).agent_id == world.me.id
    assert ConversationAssignment.objects.filter(conversation=first, kind=AssignmentKind.ROUTE).count() == 1


def test_agent_of_another_team_never_receives_this_groups_chats(world: World, start: Any) -> None:
    services.presence_set(actor=world.spots["same_branch"].user, status="online")
    conversation = start()
    assert _refresh(conversation).status == ConversationStatus.QUEUED


def test_customer_identified_by_phone_reuses_the_record_and_its_tier(
    world: World, make_customer: Any, start: Any
) -> None:
    ka = make_customer("李总", Tier.KA, phone="13700000000")
    conversation = start(phone="137-0000-0000")
    assert conversation.customer_id == ka.id
    assert conversation.priority == 0


def test_starting_by_unknown_order_number_is_refused(start: Any) -> None:
    with pytest.raises(ApplicationError, match="订单号"):
        start(via="order")


def test_transfer_keeps_every_hand_over(world: World, agent: Any, active: Any) -> None:
    colleague = EmployeeFactory(name="同组同事", unit=world.team_a1)
    make_user("colleague", role=scopes.AGENT, unit=world.team_a1, employee=colleague)
    services.conversation_transfer(
        actor=agent, conversation_id=active.id, to_employee_id=colleague.id, reason="专业问题"
    )
    active.refresh_from_db()
    assert active.agent_id == colleague.id
    kinds = list(active.assignments.values_list("kind", "from_agent_id", "to_agent_id"))
    assert kinds == [("route", None, world.me.id), ("transfer", world.me.id, colleague.id)]
    # The agent no longer serves it, so it is out of their scope now.
    with pytest.raises(NotFound):
        selectors.conversation_get(actor=agent, conversation_id=active.id)


def test_lead_reassigns_only_to_own_team(world: World, active: Any) -> None:
    lead = world.users[scopes.TEAM_LEAD]
    with pytest.raises(ApplicationError, match="找不到可以接手的客服"):
        services.conversation_transfer(
            actor=lead, conversation_id=active.id, to_employee_id=world.spots["same_branch"].employee.id
        )
    services.conversation_transfer(
        actor=lead, conversation_id=active.id, to_employee_id=world.spots["same_team"].employee.id, reason="均衡负载"
    )
    assert active.assignments.last().kind == AssignmentKind.REASSIGN


def test_agent_cannot_transfer_a_conversation_of_someone_else(world: World, active: Any) -> None:
    other = world.spots["same_team"].user
    with pytest.raises(NotFound):
        services.conversation_transfer(actor=other, conversation_id=active.id, to_employee_id=world.me.id)


# --- closing and satisfaction -------------------------------------------------------------------


def test_rating_only_after_close_once_and_between_one_and_five(agent: Any, active: Any) -> None:
    with pytest.raises(ApplicationError, match="会话结束后"):
        services.conversation_rate(conversation_id=active.id, score=5)
    services.conversation_close(actor=agent, conversation_id=active.id)
    for bad in (0, 6, True):
        with pytest.raises(ApplicationError):
            services.conversation_rate(conversation_id=active.id, score=bad)
    services.conversation_rate(conversation_id=active.id, score=4, comment="回复很快")
    with pytest.raises(ApplicationError, match="已经评价"):
        services.conversation_rate(conversation_id=active.id, score=1)
    active.refresh_from_db()
    assert (active.satisfaction, active.satisfaction_comment, active.close_reason) == (4, "回复很快", "agent")


def test_idle_conversations_close_after_the_policy_minutes(active: Any) -> None:
    assert services.close_idle(now=timezone.now() + dt.timedelta(minutes=29)) == 0
    assert services.close_idle(now=timezone.now() + dt.timedelta(minutes=31)) >= 1
    active.refresh_from_db()
    assert (active.status, active.close_reason) == ("closed", "idle")
    assert active.messages.filter(sender_kind=SenderKind.SYSTEM, text__contains="评分").exists()


# --- messages -----------------------------------------------------------------------------------


def test_same_idempotency_key_returns_the_first_message(agent: Any, active: Any) -> None:
    first = services.message_send(actor=agent, conversation_id=active.id, client_key="k-1", text="您好")
    again = services.message_send(actor=agent, conversation_id=active.id, client_key="k-1", text="另一段话")
    assert (first.created, again.created) == (True, False)
    assert again.message.id == first.message.id
    assert active.messages.filter(client_key="k-1").count() == 1
    assert active.messages.get(client_key="k-1").text == "您好"


def test_customer_idempotency_key_is_per_conversation(active: Any, start: Any) -> None:
    other = start(phone="13900000009")
    a = services.visitor_message_send(conversation_id=active.id, client_key="same", text="在吗")
    b = services.visitor_message_send(conversation_id=other.id, client_key="same", text="在吗")
    assert a.created and b.created and a.message.id != b.message.id


def test_sequence_numbers_are_gapless_per_conversation(agent: Any, active: Any) -> None:
    services.visitor_message_send(conversation_id=active.id, client_key="c1", text="我的快递到哪了")
    services.message_send(actor=agent, conversation_id=active.id, client_key="a1", text="马上帮您查")
    seqs = list(active.messages.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    active.refresh_from_db()
    assert active.last_seq == seqs[-1]


def test_contact_exchange_is_blocked_stored_as_evidence_and_not_shown_to_the_agent(agent: Any, active: Any) -> None:
    result = services.visitor_message_send(conversation_id=active.id, client_key="c1", text="加我微信 abc12345")
    assert (result.outcome, result.delivered, result.notice) == ("block", False, "请通过官方渠道联系")
    stored = Message.objects.get(id=result.message.id)
    assert stored.outcome == Outcome.BLOCK and stored.text == "加我微信 abc12345"
    assert any("加我微信" in r for r in stored.reasons)
    _, seen_by_agent = selectors.conversation_messages(actor=agent, conversation_id=active.id)
    assert stored.id not in {m.id for m in seen_by_agent}
    assert AuditEntry.objects.filter(action="message.block", object_id=str(stored.id)).exists()


def test_blocked_agent_message_never_reaches_the_customer(agent: Any, active: Any) -> None:
    result = services.message_send(actor=agent, conversation_id=active.id, client_key="a1", text="你加QQ 12345 聊")
    assert result.outcome == "block"
    shown = selectors.visitor_messages(conversation=active)
    assert result.message.id not in {m.id for m in shown}
    _, seen_by_agent = selectors.conversation_messages(actor=agent, conversation_id=active.id)
    assert result.message.id in {m.id for m in seen_by_agent}  # the agent sees their own blocked attempt


def test_red_packet_talk_is_delivered_with_a_warning(world: World, agent: Any, active: Any) -> None:
    result = services.visitor_message_send(conversation_id=active.id, client_key="c1", text="我给你发个红包吧")
    assert result.outcome == "warn" and result.delivered
    _, seen = selectors.conversation_messages(actor=agent, conversation_id=active.id)
    warned = next(m for m in seen if m.id == result.message.id)
    assert warned.reasons == ["预警词：红包"]


def test_branch_can_add_block_terms_that_apply_to_its_conversations(world: World, active: Any) -> None:
    policy_services.policy_set(
        actor=world.users[scopes.BRANCH_HR], key="compliance.block_terms", unit_id=world.branch_a.id, value=["抖音号"]
    )
    result = services.visitor_message_send(conversation_id=active.id, client_key="c1", text="我抖音号是xx")
    assert result.outcome == "block"
    assert services.visitor_message_send(conversation_id=active.id, client_key="c2", text="微信号").outcome == "block"


def test_a_registered_screener_replaces_the_word_lists(agent: Any, active: Any) -> None:
    seen: list[hooks.ScreenRequest] = []

    def strict(request: hooks.ScreenRequest) -> hooks.Screening:
        seen.append(request)
        return hooks.Screening(hooks.BLOCK, ("测试扫描器",), notice="请通过官方渠道联系")

    hooks.screen_message.register(strict)
    result = services.message_send(actor=agent, conversation_id=active.id, client_key="a1", text="普通的话")
    assert result.outcome == "block" and result.reasons == ("测试扫描器",)
    assert seen[0].sender_kind == "agent" and seen[0].conversation_id == active.id


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "不能为空"),
        ("   \n\t ", "不能为空"),
        ("字" * 5001, "太长"),
        ("你好\x00", "控制字符"),
        ("a\x1bb", "控制字符"),
    ],
)
def test_bad_text_is_refused_and_nothing_is_stored(agent: Any, active: Any, text: str, why: str) -> None:
    before = Message.objects.count()
    with pytest.raises(ApplicationError, match=why):
        services.message_send(actor=agent, conversation_id=active.id, client_key="bad", text=text)
    with pytest.raises(ApplicationError, match=why):
        services.visitor_message_send(conversation_id=active.id, client_key="bad", text=text)
    assert Message.objects.count() == before


def test_exactly_5000_characters_and_html_are_stored_as_sent(agent: Any, active: Any) -> None:
    html = "<script>alert('x')</script>" + "好" * (5000 - 30) + "<b>"
    assert len(html) == 5000
    result = services.message_send(actor=agent, conversation_id=active.id, client_key="a1", text=html)
    assert Message.objects.get(id=result.message.id).text == html


def test_missing_or_odd_idempotency_key_is_refused(agent: Any, active: Any) -> None:
    for key in ("", "有中文", "x" * 101):
        with pytest.raises(ApplicationError, match="Idempotency-Key"):
            services.message_send(actor=agent, conversation_id=active.id, client_key=key, text="你好")


def test_foreign_conversation_is_not_found_and_untouched(world: World, active: Any) -> None:
    outsider = world.spots["other_branch"].user
    before = Message.objects.count()
    with pytest.raises(NotFound):
        services.message_send(actor=outsider, conversation_id=active.id, client_key="x", text="越权")
    with pytest.raises(NotFound):
        services.message_send(actor=outsider, conversation_id=999999, client_key="x", text="越权")
    assert Message.objects.count() == before


def test_a_lead_reads_but_cannot_write_as_the_agent(world: World, active: Any) -> None:
    with pytest.raises(Forbidden):
        services.message_send(actor=world.users[scopes.TEAM_LEAD], conversation_id=active.id, client_key="x", text="hi")


def test_message_after_close_is_refused(agent: Any, active: Any) -> None:
    services.conversation_close(actor=agent, conversation_id=active.id)
    with pytest.raises(ApplicationError, match="已结束"):
        services.message_send(actor=agent, conversation_id=active.id, client_key="late", text="还在吗")
    with pytest.raises(ApplicationError, match="已结束"):
        services.visitor_message_send(conversation_id=active.id, client_key="late", text="还在吗")


def test_mentioned_order_is_linked(world: World, agent: Any, active: Any) -> None:
    order = services.order_create(
        actor=None,
        customer=active.customer,
        number="DD20260001",
        shop="优品旗舰店",
        items=[{"name": "电饭煲", "quantity": 1, "unit_price": "299.00"}],
    )
    result = services.visitor_message_send(conversation_id=active.id, client_key="c1", text="订单 DD20260001 还没发货")
    assert result.message.order_id == order.id


# --- attachments --------------------------------------------------------------------------------


def test_image_is_stored_once_with_its_sha256(agent: Any, active: Any) -> None:
    image = png_bytes()
    first = services.visitor_message_send(
        conversation_id=active.id, client_key="img1", upload=Upload(content=image, name="../../etc/照片.png")
    )
    second = services.message_send(
        actor=agent, conversation_id=active.id, client_key="img2", upload=Upload(content=image, name="a.png")
    )
    attachment = first.message.attachment
    assert attachment is not None and attachment.content_type == "image/png" and attachment.size == len(image)
    assert second.message.attachment_id == attachment.id
    assert Attachment.objects.filter(sha256=attachment.sha256).count() == 1
    assert first.message.attachment_name == "照片.png"


@pytest.mark.parametrize(
    ("content", "name", "why"),
    [
        (b"<html><script>alert(1)</script></html>", "photo.jpg", "不支持的文件类型"),
        (b"MZ\x90\x00" + b"\x00" * 200, "cat.png", "不支持的文件类型"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "broken.png", "损坏"),
        (png_bytes(), "invoice.pdf", "与内容不符"),
    ],
)
def test_disguised_or_broken_uploads_are_refused(active: Any, content: bytes, name: str, why: str) -> None:
    with pytest.raises(ApplicationError, match=why):
        services.visitor_message_send(conversation_id=active.id, client_key="f", upload=Upload(content, name))
    assert not Attachment.objects.filter(size=len(content)).exists()


def test_oversized_upload_is_refused(settings: Any, active: Any) -> None:
    settings.KEFU_CHANNEL_MAX_UPLOAD_BYTES = 1024
    big = png_bytes(size=(400, 400))
    assert len(big) > 1024
    with pytest.raises(ApplicationError, match="文件太大"):
        services.visitor_message_send(conversation_id=active.id, client_key="f", upload=Upload(big, "big.png"))


# --- retraction ---------------------------------------------------------------------------------


def test_retraction_hides_from_customer_and_keeps_evidence(world: World, agent: Any, active: Any) -> None:
    sent = services.message_send(actor=agent, conversation_id=active.id, client_key="a1", text="发错了的话").message
    retraction = services.message_retract(actor=agent, conversation_id=active.id, message_id=sent.id)
    assert retraction.retracts_id == sent.id
    assert Message.objects.get(id=sent.id).text == "发错了的话"
    customer_view = {m.id: m for m in selectors.visitor_messages(conversation=active)}
    assert hasattr(customer_view[sent.id], "retraction")  # shown as "客服撤回了一条消息"
    _, lead_view = selectors.conversation_messages(actor=world.users[scopes.TEAM_LEAD], conversation_id=active.id)
    assert {sent.id, retraction.id} <= {m.id for m in lead_view}
    with pytest.raises(ApplicationError, match="已经撤回"):
        services.message_retract(actor=agent, conversation_id=active.id, message_id=sent.id)


def test_cannot_retract_customer_messages_or_after_the_window(agent: Any, active: Any, time_machine: Any) -> None:
    said = services.visitor_message_send(conversation_id=active.id, client_key="c1", text="我说的话").message
    with pytest.raises(Forbidden):
        services.message_retract(actor=agent, conversation_id=active.id, message_id=said.id)
    own = services.message_send(actor=agent, conversation_id=active.id, client_key="a1", text="好的").message
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=3))
    with pytest.raises(ApplicationError, match="2 分钟内"):
        services.message_retract(actor=agent, conversation_id=active.id, message_id=own.id)


# --- append-only --------------------------------------------------------------------------------


def test_messages_cannot_be_altered_or_deleted_by_orm(agent: Any, active: Any) -> None:
    message = services.message_send(actor=agent, conversation_id=active.id, client_key="a1", text="原话").message
    with pytest.raises(AppendOnlyViolation):
        message.save()
    with pytest.raises(AppendOnlyViolation):
        message.delete()
    with pytest.raises(AppendOnlyViolation):
        Message.objects.filter(id=message.id).update(text="改过")
    with pytest.raises(AppendOnlyViolation):
        Message.objects.filter(id=message.id).delete()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE channel_message SET text = 'x' WHERE id = %s",
        "DELETE FROM channel_message WHERE id = %s",
    ],
)
def test_database_refuses_raw_changes_to_messages(agent: Any, active: Any, statement: str) -> None:
    message = services.message_send(actor=agent, conversation_id=active.id, client_key="a1", text="原话").message
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [message.id])
    assert Message.objects.get(id=message.id).text == "原话"


# --- payments -----------------------------------------------------------------------------------


def test_payment_to_a_private_account_is_recorded_as_an_anomaly(world: World, make_customer: Any) -> None:
    customer = make_customer("王女士")
    finance = world.users[scopes.FINANCE]
    ok = services.payment_record(
        actor=finance,
        customer_id=customer.id,
        amount="199.00",
        receiving_account="kefu-pay@example.com",
        method="alipay",
    )
    bad = services.payment_record(
        actor=finance, customer_id=customer.id, amount="50", receiving_account="6217000011112222", method="wechat"
    )
    assert (ok.is_anomaly, bad.is_anomaly) == (False, True)
    assert "6217000011112222" in bad.anomaly_reason
    assert AuditEntry.objects.filter(action="payment.anomaly", object_id=str(bad.id)).exists()
    flagged = selectors.payment_list(actor=finance, anomaly=True)
    assert bad in flagged and ok not in flagged
    assert not flagged.filter(customer__unit=world.branch_b).exists()  # finance sees its own branch only


def test_payments_cannot_be_altered_and_bad_amounts_are_refused(world: World, make_customer: Any) -> None:
    customer = make_customer()
    payment = services.payment_record(
        actor=None, customer_id=customer.id, amount="10.005", receiving_account="95188x", method="bank"
    )
    assert str(payment.amount) == "10.01"
    with pytest.raises(AppendOnlyViolation):
        Payment.objects.filter(id=payment.id).update(amount="0.01")
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE channel_payment SET receiving_account = 'x' WHERE id = %s", [payment.id])
    for amount in ("0", "-5", "abc"):
        with pytest.raises(ApplicationError):
            services.payment_record(
                actor=None, customer_id=customer.id, amount=amount, receiving_account="a", method="bank"
            )


def test_finance_of_another_branch_cannot_record_for_this_customer(world: World, make_customer: Any) -> None:
    customer = make_customer()
    hn_finance = make_user("hn_finance", role=scopes.FINANCE, unit=world.branch_b)
    with pytest.raises(NotFound):
        services.payment_record(
            actor=hn_finance, customer_id=customer.id, amount="1", receiving_account="a", method="bank"
        )
    with pytest.raises(Forbidden):
        services.payment_record(
            actor=world.users[scopes.QA], customer_id=customer.id, amount="1", receiving_account="a", method="bank"
        )
