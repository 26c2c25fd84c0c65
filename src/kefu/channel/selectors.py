"""Reads of the channel, always through core.scopes.

Conversations belong to their agent (agent → own) and to their unit (lead → team, branch roles →
branch). Customers belong to their owning branch, and also to whoever serves them: an agent sees the
customers, orders and payments of the conversations assigned to them, a lead those of the team's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from kefu.channel.models import (
    AgentPresence,
    AgentStatus,
    Conversation,
    ConversationStatus,
    Customer,
    Message,
    Order,
    Outcome,
    Payment,
    SenderKind,
    ServiceGroup,
)
from kefu.core import scopes
from kefu.core.errors import NotFound
from kefu.core.scopes import Actor
from kefu.org.models import Employee

# Roles that review conversations beyond their own (read-only views, evidence).
REVIEWERS = (
    scopes.TEAM_LEAD,
    scopes.QA,
    scopes.COMPLAINTS_OFFICER,
    scopes.BRANCH_HR,
    scopes.FINANCE,
    scopes.HQ_ADMIN,
)
MAX_PAGE = 200


def _through_customer(actor: Actor, qs: QuerySet, prefix: str) -> QuerySet:
    """Owning branch, or a conversation the actor may see (its agent or its unit)."""
    owned = scopes.restrict(actor, qs, unit=f"{prefix}unit")
    served = scopes.restrict(actor, qs, employee=f"{prefix}conversations__agent", unit=f"{prefix}conversations__unit")
    return (owned | served).distinct()


# --- customers and commerce -------------------------------------------------------------------


def customer_list(*, actor: Actor, search: str = "", tier: str = "") -> QuerySet[Customer]:
    qs = _through_customer(actor, Customer.objects.all(), "")
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(phone__icontains=search)
            | Q(platform_account__icontains=search)
            | Q(orders__number__icontains=search)
        ).distinct()
    if tier:
        qs = qs.filter(tier=tier)
    return qs.select_related("unit").order_by("name", "id")


def customer_get(*, actor: Actor, customer_id: int) -> Customer:
    customer = customer_list(actor=actor).filter(id=customer_id).first()
    if customer is None:
        raise NotFound("找不到该客户", extra={"customer_id": customer_id})
    return customer


def order_list(*, actor: Actor, customer_id: int | None = None, search: str = "") -> QuerySet[Order]:
    qs = _through_customer(actor, Order.objects.all(), "customer__")
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if search:
        qs = qs.filter(Q(number__icontains=search) | Q(shop__icontains=search))
    return qs.select_related("customer").order_by("-created_at", "-id")


def order_get(*, actor: Actor, order_id: int) -> Order:
    order = order_list(actor=actor).filter(id=order_id).first()
    if order is None:
        raise NotFound("找不到该订单", extra={"order_id": order_id})
    return order


def payment_list(
    *, actor: Actor, customer_id: int | None = None, anomaly: bool | None = None, search: str = ""
) -> QuerySet[Payment]:
    qs = _through_customer(actor, Payment.objects.all(), "customer__")
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if anomaly is not None:
        qs = qs.filter(is_anomaly=anomaly)
    if search:
        qs = qs.filter(
            Q(payer__icontains=search)
            | Q(receiving_account__icontains=search)
            | Q(customer__name__icontains=search)
            | Q(order__number__icontains=search)
        )
    return qs.select_related("customer", "order").order_by("-paid_at", "-id")


def payment_get(*, actor: Actor, payment_id: int) -> Payment:
    payment = payment_list(actor=actor).filter(id=payment_id).first()
    if payment is None:
        raise NotFound("找不到该付款记录", extra={"payment_id": payment_id})
    return payment


# --- conversations ----------------------------------------------------------------------------


def conversation_list(
    *,
    actor: Actor,
    status: str = "",
    customer: str = "",
    agent: str = "",
    order: str = "",
    text: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    agent_id: int | None = None,
    service_group_id: int | None = None,
) -> QuerySet[Conversation]:
    qs = scopes.restrict(actor, Conversation.objects.all(), employee="agent", unit="unit")
    if status:
        qs = qs.filter(status=status)
    if customer:
        qs = qs.filter(
            Q(customer__name__icontains=customer)
            | Q(customer__phone__icontains=customer)
            | Q(customer__platform_account__icontains=customer)
        )
    if agent:
        qs = qs.filter(Q(agent__name__icontains=agent) | Q(agent__employee_no__icontains=agent))
    if agent_id is not None:
        qs = qs.filter(agent_id=agent_id)
    if service_group_id is not None:
        qs = qs.filter(service_group_id=service_group_id)
    if order:
        linked = Message.objects.filter(conversation=OuterRef("pk"), order__number__icontains=order)
        qs = qs.filter(Q(customer__orders__number__icontains=order) | Exists(linked))
    if text:
        qs = qs.filter(Exists(Message.objects.filter(conversation=OuterRef("pk"), text__icontains=text)))
    if since is not None:
        qs = qs.filter(last_message_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return (
        qs.distinct().select_related("customer", "agent", "service_group", "unit").order_by("-last_message_at", "-id")
    )


def conversation_get(*, actor: Actor, conversation_id: int) -> Conversation:
    conversation = (
        scopes.restrict(actor, Conversation.objects.all(), employee="agent", unit="unit")
        .select_related("customer__unit", "agent__unit", "service_group", "unit")
        .filter(id=conversation_id)
        .first()
    )
    if conversation is None:
        raise NotFound("找不到该会话", extra={"conversation_id": conversation_id})
    return conversation


def is_reviewer_of(actor: Actor, conversation: Conversation) -> bool:
    """Sees the conversation through a unit role (lead, QA, HR …), not only as its agent."""
    return scopes.covers(actor, unit_path=conversation.unit.path, roles=REVIEWERS)


def conversation_messages(
    *, actor: Actor, conversation_id: int, after: int = 0, limit: int = 100
) -> tuple[Conversation, list[Message]]:
    """Messages after the cursor (a per-conversation sequence number), oldest first.

    Reviewers see everything, blocked messages included (they are evidence). The serving agent sees
    what was delivered plus their own blocked attempts, not the customer's blocked ones.
    """
    conversation = conversation_get(actor=actor, conversation_id=conversation_id)
    qs = conversation.messages.filter(seq__gt=max(after, 0))
    if not is_reviewer_of(actor, conversation):
        own = scopes.principal(actor).employee_id
        qs = qs.filter(~Q(outcome=Outcome.BLOCK) | Q(sender_kind=SenderKind.AGENT, sender_employee_id=own))
    limit = max(1, min(limit, MAX_PAGE))
    messages = list(
        qs.select_related("attachment", "order", "sender_employee", "retracts", "retraction").order_by("seq")[:limit]
    )
    return conversation, messages


def message_get(*, actor: Actor, message_id: int) -> Message:
    message = Message.objects.select_related("conversation__unit", "attachment").filter(id=message_id).first()
    if message is None:
        raise NotFound("找不到该消息", extra={"message_id": message_id})
    conversation = conversation_get(actor=actor, conversation_id=message.conversation_id)
    own = scopes.principal(actor).employee_id
    if (
        message.outcome == Outcome.BLOCK
        and not is_reviewer_of(actor, conversation)
        and message.sender_employee_id != own
    ):
        raise NotFound("找不到该消息", extra={"message_id": message_id})
    return message


def transfers(*, conversation: Conversation) -> QuerySet:
    return conversation.assignments.select_related("from_agent", "to_agent", "by").order_by("at", "id")


# --- the visitor's own view ---------------------------------------------------------------------


def visitor_messages(*, conversation: Conversation, after: int = 0, limit: int = 100) -> list[Message]:
    """What the customer may see: delivered messages and their own blocked attempts (with the
    policy notice); the agent's blocked messages never reach them. Retracted ones are hidden by the
    caller, which shows the retraction in their place."""
    qs = conversation.messages.filter(seq__gt=max(after, 0)).filter(
        ~Q(outcome=Outcome.BLOCK) | Q(sender_kind=SenderKind.CUSTOMER)
    )
    limit = max(1, min(limit, MAX_PAGE))
    return list(qs.select_related("attachment", "retraction", "retracts").order_by("seq")[:limit])


def queue_position(*, conversation: Conversation) -> int:
    """How many queued conversations of the same group will be served before this one."""
    if conversation.status != ConversationStatus.QUEUED:
        return 0
    ahead = Conversation.objects.filter(
        service_group_id=conversation.service_group_id, status=ConversationStatus.QUEUED
    ).filter(
        Q(priority__lt=conversation.priority)
        | Q(priority=conversation.priority, queued_at__lt=conversation.queued_at)
        | Q(priority=conversation.priority, queued_at=conversation.queued_at, id__lt=conversation.id)
    )
    return ahead.count()


# --- queues and presence ----------------------------------------------------------------------


@dataclass(frozen=True)
class QueueStats:
    group: ServiceGroup
    queued: int
    longest_wait_seconds: int
    active: int
    agents_online: int


def service_group_list(*, actor: Actor) -> QuerySet[ServiceGroup]:
    return scopes.restrict(actor, ServiceGroup.objects.filter(active=True), unit="unit").select_related("unit")


def queue_overview(*, actor: Actor) -> list[QueueStats]:
    now = timezone.now()
    groups = service_group_list(actor=actor).annotate(
        queued=Count("conversations", filter=Q(conversations__status=ConversationStatus.QUEUED)),
        n_active=Count("conversations", filter=Q(conversations__status=ConversationStatus.ACTIVE)),
        oldest=Min("conversations__queued_at", filter=Q(conversations__status=ConversationStatus.QUEUED)),
    )
    stats = []
    for group in groups:
        online = AgentPresence.objects.filter(
            status=AgentStatus.ONLINE, employee__unit__path__startswith=group.unit.path
        ).count()
        wait = int((now - group.oldest).total_seconds()) if group.oldest else 0  # type: ignore[attr-defined]
        stats.append(QueueStats(group, group.queued, max(wait, 0), group.n_active, online))  # type: ignore[attr-defined]
    return stats


def presence_of(*, employee: Employee) -> AgentPresence | None:
    return AgentPresence.objects.filter(employee=employee).first()


def team_agents(*, actor: Actor) -> QuerySet[Employee]:
    """Agents the actor may hand a conversation to (leads: their team; branch roles: their branch)."""
    return (
        scopes.restrict(actor, Employee.objects.filter(user__isnull=False), employee="", roles=REVIEWERS)
        .select_related("unit", "presence")
        .order_by("unit__path", "name")
    )


def queues_for_agent(*, employee: Employee) -> list[QueueStats]:
    """The queues an agent serves: service groups whose unit contains the agent's unit."""
    now = timezone.now()
    stats = []
    for group in ServiceGroup.objects.filter(active=True).select_related("unit"):
        if not employee.unit.path.startswith(group.unit.path):
            continue
        waiting = Conversation.objects.filter(service_group=group, status=ConversationStatus.QUEUED)
        oldest = waiting.aggregate(oldest=Min("queued_at"))["oldest"]
        active = Conversation.objects.filter(service_group=group, status=ConversationStatus.ACTIVE).count()
        online = AgentPresence.objects.filter(
            status=AgentStatus.ONLINE, employee__unit__path__startswith=group.unit.path
        ).count()
        wait = int((now - oldest).total_seconds()) if oldest else 0
        stats.append(QueueStats(group, waiting.count(), max(wait, 0), active, online))
    return stats


@dataclass(frozen=True)
class AgentLoad:
    employee: Employee
    status: str
    active: int


def agent_loads(*, actor: Actor) -> list[AgentLoad]:
    agents = team_agents(actor=actor).annotate(
        n_active=Count("conversations", filter=Q(conversations__status=ConversationStatus.ACTIVE))
    )
    loads = []
    for employee in agents:
        presence = getattr(employee, "presence", None) if hasattr(employee, "presence") else None
        loads.append(AgentLoad(employee, presence.status if presence else AgentStatus.OFFLINE, employee.n_active))  # type: ignore[attr-defined]
    return [entry for entry in loads if entry.status != AgentStatus.OFFLINE or entry.active]
