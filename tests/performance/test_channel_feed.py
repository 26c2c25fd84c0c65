"""Work records from kefu's own channel: a closed chat counts for its agent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kefu.channel import services as channel_services
from kefu.core.errors import ApplicationError
from kefu.performance.models import PointEntry, WorkRecord
from kefu.performance.selectors import points as point_selectors
from kefu.policy import services as policy_services
from tests.channel.conftest import _fresh_policy_memo, active, agent, group, start  # noqa: F401 - fixtures
from tests.conftest import World
from tests.performance.factories import department_types


def test_a_chat_closed_in_the_channel_becomes_a_work_record_with_points(
    world: World,
    active: Any,  # noqa: F811 - the channel fixture
    django_capture_on_commit_callbacks: Any,
) -> None:
    department_types(world.team_a1.parent)
    with django_capture_on_commit_callbacks(execute=True):
        channel_services.conversation_close(actor=world.users["agent"], conversation_id=active.id)
    record = WorkRecord.objects.get(source_system="channel", source_id=f"conversation:{active.id}")
    assert record.agent_id == world.me.id and record.business_type.code == "inquiry"
    assert point_selectors.totals(PointEntry.objects.filter(agent_id=world.me.id)).points == Decimal(1)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ApplicationError):
        channel_services.conversation_close(actor=world.users["agent"], conversation_id=active.id)
    assert WorkRecord.objects.filter(source_id=f"conversation:{active.id}").count() == 1


def test_a_department_without_the_chat_business_type_gets_no_record_and_the_close_stands(
    world: World,
    active: Any,  # noqa: F811 - the channel fixture
    django_capture_on_commit_callbacks: Any,
) -> None:
    policy_services.policy_set(
        actor=world.users["hq_admin"], key="performance.chat_business_type", unit_id=world.group.id, value="live_chat"
    )
    with django_capture_on_commit_callbacks(execute=True):
        closed = channel_services.conversation_close(actor=world.users["agent"], conversation_id=active.id)
    assert closed.status == "closed"
    assert not WorkRecord.objects.filter(source_id=f"conversation:{active.id}").exists()
