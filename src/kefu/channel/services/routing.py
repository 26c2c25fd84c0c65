"""Conversations over their life: start (queued), routing to an agent, transfer, close, rating.

Queue order: KA, then VIP, then first come. Only agents who are online and below their concurrent-chat
limit (their own, else policy ``channel.max_concurrent_chats``) receive chats. Every hand-over is an
append-only ConversationAssignment row; only the functions here change a conversation's status.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from kefu.channel import hooks, policy_cache, realtime, selectors
from kefu.channel.models import (
    TIER_PRIORITY,
    AgentPresence,
    AgentStatus,
    AssignmentKind,
    CloseReason,
    Conversation,
    ConversationAssignment,
    ConversationStatus,
    Customer,
    IdentifiedBy,
    Order,
    ServiceGroup,
    Tier,
)
from kefu.channel.services import commerce, messages
from kefu.channel.validation import clean_text
from kefu.core import audit, scopes
from kefu.core.errors import ApplicationError, Forbidden, NotFound
from kefu.core.scopes import Actor
from kefu.org.models import Employee, EmploymentStatus

REASSIGNERS = (scopes.TEAM_LEAD, scopes.HQ_ADMIN)

log = logging.getLogger(__name__)


# --- presence ---------------------------------------------------------------------------------


def _own_employee(actor: Actor) -> Employee:
    employee_id = scopes.principal(actor).employee_id
    if employee_id is None or not scopes.has_any_role(actor, [scopes.AGENT, scopes.TEAM_LEAD]):
        raise Forbidden("只有客服可以设置接待状态")
    return Employee.objects.select_related("unit").get(id=employee_id)


@transaction.atomic
def presence_set(*, actor: Actor, status: str, max_chats: int | None = None) -> AgentPresence:
    """The agent sets their own status; going online pulls waiting customers from their queues."""
    if status not in AgentStatus.values:
        raise ApplicationError(f"未知状态 {status!r}", extra={"field": "status"})
    if max_chats is not None and not 1 <= max_chats <= 50:
        raise ApplicationError("同时接待上限必须在 1–50 之间", extra={"field": "max_chats"})
    employee = _own_employee(actor)
    presence, _ = AgentPresence.objects.select_for_update(of=("self",)).get_or_create(employee=employee)
    before = presence.status
    presence.status = status
    presence.changed_at = timezone.now()
    if max_chats is not None:
        presence.max_chats = max_chats
    presence.save()
    audit.record(actor=actor, action="presence.set", obj=presence, before=before, after=status)
    if status == AgentStatus.ONLINE:
        for group in ServiceGroup.objects.filter(active=True):
            if employee.unit.path.startswith(group.unit.path):
                queue_dispatch(service_group_id=group.id)
    return presence


def capacity(employee: Employee, presence: AgentPresence) -> int:
    return presence.max_chats or int(policy_cache.effective(employee.unit, "channel.max_concurrent_chats"))


# --- start and routing ------------------------------------------------------------------------


@transaction.atomic
def conversation_start(
    *,
    service_group_id: int,
    identified_by: str,
    name: str = "",
    phone: str = "",
    order_number: str = "",
) -> Conversation:
    """A customer opens the chat page: find or create the customer, queue the conversation, route it.

    Phone and order number are the customer's *claim* (no SMS check here): they pick the customer
    record the agent sees, but the visitor only ever sees the conversation started in their session.
    """
    group = ServiceGroup.objects.select_related("unit").filter(id=service_group_id, active=True).first()
    if group is None:
        raise NotFound("该服务组不存在或未启用")
    name = clean_text(name, field="name", limit=50, allow_empty=True).strip()
    customer: Customer | None = None
    if identified_by == IdentifiedBy.PHONE:
        phone = commerce.clean_phone(phone)
        if not phone:
            raise ApplicationError("请填写手机号", extra={"field": "phone"})
        customer = Customer.objects.filter(phone=phone, is_guest=False).order_by("id").first()
        if customer is None:
            customer = commerce.customer_create(
                actor=None, name=name or f"客户{phone[-4:]}", unit=group.unit, phone=phone
            )
    elif identified_by == IdentifiedBy.ORDER:
        order = Order.objects.select_related("customer").filter(number=order_number.strip()).first()
        if order is None:
            raise ApplicationError("找不到这个订单号，请核对后再试，或以访客身份咨询", extra={"field": "order_number"})
        customer = order.customer
    elif identified_by == IdentifiedBy.GUEST:
        customer = commerce.customer_create(
            actor=None, name=name or "访客", unit=group.unit, tier=Tier.NORMAL, is_guest=True
        )
    else:
        raise ApplicationError(f"未知身份方式 {identified_by!r}", extra={"field": "identified_by"})
    now = timezone.now()
    conversation = Conversation.objects.create(
        customer=customer,
        service_group=group,
        unit=group.unit,
        status=ConversationStatus.QUEUED,
        priority=TIER_PRIORITY.get(Tier(customer.tier), 2),
        identified_by=identified_by,
        created_at=now,
        queued_at=now,
        last_message_at=now,
    )
    audit.record(actor=None, action="conversation.start", obj=conversation, after={"customer": customer.id})
    messages.system_message(conversation=conversation, text=f"您好，欢迎咨询{group.name}，正在为您安排客服。")
    queue_dispatch(service_group_id=group.id)
    return conversation


@transaction.atomic
def queue_dispatch(*, service_group_id: int) -> list[Conversation]:
    """Hand waiting conversations to online agents with room, highest priority and longest wait first."""
    group = ServiceGroup.objects.select_for_update(of=("self",)).select_related("unit").get(id=service_group_id)
    waiting = list(
        Conversation.objects.select_for_update(of=("self",))
        .filter(service_group=group, status=ConversationStatus.QUEUED)
        .order_by("priority", "queued_at", "id")
    )
    if not waiting:
        return []
    presences = list(
        AgentPresence.objects.select_for_update(of=("self",))
        .filter(
            status=AgentStatus.ONLINE,
            employee__unit__path__startswith=group.unit.path,
            employee__user__isnull=False,
            employee__status__in=[EmploymentStatus.ACTIVE, EmploymentStatus.PROBATION],
        )
        .select_related("employee__unit")
        .order_by("id")
    )
    if not presences:
        return []
    load = dict(
        Conversation.objects.filter(status=ConversationStatus.ACTIVE, agent_id__in=[p.employee_id for p in presences])
        .values("agent_id")
        .annotate(n=Count("id"))
        .values_list("agent_id", "n")
    )
    room = {p.employee_id: capacity(p.employee, p) - load.get(p.employee_id, 0) for p in presences}
    by_id = {p.employee_id: p.employee for p in presences}
    assigned = []
    for conversation in waiting:
        candidates = [eid for eid, free in room.items() if free > 0]
        if not candidates:
            break
        # The least-loaded agent first; ties go to whoever has been online longest.
        chosen = min(candidates, key=lambda eid: (load.get(eid, 0), eid))
        _assign(conversation=conversation, to=by_id[chosen], kind=AssignmentKind.ROUTE, by=None, reason="")
        room[chosen] -= 1
        load[chosen] = load.get(chosen, 0) + 1
        assigned.append(conversation)
    return assigned


def _assign(*, conversation: Conversation, to: Employee, kind: str, by: Actor | None, reason: str) -> None:
    previous = conversation.agent
    now = timezone.now()
    conversation.agent = to
    conversation.unit = to.unit
    if conversation.status == ConversationStatus.QUEUED:
        conversation.status = ConversationStatus.ACTIVE
        conversation.assigned_at = now
    conversation.save(update_fields=["agent", "unit", "status", "assigned_at"])
    ConversationAssignment.objects.create(
        conversation=conversation,
        kind=kind,
        from_agent=previous,
        to_agent=to,
        by=scopes.signed_in(by),
        reason=reason,
        at=now,
    )
    audit.record(
        actor=by,
        action=f"conversation.{kind}",
        obj=conversation,
        before={"agent": previous.id if previous else None},
        after={"agent": to.id},
        note=reason,
    )
    text = f"客服{to.name}为您服务。" if previous is None else f"会话已转接给客服{to.name}。"
    messages.system_message(conversation=conversation, text=text)
    realtime.after_commit(realtime.customer_group(conversation.id), realtime.status_payload(conversation))
    realtime.after_commit(realtime.staff_group(conversation.id), realtime.status_payload(conversation))
    event = {"kind": "assigned", "conversation_id": conversation.id, "customer_name": conversation.customer.name}
    realtime.after_commit(realtime.agent_group(to.id), event)
    if previous is not None and previous.id != to.id:
        realtime.after_commit(
            realtime.agent_group(previous.id), {"kind": "unassigned", "conversation_id": conversation.id}
        )


@transaction.atomic
def conversation_transfer(*, actor: Actor, conversation_id: int, to_employee_id: int, reason: str = "") -> Conversation:
    """The serving agent hands over to a colleague of the same service group (转接), or a lead reassigns
    a queued or active conversation to an agent of their team (改派)."""
    conversation = selectors.conversation_get(actor=actor, conversation_id=conversation_id)
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("service_group__unit", "agent", "customer")
        .get(id=conversation.id)
    )
    reason = clean_text(reason, field="reason", limit=200, allow_empty=True).strip()
    own = scopes.principal(actor).employee_id
    if scopes.covers(actor, unit_path=conversation.unit.path, roles=REASSIGNERS):
        kind = AssignmentKind.REASSIGN
        target = selectors.team_agents(actor=actor).filter(id=to_employee_id).first()
    elif conversation.agent_id is not None and conversation.agent_id == own:
        kind = AssignmentKind.TRANSFER
        target = (
            Employee.objects.select_related("unit")
            .filter(id=to_employee_id, user__isnull=False, unit__path__startswith=conversation.service_group.unit.path)
            .first()
        )
    else:
        raise Forbidden("只有接待客服或组长可以转接这个会话")
    if conversation.status == ConversationStatus.CLOSED:
        raise ApplicationError("会话已结束，不能转接", extra={"status": conversation.status})
    if target is None:
        raise ApplicationError("找不到可以接手的客服（须在本服务组或你的班组内）", extra={"field": "to_employee_id"})
    if target.id == conversation.agent_id:
        raise ApplicationError("会话已经由这位客服接待", extra={"field": "to_employee_id"})
    _assign(conversation=conversation, to=target, kind=kind, by=actor, reason=reason)
    return conversation


# --- close and rate ---------------------------------------------------------------------------


def _close(*, conversation: Conversation, reason: str, actor: Actor | None) -> Conversation:
    before = conversation.status
    conversation.status = ConversationStatus.CLOSED
    conversation.closed_at = timezone.now()
    conversation.close_reason = reason
    conversation.save(update_fields=["status", "closed_at", "close_reason"])
    audit.record(actor=actor, action="conversation.close", obj=conversation, before=before, after=reason)
    messages.system_message(conversation=conversation, text="本次会话已结束，请为我们的服务评分（1–5 星）。")
    realtime.after_commit(realtime.customer_group(conversation.id), realtime.status_payload(conversation))
    realtime.after_commit(realtime.staff_group(conversation.id), realtime.status_payload(conversation))
    if before == ConversationStatus.ACTIVE:
        group_id = conversation.service_group_id
        transaction.on_commit(lambda: queue_dispatch(service_group_id=group_id))
    conversation_id = conversation.id
    transaction.on_commit(lambda: _announce_closed(conversation_id))
    return conversation


def _announce_closed(conversation_id: int) -> None:
    """Tell downstream listeners (hooks.conversation_closed); one failing never stops the others or the close."""
    if not hooks.conversation_closed:
        return
    conversation = Conversation.objects.select_related("agent", "unit").get(id=conversation_id)
    for listener in list(hooks.conversation_closed):
        try:
            listener(conversation)
        except Exception:
            log.exception("conversation-closed listener %r failed for conversation %s", listener, conversation_id)


@transaction.atomic
def conversation_close(*, actor: Actor, conversation_id: int) -> Conversation:
    conversation = selectors.conversation_get(actor=actor, conversation_id=conversation_id)
    conversation = Conversation.objects.select_for_update(of=("self",)).select_related("unit").get(id=conversation.id)
    own = scopes.principal(actor).employee_id
    if not (conversation.agent_id == own or scopes.covers(actor, unit_path=conversation.unit.path, roles=REASSIGNERS)):
        raise Forbidden("只有接待客服或组长可以结束会话")
    if conversation.status == ConversationStatus.CLOSED:
        raise ApplicationError("会话已经结束", extra={"status": conversation.status})
    return _close(conversation=conversation, reason=CloseReason.AGENT, actor=actor)


@transaction.atomic
def visitor_close(*, conversation_id: int) -> Conversation:
    """The customer ends their own conversation (the caller has checked the visitor's session)."""
    conversation = Conversation.objects.select_for_update(of=("self",)).get(id=conversation_id)
    if conversation.status == ConversationStatus.CLOSED:
        return conversation
    return _close(conversation=conversation, reason=CloseReason.CUSTOMER, actor=None)


def close_idle(*, now: dt.datetime | None = None) -> int:
    """Close active conversations nobody wrote in for policy ``channel.idle_close_minutes``; returns how many."""
    now = now or timezone.now()
    closed = 0
    candidates = Conversation.objects.filter(
        status=ConversationStatus.ACTIVE, last_message_at__lt=now - dt.timedelta(minutes=1)
    ).select_related("unit")
    for conversation in candidates.iterator():
        minutes = int(policy_cache.effective(conversation.unit, "channel.idle_close_minutes"))
        if conversation.last_message_at < now - dt.timedelta(minutes=minutes):
            with transaction.atomic():
                locked = Conversation.objects.select_for_update(of=("self",)).get(id=conversation.id)
                if (
                    locked.status == ConversationStatus.ACTIVE
                    and locked.last_message_at == conversation.last_message_at
                ):
                    _close(conversation=locked, reason=CloseReason.IDLE, actor=None)
                    closed += 1
    return closed


@transaction.atomic
def conversation_rate(*, conversation_id: int, score: int, comment: str = "") -> Conversation:
    """The customer's 满意度 for a closed conversation: 1–5 and an optional comment, once."""
    conversation = Conversation.objects.select_for_update(of=("self",)).get(id=conversation_id)
    if conversation.status != ConversationStatus.CLOSED:
        raise ApplicationError("会话结束后才能评价", extra={"status": conversation.status})
    if conversation.satisfaction is not None:
        raise ApplicationError("这次会话已经评价过了", extra={"field": "score"})
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ApplicationError("请选择 1–5 星", extra={"field": "score"})
    comment = clean_text(comment, field="comment", limit=500, allow_empty=True).strip()
    conversation.satisfaction = score
    conversation.satisfaction_comment = comment
    conversation.rated_at = timezone.now()
    conversation.save(update_fields=["satisfaction", "satisfaction_comment", "rated_at"])
    audit.record(actor=None, action="conversation.rate", obj=conversation, after={"score": score}, note=comment)
    return conversation


@transaction.atomic
def service_group_create(*, actor: Actor | None, name: str, code: str, unit_id: int) -> ServiceGroup:
    """A queue for a unit (usually a team); branch HR or HQ set them up."""
    from kefu.org import selectors as org_selectors

    if actor is not None:
        unit = org_selectors.org_unit_get(actor=actor, unit_id=unit_id)
        scopes.require(actor, unit_path=unit.path, roles=(scopes.BRANCH_HR, scopes.HQ_ADMIN), what="设置服务组")
    else:
        from kefu.org.models import OrgUnit

        unit = OrgUnit.objects.get(id=unit_id)
    name, code = name.strip(), code.strip()
    if not name or not code:
        raise ApplicationError("服务组名称和编码都不能为空", extra={"field": "name"})
    if ServiceGroup.objects.filter(code=code).exists():
        raise ApplicationError(f"服务组编码 {code} 已存在", extra={"field": "code"})
    group = ServiceGroup.objects.create(name=name, code=code, unit=unit)
    audit.record(actor=actor, action="service_group.create", obj=group, after={"unit": unit.id})
    return group
