"""What a planner reads off a stored forecast run: requirement, forecast against actual, coverage by the
roster, the service-versus-cost curve, the service each customer tier gets with KA first, and the extra
seats a planned event needs. Every figure says which model produced it:

  erlang_c    Erlang C (nobody hangs up)                  kefu.staffing.erlang
  erlang_a    Erlang A (callers abandon after patience)   kefu.staffing.erlang
  simulation  discrete-event simulation, KA → VIP → 普通   kefu.staffing.simulation
  forecast    weekday × interval profile, trend, holidays, events   kefu.staffing.forecast

Callers load the run through a scoped selector first; these functions take the run itself.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from kefu.core.errors import ApplicationError
from kefu.org.models import OrgUnit
from kefu.policy import selectors as policy
from kefu.staffing import erlang, simulation
from kefu.staffing import forecast as forecasting
from kefu.staffing.models import Channel, ContactInterval, ForecastInterval, ForecastRun, Queue, Shift

FEN = Decimal("0.01")
MODEL_LABELS = {
    "erlang_c": "Erlang C",
    "erlang_a": "Erlang A",
    "simulation": "离散事件仿真",
    "forecast": "历史画像预测",
}


# --- parameters and the requirement of one interval ------------------------------------------------


@dataclass(frozen=True)
class Params:
    service_level_target: float
    answer_within_seconds: int
    shrinkage: float
    max_occupancy: float
    patience_seconds: int | None  # None: Erlang C
    concurrency: int  # chats per agent; 1 for the phone
    interval_minutes: int = 30

    @property
    def model(self) -> str:
        return "erlang_a" if self.patience_seconds else "erlang_c"

    @classmethod
    def from_run(cls, run: ForecastRun) -> Params:
        return cls(
            service_level_target=float(run.service_level_target),
            answer_within_seconds=run.answer_within_seconds,
            shrinkage=float(run.shrinkage),
            max_occupancy=float(run.max_occupancy),
            patience_seconds=run.patience_seconds,
            concurrency=run.concurrency,
            interval_minutes=run.interval_minutes,
        )


def params_from_policy(*, unit: OrgUnit, channel: str, interval_minutes: int = 30) -> Params:
    """The unit's effective staffing policy, as numbers for the Erlang arithmetic."""
    patience = int(policy.effective(unit=unit, key="staffing.patience_seconds"))
    return Params(
        service_level_target=float(policy.effective(unit=unit, key="staffing.service_level_target")),
        answer_within_seconds=int(policy.effective(unit=unit, key="staffing.answer_within_seconds")),
        shrinkage=float(policy.effective(unit=unit, key="staffing.shrinkage")),
        max_occupancy=float(policy.effective(unit=unit, key="staffing.max_occupancy")),
        patience_seconds=patience or None,
        concurrency=int(policy.effective(unit=unit, key="staffing.chat_concurrency")) if channel == Channel.CHAT else 1,
        interval_minutes=interval_minutes,
    )


def holidays_from_policy(*, unit: OrgUnit) -> list[dt.date]:
    days = []
    for entry in policy.effective(unit=unit, key="staffing.holidays"):
        try:
            days.append(dt.date.fromisoformat(entry.strip()))
        except ValueError:
            raise ApplicationError(
                f"策略 staffing.holidays 中的 {entry!r} 不是 YYYY-MM-DD 日期，请先更正",
                extra={"key": "staffing.holidays"},
            ) from None
    return sorted(set(days))


def hourly_cost(*, queue: Queue) -> Decimal:
    """Yuan per hour for the position that staffs the queue (policy staffing.hourly_cost at its unit)."""
    for row in policy.effective(unit=queue.unit, key="staffing.hourly_cost"):
        if row["position"] == queue.position_code:
            return Decimal(row["hourly_cost"])
    raise ApplicationError(
        f"策略 staffing.hourly_cost 没有岗位 {queue.position_code} 的小时成本", extra={"key": "staffing.hourly_cost"}
    )


@dataclass(frozen=True)
class Requirement:
    agents: int
    scheduled: int
    service_level: float
    occupancy: float
    asa_seconds: float | None
    abandon_rate: float | None
    model: str


def requirement(*, contacts: float, aht_seconds: float, params: Params) -> Requirement:
    """Staff one interval needs; an interval with nothing to answer needs nobody (service level 1)."""
    if contacts <= 0 or aht_seconds <= 0:
        return Requirement(0, 0, 1.0, 0.0, 0.0, 0.0 if params.patience_seconds else None, params.model)
    found = erlang.required_agents(
        calls=contacts,
        aht_seconds=aht_seconds,
        interval_minutes=params.interval_minutes,
        service_level_target=params.service_level_target,
        answer_within_seconds=params.answer_within_seconds,
        shrinkage=params.shrinkage,
        max_occupancy=params.max_occupancy,
        patience_seconds=params.patience_seconds,
        concurrency=params.concurrency,
    )
    asa = found.asa_seconds if math.isfinite(found.asa_seconds) else None
    return Requirement(
        found.agents, found.scheduled, found.service_level, found.occupancy, asa, found.abandon_rate, found.model
    )


# --- the run interval by interval --------------------------------------------------------------------


@dataclass
class IntervalTotal:
    """All queues of a run in one interval."""

    start: dt.datetime
    contacts: float = 0.0
    baseline_contacts: float = 0.0
    agents: int = 0
    scheduled: int = 0
    baseline_scheduled: int = 0
    events: set[str] = field(default_factory=set)


def run_intervals(run: ForecastRun, *, queue_id: int | None = None) -> list[ForecastInterval]:
    qs = run.intervals.select_related("queue").order_by("interval_start", "queue_id")
    if queue_id is not None:
        qs = qs.filter(queue_id=queue_id)
    return list(qs)


def run_totals(run: ForecastRun, *, queue_id: int | None = None) -> list[IntervalTotal]:
    totals: dict[dt.datetime, IntervalTotal] = {}
    for row in run_intervals(run, queue_id=queue_id):
        total = totals.setdefault(row.interval_start, IntervalTotal(start=row.interval_start))
        total.contacts += row.contacts
        total.baseline_contacts += row.baseline_contacts
        total.agents += row.agents
        total.scheduled += row.scheduled
        total.baseline_scheduled += row.baseline_scheduled
        if row.events:
            total.events.update(row.events.split("、"))
    return [totals[key] for key in sorted(totals)]


def run_queues(run: ForecastRun) -> list[Queue]:
    ids = run.intervals.values_list("queue_id", flat=True).distinct()
    return list(Queue.objects.filter(id__in=ids).select_related("unit").order_by("code"))


# --- forecast against actual -------------------------------------------------------------------------


@dataclass(frozen=True)
class AccuracyPoint:
    start: dt.datetime
    forecast: float
    actual: int | None  # None: no actuals imported yet for this interval


@dataclass(frozen=True)
class Accuracy:
    points: list[AccuracyPoint]
    compared: int  # intervals with actuals
    mape: float | None  # None: nothing to compare yet, or every actual is zero
    wape: float | None
    by_queue: dict[str, tuple[float | None, float | None]]  # queue code -> (MAPE, WAPE)


def _errors(actual: list[float], predicted: list[float]) -> tuple[float | None, float | None]:
    if not actual:
        return None, None
    try:
        mape = forecasting.mape(actual, predicted)
    except ValueError:
        mape = None
    try:
        wape = forecasting.wape(actual, predicted)
    except ValueError:
        wape = None
    return mape, wape


def forecast_accuracy(run: ForecastRun, *, queue_id: int | None = None) -> Accuracy:
    """Forecast contacts against imported actuals, interval by interval; MAPE skips zero actuals."""
    rows = run_intervals(run, queue_id=queue_id)
    step = dt.timedelta(minutes=run.interval_minutes)
    # Actuals may come at a finer interval than the run: each is summed into the run interval it falls in.
    actuals: dict[tuple[int, dt.datetime], int] = defaultdict(int)
    for queue, start, offered in ContactInterval.objects.filter(
        queue_id__in={row.queue_id for row in rows}, interval_start__gte=run.starts_at, interval_start__lt=run.ends_at
    ).values_list("queue_id", "interval_start", "offered"):
        actuals[(queue, run.starts_at + ((start - run.starts_at) // step) * step)] += offered
    forecast_by: dict[dt.datetime, float] = defaultdict(float)
    actual_by: dict[dt.datetime, int] = defaultdict(int)
    seen_by: dict[dt.datetime, int] = defaultdict(int)
    queues_by: dict[dt.datetime, int] = defaultdict(int)
    per_queue: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for row in rows:
        forecast_by[row.interval_start] += row.contacts
        queues_by[row.interval_start] += 1
        key = (row.queue_id, row.interval_start)
        if key in actuals:
            seen_by[row.interval_start] += 1
            actual_by[row.interval_start] += actuals[key]
            per_queue[row.queue.code][0].append(float(actuals[key]))
            per_queue[row.queue.code][1].append(row.contacts)
    points = []
    compared_actual: list[float] = []
    compared_forecast: list[float] = []
    for start in sorted(forecast_by):
        complete = seen_by[start] == queues_by[start]
        actual = actual_by[start] if complete else None
        points.append(AccuracyPoint(start, forecast_by[start], actual))
        if actual is not None:
            compared_actual.append(float(actual))
            compared_forecast.append(forecast_by[start])
    mape, wape = _errors(compared_actual, compared_forecast)
    return Accuracy(
        points=points,
        compared=len(compared_actual),
        mape=mape,
        wape=wape,
        by_queue={code: _errors(*pair) for code, pair in sorted(per_queue.items())},
    )


# --- coverage: roster against requirement ------------------------------------------------------------


@dataclass(frozen=True)
class CoveragePoint:
    start: dt.datetime
    required: int  # heads to schedule (with shrinkage)
    rostered: float  # heads on the roster, part-intervals counted pro rata
    gap: float  # rostered - required: negative = understaffed, positive = overstaffed


@dataclass(frozen=True)
class Coverage:
    points: list[CoveragePoint]
    short_intervals: int
    short_head_hours: float
    over_head_hours: float


def coverage(run: ForecastRun, *, queue_id: int | None = None) -> Coverage:
    """Who is scheduled (entered shifts and attendance imports) against the heads each interval needs."""
    totals = run_totals(run, queue_id=queue_id)
    queue_ids = (
        [queue_id] if queue_id is not None else list(run.intervals.values_list("queue_id", flat=True).distinct())
    )
    step = dt.timedelta(minutes=run.interval_minutes)
    heads: dict[dt.datetime, float] = defaultdict(float)
    slot_seconds = step.total_seconds()
    grid_start = run.starts_at
    for starts_at, ends_at in Shift.objects.filter(
        queue_id__in=queue_ids, ends_at__gt=run.starts_at, starts_at__lt=run.ends_at
    ).values_list("starts_at", "ends_at"):
        first = max(0, math.floor((starts_at - grid_start) / step))
        moment = grid_start + first * step
        while moment < min(ends_at, run.ends_at):
            overlap = (min(ends_at, moment + step) - max(starts_at, moment)).total_seconds()
            if overlap > 0:
                heads[moment] += overlap / slot_seconds
            moment += step
    points = [
        CoveragePoint(t.start, t.scheduled, round(heads[t.start], 2), round(heads[t.start] - t.scheduled, 2))
        for t in totals
    ]
    hours = run.interval_minutes / 60
    return Coverage(
        points=points,
        short_intervals=sum(1 for p in points if p.gap < 0),
        short_head_hours=round(sum(-p.gap for p in points if p.gap < 0) * hours, 1),
        over_head_hours=round(sum(p.gap for p in points if p.gap > 0) * hours, 1),
    )


# --- service level against cost ------------------------------------------------------------------------


@dataclass(frozen=True)
class CostCurve:
    queue: Queue
    row: ForecastInterval
    hourly_cost: Decimal
    points: list[erlang.CostPoint]
    model: str


def peak_row(run: ForecastRun, *, queue_id: int | None = None) -> ForecastInterval | None:
    qs = run.intervals.select_related("queue", "queue__unit")
    if queue_id is not None:
        qs = qs.filter(queue_id=queue_id)
    return qs.order_by("-contacts", "interval_start").first()


def cost_curve(run: ForecastRun, *, queue_id: int | None = None, at: dt.datetime | None = None) -> CostCurve | None:
    """Service level, ASA, abandon rate, occupancy and labour cost for a range of agents in one interval
    (by default the busiest interval of the run)."""
    row = None
    if at is not None:
        qs = run.intervals.select_related("queue", "queue__unit").filter(interval_start=at)
        if queue_id is not None:
            qs = qs.filter(queue_id=queue_id)
        row = qs.order_by("-contacts").first()
    if row is None:
        row = peak_row(run, queue_id=queue_id)
    if row is None or row.contacts <= 0:
        return None
    params = Params.from_run(run)
    cost = hourly_cost(queue=row.queue)
    load = row.contacts * row.aht_seconds / (run.interval_minutes * 60) / params.concurrency
    low = max(1, math.floor(load * 0.75), row.agents - 12)
    high = max(row.agents + 8, math.ceil(row.agents * 1.3))
    points = erlang.cost_curve(
        calls=row.contacts,
        aht_seconds=row.aht_seconds,
        interval_minutes=run.interval_minutes,
        answer_within_seconds=params.answer_within_seconds,
        hourly_cost=cost,
        staff_range=range(low, min(high, low + 60) + 1),
        patience_seconds=params.patience_seconds,
        shrinkage=params.shrinkage,
        concurrency=params.concurrency,
    )
    return CostCurve(queue=row.queue, row=row, hourly_cost=cost, points=points, model=params.model)


# --- KA first: the service each tier gets with the same staff ---------------------------------------------


@dataclass(frozen=True)
class TierLine:
    tier: str
    label: str
    contacts: float
    service_level: float | None
    asa_seconds: float | None
    abandon_rate: float | None
    model: str


@dataclass(frozen=True)
class TierReport:
    start: dt.datetime
    agents: int
    servers: int
    lines: list[TierLine]  # per tier (simulation), then overall (simulation), then overall (Erlang)
    simulated_contacts: int


TIER_LABELS = {"ka": "KA 大客户", "vip": "VIP", "normal": "普通"}


def tier_service_levels(
    run: ForecastRun, *, at: dt.datetime | None = None, agents: int | None = None, seed: int | None = None
) -> TierReport | None:
    """All queues of the run share `agents` (default: the sum the run requires in that interval); KA is
    answered first, then VIP, then 普通. A discrete-event simulation gives each tier's service level;
    Erlang gives the pooled first-come-first-served figure for comparison."""
    if at is None:
        busiest = max(run_totals(run), key=lambda t: t.contacts, default=None)
        if busiest is None:
            return None
        at = busiest.start
    rows = list(run.intervals.select_related("queue").filter(interval_start=at))
    contacts = sum(row.contacts for row in rows)
    if not rows or contacts <= 0:
        return None
    params = Params.from_run(run)
    agents = agents if agents is not None else sum(row.agents for row in rows)
    if agents < 1:
        raise ApplicationError("坐席数必须至少为 1", extra={"field": "agents"})
    servers = agents * params.concurrency
    per_hour = 60 / run.interval_minutes
    arrivals: dict[str, float] = defaultdict(float)
    for row in rows:
        arrivals[row.queue.customer_tier] += row.contacts * per_hour
    aht = sum(row.contacts * row.aht_seconds for row in rows) / contacts
    # Enough arrivals for a steady figure on the busiest tier, capped so a page stays quick.
    total = min(40_000, max(6_000, int(contacts * 40)))
    result = simulation.simulate_queue(
        agents=servers,
        arrivals_per_hour=dict(arrivals),
        answer_within_seconds=params.answer_within_seconds,
        aht_seconds=aht,
        patience_seconds=params.patience_seconds,
        max_arrivals=total,
        warmup_arrivals=total // 10,
        seed=run.id if seed is None else seed,
    )
    lines = [
        TierLine(
            tier,
            TIER_LABELS[tier],
            arrivals[tier] / per_hour,
            o.service_level,
            o.asa_seconds,
            o.abandon_rate,
            "simulation",
        )
        for tier, o in result.tiers.items()
    ]
    o = result.overall
    lines.append(TierLine("overall", "合计", contacts, o.service_level, o.asa_seconds, o.abandon_rate, "simulation"))
    load = contacts * aht / (run.interval_minutes * 60)
    if params.patience_seconds:
        measures = erlang.erlang_a_measures(
            servers=servers,
            load=load,
            aht_seconds=aht,
            patience_seconds=params.patience_seconds,
            answer_within_seconds=params.answer_within_seconds,
        )
        lines.append(
            TierLine(
                "overall",
                "合计（先到先服务）",
                contacts,
                measures.service_level,
                measures.asa_seconds,
                measures.abandon_rate,
                "erlang_a",
            )
        )
    else:
        sl = erlang.service_level(
            agents=servers, load=load, aht_seconds=aht, answer_within_seconds=params.answer_within_seconds
        )
        asa = erlang.asa_seconds(agents=servers, load=load, aht_seconds=aht)
        lines.append(
            TierLine(
                "overall", "合计（先到先服务）", contacts, sl, asa if math.isfinite(asa) else None, None, "erlang_c"
            )
        )
    return TierReport(start=at, agents=agents, servers=servers, lines=lines, simulated_contacts=o.offered)


# --- peak plan for the planned events ---------------------------------------------------------------------


@dataclass(frozen=True)
class PeakPoint:
    start: dt.datetime
    events: str
    baseline: int  # heads an ordinary day would need
    needed: int  # heads with the event
    extra: int
    extra_cost: Decimal


@dataclass(frozen=True)
class PeakPlan:
    points: list[PeakPoint]
    extra_head_hours: Decimal
    extra_cost: Decimal
    peak_extra: int  # most extra seats in one interval
    peak_needed: int  # most seats in one interval during the events


def peak_plan(run: ForecastRun) -> PeakPlan:
    """Extra seats per interval that the run's planned events need over an ordinary day, and their cost."""
    costs: dict[int, Decimal] = {}
    hours = Decimal(run.interval_minutes) / Decimal(60)
    by_start: dict[dt.datetime, list[ForecastInterval]] = defaultdict(list)
    for row in run.intervals.select_related("queue", "queue__unit").exclude(events="").order_by("interval_start"):
        by_start[row.interval_start].append(row)
    points = []
    for start, rows in sorted(by_start.items()):
        extra_cost = Decimal(0)
        for row in rows:
            if row.queue_id not in costs:
                costs[row.queue_id] = hourly_cost(queue=row.queue)
            extra = max(0, row.scheduled - row.baseline_scheduled)
            extra_cost += (costs[row.queue_id] * hours * extra).quantize(FEN, rounding=ROUND_HALF_UP)
        baseline = sum(row.baseline_scheduled for row in rows)
        needed = sum(row.scheduled for row in rows)
        names = sorted({name for row in rows for name in row.events.split("、")})
        points.append(PeakPoint(start, "、".join(names), baseline, needed, max(0, needed - baseline), extra_cost))
    return PeakPlan(
        points=points,
        extra_head_hours=(sum((Decimal(p.extra) for p in points), Decimal(0)) * hours).quantize(Decimal("0.1")),
        extra_cost=sum((p.extra_cost for p in points), Decimal(0)),
        peak_extra=max((p.extra for p in points), default=0),
        peak_needed=max((p.needed for p in points), default=0),
    )


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)
