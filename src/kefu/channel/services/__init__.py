"""Writes of the channel, one module per entity group; import from here."""

from kefu.channel.services.commerce import (
    branch_of,
    company_accounts,
    customer_create,
    order_create,
    payment_record,
)
from kefu.channel.services.messages import (
    SendResult,
    Upload,
    message_retract,
    message_send,
    system_message,
    visitor_message_send,
)
from kefu.channel.services.routing import (
    close_idle,
    conversation_close,
    conversation_rate,
    conversation_start,
    conversation_transfer,
    presence_set,
    queue_dispatch,
    service_group_create,
    visitor_close,
)

__all__ = [
    "SendResult",
    "Upload",
    "branch_of",
    "close_idle",
    "company_accounts",
    "conversation_close",
    "conversation_rate",
    "conversation_start",
    "conversation_transfer",
    "customer_create",
    "message_retract",
    "message_send",
    "order_create",
    "payment_record",
    "presence_set",
    "queue_dispatch",
    "service_group_create",
    "system_message",
    "visitor_close",
    "visitor_message_send",
]
