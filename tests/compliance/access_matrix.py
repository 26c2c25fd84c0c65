"""Compliance records at every spot of the access matrix: a blocked attempt by the spot's agent (an event
and the agent's case of the day), a finance record with its case and a positive event; and how to name
them in routes. (Notifications are core's: tests/access_matrix.py.)"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kefu.channel import services as channel_services
from kefu.channel.models import Conversation, Message
from kefu.compliance import services
from kefu.compliance.models import FinanceRecord, PositiveEvent, ViolationCase
from kefu.core import scopes
from kefu.core.periods import Period


def _conversation(spot: Any) -> Conversation:
    return Conversation.objects.get(customer__name=f"越界客户-{spot.name}")  # made by tests/channel/access_matrix


def build(world: Any, spot: Any) -> list[str]:
    conversation = _conversation(spot)
    channel_services.message_send(
        actor=spot.user, conversation_id=conversation.id, client_key="mx-violation", text=f"加我微信 mx_{spot.name}_88"
    )
    offer = channel_services.visitor_message_send(
        conversation_id=conversation.id, client_key="mx-offer", text=f"越界红包-{spot.name}，给你发个红包"
    ).message
    services.positive_event_report(
        actor=spot.user, message_id=offer.id, kind="refused_red_packet", note=f"越界正向-{spot.name}"
    )
    branch = world.branch_b if spot.name == "other_branch" else world.branch_a
    services.finance_record_create(
        actor=world.users[scopes.HQ_ADMIN],
        unit_id=branch.id,
        kind="private_receipt",
        amount="66.00",
        account=f"越界收款卡-{spot.name}",
        payer_name=f"越界付款人-{spot.name}",
        payer_phone=conversation.customer.phone,
        occurred_at=timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    )
    return [f"mx_{spot.name}_88", f"越界正向-{spot.name}", f"越界收款卡-{spot.name}"]


SPOT_BUILDERS = [build]


def _case(spot: Any) -> int:
    return ViolationCase.objects.get(kind="chat", agent=spot.employee).id


PARAMS = {
    "violation_case_id": lambda world, spot: _case(spot),
    "finance_record_id": lambda world, spot: FinanceRecord.objects.get(account=f"越界收款卡-{spot.name}").id,
    "positive_event_id": lambda world, spot: PositiveEvent.objects.get(note=f"越界正向-{spot.name}").id,
}


def _message(spot: Any) -> int:
    return Message.objects.get(conversation=_conversation(spot), client_key="mx-offer").id


def _last_month() -> str:
    return str(Period.containing(timezone.localdate()).previous())


def _finance_body(world: Any, spot: Any) -> dict[str, Any]:
    return {
        "unit_id": spot.unit.id,
        "kind": "private_receipt",
        "amount": "1.00",
        "account": "越权账户",
        "occurred_at": "2026-01-05 10:00",
    }


WRITE_BODIES = {
    ("POST", "/api/v1/compliance/cases/{violation_case_id}/act"): lambda world, spot: {
        "action": "start_review",
        "note": "越权审核",
    },
    ("POST", "/compliance/cases/<violation_case_id>/act/"): lambda world, spot: {"action": "start_review"},
    ("POST", "/api/v1/compliance/finance-records"): _finance_body,
    ("POST", "/compliance/finance/"): _finance_body,
    ("POST", "/api/v1/compliance/finance-records/import"): lambda world, spot: {
        "unit_id": spot.unit.id,
        "csv": "类型,金额,收款账户,发生时间\n私人账户收款,1,越权卡,2026-01-05\n",
    },
    ("POST", "/compliance/finance/import/"): lambda world, spot: {"unit_id": spot.unit.id},
    ("POST", "/api/v1/compliance/positive-events"): lambda world, spot: {
        "message_id": _message(spot),
        "kind": "refused_private_contact",
    },
    ("POST", "/compliance/positive/"): lambda world, spot: {
        "message_id": _message(spot),
        "kind": "refused_private_contact",
    },
    ("POST", "/api/v1/compliance/positive-events/{positive_event_id}/verify"): lambda world, spot: {
        "approve": True,
        "note": "越权核实",
    },
    ("POST", "/compliance/positive/<positive_event_id>/verify/"): lambda world, spot: {"approve": "1"},
    ("POST", "/api/v1/compliance/honours/award"): lambda world, spot: {
        "unit_id": spot.unit.id,
        "period": _last_month(),
    },
    ("POST", "/compliance/honours/"): lambda world, spot: {"unit_id": spot.unit.id, "period": _last_month()},
}
