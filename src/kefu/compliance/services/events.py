"""From a stored message to a violation event, the agent's case of the day, and the HR alert.

Runs from a `post_save` receiver on `channel.Message` (the channel's screener may not write), inside the
send transaction: the event exists exactly when the message does. The spans are recomputed with the
cached scanner (same policy version, same window from the database) for the evidence.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from kefu.channel.models import Conversation, Message, Outcome, SenderKind
from kefu.compliance.effective import CUSTOM_BLOCK, CUSTOM_WARN, SCANNERS
from kefu.compliance.models import (
    OPEN_STATUSES,
    CaseKind,
    Party,
    ViolationCase,
    ViolationEvent,
    category_label,
)
from kefu.compliance.services import audience
from kefu.core import audit
from kefu.core import services as core_services
from kefu.org.models import Employee, OrgUnit


def open_chat_case(
    *, agent: Employee, day: dt.date, unit: OrgUnit, message: Message, categories: list[str]
) -> ViolationCase:
    """The agent's open chat case of the day (opened now if there is none) gathering this event."""
    base = ViolationCase.objects.select_for_update().filter(
        kind=CaseKind.CHAT, agent=agent, day=day, status__in=OPEN_STATUSES
    )
    case = base.first()
    if case is None:
        try:
            with transaction.atomic():
                case = ViolationCase.objects.create(
                    kind=CaseKind.CHAT,
                    agent=agent,
                    unit=unit,
                    day=day,
                    categories=sorted(set(categories)),
                    customer_id=message.customer_id,
                    order_id=message.order_id,
                )
        except IntegrityError:  # opened a moment ago by the same agent's other chat
            case = base.get()
        else:
            audit.record(actor=None, action="violation_case.open", obj=case, after={"kind": case.kind, "day": str(day)})
            return case
    merged = sorted(set(case.categories) | set(categories))
    changed = ["categories"] if merged != case.categories else []
    case.categories = merged
    if case.order_id is None and message.order_id is not None:
        case.order_id = message.order_id
        changed.append("order")
    if changed:
        case.save(update_fields=changed)
    return case


def record_message_event(*, message: Message) -> ViolationEvent | None:
    """A warned, blocked or logged message becomes an event; the agent's own become a case; warn alerts HR."""
    if message.sender_kind not in (SenderKind.AGENT, SenderKind.CUSTOMER):
        return None
    conversation = Conversation.objects.select_related("unit", "agent__unit", "customer").get(
        id=message.conversation_id
    )
    result = SCANNERS.scan(
        unit=conversation.unit,
        text=message.text,
        speaker=message.sender_kind,
        conversation_id=conversation.id,
        sender_employee_id=message.sender_employee_id,
        before_seq=message.seq,
        at=message.created_at,
    )
    if message.outcome in (Outcome.WARN, Outcome.BLOCK):
        action = message.outcome
        categories = list(result.categories) or [CUSTOM_BLOCK if action == Outcome.BLOCK else CUSTOM_WARN]
    elif result.matches:
        action, categories = "log", list(result.categories)
    else:
        return None
    party = Party.AGENT if message.sender_kind == SenderKind.AGENT else Party.CUSTOMER
    agent = (
        Employee.objects.select_related("unit").get(id=message.sender_employee_id)
        if party == Party.AGENT and message.sender_employee_id
        else conversation.agent
    )
    unit = agent.unit if agent is not None else conversation.unit
    case = None
    # Only the agent's own words open a case; a customer's attempt is evidence and context.
    if party == Party.AGENT and agent is not None and action != "log":
        day = timezone.localdate(message.created_at)
        case = open_chat_case(agent=agent, day=day, unit=unit, message=message, categories=categories)
    event = ViolationEvent.objects.create(
        case=case,
        party=party,
        action=action,
        categories=categories,
        matches=[m.to_dict() for m in result.matches],
        message=message,
        conversation=conversation,
        customer_id=conversation.customer_id,
        agent=agent,
        unit=unit,
        occurred_at=message.created_at,
    )
    audit.record(
        actor=None,
        action=f"violation_event.{action}",
        obj=event,
        after={"message": message.id, "categories": categories, "case": case.id if case else None},
    )
    if action == Outcome.WARN:
        _alert_hr(event=event, case=case, conversation=conversation)
    return event


def _alert_hr(*, event: ViolationEvent, case: ViolationCase | None, conversation: Conversation) -> None:
    """One alert per case (or, for a customer's attempt, per conversation) and hour: an agent who keeps
    trying must not bury branch HR in e-mails; the case page lists every event behind the alert."""
    who = event.agent.name if event.agent else "—"
    by = "客服" if event.party == Party.AGENT else "客户"
    labels = "、".join(category_label(c) for c in event.categories)
    title = f"合规预警：{who}（{by}发送）{labels}"
    spans = "；".join(m["text"] for m in event.matches) or (event.message.text[:80] if event.message else "")
    when = timezone.localtime(event.occurred_at)
    body = (
        f"会话 #{conversation.id} · 客户 {conversation.customer.name} · {when:%Y-%m-%d %H:%M}\n命中：{spans}\n"
        "同一案件本小时内的后续预警不再另行通知，请在案件页查看全部事件。"
    )
    url = (
        reverse("compliance:case_detail", args=[case.id])
        if case is not None
        else reverse("channel:conversation", args=[conversation.id])
    )
    core_services.notify(
        app="compliance",
        recipients=audience.branch_hr_users(event.unit),
        kind="warn_alert",
        title=title,
        body=body,
        subject=case,
        url=url,
        key=f"warn:{f'case:{case.id}' if case is not None else f'conversation:{conversation.id}'}:{when:%Y%m%d%H}",
    )
