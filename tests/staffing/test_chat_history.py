"""Contact history measured from kefu's own chat: a chat queue linked to a channel service group gets its
intervals from the conversations, once they have ended and settled, and a second run changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kefu.channel import services as channel_services
from kefu.channel.models import Conversation, ServiceGroup, Tier
from kefu.staffing import services
from kefu.staffing.models import ContactImport, ContactInterval, Queue
from tests.conftest import World

TEN = timezone.make_aware(dt.datetime(2026, 11, 2, 10, 0))


@pytest.fixture
def chat_group(world: World) -> ServiceGroup:
    return channel_services.service_group_create(actor=None, name="华东售前", code="HD-PRE", unit_id=world.team_a1.id)


def chat_queue(world: World, *, code: str, tier: str = "normal", service_group: str = "HD-PRE") -> Queue:
    return services.queue_create(
        actor=None, unit_id=world.team_a1.id, code=code, name="在线客服", channel="chat",
        service_group=service_group, customer_tier=tier,
    )  # fmt: skip


def arrive(
    world: World,
    group: ServiceGroup,
    *,
    at: dt.datetime,
    taken_after: int | None,
    closed_after: int | None,
    tier: str = Tier.NORMAL,
) -> Conversation:
    """A conversation that arrived `at`, taken by an agent after `taken_after` s (None: never) and closed
    `closed_after` s after arriving (None: still open)."""
    customer = channel_services.customer_create(actor=None, name="顾客", unit=world.branch_a, tier=tier)
    assigned = at + dt.timedelta(seconds=taken_after) if taken_after is not None else None
    closed = at + dt.timedelta(seconds=closed_after) if closed_after is not None else None
    status = "closed" if closed else ("active" if assigned else "queued")
    return Conversation.objects.create(
        customer=customer, service_group=group, unit=group.unit, agent=world.me if assigned else None,
        status=status, priority={"ka": 0, "vip": 1}.get(tier, 2), identified_by="guest",
        created_at=at, queued_at=at, assigned_at=assigned, closed_at=closed,
    )  # fmt: skip


def figures(queue: Queue) -> list[tuple[Any, ...]]:
    return [
        (
            timezone.localtime(row.interval_start).strftime("%H:%M"),
            row.offered,
            row.answered,
            row.abandoned,
            row.answered_within,
            row.aht_seconds,
            row.source,
        )
        for row in ContactInterval.objects.filter(queue=queue).order_by("interval_start")
    ]


def test_intervals_are_measured_from_the_conversations(world: World, chat_group: ServiceGroup) -> None:
    queue = chat_queue(world, code="HD-CHAT")
    arrive(world, chat_group, at=TEN + dt.timedelta(minutes=5), taken_after=10, closed_after=610)  # 600 s
    arrive(world, chat_group, at=TEN + dt.timedelta(minutes=10), taken_after=60, closed_after=360)  # late, 300 s
    arrive(world, chat_group, at=TEN + dt.timedelta(minutes=20), taken_after=None, closed_after=90)  # gave up
    arrive(world, chat_group, at=TEN + dt.timedelta(minutes=70), taken_after=5, closed_after=65)  # not ended yet

    result = services.contact_history_from_chat(since=TEN, now=TEN + dt.timedelta(minutes=65))

    assert (result.queues, result.written, result.unsettled) == (1, 2, 0)
    assert figures(queue) == [
        ("10:00", 3, 2, 1, 1, Decimal("450.0"), "channel"),
        ("10:30", 0, 0, 0, 0, Decimal("0.0"), "channel"),  # silence on a linked queue is a measurement
    ]


def test_an_interval_waits_until_its_conversations_are_closed_and_a_rerun_changes_nothing(
    world: World, chat_group: ServiceGroup
) -> None:
    queue = chat_queue(world, code="HD-CHAT")
    open_chat = arrive(world, chat_group, at=TEN + dt.timedelta(minutes=3), taken_after=8, closed_after=None)
    later = TEN + dt.timedelta(minutes=40)

    result = services.contact_history_from_chat(since=TEN, now=later)
    assert (result.written, result.unsettled) == (0, 1)
    assert figures(queue) == []

    open_chat.status, open_chat.closed_at = "closed", TEN + dt.timedelta(minutes=23)
    open_chat.save()
    assert services.contact_history_from_chat(since=TEN, now=later).written == 1
    assert figures(queue) == [("10:00", 1, 1, 0, 1, Decimal("1192.0"), "channel")]  # taken 10:03:08, closed 10:23

    batches = ContactImport.objects.count()
    assert services.contact_history_from_chat(since=TEN, now=later).written == 0
    assert ContactImport.objects.count() == batches  # nothing new was written, not even an empty batch


def test_each_tier_goes_to_its_own_queue_and_the_rest_to_the_normal_one(world: World, chat_group: ServiceGroup) -> None:
    normal = chat_queue(world, code="HD-CHAT")
    key_accounts = chat_queue(world, code="HD-CHAT-KA", tier="ka")
    unlinked = chat_queue(world, code="HD-CHAT-OLD", service_group="售前")  # a label, not a service group
    arrive(world, chat_group, at=TEN + dt.timedelta(minutes=1), taken_after=2, closed_after=62, tier=Tier.KA)
    arrive(world, chat_group, at=TEN + dt.timedelta(minutes=2), taken_after=2, closed_after=122, tier=Tier.VIP)

    result = services.contact_history_from_chat(since=TEN, now=TEN + dt.timedelta(minutes=30))

    assert result.queues == 2
    assert figures(key_accounts) == [("10:00", 1, 1, 0, 1, Decimal("60.0"), "channel")]
    assert figures(normal) == [("10:00", 1, 1, 0, 1, Decimal("120.0"), "channel")]
    assert figures(unlinked) == []


def test_kefu_worker_runs_it() -> None:
    from kefu.core import periodic

    assert "staffing.history_from_chat" in {job.name for job in periodic.jobs()}


def test_the_command_backfills_from_a_day_and_refuses_the_future(world: World, chat_group: ServiceGroup) -> None:
    import io
    import json

    from django.core.management import CommandError, call_command

    queue = chat_queue(world, code="HD-CHAT")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    noon = timezone.make_aware(dt.datetime.combine(yesterday, dt.time(12, 10)))
    arrive(world, chat_group, at=noon, taken_after=3, closed_after=183)
    out = io.StringIO()

    call_command("staffing", "history-from-chat", "--since", yesterday.isoformat(), stdout=out)

    summary = json.loads(out.getvalue())
    assert summary["queues"] == 1 and summary["written"] >= 48  # every ended half hour since midnight
    assert ("12:00", 1, 1, 0, 1, Decimal("180.0"), "channel") in figures(queue)
    with pytest.raises(CommandError, match="future"):
        call_command("staffing", "history-from-chat", "--since", "2999-01-01", stdout=io.StringIO())
