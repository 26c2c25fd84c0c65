"""Ninja schemas of the staffing API, one pair per operation."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema


class QueueIn(Schema):
    unit_id: int
    code: str
    name: str
    channel: str
    service_group: str = ""
    customer_tier: str = "normal"
    position_code: str = "agent"
    interval_minutes: int = 30


class QueueOut(Schema):
    id: int
    unit_id: int
    unit_name: str = Field(..., alias="unit.name")
    code: str
    name: str
    channel: str
    service_group: str
    customer_tier: str
    position_code: str
    interval_minutes: int
    active: bool


class HistoryRowIn(Schema):
    interval_start: dt.datetime
    offered: int
    answered: int
    abandoned: int
    aht_seconds: Decimal
    answered_within: int | None = None


class HistoryRowsIn(Schema):
    rows: list[HistoryRowIn]


class HistoryCsvIn(Schema):
    unit_id: int
    csv_text: str
    filename: str = ""


class HistoryImportOut(Schema):
    import_id: int
    created: int
    updated: int
    unchanged: int
    already_imported: bool


class HistoryRowOut(Schema):
    interval_start: dt.datetime
    offered: int
    answered: int
    abandoned: int
    answered_within: int | None
    aht_seconds: Decimal
    source: str


class EventIn(Schema):
    unit_id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date
    multiplier: Decimal
    channel: str = ""
    note: str = ""


class EventOut(Schema):
    id: int
    unit_id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date
    multiplier: Decimal
    channel: str
    note: str


class RunIn(Schema):
    unit_id: int
    channel: str
    starts_on: dt.date
    days: int = 7
    history_days: int = 56
    note: str = ""


class RunOut(Schema):
    id: int
    unit_id: int
    channel: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    interval_minutes: int
    service_level_target: Decimal
    answer_within_seconds: int
    shrinkage: Decimal
    max_occupancy: Decimal
    patience_seconds: int | None
    concurrency: int
    model: str = Field(..., alias="model_label")
    events: list[str]
    note: str
    created_at: dt.datetime


class RunIntervalOut(Schema):
    queue_code: str = Field(..., alias="queue.code")
    interval_start: dt.datetime
    contacts: float
    baseline_contacts: float
    aht_seconds: float
    events: str
    agents: int
    scheduled: int
    baseline_scheduled: int
    service_level: float
    occupancy: float
    asa_seconds: float | None
    abandon_rate: float | None
    model: str


class ChooseTargetIn(Schema):
    service_level_target: Decimal
    note: str = ""


class AccuracyPointOut(Schema):
    start: dt.datetime
    forecast: float
    actual: int | None


class AccuracyOut(Schema):
    model: str = "forecast"
    compared: int
    mape: float | None
    wape: float | None
    points: list[AccuracyPointOut]


class CoveragePointOut(Schema):
    start: dt.datetime
    required: int
    rostered: float
    gap: float


class CoverageOut(Schema):
    short_intervals: int
    short_head_hours: float
    over_head_hours: float
    points: list[CoveragePointOut]


class CostPointOut(Schema):
    agents: int
    scheduled: int
    service_level: float
    asa_seconds: float | None
    abandon_rate: float | None
    occupancy: float
    labour_cost: Decimal


class CostCurveOut(Schema):
    model: str
    queue_code: str
    interval_start: dt.datetime
    contacts: float
    aht_seconds: float
    hourly_cost: Decimal
    required_agents: int
    points: list[CostPointOut]


class TierLineOut(Schema):
    tier: str
    label: str
    contacts: float
    service_level: float | None
    asa_seconds: float | None
    abandon_rate: float | None
    model: str


class TierReportOut(Schema):
    interval_start: dt.datetime
    agents: int
    servers: int
    simulated_contacts: int
    lines: list[TierLineOut]


class PeakPointOut(Schema):
    start: dt.datetime
    events: str
    baseline: int
    needed: int
    extra: int
    extra_cost: Decimal


class PeakPlanOut(Schema):
    extra_head_hours: Decimal
    extra_cost: Decimal
    peak_extra: int
    peak_needed: int
    points: list[PeakPointOut]


class ShiftIn(Schema):
    employee_id: int
    queue_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime


class ShiftOut(Schema):
    id: int
    employee_id: int
    employee_name: str = Field(..., alias="employee.name")
    queue_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    source: str


class ShiftCsvIn(Schema):
    unit_id: int
    csv_text: str
    filename: str = ""


class ShiftImportOut(Schema):
    created: int
    updated: int
    unchanged: int


class ErlangOut(Schema):
    agents: int
    scheduled: int
    service_level: float
    occupancy: float
    asa_seconds: float | None
    abandon_rate: float | None
    model: str
