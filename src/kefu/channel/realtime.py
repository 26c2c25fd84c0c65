"""Real-time fan-out: what each audience receives, sent through the channel layer after commit.

Staff and customer listen on separate groups of a conversation, because they see different things:
the customer never sees screening reasons, blocked agent messages or retracted text. Every event
carries the message's per-conversation `seq`, so a client that reconnects fetches `after=<last seq>`
and drops anything it already has: nothing is lost or shown twice.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kefu.channel.models import Conversation, Message, Outcome, SenderKind

log = logging.getLogger(__name__)

RETRACTED_NOTICE = "客服撤回了一条消息"


def staff_group(conversation_id: int) -> str:
    return f"channel.conv.{conversation_id}.staff"


def customer_group(conversation_id: int) -> str:
    return f"channel.conv.{conversation_id}.customer"


def agent_group(employee_id: int) -> str:
    return f"channel.agent.{employee_id}"


def _sender_name(message: Message) -> str:
    if message.sender_kind == SenderKind.AGENT and message.sender_employee is not None:
        return f"客服{message.sender_employee.name}"
    if message.sender_kind == SenderKind.SYSTEM:
        return "系统"
    return message.customer.name if message.customer_id else "客户"


def _attachment(message: Message, *, url_name: str) -> dict[str, Any] | None:
    if message.attachment_id is None or message.attachment is None:
        return None
    return {
        "url": reverse(url_name, args=[message.id]),
        "content_type": message.attachment.content_type,
        "name": message.attachment_name,
        "size": message.attachment.size,
        "sha256": message.attachment.sha256,
        "is_image": message.attachment.is_image,
    }


def _local(at: Any) -> str:
    return timezone.localtime(at).isoformat(timespec="seconds")


def staff_payload(message: Message) -> dict[str, Any]:
    return {
        "kind": "message",
        "id": message.id,
        "conversation_id": message.conversation_id,
        "seq": message.seq,
        "sender_kind": message.sender_kind,
        "sender_name": _sender_name(message),
        "sender_employee_id": message.sender_employee_id,
        "created_at": _local(message.created_at),
        "text": message.text,
        "outcome": message.outcome,
        "reasons": list(message.reasons or []),
        "attachment": _attachment(message, url_name="channel:attachment"),
        "order": {"id": message.order_id, "number": message.order.number}
        if message.order_id and message.order
        else None,
        "retracts_seq": message.retracts.seq if message.retracts_id and message.retracts else None,
        "retracted": hasattr(message, "retraction"),
    }


def customer_payload(message: Message, *, notice: str = "") -> dict[str, Any]:
    """The customer's view of one message. A retraction (or a retracted message) shows only the notice."""
    retracted = hasattr(message, "retraction")
    hidden = retracted or message.retracts_id is not None
    return {
        "kind": "message",
        "id": message.id,
        "seq": message.seq,
        "sender_kind": message.sender_kind,
        "sender_name": _sender_name(message),
        "created_at": _local(message.created_at),
        "text": RETRACTED_NOTICE if hidden else message.text,
        "retracted": hidden,
        "retracts_seq": message.retracts.seq if message.retracts_id and message.retracts else None,
        "blocked": message.outcome == Outcome.BLOCK,
        "notice": notice if message.outcome == Outcome.BLOCK else "",
        "attachment": None if hidden else _attachment(message, url_name="channel:chat_attachment"),
    }


def status_payload(conversation: Conversation, *, position: int | None = None) -> dict[str, Any]:
    return {
        "kind": "status",
        "conversation_id": conversation.id,
        "status": conversation.status,
        "status_label": str(conversation.get_status_display()),
        "agent_name": f"客服{conversation.agent.name}" if conversation.agent_id and conversation.agent else "",
        "position": position,
    }


def _send(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "channel.event", "event": event}
    # In a request served by the ASGI server, hand the broadcast to the server's event loop and go on:
    # the request thread does not wait for the channel layer (the pump keeps broadcasts in order).
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    try:
        if loop is not None and loop.is_running() and not loop.is_closed():
            loop.call_soon_threadsafe(_pump_put, loop, layer, group, message)
        else:
            async_to_sync(layer.group_send)(group, message)
    except Exception:  # a lost broadcast must never undo a stored message; clients catch up by cursor
        log.exception("channel fan-out to %s failed", group)


# One queue and one sending task per event loop: broadcasts leave in the order the commits happened.
_pumps: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[asyncio.Queue[Any], asyncio.Task[None]]] = (
    weakref.WeakKeyDictionary()
)


def _pump_put(loop: asyncio.AbstractEventLoop, layer: Any, group: str, message: dict[str, Any]) -> None:
    pump = _pumps.get(loop)
    if pump is None or pump[1].done():
        queue: asyncio.Queue[Any] = asyncio.Queue()
        pump = _pumps[loop] = (queue, loop.create_task(_pump_run(queue)))
    pump[0].put_nowait((layer, group, message))


async def _pump_run(queue: asyncio.Queue[Any]) -> None:
    while True:
        layer, group, message = await queue.get()
        try:
            await layer.group_send(group, message)
        except Exception:  # a lost broadcast must never stop the next; clients catch up by cursor
            log.exception("channel fan-out to %s failed", group)


def after_commit(group: str, event: dict[str, Any]) -> None:
    """Broadcast only once the row is committed, so nobody hears of a message that was rolled back."""
    transaction.on_commit(lambda: _send(group, event))
