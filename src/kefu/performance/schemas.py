"""Ninja schemas of the performance API (one pair per operation)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema


class ImportIn(Schema):
    source_system: str
    filename: str
    content: str
    fmt: str = "csv"
    kind: str = "work"  # "work" or "quality"


class ImportOut(Schema):
    batch_id: int | None
    rows: int
    created: int
    unchanged: int
    message: str


class WorkRecordOut(Schema):
    id: int
    agent_id: int
    business_type_id: int
    started_at: dt.datetime
    work_date: dt.date
    handle_seconds: int
    acw_seconds: int
    outcome: str
    source_system: str
    source_id: str


class RecomputeIn(Schema):
    start: dt.date
    end: dt.date
    unit_id: int | None = None


class RecomputeOut(Schema):
    id: int
    start: dt.date
    end: dt.date
    rows_written: int


class PointsOut(Schema):
    employee_id: int
    employee_no: str
    name: str
    points: Decimal
    records: int
    sales: Decimal
    qa_average: Decimal | None
    rank: int


class BusinessTypeOut(Schema):
    id: int
    department_id: int
    code: str
    name: str
    indicator: str
    is_base: bool
    standard_handle_seconds: int
    standard_acw_seconds: int
    difficulty: Decimal
    coefficient: Decimal


class ProposeIn(Schema):
    department_id: int
    months: int | None = None
    effective_from: dt.date | None = None
    note: str = ""


class DecideIn(Schema):
    note: str = ""


class LineOut(Schema):
    business_type_id: int
    samples: int
    old_coefficient: Decimal
    new_coefficient: Decimal
    new_handle_seconds: int
    new_acw_seconds: int


class VersionOut(Schema):
    id: int
    department_id: int
    number: int
    status: str
    window_start: dt.date
    window_end: dt.date
    effective_from: dt.date
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class KpiNodeIn(Schema):
    name: str
    metric: str
    target: Decimal
    weight: Decimal
    unit_label: str
    period_start: dt.date
    period_end: dt.date
    parent_id: int | None = None
    unit_id: int | None = None
    employee_id: int | None = None
    specific: str = ""
    measurable: str = ""
    achievable: str = ""
    relevant: str = ""
    time_bound: str = ""


class KpiNodeOut(Schema):
    id: int
    parent_id: int | None
    name: str
    metric: str
    target: Decimal
    weight: Decimal
    unit_label: str
    period_start: dt.date
    period_end: dt.date
    actual: Decimal | None = None
    attainment: Decimal | None = None
    rolled_up: Decimal | None = None


class ReviewOut(Schema):
    id: int
    period_id: int
    employee_id: int
    status: str
    weighted_score: Decimal | None
    calibrated_score: Decimal | None


class RatingIn(Schema):
    scores: dict[str, Decimal]
    comment: str = ""


class RatingOut(Schema):
    id: int
    review_id: int
    rater_kind: str
    total: Decimal | None


class CalibrateIn(Schema):
    score: Decimal
    note: str = ""


class SignIn(Schema):
    comment: str = ""


class PeriodOut(Schema):
    id: int
    label: str
    kind: str
    status: str
    start: dt.date
    end: dt.date


class ContestOut(Schema):
    id: int
    name: str
    rule: str
    starts_on: dt.date
    ends_on: dt.date
    status: str


class StandingOut(Schema):
    rank: int
    employee_id: int
    name: str
    value: Decimal
