"""Sending messages: idempotent, screened before they count as delivered, append-only, fanned out after commit.

The order of one send:
  1. load the conversation in the actor's scope (404 outside);
  2. check the text and the upload (type from the bytes, size, real image);
  3. screen it (``hooks.screen_message``): deliver / warn / block, with reasons;
  4. in one short transaction: lock the conversation row and re-check it, then store the message with
     the next per-conversation sequence number — a blocked one as evidence only, a blocked or warned
     one with an audit entry; a key already used in this conversation rolls it all back and returns
     the first message instead (idempotency);
  5. after commit, broadcast to whoever may see it (never a blocked message to the other side).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from kefu.channel import hooks, policy_cache, realtime, uploads
from kefu.channel.models import (
    Attachment,
    Conversation,
    ConversationStatus,
    Message,
    Order,
    Outcome,
    SenderKind,
)
from kefu.channel.validation import MAX_MESSAGE_CHARS, clean_key, clean_text
from kefu.core import audit, scopes
from kefu.core.errors import ApplicationError, Forbidden, NotFound
from kefu.core.scopes import Actor
from kefu.org.models import Employee


@dataclass(frozen=True)
class Upload:
    content: bytes
    name: str


@dataclass(frozen=True)
class SendResult:
    message: Message
    created: bool  # False: the idempotency key was used before; this is the first message
    outcome: str
    reasons: tuple[str, ...]
    notice: str  # the policy text the sender sees when the message was blocked

    @property
    def delivered(self) -> bool:
        return self.outcome != Outcome.BLOCK


def _lock(
    conversation_id: int,
    *,
    actor: Actor | None = None,
    lock: bool = True,
    related: tuple[str, ...] = ("unit", "customer", "agent"),
) -> Conversation:
    """The conversation row, locked until commit (or just read, `lock=False`); with an actor, only if it
    is in the actor's scope (404). Read by id and checked in Python (`scopes.covers`, the same rule as
    `scopes.restrict`): this runs on every message sent."""
    qs = Conversation.objects.order_by()  # one row by id: no ORDER BY to compile or run
    if lock:
        qs = qs.select_for_update(of=("self",))
    found = list(qs.select_related(*related).filter(id=conversation_id)[:1])
    conversation = found[0] if found else None
    if conversation is None or (
        actor is not None
        and not scopes.covers(actor, unit_path=conversation.unit.path, roles=None, employee_id=conversation.agent_id)
    ):
        raise NotFound("找不到该会话", extra={"conversation_id": conversation_id})
    return conversation


def _claim_seq(conversation: Conversation, now: dt.datetime) -> Conversation:
    """Take the conversation's next sequence number, locking its row until commit, and refresh what may
    have changed since it was read (agent, status). One statement: it is what every concurrent writer
    of the conversation queues for, so it is kept short. The caller refuses (and rolls the claim back)
    if the conversation is no longer its to write in."""
    table = Conversation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_seq = last_seq + 1, last_message_at = %s"  # noqa: S608 - model metadata
            " WHERE id = %s RETURNING agent_id, status, last_seq",
            [now, conversation.id],
        )
        row = cursor.fetchone()
    if row is None:  # pragma: no cover - conversations are never deleted (PROTECT everywhere)
        raise NotFound("找不到该会话", extra={"conversation_id": conversation.id})
    agent_id, conversation.status, conversation.last_seq = row
    if agent_id != conversation.agent_id:
        conversation.agent_id = agent_id  # the cached agent is dropped with it; reloaded if ever used
    conversation.last_message_at = now
    return conversation


def _replay(conversation: Conversation, message: Message) -> SendResult:
    notice = ""
    if message.outcome == Outcome.BLOCK:
        notice = str(policy_cache.effective(conversation.unit, "compliance.block_message"))
    return SendResult(message, False, message.outcome, tuple(message.reasons or ()), notice)


# An order number as people type it: letters, digits and dashes, at least six long.
_ORDER_TOKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{5,}")


def _mentioned_order(conversation: Conversation, text: str) -> Order | None:
    """The customer's order whose number appears in the text (only tokens that look like one are looked up)."""
    tokens = set(_ORDER_TOKEN.findall(text)) if text else set()
    if not tokens:
        return None
    candidates = sorted(tokens | {part for token in tokens for part in re.split(r"[-_]", token) if len(part) >= 6})
    marks = ", ".join(["%s"] * len(candidates))
    with connection.cursor() as cursor:  # plain SQL: it runs for most messages (order numbers are common)
        cursor.execute(
            f"SELECT id, number FROM {Order._meta.db_table}"  # noqa: S608 - model metadata and placeholders
            f" WHERE customer_id = %s AND number IN ({marks}) LIMIT 1",
            [conversation.customer_id, *candidates],
        )
        found = cursor.fetchone()
    return Order(id=found[0], number=found[1], customer_id=conversation.customer_id) if found else None


def _append(
    *,
    conversation: Conversation,
    sender_kind: str,
    sender_employee: Employee | None,
    text: str,
    client_key: str,
    outcome: str = Outcome.DELIVER,
    reasons: tuple[str, ...] = (),
    attachment: Attachment | None = None,
    attachment_name: str = "",
    order: Order | None = None,
    retracts: Message | None = None,
    claimed: bool = False,
) -> Message:
    """Insert the next message of the conversation. `claimed`: the caller took the sequence number with
    `_claim_seq` already (conversation.last_seq is this message's)."""
    if not claimed:  # the caller holds (or has just written) the row: take the next number the same way
        _claim_seq(conversation, timezone.now())
    now, seq = conversation.last_message_at, conversation.last_seq
    message = Message.objects.create(
        conversation=conversation,
        customer_id=conversation.customer_id,
        seq=seq,
        sender_kind=sender_kind,
        sender_employee=sender_employee,
        created_at=now,
        text=text,
        attachment=attachment,
        attachment_name=attachment_name,
        order=order,
        outcome=outcome,
        reasons=list(reasons),
        retracts=retracts,
        client_key=client_key,
    )
    Message.retraction.related.set_cached_value(message, None)  # a new message has no retraction yet
    if Conversation.customer.field.is_cached(conversation):  # the payloads name the customer
        Message.customer.field.set_cached_value(message, conversation.customer)
    return message


def _fan_out(conversation: Conversation, message: Message, notice: str) -> None:
    blocked = message.outcome == Outcome.BLOCK
    customer_side = realtime.customer_payload(message, notice=notice)
    if not blocked or message.sender_kind == SenderKind.CUSTOMER:
        realtime.after_commit(realtime.customer_group(conversation.id), customer_side)
    if not blocked or message.sender_kind != SenderKind.CUSTOMER:
        realtime.after_commit(realtime.staff_group(conversation.id), realtime.staff_payload(message))


@dataclass(frozen=True)
class _Prepared:
    """Everything decided before the write transaction: checked text and upload, order, screening."""

    text: str
    upload: uploads.CheckedUpload | None
    order: Order | None
    screening: hooks.Screening


def _prepare(
    *, conversation: Conversation, sender_kind: str, sender_employee_id: int | None, text: str, upload: Upload | None
) -> _Prepared:
    # Reads only: on SQLite the write lock is taken at BEGIN, so the slow part stays outside of it.
    text = clean_text(text, field="text", limit=MAX_MESSAGE_CHARS, allow_empty=upload is not None)
    checked = uploads.check(content=upload.content, name=upload.name) if upload is not None else None
    screening = hooks.screen_message(
        hooks.ScreenRequest(
            text=text,
            sender_kind=sender_kind,
            unit=conversation.unit,
            conversation_id=conversation.id,
            customer_id=conversation.customer_id,
            sender_employee_id=sender_employee_id,
            attachment=checked.content if checked is not None else None,
            attachment_type=checked.content_type if checked is not None else "",
        )
    )
    return _Prepared(text, checked, _mentioned_order(conversation, text), screening)


def _store_attachment(checked: uploads.CheckedUpload) -> Attachment:
    existing = Attachment.objects.filter(sha256=checked.sha256).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Attachment.objects.create(
                sha256=checked.sha256, size=checked.size, content_type=checked.content_type, content=checked.content
            )
    except IntegrityError:  # the same bytes uploaded at the same moment by someone else
        return Attachment.objects.get(sha256=checked.sha256)


class _Refused(Exception):
    """The conversation changed before the lock was taken (another agent took it, or it closed)."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _store(
    *,
    actor: Actor | None,
    conversation: Conversation,
    sender_kind: str,
    sender_employee: Employee | None,
    client_key: str,
    prepared: _Prepared,
    order: Order | None,
    refusal: Callable[[Conversation], Exception | None],
) -> SendResult:
    """Store the message (a blocked one as evidence only) in one short transaction, fan it out after commit.

    Unless the key was used before in this conversation: then the first message comes back and nothing
    is stored. The common case costs no lookup: the unique (conversation, client_key) decides, and a
    repeat rolls the whole transaction back, sequence number included. Every writer queues for this
    transaction (SQLite's one write lock, PostgreSQL's row lock on the conversation), so it holds only
    the re-check, the sequence number and the insert.
    """
    screening = prepared.screening
    last_seq = conversation.last_seq
    try:
        with transaction.atomic():
            conversation = _claim_seq(conversation, timezone.now())  # row held until commit
            problem = refusal(conversation)
            if problem is not None:
                raise _Refused(problem)
            attachment = _store_attachment(prepared.upload) if prepared.upload is not None else None
            message = _append(
                conversation=conversation,
                sender_kind=sender_kind,
                sender_employee=sender_employee,
                text=prepared.text,
                client_key=client_key,
                outcome=screening.outcome,
                reasons=screening.reasons,
                attachment=attachment,
                attachment_name=prepared.upload.name if prepared.upload is not None else "",
                order=order or prepared.order,
                claimed=True,
            )
            # An ordinary chat line is its own append-only record (ORM and trigger refuse changes); the
            # audit chain gets the screening decisions that matter later: blocked and warned messages.
            if screening.outcome != Outcome.DELIVER:
                audit.record(
                    actor=actor,
                    action=f"message.{screening.outcome}",
                    obj=message,
                    after={
                        "seq": message.seq,
                        "outcome": screening.outcome,
                        "sha256": attachment.sha256 if attachment else None,
                    },
                    note="；".join(screening.reasons),
                )
    except _Refused as refused:
        if (replayed := _replay_if_used(conversation, client_key)) is not None:
            return replayed
        raise refused.error from None
    except IntegrityError:
        conversation.last_seq = last_seq
        existing = conversation.messages.filter(client_key=client_key).first()
        if existing is None:
            raise
        return _replay(conversation, existing)
    notice = screening.notice if screening.outcome == Outcome.BLOCK else ""
    _fan_out(conversation, message, notice)
    return SendResult(message, True, screening.outcome, screening.reasons, notice)


def _replay_if_used(conversation: Conversation, key: str) -> SendResult | None:
    existing = conversation.messages.filter(client_key=key).first()
    return _replay(conversation, existing) if existing is not None else None


def _agent_refusal(own: int) -> Callable[[Conversation], Exception | None]:
    def refusal(conversation: Conversation) -> Exception | None:
        if conversation.agent_id != own:
            return Forbidden("只有正在接待的客服可以在这个会话里发消息")
        if conversation.status != ConversationStatus.ACTIVE:
            return ApplicationError("会话已结束，不能再发送消息", extra={"status": conversation.status})
        return None

    return refusal


def _visitor_refusal(conversation: Conversation) -> Exception | None:
    if conversation.status == ConversationStatus.CLOSED:
        return ApplicationError("本次会话已结束，请重新发起咨询", extra={"status": conversation.status})
    return None


def message_send(
    *,
    actor: Actor,
    conversation_id: int,
    client_key: str,
    text: str = "",
    order_id: int | None = None,
    upload: Upload | None = None,
) -> SendResult:
    """The serving agent writes to the customer."""
    # a scoped read first (404); the agent is the sender, the customer is not needed
    conversation = _lock(conversation_id, actor=actor, lock=False, related=("unit", "agent"))
    key = clean_key(client_key)
    own = scopes.principal(actor).employee_id
    if own is None or conversation.agent_id != own:
        if (replayed := _replay_if_used(conversation, key)) is not None:
            return replayed
        raise Forbidden("只有正在接待的客服可以在这个会话里发消息")
    order = None
    if order_id is not None:
        order = Order.objects.filter(id=order_id, customer_id=conversation.customer_id).first()
        if order is None:
            raise ApplicationError("只能关联这位客户自己的订单", extra={"field": "order_id"})
    prepared = _prepare(
        conversation=conversation, sender_kind=SenderKind.AGENT, sender_employee_id=own, text=text, upload=upload
    )
    return _store(
        actor=actor,
        conversation=conversation,
        sender_kind=SenderKind.AGENT,
        sender_employee=conversation.agent,
        client_key=key,
        prepared=prepared,
        order=order,
        refusal=_agent_refusal(own),
    )


def visitor_message_send(
    *, conversation_id: int, client_key: str, text: str = "", upload: Upload | None = None
) -> SendResult:
    """The customer writes (the caller has checked that the conversation is the visitor's own)."""
    conversation = _lock(conversation_id, lock=False, related=("unit", "customer"))
    key = clean_key(client_key)
    if conversation.status == ConversationStatus.CLOSED:
        if (replayed := _replay_if_used(conversation, key)) is not None:
            return replayed
        raise ApplicationError("本次会话已结束，请重新发起咨询", extra={"status": conversation.status})
    prepared = _prepare(
        conversation=conversation, sender_kind=SenderKind.CUSTOMER, sender_employee_id=None, text=text, upload=upload
    )
    return _store(
        actor=None,
        conversation=conversation,
        sender_kind=SenderKind.CUSTOMER,
        sender_employee=None,
        client_key=key,
        prepared=prepared,
        order=None,
        refusal=_visitor_refusal,
    )


def system_message(*, conversation: Conversation, text: str) -> Message:
    """A notice from the system (greeting, hand-over, closing) in the caller's transaction."""
    key = f"system:{conversation.last_seq + 1}:{timezone.now().timestamp()}"
    message = _append(
        conversation=conversation, sender_kind=SenderKind.SYSTEM, sender_employee=None, text=text, client_key=key
    )
    _fan_out(conversation, message, "")
    return message


@transaction.atomic
def message_retract(*, actor: Actor, conversation_id: int, message_id: int) -> Message:
    """The agent takes back their own message: a new message hides it from the customer; the original
    stays for evidence and reviewers see both."""
    conversation = _lock(conversation_id, actor=actor)
    target = conversation.messages.filter(id=message_id).select_related("retracts").first()
    if target is None:
        raise ApplicationError("这个会话里没有这条消息", extra={"field": "message_id"})
    own = scopes.principal(actor).employee_id
    if target.sender_kind != SenderKind.AGENT or target.sender_employee_id != own or conversation.agent_id != own:
        raise Forbidden("只能撤回自己在接待中的会话里发出的消息")
    if target.retracts_id is not None:
        raise ApplicationError("撤回记录本身不能再撤回", extra={"field": "message_id"})
    if Message.objects.filter(retracts=target).exists():
        raise ApplicationError("这条消息已经撤回过了", extra={"field": "message_id"})
    if target.outcome == Outcome.BLOCK:
        raise ApplicationError("被拦截的消息没有送达，无需撤回", extra={"field": "message_id"})
    minutes = int(policy_cache.effective(conversation.unit, "channel.retract_minutes"))
    if timezone.now() - target.created_at > dt.timedelta(minutes=minutes):
        raise ApplicationError(f"只能撤回 {minutes} 分钟内发出的消息", extra={"field": "message_id"})
    retraction = _append(
        conversation=conversation,
        sender_kind=SenderKind.AGENT,
        sender_employee=Employee.objects.get(id=own),
        text="",
        client_key=f"retract:{target.id}",
        retracts=target,
    )
    audit.record(actor=actor, action="message.retract", obj=target, after={"retraction_seq": retraction.seq})
    _fan_out(conversation, retraction, "")
    return retraction
