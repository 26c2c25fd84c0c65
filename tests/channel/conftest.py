"""Channel fixtures: a service group for team A1, customers of each tier, conversations started the
way the chat page starts them."""

from __future__ import annotations

from typing import Any

import pytest

from kefu.channel import hooks, policy_cache, services
from kefu.channel.models import Conversation, Customer, ServiceGroup, Tier
from kefu.core import scopes
from tests.channel.factories import png_bytes  # noqa: F401 - re-exported for tests
from tests.conftest import World


@pytest.fixture(autouse=True)
def _fresh_policy_memo() -> Any:
    policy_cache.clear()
    registered = hooks.screen_message.current  # the compliance app's screener, restored afterwards
    hooks.screen_message.reset()
    yield
    hooks.screen_message.register(registered)
    policy_cache.clear()


@pytest.fixture
def group(world: World) -> ServiceGroup:
    return services.service_group_create(actor=None, name="华东售后", code="HD-SH", unit_id=world.team_a1.id)


@pytest.fixture
def agent(world: World) -> Any:
    return world.users[scopes.AGENT]


@pytest.fixture
def make_customer(world: World) -> Any:
    def make(name: str = "张三", tier: str = Tier.NORMAL, phone: str = "", branch: Any = None) -> Customer:
        return services.customer_create(actor=None, name=name, unit=branch or world.branch_a, phone=phone, tier=tier)

    return make


@pytest.fixture
def start(group: ServiceGroup) -> Any:
    def start_(phone: str = "13800000001", name: str = "张三", via: str = "phone", target: Any = None) -> Conversation:
        return services.conversation_start(
            service_group_id=(target or group).id, identified_by=via, phone=phone, name=name
        )

    return start_


@pytest.fixture
def active(world: World, agent: Any, start: Any) -> Conversation:
    """A conversation being served by the world's own agent."""
    services.presence_set(actor=agent, status="online")
    conversation = start()
    conversation.refresh_from_db()
    assert conversation.agent_id == world.me.id
    return conversation
