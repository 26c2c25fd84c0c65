"""Forecast runs: forecast every queue of a channel under a unit and store the staff each interval needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from kefu.core import audit, scopes
from kefu.core.errors import ApplicationError
from kefu.core.scopes import Actor
from kefu.staffing import forecast as forecasting
from kefu.staffing import planning, selectors
from kefu.staffing.erlang import StaffingInputError
from kefu.staffing.models import Channel, ContactInterval, ForecastInterval, ForecastRun, PlannedEvent, Queue
from kefu.staffing.planning import Params
from kefu.staffing.selectors import PLANNERS
from kefu.staffing.services.common import planner_unit

MAX_DAYS = 62
MIN_HISTORY_DAYS, MAX_HISTORY_DAYS = 7, 730
_FIELDS = (
    "agents",
    "scheduled",
    "baseline_scheduled",
    "service_level",
    "occupancy",
    "asa_seconds",
    "abandon_rate",
    "model",
)


def _event_inputs(
    *, queues: list[Queue], channel: str, first_day: dt.date, last_day: dt.date
) -> list[forecasting.PlannedEvent]:
    """Events entered at a queue's unit or above it apply to that queue (on their channel, if one is set)."""
    found = []
    candidates = PlannedEvent.objects.filter(
        channel__in=["", channel], starts_on__lte=last_day, ends_on__gte=first_day
    ).select_related("unit")
    for event in candidates.order_by("starts_on", "id"):
        codes = frozenset(queue.code for queue in queues if queue.unit.path.startswith(event.unit.path))
        if codes:
            found.append(
                forecasting.PlannedEvent(
                    name=event.name,
                    starts_on=event.starts_on,
                    ends_on=event.ends_on,
                    multiplier=float(event.multiplier),
                    queues=codes,
                )
            )
    return found


def _measures(*, contacts: float, baseline: float, aht: float, params: Params) -> dict[str, object]:
    try:
        need = planning.requirement(contacts=contacts, aht_seconds=aht, params=params)
        base = need if baseline == contacts else planning.requirement(contacts=baseline, aht_seconds=aht, params=params)
    except StaffingInputError as exc:
        raise ApplicationError(f"人力计算参数有误：{exc}", extra={"field": exc.field}) from exc
    return {
        "agents": need.agents,
        "scheduled": need.scheduled,
        "baseline_scheduled": base.scheduled,
        "service_level": need.service_level,
        "occupancy": need.occupancy,
        "asa_seconds": need.asa_seconds,
        "abandon_rate": need.abandon_rate,
        "model": need.model,
    }


def _rows(
    *,
    run: ForecastRun,
    forecasts: Iterable[forecasting.IntervalForecast],
    events: list[forecasting.PlannedEvent],
    queues: dict[str, Queue],
    params: Params,
) -> list[ForecastInterval]:
    rows = []
    for item in forecasts:
        day = item.interval_start.date()  # the forecast speaks local time
        factor = 1.0
        for event in events:
            if event.covers(day=day, queue=item.queue):
                factor *= event.multiplier
        baseline = item.contacts / factor if item.events else item.contacts
        rows.append(
            ForecastInterval(
                run=run,
                queue=queues[item.queue],
                interval_start=item.interval_start,
                contacts=item.contacts,
                baseline_contacts=baseline,
                aht_seconds=item.aht_seconds,
                events="、".join(item.events),
                holiday=item.holiday,
                **_measures(contacts=item.contacts, baseline=baseline, aht=item.aht_seconds, params=params),  # type: ignore[arg-type]
            )
        )
    return rows


@transaction.atomic
def forecast_run_create(
    *,
    actor: Actor | None,
    unit_id: int,
    channel: str,
    starts_on: dt.date,
    days: int = 7,
    history_days: int = 56,
    note: str = "",
) -> ForecastRun:
    """Forecast every active `channel` queue under the unit for `days` from `starts_on` (local midnight),
    from the `history_days` before it, and store each interval's requirement under today's policy."""
    unit = planner_unit(actor=actor, unit_id=unit_id, what="为该单元做话务预测")
    if channel not in Channel.values:
        raise ApplicationError(f"渠道只能是 {', '.join(Channel.values)}", extra={"field": "channel"})
    if not 1 <= days <= MAX_DAYS:
        raise ApplicationError(f"预测天数必须在 1 到 {MAX_DAYS} 之间", extra={"field": "days"})
    if not MIN_HISTORY_DAYS <= history_days <= MAX_HISTORY_DAYS:
        raise ApplicationError(
            f"历史天数必须在 {MIN_HISTORY_DAYS} 到 {MAX_HISTORY_DAYS} 之间", extra={"field": "history_days"}
        )
    queues = list(
        Queue.objects.filter(unit__path__startswith=unit.path, channel=channel, active=True).select_related("unit")
    )
    if not queues:
        raise ApplicationError(
            f"{unit.name} 下没有启用的{Channel(channel).label}队列", extra={"field": "channel", "unit_id": unit.id}
        )
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(starts_on, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(starts_on + dt.timedelta(days=days), dt.time(0), tzinfo=tz)
    history_from = start - dt.timedelta(days=history_days)
    interval_minutes = max(queue.interval_minutes for queue in queues)

    by_id = {queue.id: queue for queue in queues}
    history = list(
        ContactInterval.objects.filter(
            queue_id__in=by_id, interval_start__gte=history_from, interval_start__lt=start
        ).values_list("queue_id", "interval_start", "offered", "aht_seconds")
    )
    if not history:
        raise ApplicationError(
            f"{starts_on} 之前 {history_days} 天内没有历史话务：请先导入话务历史", extra={"field": "starts_on"}
        )
    handled: dict[int, list[float]] = {}
    for queue_id, _, offered, aht in history:
        if aht > 0:
            handled.setdefault(queue_id, [0.0, 0.0])
            handled[queue_id][0] += offered
            handled[queue_id][1] += offered * float(aht)
    records = []
    for queue_id, moment, offered, aht in history:
        seconds = float(aht)
        if offered and seconds <= 0:  # every contact abandoned: borrow the queue's mean handle time
            count, total = handled.get(queue_id, (0.0, 0.0))
            if not count:
                continue
            seconds = total / count
        records.append(
            forecasting.IntervalVolume(
                interval_start=moment, queue=by_id[queue_id].code, contacts=float(offered), aht_seconds=seconds
            )
        )
    forecast_queues = sorted({record.queue for record in records})
    events = _event_inputs(
        queues=queues, channel=channel, first_day=history_from.date(), last_day=end.date() - dt.timedelta(days=1)
    )
    holidays = planning.holidays_from_policy(unit=unit)
    try:
        forecasts = forecasting.forecast_volumes(
            history=records,
            start=start,
            end=end,
            interval_minutes=interval_minutes,
            holidays=holidays,
            events=events,
            queues=forecast_queues,
            tz=tz,
        )
    except ValueError as exc:
        raise ApplicationError(f"无法预测：{exc}", extra={"field": "history"}) from exc

    params = planning.params_from_policy(unit=unit, channel=channel, interval_minutes=interval_minutes)
    applied = sorted({name for item in forecasts for name in item.events})
    run = ForecastRun.objects.create(
        unit=unit,
        channel=channel,
        starts_at=start,
        ends_at=end,
        interval_minutes=interval_minutes,
        history_from=history_from,
        history_to=start,
        service_level_target=Decimal(str(params.service_level_target)),
        answer_within_seconds=params.answer_within_seconds,
        shrinkage=Decimal(str(params.shrinkage)),
        max_occupancy=Decimal(str(params.max_occupancy)),
        patience_seconds=params.patience_seconds,
        concurrency=params.concurrency,
        events=applied,
        holidays=[day.isoformat() for day in holidays if start.date() <= day < end.date()],
        note=note.strip()[:300],
        created_by=scopes.signed_in(actor),
    )
    rows = _rows(run=run, forecasts=forecasts, events=events, queues={q.code: q for q in queues}, params=params)
    ForecastInterval.objects.bulk_create(rows, batch_size=2000)
    audit.record(
        actor=actor,
        action="forecast_run.create",
        obj=run,
        after={
            "channel": channel,
            "from": start,
            "to": end,
            "queues": forecast_queues,
            "without_history": sorted(q.code for q in queues if q.code not in forecast_queues),
            "events": applied,
            "model": params.model,
            "service_level_target": params.service_level_target,
            "peak_scheduled": max((row.scheduled for row in rows), default=0),
        },
        note=note,
    )
    return run


@transaction.atomic
def forecast_run_choose_target(
    *, actor: Actor | None, run_id: int, service_level_target: Decimal | str, note: str = ""
) -> ForecastRun:
    """The planner picks a point on the service-versus-cost curve: its service level becomes the run's
    target and every interval's requirement is recomputed with it (the forecast itself is unchanged)."""
    if actor is None:
        run = ForecastRun.objects.select_related("unit").get(id=run_id)
    else:
        run = selectors.forecast_run_get(actor=actor, run_id=run_id)
        scopes.require(actor, unit_path=run.unit.path, roles=PLANNERS, what="修改该预测的服务水平目标")
    if isinstance(service_level_target, float):
        raise ApplicationError('服务水平目标请写成字符串，例如 "0.85"', extra={"field": "service_level_target"})
    try:
        target = Decimal(str(service_level_target).strip())
    except InvalidOperation:
        raise ApplicationError("服务水平目标不是数字", extra={"field": "service_level_target"}) from None
    if not target.is_finite() or not Decimal("0.01") <= target <= Decimal("0.99"):
        raise ApplicationError("服务水平目标必须在 1% 到 99% 之间", extra={"field": "service_level_target"})
    target = target.quantize(Decimal("0.001"))
    before = {"service_level_target": run.service_level_target, "scheduled_total": _scheduled_total(run)}
    run.service_level_target = target
    run.target_chosen_at = timezone.now()
    run.save(update_fields=["service_level_target", "target_chosen_at"])
    params = Params.from_run(run)
    rows = list(run.intervals.all())
    for row in rows:
        for name, value in _measures(
            contacts=row.contacts, baseline=row.baseline_contacts, aht=row.aht_seconds, params=params
        ).items():
            setattr(row, name, value)
    ForecastInterval.objects.bulk_update(rows, list(_FIELDS), batch_size=2000)
    audit.record(
        actor=actor,
        action="forecast_run.choose_target",
        obj=run,
        before=before,
        after={"service_level_target": target, "scheduled_total": _scheduled_total(run)},
        note=note,
    )
    return run


def _scheduled_total(run: ForecastRun) -> int:
    return sum(run.intervals.values_list("scheduled", flat=True))
