"""Intake by phone, by the customer's web form, by CSV import (all-or-nothing, idempotent), and scoping."""

from __future__ import annotations

from typing import Any

import pytest

from kefu.channel import services as channel_services
from kefu.complaints import selectors, services
from kefu.complaints.models import Complaint, Source
from kefu.core import scopes
from kefu.core.errors import ApplicationError, Forbidden, NotFound


def test_phone_complaint_by_an_agent(world: Any) -> None:
    customer = channel_services.customer_create(actor=None, name="李先生", unit=world.branch_a, phone="13700000002")
    complaint = services.complaint_record(
        actor=world.users[scopes.COMPLAINTS_OFFICER],
        customer_id=customer.id,
        content="电话投诉：快递三天未到",
        customer_request="尽快送达",
        amount_at_stake="88.5",
    )
    assert complaint.source == Source.PHONE and str(complaint.amount_at_stake) == "88.50"


def test_staff_cannot_record_for_a_customer_of_another_branch(world: Any) -> None:
    customer = channel_services.customer_create(actor=None, name="越界客户", unit=world.branch_b, phone="13700000003")
    with pytest.raises(NotFound):
        services.complaint_record(actor=world.users[scopes.COMPLAINTS_OFFICER], customer_id=customer.id, content="x")


def test_finance_cannot_record_complaints(world: Any) -> None:
    customer = channel_services.customer_create(actor=None, name="客户", unit=world.branch_a)
    with pytest.raises(Forbidden):
        services.complaint_record(actor=world.users[scopes.FINANCE], customer_id=customer.id, content="x")


def test_public_form_links_order_only_when_phone_matches(world: Any, chat: Any) -> None:
    _, order = chat
    mine = services.complaint_submit_public(
        branch_id=world.branch_a.id, name="王女士", phone="13900000001", content="杯子漏水", order_number=order.number
    )
    assert mine.order_id == order.id and mine.source == Source.WEB and len(mine.public_token) >= 30
    stranger = services.complaint_submit_public(
        branch_id=world.branch_a.id, name="冒充者", phone="13100000000", content="乱投诉", order_number=order.number
    )
    assert stranger.order_id is None and stranger.customer_id != order.customer_id
    assert stranger.events.filter(text__contains="未能核实").exists()
    assert mine.public_token != stranger.public_token


def test_public_form_refuses_bad_input(world: Any) -> None:
    with pytest.raises(ApplicationError, match="请填写投诉内容"):
        services.complaint_submit_public(branch_id=world.branch_a.id, name="张", phone="13900000009", content="  ")
    with pytest.raises(ApplicationError, match="涉及金额"):
        services.complaint_submit_public(
            branch_id=world.branch_a.id, name="张", phone="13900000009", content="x", amount_at_stake="一百"
        )
    assert not Complaint.objects.filter(source=Source.WEB).exists()


CSV_OK = (
    "编号,客户姓名,手机号,订单号,投诉内容,客户诉求,涉及金额,登记时间\n"
    "EXT-1,赵女士,13600000001,,物流太慢,催发,0,2026-03-05 10:00\n"
    "EXT-2,钱先生,13600000002,,商品与描述不符,退货,199.00,\n"
)


def test_import_is_all_or_nothing_and_repeatable(world: Any) -> None:
    officer = world.users[scopes.COMPLAINTS_OFFICER]
    bad = CSV_OK + "EXT-3,,13600000003,NOPE,,,-1,明天\n"
    with pytest.raises(ApplicationError) as refused:
        services.complaint_import(actor=officer, unit_id=world.branch_a.id, content=bad.encode())
    rows = refused.value.extra["rows"]
    assert len(rows) == 1 and rows[0].startswith("第 4 行") and "缺少客户姓名" in rows[0] and "NOPE" in rows[0]
    assert not Complaint.objects.filter(source=Source.IMPORT).exists()

    result = services.complaint_import(actor=officer, unit_id=world.branch_a.id, content=CSV_OK.encode("gb18030"))
    assert len(result.created) == 2 and result.skipped == 0
    assert all(c.source == Source.IMPORT for c in result.created)
    again = services.complaint_import(actor=officer, unit_id=world.branch_a.id, content=CSV_OK.encode())
    assert again.created == [] and again.skipped == 2
    assert Complaint.objects.filter(source=Source.IMPORT).count() == 2


def test_import_into_another_branch_is_not_found(world: Any) -> None:
    with pytest.raises(NotFound):
        services.complaint_import(
            actor=world.users[scopes.COMPLAINTS_OFFICER], unit_id=world.branch_b.id, content=CSV_OK.encode()
        )


def _ours(complaints: Any) -> set[Complaint]:
    """Leaving out the access-matrix complaints every world carries at its spots."""
    return {c for c in complaints if not c.content.startswith("越界")}


def test_agent_sees_complaints_assigned_to_or_about_them_only(world: Any, raised: Any, walk: Any, handler: Any) -> None:
    other = services.complaint_record(
        actor=world.users[scopes.COMPLAINTS_OFFICER], customer_id=raised.customer_id, content="与本人无关"
    )
    agent = world.users[scopes.AGENT]
    assert list(selectors.complaint_list(actor=agent)) == [raised]  # about them
    assert list(selectors.complaint_list(actor=handler)) == []
    walk(raised, "classify", "assign")
    assert list(selectors.complaint_list(actor=handler)) == [raised]  # assigned to them
    lead = world.users[scopes.TEAM_LEAD]
    assert _ours(selectors.complaint_list(actor=lead)) == {raised}
    officer = world.users[scopes.COMPLAINTS_OFFICER]
    assert _ours(selectors.complaint_list(actor=officer)) == {raised, other}
    with pytest.raises(NotFound):
        selectors.complaint_get(actor=handler, complaint_id=other.id)


def test_agent_console_offers_raising_a_complaint_from_the_chat(world: Any) -> None:
    from django.test import Client

    from kefu.channel.models import Conversation

    conversation = Conversation.objects.first()  # each spot of the world has one
    assert conversation is not None
    client = Client()
    client.force_login(world.users["hq_admin"])
    panel = client.get(f"/channel/console/conversations/{conversation.id}/customer/")
    assert panel.status_code == 200
    assert f"/complaints/new/?conversation={conversation.id}" in panel.content.decode()
    assert "登记投诉" in panel.content.decode()
