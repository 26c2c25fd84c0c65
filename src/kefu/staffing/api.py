import datetime as dt
import math
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from kefu.core.errors import ApplicationError
from kefu.staffing import erlang, planning, selectors, services
from kefu.staffing.models import ContactInterval, ForecastInterval, ForecastRun, PlannedEvent, Queue, Shift
from kefu.staffing.schemas import (
    AccuracyOut,
    ChooseTargetIn,
    CostCurveOut,
    CoverageOut,
    ErlangOut,
    EventIn,
    EventOut,
    HistoryCsvIn,
    HistoryImportOut,
    HistoryRowOut,
    HistoryRowsIn,
    PeakPlanOut,
    QueueIn,
    QueueOut,
    RunIn,
    RunIntervalOut,
    RunOut,
    ShiftCsvIn,
    ShiftImportOut,
    ShiftIn,
    ShiftOut,
    TierReportOut,
)

router = Router(tags=["staffing"])


class QueueFilter(Schema):
    channel: str = ""
    unit_id: int | None = None


class PeriodFilter(Schema):
    start: dt.datetime | None = None
    end: dt.datetime | None = None


class IntervalFilter(Schema):
    queue_id: int | None = None


class CostCurveFilter(Schema):
    queue_id: int | None = None
    at: dt.datetime | None = None


class TierFilter(Schema):
    at: dt.datetime | None = None
    agents: int | None = None


class ErlangQuery(Schema):
    # Defaults: the textbook example (100 calls of 3 minutes per half hour, 80/20).
    calls: float = 100
    aht: float = 180
    interval_minutes: float = 30
    service_level: float = 0.8
    answer_within: float = 20
    shrinkage: float = 0.0
    max_occupancy: float = 1.0
    patience: float | None = None
    concurrency: int = 1


def _import_out(result: services.HistoryImportResult) -> dict[str, Any]:
    return {
        "import_id": result.batch.id,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "already_imported": result.already_imported,
    }


# --- queues and history ------------------------------------------------------------------------------


@router.get("/queues", response=list[QueueOut])
def queue_list(request: HttpRequest, filters: Query[QueueFilter]) -> list[Queue]:
    return list(selectors.queue_list(actor=request.user, channel=filters.channel, unit_id=filters.unit_id))


@router.post("/queues", response={201: QueueOut})
def queue_create(request: HttpRequest, payload: QueueIn) -> tuple[int, Queue]:
    return 201, services.queue_create(actor=request.user, **payload.dict())


@router.get("/queues/{queue_id}", response=QueueOut)
def queue_get(request: HttpRequest, queue_id: int) -> Queue:
    return selectors.queue_get(actor=request.user, queue_id=queue_id)


@router.get("/queues/{queue_id}/history", response=list[HistoryRowOut])
@paginate
def queue_history(request: HttpRequest, queue_id: int, period: Query[PeriodFilter]) -> list[ContactInterval]:
    return selectors.contact_interval_list(  # type: ignore[return-value]
        actor=request.user, queue_id=queue_id, start=period.start, end=period.end
    )


@router.post("/queues/{queue_id}/history", response={201: HistoryImportOut})
def queue_history_record(request: HttpRequest, queue_id: int, payload: HistoryRowsIn) -> tuple[int, dict[str, Any]]:
    rows = [row.dict() for row in payload.rows]
    return 201, _import_out(services.contact_history_record(actor=request.user, queue_id=queue_id, rows=rows))


@router.post("/history/import", response={201: HistoryImportOut})
def history_import(request: HttpRequest, payload: HistoryCsvIn) -> tuple[int, dict[str, Any]]:
    result = services.contact_history_import_csv(
        actor=request.user, unit_id=payload.unit_id, csv_text=payload.csv_text, filename=payload.filename
    )
    return 201, _import_out(result)


# --- planned events ----------------------------------------------------------------------------------


@router.get("/events", response=list[EventOut])
def event_list(request: HttpRequest) -> list[PlannedEvent]:
    return list(selectors.planned_event_list(actor=request.user))


@router.post("/events", response={201: EventOut})
def event_create(request: HttpRequest, payload: EventIn) -> tuple[int, PlannedEvent]:
    data = payload.dict()
    data["multiplier"] = str(data["multiplier"])
    return 201, services.planned_event_create(actor=request.user, **data)


# --- forecast runs -----------------------------------------------------------------------------------


@router.get("/runs", response=list[RunOut])
@paginate
def run_list(request: HttpRequest) -> list[ForecastRun]:
    return selectors.forecast_run_list(actor=request.user)  # type: ignore[return-value]


@router.post("/runs", response={201: RunOut})
def run_create(request: HttpRequest, payload: RunIn) -> tuple[int, ForecastRun]:
    return 201, services.forecast_run_create(actor=request.user, **payload.dict())


@router.get("/runs/{run_id}", response=RunOut)
def run_get(request: HttpRequest, run_id: int) -> ForecastRun:
    return selectors.forecast_run_get(actor=request.user, run_id=run_id)


@router.get("/runs/{run_id}/intervals", response=list[RunIntervalOut])
def run_intervals(request: HttpRequest, run_id: int, filters: Query[IntervalFilter]) -> list[ForecastInterval]:
    run = selectors.forecast_run_get(actor=request.user, run_id=run_id)
    return planning.run_intervals(run, queue_id=filters.queue_id)


@router.post("/runs/{run_id}/target", response=RunOut)
def run_choose_target(request: HttpRequest, run_id: int, payload: ChooseTargetIn) -> ForecastRun:
    return services.forecast_run_choose_target(
        actor=request.user, run_id=run_id, service_level_target=str(payload.service_level_target), note=payload.note
    )


@router.get("/runs/{run_id}/accuracy", response=AccuracyOut)
def run_accuracy(request: HttpRequest, run_id: int, filters: Query[IntervalFilter]) -> planning.Accuracy:
    run = selectors.forecast_run_get(actor=request.user, run_id=run_id)
    return planning.forecast_accuracy(run, queue_id=filters.queue_id)


@router.get("/runs/{run_id}/coverage", response=CoverageOut)
def run_coverage(request: HttpRequest, run_id: int, filters: Query[IntervalFilter]) -> planning.Coverage:
    run = selectors.forecast_run_get(actor=request.user, run_id=run_id)
    return planning.coverage(run, queue_id=filters.queue_id)


@router.get("/runs/{run_id}/cost-curve", response={200: CostCurveOut, 404: dict})
def run_cost_curve(request: HttpRequest, run_id: int, filters: Query[CostCurveFilter]) -> Any:
    run = selectors.forecast_run_get(actor=request.user, run_id=run_id)
    curve = planning.cost_curve(run, queue_id=filters.queue_id, at=filters.at)
    if curve is None:
        return 404, {"message": "该预测没有话务，无法画成本曲线", "extra": {}}
    return {
        "model": curve.model,
        "queue_code": curve.queue.code,
        "interval_start": curve.row.interval_start,
        "contacts": curve.row.contacts,
        "aht_seconds": curve.row.aht_seconds,
        "hourly_cost": curve.hourly_cost,
        "required_agents": curve.row.agents,
        "points": curve.points,
    }


@router.get("/runs/{run_id}/tiers", response={200: TierReportOut, 404: dict})
def run_tiers(request: HttpRequest, run_id: int, filters: Query[TierFilter]) -> Any:
    run = selectors.forecast_run_get(actor=request.user, run_id=run_id)
    report = planning.tier_service_levels(run, at=filters.at, agents=filters.agents)
    if report is None:
        return 404, {"message": "该时段没有话务", "extra": {}}
    return {
        "interval_start": report.start,
        "agents": report.agents,
        "servers": report.servers,
        "simulated_contacts": report.simulated_contacts,
        "lines": report.lines,
    }


@router.get("/runs/{run_id}/peak-plan", response=PeakPlanOut)
def run_peak_plan(request: HttpRequest, run_id: int) -> planning.PeakPlan:
    run = selectors.forecast_run_get(actor=request.user, run_id=run_id)
    return planning.peak_plan(run)


# --- roster ------------------------------------------------------------------------------------------


@router.get("/shifts", response=list[ShiftOut])
@paginate
def shift_list(request: HttpRequest, period: Query[PeriodFilter]) -> list[Shift]:
    return selectors.shift_list(actor=request.user, start=period.start, end=period.end)  # type: ignore[return-value]


@router.post("/shifts", response={201: ShiftOut})
def shift_create(request: HttpRequest, payload: ShiftIn) -> tuple[int, Shift]:
    return 201, services.shift_create(actor=request.user, **payload.dict())


@router.post("/shifts/import", response={201: ShiftImportOut})
def shift_import(request: HttpRequest, payload: ShiftCsvIn) -> tuple[int, services.ShiftImportResult]:
    return 201, services.shift_import_csv(
        actor=request.user, unit_id=payload.unit_id, csv_text=payload.csv_text, filename=payload.filename
    )


# --- calculator --------------------------------------------------------------------------------------


@router.get("/erlang", response=ErlangOut)
def erlang_calculate(request: HttpRequest, query: Query[ErlangQuery]) -> dict[str, Any]:
    """The command line's calculator for planners: agents for one interval."""
    selectors.require_planner(request.user)
    try:
        result = erlang.required_agents(
            calls=query.calls,
            aht_seconds=query.aht,
            interval_minutes=query.interval_minutes,
            service_level_target=query.service_level,
            answer_within_seconds=query.answer_within,
            shrinkage=query.shrinkage,
            max_occupancy=query.max_occupancy,
            patience_seconds=query.patience,
            concurrency=query.concurrency,
        )
    except erlang.StaffingInputError as exc:
        raise ApplicationError(str(exc), extra={"field": exc.field}) from exc
    return {
        "agents": result.agents,
        "scheduled": result.scheduled,
        "service_level": result.service_level,
        "occupancy": result.occupancy,
        "asa_seconds": result.asa_seconds if math.isfinite(result.asa_seconds) else None,
        "abandon_rate": result.abandon_rate,
        "model": result.model,
    }
