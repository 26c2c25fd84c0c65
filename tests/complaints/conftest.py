"""Complaint fixtures: a chat served by the world's agent about an order, a handler in team A1 (so the
world's lead is their lead), and a helper that walks a complaint along the workflow."""

from __future__ import annotations

from typing import Any

import pytest

from kefu.channel import policy_cache
from kefu.channel import services as channel_services
from kefu.channel.models import Conversation, Order
from kefu.complaints import services
from kefu.complaints.models import Complaint
from kefu.core import scopes
from tests.conftest import World
from tests.factories import EmployeeFactory, make_user


@pytest.fixture(autouse=True)
def _fresh_channel_policy() -> Any:
    policy_cache.clear()
    yield
    policy_cache.clear()


@pytest.fixture
def officer(world: World) -> Any:
    return world.users[scopes.COMPLAINTS_OFFICER]


@pytest.fixture
def handler(world: World) -> Any:
    employee = EmployeeFactory(name="处理员小周", employee_no="A0100", unit=world.team_a1)
    user = make_user("handler_zhou", role=scopes.AGENT, unit=world.team_a1, employee=employee)
    user.email = "zhou@example.com"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def chat(world: World) -> tuple[Conversation, Order]:
    """A conversation served by the world's own agent, with an order mentioned in it."""
    agent = world.users[scopes.AGENT]
    group = channel_services.service_group_create(actor=None, name="华东售后", code="HD-TS", unit_id=world.team_a1.id)
    channel_services.presence_set(actor=agent, status="online")
    conversation = channel_services.conversation_start(
        service_group_id=group.id, identified_by="phone", phone="13900000001", name="王女士"
    )
    conversation.refresh_from_db()
    assert conversation.agent_id == world.me.id
    order = channel_services.order_create(
        actor=None,
        customer=conversation.customer,
        number="DD20261101001",
        shop="华夏优品旗舰店",
        items=[{"name": "保温杯", "quantity": 2, "unit_price": "129.00"}],
    )
    channel_services.message_send(
        actor=agent, conversation_id=conversation.id, text="您的订单 DD20261101001 已查到", client_key="k1"
    )
    return conversation, order


@pytest.fixture
def raised(world: World, chat: tuple[Conversation, Order]) -> Complaint:
    conversation, _ = chat
    return services.complaint_from_conversation(
        actor=world.users[scopes.AGENT],
        conversation_id=conversation.id,
        content="保温杯收到时杯盖开裂，客服态度敷衍",
        customer_request="换新并道歉",
        amount_at_stake="258.00",
    )


STEP_DATA: dict[str, dict[str, Any]] = {
    "classify": {"category": "商品质量", "founded": "true", "reasonable": "true"},
    "investigate": {"findings": "仓库包装不当，客服未及时登记", "responsible_party": "agent"},
    "propose": {"solution_kind": "replacement", "solution": "补发新杯并致歉", "compensation_amount": "50.00"},
    "notify": {"customer_notice": "已为您补发新杯，并补偿 50 元"},
    "satisfied": {"feedback": "满意"},
    "assess": {"loss_amount": "308.00"},
    "plan": {
        "improvement_kind": "training",
        "improvement_description": "易碎品包装与登记培训",
        "due_date": "2099-01-31",
    },
}


@pytest.fixture
def walk(world: World, officer: Any, handler: Any) -> Any:
    """Take the listed steps as the officer (assign names the handler; plan names the lead as owner)."""

    def walk_(complaint: Complaint, *actions: str, actor: Any = None) -> Complaint:
        for action in actions:
            complaint.refresh_from_db()
            data = dict(STEP_DATA.get(action, {}))
            if action == "assign":
                data["handler_id"] = handler.employee.id
            if action == "plan":
                data["owner_id"] = world.users[scopes.TEAM_LEAD].employee.id
            complaint = services.complaint_act(
                actor=actor or officer,
                complaint_id=complaint.id,
                action=action,
                expected_version=complaint.version,
                data=data,
            )
        return complaint

    return walk_
