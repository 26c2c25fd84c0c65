"""Staff pages: the agent console, the lead/QA conversation review, queues, customers and payments.

Everything shown goes through the scoped selectors; message text is always rendered escaped (Django
templates and, in the live console, textContent).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kefu.channel import hooks, policy_cache, realtime, selectors, services
from kefu.channel.models import Conversation, ConversationStatus, Message, Tier
from kefu.channel.services.routing import REASSIGNERS
from kefu.core import scopes
from kefu.core.errors import ApplicationError, Forbidden, NotFound
from kefu.core.views import page
from kefu.org.models import Employee


def _date(raw: str, *, end: bool = False) -> dt.datetime | None:
    try:
        day = dt.date.fromisoformat(raw.strip())
    except ValueError:
        return None
    if end:
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _own_employee(request: HttpRequest) -> Employee | None:
    employee_id = scopes.principal(request.user).employee_id
    return Employee.objects.select_related("unit").filter(id=employee_id).first() if employee_id else None


@page
def console(request: HttpRequest) -> HttpResponse:
    """The agent's desk: status, queue, own active conversations, live messages, the customer beside."""
    employee = _own_employee(request)
    if employee is None:
        raise Forbidden("客服工作台只对有员工档案的客服和组长开放")
    conversations = list(
        selectors.conversation_list(actor=request.user, status=ConversationStatus.ACTIVE, agent_id=employee.id)
    )
    presence = selectors.presence_of(employee=employee)
    context = {
        "employee": employee,
        "presence_status": presence.status if presence else "offline",
        "conversations": conversations,
        "queues": selectors.queues_for_agent(employee=employee),
        "quick_replies": policy_cache.effective(employee.unit, "channel.quick_replies"),
        "statuses": [("online", "在线"), ("busy", "忙碌"), ("away", "离开"), ("offline", "离线")],
        "selected": int(request.GET["c"]) if request.GET.get("c", "").isdigit() else None,
    }
    return render(request, "channel/console.html", context)


@page
def console_queue(request: HttpRequest) -> HttpResponse:
    employee = _own_employee(request)
    queues = selectors.queues_for_agent(employee=employee) if employee else []
    return render(request, "channel/_queue_mini.html", {"queues": queues})


@page
def console_customer(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The side panel: who the customer is, their orders and payments (anomalies marked)."""
    conversation = selectors.conversation_get(actor=request.user, conversation_id=conversation_id)
    customer = conversation.customer
    context = {
        "conversation": conversation,
        "customer": customer,
        "orders": selectors.order_list(actor=request.user, customer_id=customer.id)[:20],
        "payments": selectors.payment_list(actor=request.user, customer_id=customer.id)[:20],
        "actions": [
            (a.label, a.url_template.format(conversation_id=conversation.id)) for a in hooks.conversation_actions
        ],
    }
    return render(request, "channel/_customer_card.html", context)


@page
def conversation_list(request: HttpRequest) -> HttpResponse:
    """Lead / QA review: any conversation in scope, searchable, read-only."""
    q = {k: request.GET.get(k, "").strip() for k in ("customer", "agent", "order", "text", "since", "until", "status")}
    conversations = selectors.conversation_list(
        actor=request.user,
        status=q["status"] if q["status"] in ConversationStatus.values else "",
        customer=q["customer"],
        agent=q["agent"],
        order=q["order"],
        text=q["text"],
        since=_date(q["since"]),
        until=_date(q["until"], end=True),
    )
    page_obj = Paginator(conversations, 30).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in q.items() if v)
    return render(
        request,
        "channel/conversation_list.html",
        {"page_obj": page_obj, "q": q, "query": query, "statuses": ConversationStatus.choices},
    )


@page
def conversation_detail(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation, transcript = selectors.conversation_messages(
        actor=request.user, conversation_id=conversation_id, limit=selectors.MAX_PAGE
    )
    more = conversation.last_seq > (transcript[-1].seq if transcript else 0)
    if more:  # long conversations: the whole record, page by page from the selector
        transcript = _whole(request, conversation, transcript)
    can_reassign = conversation.status != ConversationStatus.CLOSED and scopes.covers(
        request.user, unit_path=conversation.unit.path, roles=REASSIGNERS
    )
    context = {
        "conversation": conversation,
        "transcript": [(m, realtime.staff_payload(m)) for m in transcript],
        "transfers": selectors.transfers(conversation=conversation),
        "can_reassign": can_reassign,
        "agents": selectors.team_agents(actor=request.user) if can_reassign else [],
        "reviewer": selectors.is_reviewer_of(request.user, conversation),
    }
    return render(request, "channel/conversation_detail.html", context)


def _whole(request: HttpRequest, conversation: Conversation, first: list[Message]) -> list[Message]:
    everything = list(first)
    while everything and everything[-1].seq < conversation.last_seq:
        _, batch = selectors.conversation_messages(
            actor=request.user, conversation_id=conversation.id, after=everything[-1].seq, limit=selectors.MAX_PAGE
        )
        if not batch:
            break
        everything.extend(batch)
    return everything


@page(methods=("POST",))
def conversation_reassign(request: HttpRequest, conversation_id: int) -> HttpResponse:
    try:
        to_employee_id = int(request.POST.get("to_employee_id", ""))
    except ValueError:
        selectors.conversation_get(actor=request.user, conversation_id=conversation_id)  # 404 first
        flash.error(request, "请选择接手的客服")
        return redirect("channel:conversation", conversation_id=conversation_id)
    try:
        conversation = services.conversation_transfer(
            actor=request.user,
            conversation_id=conversation_id,
            to_employee_id=to_employee_id,
            reason=request.POST.get("reason", ""),
        )
    except (NotFound, Forbidden):
        raise
    except ApplicationError as exc:
        flash.error(request, exc.message)
        return redirect("channel:conversation", conversation_id=conversation_id)
    flash.success(request, f"已改派给 {conversation.agent.name if conversation.agent else ''}")
    return redirect("channel:conversation", conversation_id=conversation_id)


@page
def queue(request: HttpRequest) -> HttpResponse:
    """Queue length and longest wait per service group; who is online and how loaded."""
    context = {
        "stats": selectors.queue_overview(actor=request.user),
        "agents": selectors.agent_loads(actor=request.user),
    }
    template = "channel/_queue_table.html" if request.GET.get("partial") else "channel/queue.html"
    return render(request, template, context)


@page
def customer_list(request: HttpRequest) -> HttpResponse:
    q, tier = request.GET.get("q", "").strip(), request.GET.get("tier", "")
    customers = selectors.customer_list(actor=request.user, search=q, tier=tier if tier in Tier.values else "")
    page_obj = Paginator(customers, 30).get_page(request.GET.get("page"))
    return render(
        request, "channel/customer_list.html", {"page_obj": page_obj, "q": q, "tier": tier, "tiers": Tier.choices}
    )


@page
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get(actor=request.user, customer_id=customer_id)
    context: dict[str, Any] = {
        "customer": customer,
        "orders": selectors.order_list(actor=request.user, customer_id=customer.id),
        "payments": selectors.payment_list(actor=request.user, customer_id=customer.id),
        "conversations": selectors.conversation_list(actor=request.user).filter(customer=customer)[:50],
    }
    return render(request, "channel/customer_detail.html", context)


@page
def payment_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    only = request.GET.get("anomaly", "")
    payments = selectors.payment_list(actor=request.user, anomaly=True if only == "1" else None, search=q)
    page_obj = Paginator(payments, 50).get_page(request.GET.get("page"))
    return render(request, "channel/payment_list.html", {"page_obj": page_obj, "q": q, "anomaly": only})


@page
@require_GET
def attachment(request: HttpRequest, message_id: int) -> HttpResponse:
    message = selectors.message_get(actor=request.user, message_id=message_id)
    return attachment_response(message)


def attachment_response(message: Message) -> HttpResponse:
    """The stored bytes with the sniffed type; never rendered as a page of ours (sandboxed, nosniff)."""
    if message.attachment is None:
        raise NotFound("这条消息没有附件")
    item = message.attachment
    response = HttpResponse(bytes(item.content), content_type=item.content_type)
    disposition = "inline" if item.is_image else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{_quote(message.attachment_name)}"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["ETag"] = f'"{item.sha256}"'
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name or "attachment", safe="")
