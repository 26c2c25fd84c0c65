"""Contact history measured from kefu's own chat.

A chat queue whose 服务组 is the code of a channel service group (e.g. HD-PRE) is fed from that group's
conversations: offered = conversations that arrived in the interval, answered = those an agent took,
abandoned = those closed before any agent took them, answered within the policy's answer time, and the
handle time from taking the chat to closing it (measured under the agents' real concurrency, which is
what the chat staffing model asks for). When a group feeds several queues, each takes its customer
tier (KA, VIP); the rest go to its normal-tier queue.

An interval is recorded once it has ended and every conversation that arrived in it is closed; until
then a later run picks it up. Only intervals whose figures differ from what is stored are written, so
running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from kefu.channel.models import TIER_PRIORITY, Conversation, ServiceGroup, Tier
from kefu.policy import selectors as policy_selectors
from kefu.staffing.models import Channel, ContactInterval, CustomerTier, HistorySource, Queue
from kefu.staffing.services.history import contact_history_record

SWEEP_HOURS = 6  # how far back `kefu worker` looks: long chats close within it (idle timeout)
_TIER_OF_PRIORITY = {priority: str(tier) for tier, priority in TIER_PRIORITY.items()}
_FIELDS = ("offered", "answered", "abandoned", "answered_within", "aht_seconds")


@dataclass(frozen=True)
class ChatHistoryResult:
    queues: int  # chat queues fed from a service group
    written: int  # intervals created or changed
    unsettled: int  # ended intervals with a conversation still open: a later run records them


def _interval_start(moment: dt.datetime, minutes: int) -> dt.datetime:
    local = timezone.localtime(moment)
    return local.replace(minute=local.minute - local.minute % minutes, second=0, microsecond=0)


def _queue_by_priority(queues: list[Queue]) -> dict[int, Queue | None]:
    """Where a conversation of each queue priority goes: its tier's queue, else the group's normal-tier
    queue; a group with one queue sends everything there."""
    if len(queues) == 1:
        return dict.fromkeys(_TIER_OF_PRIORITY, queues[0])
    by_tier = {queue.customer_tier: queue for queue in queues}
    return {
        priority: by_tier.get(tier) or by_tier.get(CustomerTier.NORMAL) for priority, tier in _TIER_OF_PRIORITY.items()
    }


def contact_history_from_chat(*, since: dt.datetime | None = None, now: dt.datetime | None = None) -> ChatHistoryResult:
    """Record the ended intervals from `since` (default: the last few hours) for every linked queue."""
    now = now or timezone.now()
    since = since or now - dt.timedelta(hours=SWEEP_HOURS)
    codes = set(ServiceGroup.objects.values_list("code", flat=True))
    linked: dict[str, list[Queue]] = defaultdict(list)
    for queue in Queue.objects.filter(channel=Channel.CHAT, active=True, service_group__in=codes).select_related(
        "unit"
    ):
        linked[queue.service_group].append(queue)

    written = unsettled = 0
    for code, queues in sorted(linked.items()):
        rows, open_intervals = _measure(code, queues, since=since, now=now)
        unsettled += open_intervals
        for queue in queues:
            changed = _changed(queue, rows.get(queue.id, {}))
            if changed:
                contact_history_record(actor=None, queue_id=queue.id, rows=changed, source=HistorySource.CHANNEL)
                written += len(changed)
    return ChatHistoryResult(queues=sum(len(q) for q in linked.values()), written=written, unsettled=unsettled)


@dataclass
class _Tally:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    answered_within: int = 0
    handled: list[float] = field(default_factory=list)  # seconds from taking the chat to closing it

    def row(self) -> dict[str, object]:
        # at least a tenth of a second: a chat taken and closed in the same instant still took work
        aht = max(Decimal("0.1"), Decimal(sum(self.handled) / len(self.handled))) if self.handled else Decimal(0)
        return {
            "offered": self.offered,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "answered_within": self.answered_within,
            "aht_seconds": aht.quantize(Decimal("0.1")),
        }


def _measure(
    code: str, queues: list[Queue], *, since: dt.datetime, now: dt.datetime
) -> tuple[dict[int, dict[dt.datetime, dict[str, object]]], int]:
    """Figures per queue and interval start, for the intervals between `since` and `now` that have ended."""
    answer_within = dt.timedelta(
        seconds=int(policy_selectors.effective(unit=queues[0].unit, key="staffing.answer_within_seconds"))
    )
    # every interval of every queue, zero when nothing arrived: a linked queue's silence is a measurement
    tallies: dict[int, dict[dt.datetime, _Tally]] = {}
    for queue in queues:
        step = dt.timedelta(minutes=queue.interval_minutes)
        start = _interval_start(since, queue.interval_minutes)
        if start < since:
            start += step
        tallies[queue.id] = {}
        while start + step <= now:
            tallies[queue.id][start] = _Tally()
            start += step

    route = _queue_by_priority(queues)
    unsettled: set[tuple[int, dt.datetime]] = set()
    arrivals = Conversation.objects.filter(service_group__code=code, created_at__gte=since, created_at__lt=now)
    for created, assigned, closed, priority in arrivals.values_list(
        "created_at", "assigned_at", "closed_at", "priority"
    ).iterator(chunk_size=2000):
        target = route.get(priority, route[TIER_PRIORITY[Tier.NORMAL]])
        if target is None:
            continue
        start = _interval_start(created, target.interval_minutes)
        tally = tallies[target.id].get(start)
        if tally is None:
            continue  # the interval has not ended yet
        if closed is None:
            unsettled.add((target.id, start))
            continue
        tally.offered += 1
        if assigned is None:
            tally.abandoned += 1
            continue
        tally.answered += 1
        tally.answered_within += assigned - created <= answer_within
        tally.handled.append((closed - assigned).total_seconds())

    rows = {
        queue_id: {start: tally.row() for start, tally in by_start.items() if (queue_id, start) not in unsettled}
        for queue_id, by_start in tallies.items()
    }
    return rows, len(unsettled)


def _changed(queue: Queue, rows: dict[dt.datetime, dict[str, object]]) -> list[dict[str, object]]:
    """The rows that differ from what is stored (new intervals, or figures that moved)."""
    if not rows:
        return []
    stored = {
        item.interval_start: tuple(getattr(item, name) for name in _FIELDS)
        for item in ContactInterval.objects.filter(
            queue=queue, interval_start__gte=min(rows), interval_start__lte=max(rows)
        )
    }
    return [
        {"interval_start": start, **values}
        for start, values in sorted(rows.items())
        if stored.get(start) != tuple(values[name] for name in _FIELDS)
    ]
