"""Ninja schemas for the complaints API: one pair per operation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema


class ComplaintCreateIn(Schema):
    conversation_id: int | None = None
    customer_id: int | None = None
    order_id: int | None = None
    content: str
    customer_request: str = ""
    amount_at_stake: str = "0"
    source: str = "phone"


class ComplaintOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    source: str
    category: str
    customer_id: int
    customer_name: str
    order_id: int | None
    conversation_id: int | None
    content: str
    customer_request: str
    amount_at_stake: Decimal
    handler_id: int | None
    subject_agent_id: int | None
    responsible_party: str
    responsible_agent_id: int | None
    compensation_amount: Decimal
    approval_required: bool
    due_at: dt.datetime | None
    sla: str
    version: int
    created_at: dt.datetime


class EventOut(Schema):
    at: dt.datetime
    kind: str
    action: str
    from_status: str
    to_status: str
    actor_label: str
    text: str


class ComplaintDetailOut(ComplaintOut):
    findings: str
    solution: str
    customer_notice: str
    feedback: str
    allowed_actions: list[str]
    timeline: list[EventOut]


class ActIn(Schema):
    action: str
    expected_version: int
    data: dict[str, Any] = {}


class EvidenceIn(Schema):
    kind: str
    ref_id: int | None = None
    note: str = ""


class EvidenceOut(Schema):
    id: int
    kind: str
    conversation_id: int | None
    order_id: int | None
    payment_id: int | None
    note: str


class ImprovementDoneIn(Schema):
    note: str


class ImprovementOut(Schema):
    id: int
    complaint_id: int
    kind: str
    description: str
    owner_id: int
    due_date: dt.date
    status: str


class PenaltyOut(Schema):
    id: int
    complaint_id: int
    employee_id: int
    period: str
    loss_amount: Decimal
    deduct_rate: Decimal
    basis: str
    note: str
    reverses_id: int | None
