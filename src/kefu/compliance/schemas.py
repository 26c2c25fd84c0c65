"""Ninja schemas of the compliance API, one pair per operation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema


class MatchOut(Schema):
    start: int
    end: int
    text: str
    category: str


class EventOut(Schema):
    id: int
    party: str
    action: str
    categories: list[str]
    matches: list[MatchOut]
    message_id: int | None
    conversation_id: int | None
    finance_record_id: int | None
    occurred_at: dt.datetime
    text: str = ""


class CaseOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    status_label: str
    agent_id: int | None
    agent_name: str
    unit_name: str
    day: dt.date
    categories: list[str]
    customer_name: str
    order_number: str
    opened_at: dt.datetime
    decision_note: str
    appeal_note: str
    final_note: str
    finance_lag_seconds: float | None
    version: int


class CaseDetailOut(CaseOut):
    events: list[EventOut]
    allowed_actions: list[str]


class CaseActIn(Schema):
    action: str
    note: str = ""
    expected_version: int | None = None


class ScoreOut(Schema):
    employee_id: int
    employee_name: str
    period: str
    score: int
    start: int
    confirmed: int
    positive: int
    deductions: int
    bonus: int
    threshold: int
    bonus_eligible: bool
    weight: Decimal
    positive_points: int


class ScoreEntryOut(Schema):
    id: int
    delta: int
    reason: str
    case_id: int | None
    positive_event_id: int | None
    created_at: dt.datetime


class ScoreDetailOut(ScoreOut):
    cases: list[CaseOut]
    entries: list[ScoreEntryOut]


class FinanceRecordIn(Schema):
    unit_id: int
    kind: str
    amount: str
    account: str
    occurred_at: str
    payer_name: str = ""
    payer_phone: str = ""
    order_number: str = ""
    note: str = ""


class FinanceImportIn(Schema):
    unit_id: int
    filename: str = "import.csv"
    csv: str


class FinanceImportOut(Schema):
    id: int
    rows: int
    sha256: str
    filename: str


class FinanceRecordOut(Schema):
    id: int
    kind: str
    source: str
    amount: Decimal
    account: str
    payer_name: str
    payer_phone: str
    order_number: str
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    customer_id: int | None
    customer_name: str
    matched_by: str
    case_ids: list[int]
    agent_names: list[str]


class PositiveIn(Schema):
    message_id: int
    kind: str
    note: str = ""


class PositiveVerifyIn(Schema):
    approve: bool
    note: str = ""


class PositiveOut(Schema):
    id: int
    agent_id: int
    agent_name: str
    kind: str
    status: str
    message_id: int
    note: str
    reported_at: dt.datetime
    verify_note: str


class HonourAwardIn(Schema):
    unit_id: int
    period: str


class HonourOut(Schema):
    id: int
    employee_id: int
    employee_name: str
    period: str
    positive_count: int


class HeatmapOut(Schema):
    days: int
    weekdays: list[str]
    hours: list[int]
    counts: list[list[int]]
    groups: list[dict[str, Any]]
