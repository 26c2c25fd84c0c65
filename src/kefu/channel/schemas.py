from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema


class CustomerOut(Schema):
    id: int
    name: str
    phone: str
    platform_account: str
    tier: str
    tier_label: str
    unit_id: int
    unit_name: str
    is_guest: bool

    @staticmethod
    def resolve_tier_label(obj: Any) -> str:
        return str(obj.get_tier_display())

    @staticmethod
    def resolve_unit_name(obj: Any) -> str:
        return str(obj.unit.name)


class CustomerFilter(Schema):
    search: str = ""
    tier: str = ""


class OrderOut(Schema):
    id: int
    number: str
    customer_id: int
    shop: str
    items: list[dict[str, Any]]
    amount: Decimal
    status: str
    created_at: dt.datetime


class OrderFilter(Schema):
    customer_id: int | None = None
    search: str = ""


class PaymentOut(Schema):
    id: int
    customer_id: int
    order_id: int | None
    payer: str
    amount: Decimal
    paid_at: dt.datetime
    receiving_account: str
    method: str
    is_anomaly: bool
    anomaly_reason: str


class PaymentFilter(Schema):
    customer_id: int | None = None
    anomaly: bool | None = None
    search: str = ""


class PaymentIn(Schema):
    customer_id: int
    amount: str
    receiving_account: str
    method: str
    payer: str = ""
    order_id: int | None = None
    paid_at: dt.datetime | None = None


class ConversationOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    customer_tier: str
    agent_id: int | None
    agent_name: str
    service_group_id: int
    service_group_name: str
    status: str
    priority: int
    identified_by: str
    created_at: dt.datetime
    assigned_at: dt.datetime | None
    closed_at: dt.datetime | None
    close_reason: str
    last_message_at: dt.datetime
    last_seq: int
    satisfaction: int | None
    satisfaction_comment: str

    @staticmethod
    def resolve_customer_name(obj: Any) -> str:
        return str(obj.customer.name)

    @staticmethod
    def resolve_customer_tier(obj: Any) -> str:
        return str(obj.customer.tier)

    @staticmethod
    def resolve_agent_name(obj: Any) -> str:
        return str(obj.agent.name) if obj.agent_id else ""

    @staticmethod
    def resolve_service_group_name(obj: Any) -> str:
        return str(obj.service_group.name)


class ConversationFilter(Schema):
    status: str = ""
    customer: str = ""
    agent: str = ""
    order: str = ""
    text: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None


class AttachmentOut(Schema):
    url: str
    content_type: str
    name: str
    size: int
    sha256: str
    is_image: bool


class OrderRef(Schema):
    id: int
    number: str


class MessageOut(Schema):
    id: int
    conversation_id: int
    seq: int
    sender_kind: str
    sender_name: str
    sender_employee_id: int | None
    created_at: str
    text: str
    outcome: str
    reasons: list[str]
    attachment: AttachmentOut | None
    order: OrderRef | None
    retracts_seq: int | None
    retracted: bool


class MessagePage(Schema):
    conversation_status: str
    items: list[MessageOut]
    cursor: int  # pass as `after` to get what came next
    has_more: bool


class MessageIn(Schema):
    text: str
    order_id: int | None = None


class SendOut(Schema):
    created: bool
    outcome: str
    delivered: bool
    reasons: list[str]
    notice: str
    message: MessageOut


class TransferIn(Schema):
    to_employee_id: int
    reason: str = ""


class PresenceIn(Schema):
    status: str
    max_chats: int | None = None


class PresenceOut(Schema):
    status: str
    max_chats: int | None
    capacity: int
    active_chats: int


class QueueOut(Schema):
    service_group_id: int
    name: str
    queued: int
    longest_wait_seconds: int
    active: int
    agents_online: int
