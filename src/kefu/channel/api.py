"""The channel API: customers, orders, payments, conversations, messages, presence and queues — all scoped.

Sending requires an ``Idempotency-Key`` header: the same key in the same conversation returns the first
message (200) instead of storing a second one (201). Message lists page by cursor: pass the returned
``cursor`` as ``after`` to get what came next; a reconnecting client does exactly that.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Header, Query, Router
from ninja.pagination import paginate
from ninja.security import HttpBearer, django_auth

from kefu.channel import realtime, selectors, services, uploads
from kefu.channel.models import AgentPresence, Conversation, ConversationStatus, Customer, Order, Payment
from kefu.channel.schemas import (
    ConversationFilter,
    ConversationOut,
    CustomerFilter,
    CustomerOut,
    MessageIn,
    MessagePage,
    OrderFilter,
    OrderOut,
    PaymentFilter,
    PaymentIn,
    PaymentOut,
    PresenceIn,
    PresenceOut,
    QueueOut,
    SendOut,
    TransferIn,
)
from kefu.channel.services import SendResult, Upload
from kefu.channel.services.routing import capacity
from kefu.core import scopes
from kefu.core import services as core_services
from kefu.core.errors import ApplicationError, Forbidden
from kefu.org.models import Employee


class BearerFirst(HttpBearer):
    """Integrations send ``Authorization: Bearer kefu_…``; tried before the session cookie, because the
    cookie auth refuses a POST without a CSRF token before a bearer token would get its turn."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = core_services.api_token_authenticate(plain=token)
        if user is not None:
            request.user = user  # type: ignore[assignment]
        return user


router = Router(tags=["channel"], auth=[BearerFirst(), django_auth])


# --- customers and commerce -------------------------------------------------------------------


@router.get("/customers", response=list[CustomerOut])
@paginate
def customer_list(request: HttpRequest, filters: Query[CustomerFilter]) -> Any:
    return selectors.customer_list(actor=request.user, **filters.dict())


@router.get("/customers/{customer_id}", response=CustomerOut)
def customer_get(request: HttpRequest, customer_id: int) -> Customer:
    return selectors.customer_get(actor=request.user, customer_id=customer_id)


@router.get("/orders", response=list[OrderOut])
@paginate
def order_list(request: HttpRequest, filters: Query[OrderFilter]) -> Any:
    return selectors.order_list(actor=request.user, **filters.dict())


@router.get("/orders/{order_id}", response=OrderOut)
def order_get(request: HttpRequest, order_id: int) -> Order:
    return selectors.order_get(actor=request.user, order_id=order_id)


@router.get("/payments", response=list[PaymentOut])
@paginate
def payment_list(request: HttpRequest, filters: Query[PaymentFilter]) -> Any:
    return selectors.payment_list(actor=request.user, **filters.dict())


@router.get("/payments/{payment_id}", response=PaymentOut)
def payment_get(request: HttpRequest, payment_id: int) -> Payment:
    return selectors.payment_get(actor=request.user, payment_id=payment_id)


@router.post("/payments", response={201: PaymentOut})
def payment_record(request: HttpRequest, payload: PaymentIn) -> tuple[int, Payment]:
    """Finance records a payment; one to an account that is not the company's comes back `is_anomaly`."""
    return 201, services.payment_record(actor=request.user, **payload.dict())


# --- conversations and messages ---------------------------------------------------------------


@router.get("/conversations", response=list[ConversationOut])
@paginate
def conversation_list(request: HttpRequest, filters: Query[ConversationFilter]) -> Any:
    return selectors.conversation_list(actor=request.user, **filters.dict())


@router.get("/conversations/{conversation_id}", response=ConversationOut)
def conversation_get(request: HttpRequest, conversation_id: int) -> Conversation:
    return selectors.conversation_get(actor=request.user, conversation_id=conversation_id)


@router.get("/conversations/{conversation_id}/messages", response=MessagePage)
def message_list(request: HttpRequest, conversation_id: int, after: int = 0, limit: int = 100) -> dict[str, Any]:
    conversation, messages = selectors.conversation_messages(
        actor=request.user, conversation_id=conversation_id, after=after, limit=limit
    )
    items = [realtime.staff_payload(m) for m in messages]
    return {
        "conversation_status": conversation.status,
        "items": items,
        "cursor": messages[-1].seq if messages else max(after, 0),
        "has_more": bool(messages) and messages[-1].seq < conversation.last_seq and len(messages) >= limit,
    }


def _sent(result: SendResult) -> tuple[int, dict[str, Any]]:
    body = {
        "created": result.created,
        "outcome": result.outcome,
        "delivered": result.delivered,
        "reasons": list(result.reasons),
        "notice": result.notice,
        "message": realtime.staff_payload(result.message),
    }
    return (201 if result.created else 200), body


@router.post("/conversations/{conversation_id}/messages", response={200: SendOut, 201: SendOut})
def message_send(
    request: HttpRequest,
    conversation_id: int,
    payload: MessageIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
) -> tuple[int, dict[str, Any]]:
    """Send as the serving agent. Screened before delivery: a blocked message is kept as evidence only
    and `notice` is the policy text to show; a warned one is delivered with `reasons`."""
    result = services.message_send(
        actor=request.user,
        conversation_id=conversation_id,
        client_key=idempotency_key,
        text=payload.text,
        order_id=payload.order_id,
    )
    return _sent(result)


@router.post(
    "/conversations/{conversation_id}/attachments",
    response={200: SendOut, 201: SendOut},
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}, "text": {"type": "string"}},
                        "required": ["file"],
                    }
                }
            }
        }
    },
)
def attachment_send(request: HttpRequest, conversation_id: int) -> tuple[int, dict[str, Any]]:
    """Send an image or PDF (multipart `file`, optional `text`) with an `Idempotency-Key` header.
    The type is read from the bytes; a disguised or oversized file is refused."""
    selectors.conversation_get(actor=request.user, conversation_id=conversation_id)  # 404 before any parsing
    upload = request.FILES.get("file")
    if upload is None:
        raise ApplicationError("请选择要发送的文件（表单字段 file）", extra={"field": "file"})
    if upload.size and upload.size > uploads.max_bytes():
        raise ApplicationError("文件太大", extra={"field": "file", "size": upload.size})
    result = services.message_send(
        actor=request.user,
        conversation_id=conversation_id,
        client_key=request.headers.get("Idempotency-Key", ""),
        text=request.POST.get("text", ""),
        upload=Upload(content=upload.read(), name=upload.name or ""),
    )
    return _sent(result)


@router.post("/conversations/{conversation_id}/messages/{message_id}/retract", response={201: SendOut})
def message_retract(request: HttpRequest, conversation_id: int, message_id: int) -> tuple[int, dict[str, Any]]:
    """Take back an own message: the customer no longer sees it; the original stays for evidence."""
    retraction = services.message_retract(actor=request.user, conversation_id=conversation_id, message_id=message_id)
    return 201, {
        "created": True,
        "outcome": retraction.outcome,
        "delivered": True,
        "reasons": [],
        "notice": "",
        "message": realtime.staff_payload(retraction),
    }


@router.post("/conversations/{conversation_id}/transfer", response=ConversationOut)
def conversation_transfer(request: HttpRequest, conversation_id: int, payload: TransferIn) -> Conversation:
    return services.conversation_transfer(
        actor=request.user,
        conversation_id=conversation_id,
        to_employee_id=payload.to_employee_id,
        reason=payload.reason,
    )


@router.post("/conversations/{conversation_id}/close", response=ConversationOut)
def conversation_close(request: HttpRequest, conversation_id: int) -> Conversation:
    return services.conversation_close(actor=request.user, conversation_id=conversation_id)


# --- presence and queues ----------------------------------------------------------------------


def _presence_out(employee: Employee, presence: AgentPresence | None) -> dict[str, Any]:
    presence = presence or AgentPresence(employee=employee)
    active = Conversation.objects.filter(agent=employee, status=ConversationStatus.ACTIVE).count()
    return {
        "status": presence.status,
        "max_chats": presence.max_chats,
        "capacity": capacity(employee, presence),
        "active_chats": active,
    }


def _own(request: HttpRequest) -> Employee:
    employee_id = scopes.principal(request.user).employee_id
    if employee_id is None:
        raise Forbidden("此账号没有关联员工档案")
    return Employee.objects.select_related("unit").get(id=employee_id)


@router.get("/presence", response=PresenceOut)
def presence_get(request: HttpRequest) -> dict[str, Any]:
    employee = _own(request)
    return _presence_out(employee, selectors.presence_of(employee=employee))


@router.put("/presence", response=PresenceOut)
def presence_set(request: HttpRequest, payload: PresenceIn) -> dict[str, Any]:
    """Online agents below their limit receive chats; busy, away and offline ones do not."""
    presence = services.presence_set(actor=request.user, status=payload.status, max_chats=payload.max_chats)
    return _presence_out(presence.employee, presence)


@router.get("/queue", response=list[QueueOut])
def queue(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "service_group_id": s.group.id,
            "name": s.group.name,
            "queued": s.queued,
            "longest_wait_seconds": s.longest_wait_seconds,
            "active": s.active,
            "agents_online": s.agents_online,
        }
        for s in selectors.queue_overview(actor=request.user)
    ]
