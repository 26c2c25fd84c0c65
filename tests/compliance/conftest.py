"""Compliance fixtures: the real screener registered (other apps' tests may have reset the slot), a fresh
scanner cache per test (policy rows are rolled back between tests), and a conversation being served by
the world's own agent."""

from __future__ import annotations

from typing import Any

import pytest

from kefu.channel import hooks, policy_cache
from kefu.channel import services as channel_services
from kefu.channel.models import Conversation, ServiceGroup
from kefu.compliance import effective
from kefu.core import scopes
from tests.conftest import World


@pytest.fixture(autouse=True)
def _real_screener() -> Any:
    hooks.screen_message.register(effective.screen)
    effective.SCANNERS.invalidate()
    policy_cache.clear()
    yield
    hooks.screen_message.register(effective.screen)
    effective.SCANNERS.invalidate()


@pytest.fixture
def group(world: World) -> ServiceGroup:
    return channel_services.service_group_create(actor=None, name="华东售后", code="HD-SH", unit_id=world.team_a1.id)


@pytest.fixture
def agent(world: World) -> Any:
    return world.users[scopes.AGENT]


@pytest.fixture
def hr(world: World) -> Any:
    user = world.users[scopes.BRANCH_HR]
    user.email = "hr-a@example.com"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def qa(world: World) -> Any:
    return world.users[scopes.QA]


@pytest.fixture
def active(world: World, agent: Any, group: ServiceGroup) -> Conversation:
    """A conversation with customer 张三 (13800000001) served by the world's own agent."""
    channel_services.presence_set(actor=agent, status="online")
    conversation = channel_services.conversation_start(
        service_group_id=group.id, identified_by="phone", phone="13800000001", name="张三"
    )
    conversation.refresh_from_db()
    assert conversation.agent_id == world.me.id
    return conversation


@pytest.fixture
def send(agent: Any) -> Any:
    """The agent (or the customer) writes in a conversation through the channel's services."""
    counter = iter(range(1, 10_000))

    def send_(conversation: Conversation, text: str, *, by: str = "agent", actor: Any = None) -> Any:
        key = f"k-{next(counter)}"
        if by == "customer":
            return channel_services.visitor_message_send(conversation_id=conversation.id, client_key=key, text=text)
        return channel_services.message_send(
            actor=actor or agent, conversation_id=conversation.id, client_key=key, text=text
        )

    return send_
