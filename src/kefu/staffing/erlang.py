"""Erlang C and Erlang A: how many agents a queue needs to answer its contacts in time.

Pure arithmetic, no Django: the planner screens, the CLI and the benchmark all call these functions.

Vocabulary
  offered load (Erlangs)  contacts per second × average handle time (AHT): the agents that would be
                          busy if nobody ever waited.
  service level (SL)      share of contacts answered within the target time ("80/20": 80% within 20 s).
  ASA                     average speed of answer: mean wait of the answered contacts.
  occupancy               share of logged-in time an agent spends handling contacts.
  shrinkage               share of paid time not on the phones (breaks, training, meetings, leave).

Erlang C (M/M/n) assumes nobody hangs up; Erlang A (M/M/n+M, Palm's model as analysed by Mandelbaum &
Zeltyn, "The Palm/Erlang-A queue, with applications to call centers", 2007) lets each waiting contact
abandon after an exponential patience. Both are computed with recurrences and log-space sums, so a
Double 11 interval with 100,000 contacts neither overflows nor scans from one agent upwards.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

import numpy as np

Model = Literal["erlang_c", "erlang_a"]

FEN = Decimal("0.01")
MAX_PATIENCE_SECONDS = 86_400.0  # one day; a contact that would wait longer is an Erlang C contact
# Terms below e^-45 of the largest term change no probability we report (they are < 1e-19 of it).
_LOG_NEGLIGIBLE = 45.0
# Ratios such as 14 / 0.7 come out as 20.000000000000004 in binary floating point; a few ulps of slack
# keeps such an exact boundary on the side the planner meant.
_ROUNDING_SLACK = 1e-12


class StaffingInputError(ValueError):
    """A staffing input a planner must correct; `field` names the offending parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class StaffingResult:
    """What one interval needs: agents on the phones, heads to schedule and the service they give."""

    agents: int  # agents logged in and handling contacts (before shrinkage)
    scheduled: int  # heads to put on the schedule: agents / (1 - shrinkage), rounded up
    service_level: float  # share of offered contacts answered within the target time
    occupancy: float  # share of the agents' logged-in time spent on contacts
    asa_seconds: float  # mean wait of the answered contacts
    abandon_rate: float | None  # share of offered contacts that hang up while waiting; None for Erlang C
    model: Model
    offered_load: float  # Erlangs


@dataclass(frozen=True, slots=True)
class CostPoint:
    """One staffing level on the service-versus-cost curve."""

    agents: int
    scheduled: int
    service_level: float
    asa_seconds: float | None  # None: more work arrives than the agents can do, waits grow without bound
    abandon_rate: float | None  # None for Erlang C
    occupancy: float
    labour_cost: Decimal  # yuan for the scheduled heads over the interval, 2 places, ROUND_HALF_UP


# --- validation -----------------------------------------------------------------------------------


def _number(field: str, value: object) -> float:
    if isinstance(value, (float, int)) and not isinstance(value, bool):  # common case, skips the ABC check
        number = float(value)
        if math.isfinite(number):
            return number
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, Decimal)):
        raise StaffingInputError(field, f"{field} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise StaffingInputError(field, f"{field} must be a finite number, got {value!r}")
    return number


def _positive(field: str, value: object) -> float:
    number = _number(field, value)
    if number <= 0:
        raise StaffingInputError(field, f"{field} must be greater than 0, got {value!r}")
    return number


def _whole(field: str, value: object, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise StaffingInputError(field, f"{field} must be a whole number, got {value!r}")
    if value < minimum:
        raise StaffingInputError(field, f"{field} must be at least {minimum}, got {value!r}")
    return int(value)


def _service_level_target(value: object) -> float:
    target = _number("service_level_target", value)
    if not 0.0 < target < 1.0:
        raise StaffingInputError(
            "service_level_target",
            f"service_level_target must be a fraction between 0 and 1 (0.8 for 80%), got {value!r}",
        )
    return target


def _shrinkage(value: object) -> float:
    shrinkage = _number("shrinkage", value)
    if not 0.0 <= shrinkage < 1.0:
        raise StaffingInputError("shrinkage", f"shrinkage must be in [0, 1) (0.3 for 30%), got {value!r}")
    return shrinkage


def _max_occupancy(value: object) -> float:
    cap = _number("max_occupancy", value)
    if not 0.0 < cap <= 1.0:
        raise StaffingInputError("max_occupancy", f"max_occupancy must be in (0, 1] (0.85 for 85%), got {value!r}")
    return cap


def _patience(value: object) -> float:
    patience = _positive("patience_seconds", value)
    if patience > MAX_PATIENCE_SECONDS:
        raise StaffingInputError(
            "patience_seconds",
            f"patience_seconds must be at most {MAX_PATIENCE_SECONDS:.0f} (one day); "
            f"leave it out for contacts that never hang up (Erlang C), got {value!r}",
        )
    return patience


def _ceil(value: float) -> int:
    return math.ceil(value * (1.0 - _ROUNDING_SLACK))


def _scheduled(agents: int, shrinkage: float) -> int:
    return max(agents, _ceil(agents / (1.0 - shrinkage)))


# --- Erlang B / C -------------------------------------------------------------------------------


def offered_load(*, calls: float, aht_seconds: float, interval_seconds: float) -> float:
    """Offered load in Erlangs: the agent-time the interval's contacts bring, per second of the interval."""
    calls = _positive("calls", calls)
    aht_seconds = _positive("aht_seconds", aht_seconds)
    interval_seconds = _positive("interval_seconds", interval_seconds)
    return calls * aht_seconds / interval_seconds


def _inverse_erlang_b_below_load(servers: int, load: float) -> float:
    """1 / ErlangB for servers <= floor(load) + 1, summing (n!/k!)·load^(k-n) from k = n downwards.

    Past the first term every ratio k/load is below one, so the sum is dominated by its first terms and
    stops after about 9·sqrt(load) of them instead of n: that is what keeps 16,000 Erlangs cheap.
    """
    inverse = 1.0
    term = 1.0
    for k in range(servers, 0, -1):
        term *= k / load
        inverse += term
        if term < inverse * 1e-17:
            break
    return inverse


def _erlang_b(servers: int, load: float) -> float:
    """Erlang B blocking probability; stable recurrence upwards from just above the load."""
    start = min(servers, math.floor(load) + 1)
    blocking = 1.0 / _inverse_erlang_b_below_load(start, load)
    for k in range(start + 1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def _log_erlang_b(servers: int, load: float) -> float:
    """log Erlang B, for Erlang A where many more servers than load must not underflow to log(0)."""
    start = min(servers, math.floor(load) + 1)
    log_blocking = -math.log(_inverse_erlang_b_below_load(start, load))
    log_load = math.log(load)
    for k in range(start + 1, servers + 1):
        log_blocking += log_load - math.log(k + math.exp(log_load + log_blocking))
    return log_blocking


def _wait_probability(servers: int, load: float, blocking: float) -> float:
    return servers * blocking / (servers - load * (1.0 - blocking))


def erlang_c_wait_probability(*, agents: int, load: float) -> float:
    """Erlang C: probability that an arriving contact finds every agent busy and has to queue.

    With no more agents than the load the queue grows without bound and every contact waits (1.0).
    """
    agents = _whole("agents", agents, minimum=1)
    load = _positive("load", load)
    if agents <= load:
        return 1.0
    return _wait_probability(agents, load, _erlang_b(agents, load))


def service_level(*, agents: int, load: float, aht_seconds: float, answer_within_seconds: float) -> float:
    """Erlang C service level: share of contacts answered within `answer_within_seconds`.

    SL = 1 - P(wait) · exp(-(agents - load) · t / AHT); 0.0 when the agents cannot keep up with the load.
    """
    agents = _whole("agents", agents, minimum=1)
    load = _positive("load", load)
    aht_seconds = _positive("aht_seconds", aht_seconds)
    answer_within_seconds = _positive("answer_within_seconds", answer_within_seconds)
    if agents <= load:
        return 0.0
    wait = _wait_probability(agents, load, _erlang_b(agents, load))
    return max(0.0, 1.0 - wait * math.exp(-(agents - load) * answer_within_seconds / aht_seconds))


def asa_seconds(*, agents: int, load: float, aht_seconds: float) -> float:
    """Erlang C average speed of answer: P(wait) · AHT / (agents - load); infinite when overloaded."""
    agents = _whole("agents", agents, minimum=1)
    load = _positive("load", load)
    aht_seconds = _positive("aht_seconds", aht_seconds)
    if agents <= load:
        return math.inf
    return _wait_probability(agents, load, _erlang_b(agents, load)) * aht_seconds / (agents - load)


def occupancy(*, agents: int, load: float) -> float:
    """Erlang C occupancy: load / agents, at most 1 (agents cannot be busier than always)."""
    agents = _whole("agents", agents, minimum=1)
    load = _positive("load", load)
    return min(1.0, load / agents)


# --- Erlang A -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ErlangAMeasures:
    """Steady-state service of an M/M/n+M queue; rates are shares of offered contacts."""

    service_level: float  # answered within t, abandoned contacts count as misses
    abandon_rate: float
    wait_probability: float  # arriving contact finds every server busy
    asa_seconds: float  # mean wait of the answered contacts (nan if asa was not asked for)
    occupancy: float


def _log_rising_terms(base: float, z: float) -> np.ndarray:
    """log of z^k / (base·(base+1)···(base+k-1)) for k = 0, 1, … until the terms are negligible.

    These are the stationary probabilities of the Erlang A queue beyond the last free agent (relative to
    "all agents busy, nobody waiting"): each further waiter arrives at rate λ and leaves at rate nμ + jθ.
    The terms rise while z exceeds base + k, then fall; the sum is cut 45 e-folds below the peak.
    """
    if z <= 0.0:
        return np.zeros(1)
    log_z = math.log(z)
    peak = max(0, math.ceil(z - base))
    span = base + peak
    tail = math.sqrt(2.0 * _LOG_NEGLIGIBLE * span)
    if z < span:
        tail = min(tail, _LOG_NEGLIGIBLE / -math.log(z / span))
    length = peak + int(tail) + 16
    while True:
        steps = log_z - np.log(base + np.arange(length, dtype=np.float64))
        logs = np.concatenate((np.zeros(1), np.cumsum(steps)))
        if logs[-1] < logs.max() - _LOG_NEGLIGIBLE:
            return logs
        length *= 2


def erlang_a_measures(
    *,
    servers: int,
    load: float,
    aht_seconds: float,
    patience_seconds: float,
    answer_within_seconds: float,
) -> ErlangAMeasures:
    """Erlang A (M/M/n+M) service for `servers` agents (agents × concurrency for chat); see `_erlang_a`."""
    return _erlang_a(
        servers=_whole("servers", servers, minimum=1),
        load=_positive("load", load),
        aht_seconds=_positive("aht_seconds", aht_seconds),
        patience_seconds=_patience(patience_seconds),
        answer_within_seconds=_positive("answer_within_seconds", answer_within_seconds),
    )


def _erlang_a(
    *,
    servers: int,
    load: float,
    aht_seconds: float,
    patience_seconds: float,
    answer_within_seconds: float,
    with_asa: bool = True,
) -> ErlangAMeasures:
    """Erlang A (M/M/n+M): service level, abandonment, P(wait), ASA and occupancy for `servers`.

    Service level here is P(answered within t) over all offered contacts: a contact that hangs up,
    however quickly, counts against the target. That is the figure a contact centre reports as
    "answered within t / offered", and it tends to the Erlang C service level as patience grows.

    How: a contact that arrives to find j others waiting is answered after the j+1 stages in front of
    it, stage i lasting Exp(nμ + iθ). Then exp(-θ·wait) ~ Beta(n·μ/θ, j+1) (a product of Beta(·, 1)
    variables), so with patience ~ Exp(θ) independent:
        P(answered | j)           = x / (x + j + 1),                   x = nμ/θ, y = λ/θ
        P(answered within t | j)  = E[e^{-θV}; V ≤ t]
        E[wait; answered | j]     = x / (x + j + 1) · Σ_{i≤j} 1 / (θ(x + i + 1)).
    Summed against the stationary probabilities (kept in log space), the within-t sum has the closed
    form x·[Σ_j p_j/(x+j+1) - c^{x+1} e^{y(1-c)} Σ_k (yc)^k / (x+1)_{k+1}] with c = e^{-θt}.
    """
    theta = 1.0 / patience_seconds
    x = servers * patience_seconds / aht_seconds
    y = load * patience_seconds / aht_seconds

    # Arrivals that find a free agent, relative to "all busy, nobody waiting": 1/B - 1, in log space.
    log_blocking = _log_erlang_b(servers, load)
    log_free = -log_blocking + math.log1p(-math.exp(log_blocking))

    queue_logs = _log_rising_terms(x + 1.0, y)
    scale = float(queue_logs.max())
    queue = np.exp(queue_logs - scale)
    waiting = np.arange(queue.size, dtype=np.float64)  # j: contacts already waiting on arrival
    answered_share = x / (x + 1.0 + waiting)
    queue_mass = float(queue.sum())
    answered_mass = float(queue @ answered_share)
    abandon_mass = float(queue @ ((waiting + 1.0) / (x + 1.0 + waiting)))

    theta_t = answer_within_seconds * theta
    late_logs = _log_rising_terms(x + 1.0, y * math.exp(-theta_t))
    late_logs = late_logs - np.log(x + 1.0 + np.arange(late_logs.size, dtype=np.float64))
    late_peak = float(late_logs.max())
    log_late = (
        math.log(x)
        - (x + 1.0) * theta_t
        + y * -math.expm1(-theta_t)
        + late_peak
        + math.log(float(np.exp(late_logs - late_peak).sum()))
    )
    within_mass = max(0.0, answered_mass - math.exp(log_late - scale))

    log_total = np.logaddexp(log_free, scale + math.log(queue_mass))
    free_share = math.exp(log_free - log_total)
    queue_weight = math.exp(scale - log_total)

    abandon_rate = min(1.0, queue_weight * abandon_mass)
    asa = math.nan
    if with_asa:
        stage_means = np.cumsum(1.0 / (x + 1.0 + waiting)) / theta
        answered = free_share + queue_weight * answered_mass
        asa = queue_weight * float(queue @ (answered_share * stage_means)) / answered if answered > 0 else math.inf
    return ErlangAMeasures(
        service_level=min(1.0, free_share + queue_weight * within_mass),
        abandon_rate=abandon_rate,
        wait_probability=min(1.0, queue_weight * queue_mass),
        asa_seconds=asa,
        occupancy=min(1.0, load * (1.0 - abandon_rate) / servers),
    )


# --- required agents ----------------------------------------------------------------------------


def required_agents(
    *,
    calls: float,
    aht_seconds: float,
    interval_minutes: float = 30,
    service_level_target: float,
    answer_within_seconds: float,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
    patience_seconds: float | None = None,
    concurrency: int = 1,
) -> StaffingResult:
    """Fewest agents on the phones meeting both the service-level target and the occupancy cap.

    `calls` arrive in an interval of `interval_minutes`; each takes `aht_seconds` of an agent's time.
    Without `patience_seconds` this is Erlang C; with it, Erlang A (callers hang up after an
    exponential patience with that mean) and the result carries the abandon rate.
    `scheduled` adds shrinkage: agents / (1 - shrinkage), rounded up.

    Chat (`concurrency` k > 1) treats every agent as k independent servers, each holding one chat for
    `aht_seconds`. That is an approximation: real agents slow down as they juggle chats, so enter the
    handle time measured at that concurrency, not the one-chat-at-a-time figure.
    """
    calls = _positive("calls", calls)
    aht_seconds = _positive("aht_seconds", aht_seconds)
    interval_minutes = _positive("interval_minutes", interval_minutes)
    target = _service_level_target(service_level_target)
    answer_within_seconds = _positive("answer_within_seconds", answer_within_seconds)
    shrinkage = _shrinkage(shrinkage)
    cap = _max_occupancy(max_occupancy)
    concurrency = _whole("concurrency", concurrency, minimum=1)
    patience = None if patience_seconds is None else _patience(patience_seconds)

    load = calls * aht_seconds / (interval_minutes * 60.0)
    # Occupancy load / (agents·k) <= cap  <=>  agents >= load / (k·cap).
    agents_for_occupancy = max(1, _ceil(load / (concurrency * cap)))
    if patience is None:
        return _required_erlang_c(
            load=load,
            aht_seconds=aht_seconds,
            target=target,
            answer_within_seconds=answer_within_seconds,
            shrinkage=shrinkage,
            agents_for_occupancy=agents_for_occupancy,
            concurrency=concurrency,
        )
    return _required_erlang_a(
        load=load,
        aht_seconds=aht_seconds,
        target=target,
        answer_within_seconds=answer_within_seconds,
        shrinkage=shrinkage,
        cap=cap,
        patience=patience,
        concurrency=concurrency,
    )


def _erlang_c_servers(*, load: float, decay: float, target: float) -> tuple[int, float]:
    """Fewest servers whose Erlang C service level reaches `target`, with their Erlang B value.

    Fewer servers than the load never clear the queue, so start just above it and walk up; Erlang B is
    then updated in O(1) per extra server instead of being recomputed from scratch.
    """
    servers = math.floor(load) + 1
    blocking = 1.0 / _inverse_erlang_b_below_load(servers, load)
    while True:
        wait = servers * blocking / (servers - load * (1.0 - blocking))
        if 1.0 - wait * math.exp(-(servers - load) * decay) >= target:
            return servers, blocking
        servers += 1
        blocking = load * blocking / (servers + load * blocking)


def _required_erlang_c(
    *,
    load: float,
    aht_seconds: float,
    target: float,
    answer_within_seconds: float,
    shrinkage: float,
    agents_for_occupancy: int,
    concurrency: int,
) -> StaffingResult:
    decay = answer_within_seconds / aht_seconds
    servers, blocking = _erlang_c_servers(load=load, decay=decay, target=target)

    agents = max(-(-servers // concurrency), agents_for_occupancy)
    for k in range(servers + 1, agents * concurrency + 1):
        blocking = load * blocking / (k + load * blocking)
    servers = agents * concurrency
    wait = servers * blocking / (servers - load * (1.0 - blocking))
    return StaffingResult(
        agents=agents,
        scheduled=_scheduled(agents, shrinkage),
        service_level=max(0.0, 1.0 - wait * math.exp(-(servers - load) * decay)),
        occupancy=load / servers,
        asa_seconds=wait * aht_seconds / (servers - load),
        abandon_rate=None,
        model="erlang_c",
        offered_load=load,
    )


def _required_erlang_a(
    *,
    load: float,
    aht_seconds: float,
    target: float,
    answer_within_seconds: float,
    shrinkage: float,
    cap: float,
    patience: float,
    concurrency: int,
) -> StaffingResult:
    def measures(agents: int, *, with_asa: bool = False) -> ErlangAMeasures:
        return _erlang_a(
            servers=agents * concurrency,
            load=load,
            aht_seconds=aht_seconds,
            patience_seconds=patience,
            answer_within_seconds=answer_within_seconds,
            with_asa=with_asa,
        )

    def meets(agents: int) -> bool:
        found = measures(agents)
        return found.service_level >= target and found.occupancy <= cap * (1.0 + _ROUNDING_SLACK)

    # With abandonment fewer agents than the load can suffice, so search both ways from the Erlang C
    # answer (cheap, and close unless callers are very impatient). Answered contacts (≥ SL·offered)
    # cannot exceed what the servers complete, so every agents < SL·load / k fails. Service level rises
    # and occupancy falls with each added agent: gallop to bracket the answer, then bisect.
    floor_agents = max(1, _ceil(target * load / concurrency))
    erlang_c, _ = _erlang_c_servers(load=load, decay=answer_within_seconds / aht_seconds, target=target)
    start = max(floor_agents, -(-erlang_c // concurrency))
    step = 1
    if meets(start):
        high = start
        low = high - step
        while low >= floor_agents and meets(low):
            high, step = low, step * 2
            low = high - step
        low = max(low, floor_agents - 1)  # known to fall short (or zero agents)
    else:
        low = start
        high = low + step
        while not meets(high):
            low, step = high, step * 2
            high = low + step
    while high - low > 1:
        middle = (low + high) // 2
        if meets(middle):
            high = middle
        else:
            low = middle
    found = measures(high, with_asa=True)
    return StaffingResult(
        agents=high,
        scheduled=_scheduled(high, shrinkage),
        service_level=found.service_level,
        occupancy=found.occupancy,
        asa_seconds=found.asa_seconds,
        abandon_rate=found.abandon_rate,
        model="erlang_a",
        offered_load=load,
    )


# --- cost curve ---------------------------------------------------------------------------------


def _money(field: str, value: object) -> Decimal:
    if isinstance(value, float):
        raise StaffingInputError(field, f"{field} is money: pass a Decimal, int or str, not a float ({value!r})")
    try:
        amount = Decimal(str(value)) if isinstance(value, (int, str)) else value
    except InvalidOperation as exc:
        raise StaffingInputError(field, f"{field} must be an amount of yuan, got {value!r}") from exc
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
        raise StaffingInputError(field, f"{field} must be a non-negative amount of yuan, got {value!r}")
    return amount


def cost_curve(
    *,
    calls: float,
    aht_seconds: float,
    interval_minutes: float,
    answer_within_seconds: float,
    hourly_cost: Decimal | int | str,
    staff_range: Iterable[int],
    patience_seconds: float | None = None,
    shrinkage: float = 0.0,
    concurrency: int = 1,
) -> list[CostPoint]:
    """Service level, waits and labour cost for each number of agents in `staff_range`.

    The planner's trade-off between service and cost: each point pays `hourly_cost` yuan for every
    scheduled head (agents grossed up by shrinkage) over the interval.
    """
    calls = _positive("calls", calls)
    aht_seconds = _positive("aht_seconds", aht_seconds)
    interval_minutes = _positive("interval_minutes", interval_minutes)
    answer_within_seconds = _positive("answer_within_seconds", answer_within_seconds)
    shrinkage = _shrinkage(shrinkage)
    concurrency = _whole("concurrency", concurrency, minimum=1)
    patience = None if patience_seconds is None else _patience(patience_seconds)
    cost_per_head = _money("hourly_cost", hourly_cost) * Decimal(repr(interval_minutes)) / Decimal(60)
    staff = [_whole("staff_range", agents, minimum=1) for agents in staff_range]

    load = calls * aht_seconds / (interval_minutes * 60.0)
    points = []
    for agents in staff:
        servers = agents * concurrency
        scheduled = _scheduled(agents, shrinkage)
        cost = (cost_per_head * scheduled).quantize(FEN, rounding=ROUND_HALF_UP)
        if patience is not None:
            found = _erlang_a(
                servers=servers,
                load=load,
                aht_seconds=aht_seconds,
                patience_seconds=patience,
                answer_within_seconds=answer_within_seconds,
            )
            points.append(
                CostPoint(
                    agents=agents,
                    scheduled=scheduled,
                    service_level=found.service_level,
                    asa_seconds=found.asa_seconds,
                    abandon_rate=found.abandon_rate,
                    occupancy=found.occupancy,
                    labour_cost=cost,
                )
            )
            continue
        asa = asa_seconds(agents=servers, load=load, aht_seconds=aht_seconds)
        points.append(
            CostPoint(
                agents=agents,
                scheduled=scheduled,
                service_level=service_level(
                    agents=servers, load=load, aht_seconds=aht_seconds, answer_within_seconds=answer_within_seconds
                ),
                asa_seconds=asa if math.isfinite(asa) else None,
                abandon_rate=None,
                occupancy=occupancy(agents=servers, load=load),
                labour_cost=cost,
            )
        )
    return points
