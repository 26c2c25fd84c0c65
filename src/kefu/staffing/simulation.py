"""Discrete-event simulation of one queue served by a pool of agents, with customer priority tiers.

Two uses: checking the Erlang A arithmetic against a queue that actually runs, and showing what service
each customer tier really gets from the same agents when KA (key-account) customers are answered first,
then VIP, then everyone else (first come, first served within a tier), as the seed article asks of a
contact centre that must keep its key accounts happy at Double 11.

Pure Python, no Django; a seeded `random.Random` makes every run repeatable.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class CustomerTier(StrEnum):
    """Customer tiers in the order they are answered."""

    KA = "ka"  # key accounts (大客户)
    VIP = "vip"
    NORMAL = "normal"


PRIORITY_ORDER: tuple[CustomerTier, ...] = (CustomerTier.KA, CustomerTier.VIP, CustomerTier.NORMAL)

_ARRIVAL, _DEPARTURE, _ABANDON = 0, 1, 2


@dataclass(frozen=True, slots=True)
class TierOutcome:
    """What one tier's contacts experienced, counted over the observed arrivals.

    `service_level` is answered within the target over offered (abandons count as misses), the same
    definition as `erlang.erlang_a_measures`; it is None when the tier had no contacts.
    """

    tier: str
    offered: int
    answered: int
    abandoned: int
    answered_within: int
    service_level: float | None
    asa_seconds: float | None  # mean wait of the answered contacts; None when none were answered
    abandon_rate: float | None


@dataclass(frozen=True, slots=True)
class SimulationResult:
    tiers: dict[str, TierOutcome]  # in priority order, only the tiers that were given traffic
    overall: TierOutcome
    occupancy: float  # busy agent-time over agent-time while observed contacts were arriving
    simulated_seconds: float


class _Contact:
    __slots__ = ("arrived_at", "counted", "tier", "waiting")

    def __init__(self, tier: int, arrived_at: float, *, counted: bool) -> None:
        self.tier = tier
        self.arrived_at = arrived_at
        self.counted = counted
        self.waiting = True


def _outcome(tier: str, offered: int, answered: int, abandoned: int, within: int, wait_total: float) -> TierOutcome:
    return TierOutcome(
        tier=tier,
        offered=offered,
        answered=answered,
        abandoned=abandoned,
        answered_within=within,
        service_level=within / offered if offered else None,
        asa_seconds=wait_total / answered if answered else None,
        abandon_rate=abandoned / offered if offered else None,
    )


def _check_positive(field: str, value: float) -> float:
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{field} must be a finite number greater than 0, got {value!r}")
    return number


def simulate_queue(
    *,
    agents: int,
    arrivals_per_hour: Mapping[str, float],
    answer_within_seconds: float,
    aht_seconds: float | None = None,
    service_times: Sequence[float] | None = None,
    patience_seconds: float | None = None,
    max_arrivals: int = 100_000,
    max_seconds: float | None = None,
    warmup_arrivals: int = 0,
    seed: int = 0,
) -> SimulationResult:
    """Run the queue until `max_arrivals` contacts (or `max_seconds`) have arrived, then let it drain.

    Contacts of each tier arrive as a Poisson stream (`arrivals_per_hour`, keyed "ka" / "vip" /
    "normal"). Handle times are exponential with mean `aht_seconds`, or drawn at random from the
    observed `service_times` — give exactly one. With `patience_seconds` each waiting contact hangs up
    after an exponential patience with that mean. The first `warmup_arrivals` contacts fill the empty
    queue and are not counted, so the figures describe the steady state Erlang formulas speak of.
    """
    if isinstance(agents, bool) or not isinstance(agents, int) or agents < 1:
        raise ValueError(f"agents must be a whole number of at least 1, got {agents!r}")
    if (aht_seconds is None) == (service_times is None):
        raise ValueError("give exactly one of aht_seconds (exponential handle times) or service_times")
    answer_within = _check_positive("answer_within_seconds", answer_within_seconds)
    patience = None if patience_seconds is None else _check_positive("patience_seconds", patience_seconds)
    if max_arrivals < 1 or warmup_arrivals < 0 or warmup_arrivals >= max_arrivals:
        raise ValueError(
            f"need 0 <= warmup_arrivals < max_arrivals, got warmup_arrivals={warmup_arrivals}, "
            f"max_arrivals={max_arrivals}"
        )
    horizon = math.inf if max_seconds is None else _check_positive("max_seconds", max_seconds)

    tiers: list[CustomerTier] = []
    rates: list[float] = []
    for tier in PRIORITY_ORDER:
        if tier.value in arrivals_per_hour:
            rate = float(arrivals_per_hour[tier.value])
            if not math.isfinite(rate) or rate < 0:
                raise ValueError(f"arrivals_per_hour[{tier.value!r}] must be a finite number >= 0, got {rate!r}")
            tiers.append(tier)
            rates.append(rate / 3600.0)
    unknown = set(arrivals_per_hour) - {tier.value for tier in PRIORITY_ORDER}
    if unknown:
        raise ValueError(f"arrivals_per_hour has unknown tiers {sorted(unknown)}; use ka, vip or normal")
    total_rate = sum(rates)
    if total_rate <= 0:
        raise ValueError("arrivals_per_hour must give at least one tier a rate greater than 0")
    cumulative = [sum(rates[: index + 1]) / total_rate for index in range(len(rates))]
    cumulative[-1] = 1.0  # no rounding gap for the last tier's draw

    rng = random.Random(seed)  # noqa: S311 -- a repeatable simulation, not a secret
    if service_times is not None:
        observed = [_check_positive("service_times", value) for value in service_times]
        if not observed:
            raise ValueError("service_times must not be empty")

        def handle_time() -> float:
            return rng.choice(observed)

    else:
        service_rate = 1.0 / _check_positive("aht_seconds", aht_seconds or 0.0)

        def handle_time() -> float:
            return rng.expovariate(service_rate)

    queues: list[deque[_Contact]] = [deque() for _ in tiers]
    offered = [0] * len(tiers)
    answered = [0] * len(tiers)
    abandoned = [0] * len(tiers)
    within = [0] * len(tiers)
    wait_totals = [0.0] * len(tiers)

    events: list[tuple[float, int, int, _Contact | None]] = []
    sequence = 0  # breaks ties in the heap so contacts are never compared
    free_agents = agents
    arrivals = 0
    now = 0.0
    busy_area = 0.0  # agent-seconds busy while observed contacts were arriving
    window_start = window_end = math.nan
    observing = warmup_arrivals == 0
    if observing:
        window_start = 0.0

    def answer(contact: _Contact) -> None:
        nonlocal sequence
        if contact.counted:
            waited = now - contact.arrived_at
            answered[contact.tier] += 1
            wait_totals[contact.tier] += waited
            if waited <= answer_within:
                within[contact.tier] += 1
        contact.waiting = False
        sequence += 1
        heapq.heappush(events, (now + handle_time(), sequence, _DEPARTURE, None))

    heapq.heappush(events, (rng.expovariate(total_rate), sequence, _ARRIVAL, None))
    while events:
        event_time, _, kind, contact = heapq.heappop(events)
        if observing:
            busy_area += (agents - free_agents) * (event_time - now)
        now = event_time

        if kind == _ARRIVAL:
            draw = rng.random()
            tier_index = next(index for index, share in enumerate(cumulative) if draw < share)
            counted = arrivals >= warmup_arrivals
            arrivals += 1
            arriving = _Contact(tier_index, now, counted=counted)
            if counted:
                offered[tier_index] += 1
            if free_agents:
                free_agents -= 1
                answer(arriving)
            else:
                queues[tier_index].append(arriving)
                if patience is not None:
                    sequence += 1
                    heapq.heappush(events, (now + rng.expovariate(1.0 / patience), sequence, _ABANDON, arriving))
            next_arrival = now + rng.expovariate(total_rate)
            if arrivals < max_arrivals and next_arrival <= horizon:
                sequence += 1
                heapq.heappush(events, (next_arrival, sequence, _ARRIVAL, None))
            else:
                if observing:
                    window_end = now
                observing = False
            if arrivals == warmup_arrivals and warmup_arrivals:
                observing, window_start = True, now
        elif kind == _DEPARTURE:
            free_agents += 1
            for queue in queues:  # priority order: KA, VIP, normal
                while queue and not queue[0].waiting:
                    queue.popleft()  # hung up earlier; removed lazily
                if queue:
                    free_agents -= 1
                    answer(queue.popleft())
                    break
        elif contact is not None and contact.waiting:
            contact.waiting = False
            if contact.counted:
                abandoned[contact.tier] += 1

    window = window_end - window_start
    outcomes = {
        tier.value: _outcome(tier.value, offered[i], answered[i], abandoned[i], within[i], wait_totals[i])
        for i, tier in enumerate(tiers)
    }
    overall = _outcome("overall", sum(offered), sum(answered), sum(abandoned), sum(within), sum(wait_totals))
    return SimulationResult(
        tiers=outcomes,
        overall=overall,
        occupancy=busy_area / (agents * window) if window > 0 else 0.0,
        simulated_seconds=now,
    )
