"""Contact-volume forecasts from history: weekday × time-of-day profile, trend, holidays, planned events.

Pure functions over plain records, no Django: the planner's page feeds them rows read from the
database, tests feed them lists.

The model, per queue (multiplicative, the way planners reason about it):

    contacts(interval) = level(date) × weekday_factor(weekday) × share(weekday, slot) × event multipliers

- level: a straight line through the de-seasonalised daily totals (least squares on the date), fitted
  only when the history spans at least two weeks — one week cannot tell a trend from a weekday pattern;
- weekday_factor: how much busier each weekday runs than the line;
- share: the part of a day's contacts that falls in each interval of the day, per weekday;
- holidays given by the planner are left out of the fit; on a forecast holiday the level and shape come
  from the past holidays in the history (their mean ratio to an ordinary day), or, with none in the
  history, the day is forecast as the ordinary weekday it falls on;
- planned events (Double 11, 618) multiply the forecast on their dates; past events are left out of
  the fit so last year's peak does not inflate an ordinary Tuesday.

Handle time (AHT) is forecast as the contact-weighted mean for the weekday and slot, falling back to
the slot, then to the queue.

Times: every datetime must be timezone-aware; weekday and time of day are read in `tz`
(Asia/Shanghai unless told otherwise), because that is the clock customers live by.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
MINUTES_PER_DAY = 24 * 60
MIN_DAYS_FOR_TREND = 14


@dataclass(frozen=True, slots=True)
class IntervalVolume:
    """One interval of history for one queue: contacts offered and their average handle time."""

    interval_start: datetime
    queue: str
    contacts: float
    aht_seconds: float


@dataclass(frozen=True, slots=True)
class PlannedEvent:
    """A peak the planner knows is coming (双11, 618, a live-stream sale), with its expected uplift."""

    name: str
    starts_on: date
    ends_on: date  # inclusive
    multiplier: float  # 3.0: three times an ordinary day's contacts
    queues: frozenset[str] | None = None  # None: every queue

    def covers(self, *, day: date, queue: str) -> bool:
        return self.starts_on <= day <= self.ends_on and (self.queues is None or queue in self.queues)


@dataclass(frozen=True, slots=True)
class IntervalForecast:
    interval_start: datetime
    queue: str
    contacts: float  # expected contacts; round when a whole number is needed
    aht_seconds: float
    holiday: bool
    events: tuple[str, ...]  # names of the planned events applied


@dataclass(frozen=True, slots=True)
class QueueVolumeModel:
    """The fitted profile of one queue."""

    queue: str
    slots_per_day: int
    intercept: float  # daily contacts on date.toordinal() == 0 (with the slope: the trend line)
    slope: float  # daily contacts gained per day
    weekday_factors: tuple[float, ...]  # Monday .. Sunday
    shares: tuple[tuple[float, ...], ...]  # [weekday][slot], each row sums to 1 (or is all zero)
    holiday_factor: float | None  # past holidays' mean ratio to an ordinary day; None: no holiday seen
    holiday_shares: tuple[float, ...] | None
    aht_by_weekday_slot: tuple[tuple[float, ...], ...]

    def level(self, day: date) -> float:
        return max(0.0, self.intercept + self.slope * day.toordinal())


def _number(value: object, *, index: int, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ValueError(f"history row {index}: {field} must be a number, got {value!r}")
    return float(value)


def _row(record: IntervalVolume | Mapping[str, object], index: int) -> IntervalVolume:
    if isinstance(record, IntervalVolume):
        row = record
    else:
        missing = [key for key in ("interval_start", "queue", "contacts") if key not in record]
        if "aht_seconds" not in record and "aht" not in record:
            missing.append("aht_seconds")
        if missing:
            raise ValueError(f"history row {index}: missing {', '.join(missing)}")
        interval_start = record["interval_start"]
        if not isinstance(interval_start, datetime):
            raise ValueError(f"history row {index}: interval_start must be a datetime, got {interval_start!r}")
        row = IntervalVolume(
            interval_start=interval_start,
            queue=str(record["queue"]),
            contacts=_number(record["contacts"], index=index, field="contacts"),
            aht_seconds=_number(record.get("aht_seconds", record.get("aht")), index=index, field="aht_seconds"),
        )
    if not isinstance(row.interval_start, datetime) or row.interval_start.tzinfo is None:
        raise ValueError(f"history row {index}: interval_start must be a timezone-aware datetime")
    if not math.isfinite(row.contacts) or row.contacts < 0:
        raise ValueError(f"history row {index}: contacts must be a finite number >= 0, got {row.contacts!r}")
    if not math.isfinite(row.aht_seconds) or row.aht_seconds < 0 or (row.contacts > 0 and row.aht_seconds == 0):
        raise ValueError(f"history row {index}: aht_seconds must be a finite number > 0, got {row.aht_seconds!r}")
    return row


def _slots_per_day(interval_minutes: int) -> int:
    if isinstance(interval_minutes, bool) or not isinstance(interval_minutes, int) or interval_minutes <= 0:
        raise ValueError(f"interval_minutes must be a whole number of minutes > 0, got {interval_minutes!r}")
    if MINUTES_PER_DAY % interval_minutes:
        raise ValueError(f"interval_minutes must divide a day (15, 30, 60 …), got {interval_minutes}")
    return MINUTES_PER_DAY // interval_minutes


def _slot(moment: datetime, interval_minutes: int) -> int:
    return (moment.hour * 60 + moment.minute) // interval_minutes


def _least_squares(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    count = len(points)
    mean_x = sum(x for x, _ in points) / count
    mean_y = sum(y for _, y in points) / count
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return mean_y, 0.0
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    return mean_y - slope * mean_x, slope


def fit_volume_models(
    *,
    history: Iterable[IntervalVolume | Mapping[str, object]],
    interval_minutes: int = 30,
    holidays: Iterable[date] = (),
    events: Iterable[PlannedEvent] = (),
    tz: tzinfo = SHANGHAI,
) -> dict[str, QueueVolumeModel]:
    """Fit one volume model per queue found in `history` (see the module notes for the model)."""
    slots = _slots_per_day(interval_minutes)
    holiday_dates = frozenset(holidays)
    planned = tuple(events)

    # (queue, local date) -> per-slot contacts and handle-seconds; intervals missing from a day are zero.
    contacts_by_day: dict[str, dict[date, list[float]]] = defaultdict(dict)
    handle_by_day: dict[str, dict[date, list[float]]] = defaultdict(dict)
    for index, record in enumerate(history):
        row = _row(record, index)
        local = row.interval_start.astimezone(tz)
        day, slot = local.date(), _slot(local, interval_minutes)
        day_contacts = contacts_by_day[row.queue].setdefault(day, [0.0] * slots)
        day_handle = handle_by_day[row.queue].setdefault(day, [0.0] * slots)
        day_contacts[slot] += row.contacts
        day_handle[slot] += row.contacts * row.aht_seconds

    return {
        queue: _fit_queue(
            queue=queue,
            days=days,
            handle=handle_by_day[queue],
            slots=slots,
            holidays=holiday_dates,
            events=planned,
        )
        for queue, days in sorted(contacts_by_day.items())
    }


def _fit_queue(
    *,
    queue: str,
    days: dict[date, list[float]],
    handle: dict[date, list[float]],
    slots: int,
    holidays: frozenset[date],
    events: tuple[PlannedEvent, ...],
) -> QueueVolumeModel:
    special = {day for day in days if any(event.covers(day=day, queue=queue) for event in events)}
    ordinary = sorted(day for day in days if day not in holidays and day not in special)
    if not ordinary:
        raise ValueError(f"queue {queue!r}: history has no ordinary day (all are holidays or planned events)")
    totals = {day: sum(days[day]) for day in ordinary}
    with_trend = (ordinary[-1] - ordinary[0]).days + 1 >= MIN_DAYS_FOR_TREND

    # Weekday factors and the trend line depend on each other: alternate until the line stops moving
    # (the alternation converges geometrically; a few dozen rounds at most).
    factors = [1.0] * 7
    intercept, slope = sum(totals.values()) / len(totals), 0.0
    for _ in range(200):
        previous = (intercept, slope)
        if with_trend:
            intercept, slope = _least_squares(
                [(day.toordinal(), totals[day] / factors[day.weekday()]) for day in ordinary]
            )
        ratios: dict[int, list[float]] = defaultdict(list)
        for day in ordinary:
            line = intercept + slope * day.toordinal()
            if line > 0:
                ratios[day.weekday()].append(totals[day] / line)
        seen = {weekday: sum(values) / len(values) for weekday, values in ratios.items()}
        mean_seen = sum(seen.values()) / len(seen) if seen else 1.0
        # Normalise so the factors average one and the line carries the level; unseen weekdays get 1.
        factors = [seen[weekday] / mean_seen if weekday in seen and mean_seen > 0 else 1.0 for weekday in range(7)]
        if not with_trend or (
            abs(slope - previous[1]) <= 1e-12 * (1.0 + abs(slope))
            and abs(intercept - previous[0]) <= 1e-9 * (1.0 + abs(intercept))
        ):
            break
    all_days_shares = _shares([days[day] for day in ordinary], slots)
    shares = []
    for weekday in range(7):
        same_weekday = [days[day] for day in ordinary if day.weekday() == weekday]
        shares.append(_shares(same_weekday, slots) if same_weekday else all_days_shares)

    past_holidays = [day for day in days if day in holidays and day not in special]
    holiday_factor = holiday_shares = None
    if past_holidays:
        expected = [max(0.0, intercept + slope * day.toordinal()) * factors[day.weekday()] for day in past_holidays]
        ratios_seen = [sum(days[day]) / usual for day, usual in zip(past_holidays, expected, strict=True) if usual > 0]
        holiday_factor = sum(ratios_seen) / len(ratios_seen) if ratios_seen else 1.0
        holiday_shares = _shares([days[day] for day in past_holidays], slots)

    return QueueVolumeModel(
        queue=queue,
        slots_per_day=slots,
        intercept=intercept,
        slope=slope,
        weekday_factors=tuple(factors),
        shares=tuple(shares),
        holiday_factor=holiday_factor,
        holiday_shares=holiday_shares,
        aht_by_weekday_slot=_aht_profile(days=days, handle=handle, ordinary=ordinary, slots=slots),
    )


def _shares(day_rows: Sequence[Sequence[float]], slots: int) -> tuple[float, ...]:
    sums = [sum(row[slot] for row in day_rows) for slot in range(slots)]
    total = sum(sums)
    return tuple(value / total for value in sums) if total > 0 else tuple([0.0] * slots)


def _aht_profile(
    *, days: dict[date, list[float]], handle: dict[date, list[float]], ordinary: Sequence[date], slots: int
) -> tuple[tuple[float, ...], ...]:
    def weighted(selected: Iterable[tuple[date, int]]) -> float | None:
        contacts = seconds = 0.0
        for day, slot in selected:
            contacts += days[day][slot]
            seconds += handle[day][slot]
        return seconds / contacts if contacts > 0 else None

    # Fall back from weekday × slot to the slot to the queue, so a quiet slot does not get AHT 0.
    overall = weighted((day, slot) for day in days for slot in range(slots)) or 0.0
    by_slot = [weighted((day, slot) for day in ordinary) for slot in range(slots)]
    profile = []
    for weekday in range(7):
        same = [day for day in ordinary if day.weekday() == weekday]
        row: list[float] = []
        for slot in range(slots):
            value = weighted((day, slot) for day in same)
            slot_value = by_slot[slot]
            row.append(value if value is not None else slot_value if slot_value is not None else overall)
        profile.append(tuple(row))
    return tuple(profile)


def forecast_volumes(
    *,
    history: Iterable[IntervalVolume | Mapping[str, object]],
    start: datetime,
    end: datetime,
    interval_minutes: int = 30,
    holidays: Iterable[date] = (),
    events: Iterable[PlannedEvent] = (),
    queues: Iterable[str] | None = None,
    tz: tzinfo = SHANGHAI,
) -> list[IntervalForecast]:
    """Forecast contacts and AHT per queue and interval for [start, end).

    `holidays` are dates (in `tz`) treated as holidays both in the history and in the forecast;
    `events` are the planner's peaks, applied on their dates and left out of the fit.
    """
    holiday_dates = frozenset(holidays)
    planned = tuple(events)
    for event in planned:
        if event.ends_on < event.starts_on:
            raise ValueError(f"planned event {event.name!r}: ends_on is before starts_on")
        if not math.isfinite(event.multiplier) or event.multiplier < 0:
            raise ValueError(f"planned event {event.name!r}: multiplier must be a finite number >= 0")
    models = fit_volume_models(
        history=history, interval_minutes=interval_minutes, holidays=holiday_dates, events=planned, tz=tz
    )
    return project(models=models, start=start, end=end, holidays=holiday_dates, events=planned, queues=queues, tz=tz)


def project(
    *,
    models: Mapping[str, QueueVolumeModel],
    start: datetime,
    end: datetime,
    holidays: Iterable[date] = (),
    events: Iterable[PlannedEvent] = (),
    queues: Iterable[str] | None = None,
    tz: tzinfo = SHANGHAI,
) -> list[IntervalForecast]:
    """Project fitted models over [start, end), interval by interval, queue by queue."""
    for field, moment in (("start", start), ("end", end)):
        if not isinstance(moment, datetime) or moment.tzinfo is None:
            raise ValueError(f"{field} must be a timezone-aware datetime")
    if end <= start:
        raise ValueError("end must be after start")
    selected = sorted(models) if queues is None else list(queues)
    unknown = [queue for queue in selected if queue not in models]
    if unknown:
        raise ValueError(f"no history for queue(s) {unknown}")
    if not selected:
        return []
    holiday_dates = frozenset(holidays)
    planned = tuple(events)
    slots = models[selected[0]].slots_per_day
    interval_minutes = MINUTES_PER_DAY // slots
    step = timedelta(minutes=interval_minutes)

    # Align the first interval to the local slot grid, then step in UTC so a DST change cannot skip slots.
    local = start.astimezone(tz)
    offset = timedelta(minutes=(local.hour * 60 + local.minute) % interval_minutes)
    aligned = local.replace(second=0, microsecond=0) - offset
    moment = aligned.astimezone(UTC)
    forecasts = []
    while moment < end:
        local = moment.astimezone(tz)
        day, weekday, slot = local.date(), local.weekday(), _slot(local, interval_minutes)
        holiday = day in holiday_dates
        for queue in selected:
            model = models[queue]
            base = model.level(day) * model.weekday_factors[weekday]
            if holiday and model.holiday_factor is not None and model.holiday_shares is not None:
                contacts = base * model.holiday_factor * model.holiday_shares[slot]
            else:
                contacts = base * model.shares[weekday][slot]
            applied = tuple(event.name for event in planned if event.covers(day=day, queue=queue))
            for event in planned:
                if event.covers(day=day, queue=queue):
                    contacts *= event.multiplier
            forecasts.append(
                IntervalForecast(
                    interval_start=local,
                    queue=queue,
                    contacts=contacts,
                    aht_seconds=model.aht_by_weekday_slot[weekday][slot],
                    holiday=holiday,
                    events=applied,
                )
            )
        moment += step
    return forecasts


# --- accuracy -------------------------------------------------------------------------------------


def _paired(actual: Sequence[float], forecast: Sequence[float]) -> list[tuple[float, float]]:
    if len(actual) != len(forecast):
        raise ValueError(f"actual and forecast differ in length ({len(actual)} vs {len(forecast)})")
    if not actual:
        raise ValueError("actual and forecast are empty")
    pairs = []
    for index, (observed, predicted) in enumerate(zip(actual, forecast, strict=True)):
        observed, predicted = float(observed), float(predicted)
        if not math.isfinite(observed) or observed < 0:
            raise ValueError(f"actual[{index}] must be a finite number >= 0, got {observed!r}")
        if not math.isfinite(predicted):
            raise ValueError(f"forecast[{index}] must be a finite number, got {predicted!r}")
        pairs.append((observed, predicted))
    return pairs


def mape(actual: Sequence[float], forecast: Sequence[float]) -> float:
    """Mean absolute percentage error, as a fraction (0.12 = 12%).

    Intervals whose actual volume is zero are left out: a percentage of nothing is undefined, and
    night-time zeros would otherwise dominate. If every actual is zero, MAPE is undefined and this
    raises ValueError — use `wape`.
    """
    errors = [abs(observed - predicted) / observed for observed, predicted in _paired(actual, forecast) if observed]
    if not errors:
        raise ValueError("every actual value is zero: MAPE is undefined there; use wape")
    return sum(errors) / len(errors)


def wape(actual: Sequence[float], forecast: Sequence[float]) -> float:
    """Weighted absolute percentage error: Σ|actual − forecast| / Σ actual, as a fraction.

    Zeros are fine interval by interval (busy intervals weigh more, as they do for staffing). If the
    actuals sum to zero, a perfect all-zero forecast scores 0.0 and anything else raises ValueError,
    since no finite percentage describes it.
    """
    pairs = _paired(actual, forecast)
    error = sum(abs(observed - predicted) for observed, predicted in pairs)
    volume = sum(observed for observed, _ in pairs)
    if volume == 0:
        if error == 0:
            return 0.0
        raise ValueError("actual volume is zero but the forecast is not: WAPE is unbounded")
    return error / volume
