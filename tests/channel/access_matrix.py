"""The channel's routes in the access matrix: each spot gets a service group, a customer with an order
and a payment to a private account, and a conversation served by the spot's agent with a message
carrying an image. Customer names and order numbers are the markers that must never leak."""

from __future__ import annotations

from typing import Any

from kefu.channel import services
from kefu.channel.models import Conversation, Message, Order, Payment
from kefu.channel.services import Upload
from tests.channel.factories import png_bytes

PHONES = {"same_team": "13900000101", "same_branch": "13900000102", "other_branch": "13900000103"}


def _customer_name(spot: Any) -> str:
    return f"越界客户-{spot.name}"


def _order_number(spot: Any) -> str:
    return f"YJ-{spot.name}-0001"


def _conversation(spot: Any) -> Conversation:
    return Conversation.objects.get(customer__name=_customer_name(spot))


def build(world: Any, spot: Any) -> list[str]:
    group = services.service_group_create(
        actor=None, name=f"越界服务组-{spot.name}", code=f"SG-{spot.name}", unit_id=spot.unit.id
    )
    customer = services.customer_create(
        actor=None, name=_customer_name(spot), unit=spot.unit, phone=PHONES[spot.name], tier="vip"
    )
    order = services.order_create(
        actor=None,
        customer=customer,
        number=_order_number(spot),
        shop="越界旗舰店",
        items=[{"name": "越界商品", "quantity": 1, "unit_price": "88.00"}],
    )
    services.payment_record(
        actor=None,
        customer_id=customer.id,
        order_id=order.id,
        amount="88.00",
        receiving_account=f"私人账户-{spot.name}",
        method="wechat",
    )
    services.presence_set(actor=spot.user, status="online")
    conversation = services.conversation_start(
        service_group_id=group.id, identified_by="phone", phone=PHONES[spot.name]
    )
    services.presence_set(actor=spot.user, status="offline")
    services.visitor_message_send(
        conversation_id=conversation.id,
        client_key="spot-image",
        text=f"越界消息-{spot.name}",
        upload=Upload(content=png_bytes("blue"), name="越界图片.png"),
    )
    return [_customer_name(spot), _order_number(spot), f"私人账户-{spot.name}"]


SPOT_BUILDERS = [build]

PARAMS = {
    "conversation_id": lambda world, spot: _conversation(spot).id,
    "customer_id": lambda world, spot: _conversation(spot).customer_id,
    "order_id": lambda world, spot: Order.objects.get(number=_order_number(spot)).id,
    "payment_id": lambda world, spot: Payment.objects.get(customer__name=_customer_name(spot)).id,
    "message_id": lambda world, spot: (
        Message.objects.get(conversation=_conversation(spot), attachment__isnull=False).id
    ),
}

WRITE_BODIES = {
    ("POST", "/api/v1/channel/payments"): lambda world, spot: {
        "customer_id": _conversation(spot).customer_id,
        "amount": "10.00",
        "receiving_account": "越权账户",
        "method": "bank",
    },
    ("POST", "/api/v1/channel/conversations/{conversation_id}/messages"): lambda world, spot: {"text": "越权消息"},
    ("POST", "/api/v1/channel/conversations/{conversation_id}/attachments"): lambda world, spot: {},
    ("POST", "/api/v1/channel/conversations/{conversation_id}/messages/{message_id}/retract"): lambda world, spot: {},
    ("POST", "/api/v1/channel/conversations/{conversation_id}/transfer"): lambda world, spot: {
        "to_employee_id": world.me.id,
        "reason": "越权转接",
    },
    ("POST", "/api/v1/channel/conversations/{conversation_id}/close"): lambda world, spot: {},
    ("POST", "/channel/conversations/<conversation_id>/reassign/"): lambda world, spot: {
        "to_employee_id": world.me.id,
        "reason": "越权改派",
    },
}

SELF_ONLY = {
    ("PUT", "/api/v1/channel/presence"): "an agent sets only their own status",
}

# The customer's side: public, bound to the visitor's own session (isolation tested in test_visitor.py).
PUBLIC_PAGES = {
    "chat",
    "chat_messages",
    "chat_status",
    "chat_rate",
    "chat_close",
    "chat_new",
    "chat_attachment",
}
