"""The customer's chat page and its endpoints. Customers are not staff users: a visitor is known only by
their Django session (a random, signed-cookie key), which holds the one conversation they started.
Every endpoint here reads that conversation from the session and nothing else, so a visitor can never
name — let alone read — another visitor's conversation.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.channel import policy_cache, realtime, selectors, services, uploads
from kefu.channel.models import Conversation, ConversationStatus, IdentifiedBy, Outcome, SenderKind, ServiceGroup
from kefu.channel.services import SendResult, Upload
from kefu.channel.views import attachment_response
from kefu.core.errors import ApplicationError

SESSION_KEY = "kefu_channel_visitor"


def visitor_conversation(session: Any) -> Conversation | None:
    """The conversation this visitor started, or None. The only way the customer side finds one."""
    data = session.get(SESSION_KEY) or {}
    conversation_id = data.get("conversation_id") if isinstance(data, dict) else None
    if not isinstance(conversation_id, int):
        return None
    return (
        Conversation.objects.select_related("customer", "agent", "service_group", "unit")
        .filter(id=conversation_id)
        .first()
    )


def _refuse(message: str, http_status: int = 400, **extra: Any) -> JsonResponse:
    return JsonResponse({"message": message, "extra": extra}, status=http_status)


def _no_conversation() -> JsonResponse:
    return _refuse("请先开始咨询", http_status=403)


def _default_group(code: str) -> ServiceGroup | None:
    groups = ServiceGroup.objects.filter(active=True).order_by("code")
    return (groups.filter(code=code).first() if code else None) or groups.first()


def _status(conversation: Conversation) -> dict[str, Any]:
    position = selectors.queue_position(conversation=conversation)
    waited = int((timezone.now() - conversation.queued_at).total_seconds())
    notice_after = int(policy_cache.effective(conversation.unit, "channel.queue_notice_seconds"))
    payload = realtime.status_payload(conversation, position=position)
    payload.update(
        {
            "waited_seconds": waited if conversation.status == ConversationStatus.QUEUED else 0,
            "tell_position": conversation.status == ConversationStatus.QUEUED and waited >= notice_after,
            "rated": conversation.satisfaction is not None,
            "last_seq": conversation.last_seq,
        }
    )
    return payload


@require_http_methods(["GET", "HEAD", "POST"])
def chat(request: HttpRequest) -> HttpResponse:
    """GET: the chat (or the start form); POST: start as a guest, by phone or by order number."""
    conversation = visitor_conversation(request.session)
    group = _default_group(request.GET.get("g", "") or request.POST.get("g", ""))
    error = ""
    if request.method == "POST" and conversation is None:
        if group is None:
            error = "暂时没有开放的客服组，请稍后再来"
        else:
            try:
                conversation = services.conversation_start(
                    service_group_id=group.id,
                    identified_by=request.POST.get("identified_by", IdentifiedBy.GUEST),
                    name=request.POST.get("name", ""),
                    phone=request.POST.get("phone", ""),
                    order_number=request.POST.get("order_number", ""),
                )
            except ApplicationError as exc:
                error = exc.message
            else:
                request.session.cycle_key()  # a fresh session key once it holds a conversation
                request.session[SESSION_KEY] = {"conversation_id": conversation.id}
                return redirect("channel:chat")
    context = {
        "conversation": conversation,
        "group": group,
        "error": error,
        "status": _status(conversation) if conversation else None,
        "max_upload_mb": uploads.max_bytes() // (1024 * 1024),
        "form": request.POST if error else {},
    }
    return render(request, "channel/chat.html", context, status=400 if error else 200)


@require_http_methods(["GET", "HEAD", "POST"])
def chat_messages(request: HttpRequest) -> HttpResponse:
    """GET ?after=<seq>: what the customer may see after the cursor. POST: send (JSON or multipart with
    `file`), with an Idempotency-Key header."""
    conversation = visitor_conversation(request.session)
    if conversation is None:
        return _no_conversation()
    if request.method == "POST":
        return _send(request, conversation)
    try:
        after = max(int(request.GET.get("after", "0")), 0)
    except ValueError:
        return _refuse("after 必须是整数", field="after")
    messages = selectors.visitor_messages(conversation=conversation, after=after)
    notice = str(policy_cache.effective(conversation.unit, "compliance.block_message"))
    items = [realtime.customer_payload(m, notice=notice) for m in messages]
    return JsonResponse(
        {
            "items": items,
            "cursor": messages[-1].seq if messages else after,
            "has_more": bool(messages) and len(messages) >= selectors.MAX_PAGE // 2,
            "status": _status(conversation),
        }
    )


def _send(request: HttpRequest, conversation: Conversation) -> JsonResponse:
    key = request.headers.get("Idempotency-Key", "")
    upload = None
    if request.content_type == "multipart/form-data":
        text = request.POST.get("text", "")
        file = request.FILES.get("file")
        if file is not None:
            if file.size and file.size > uploads.max_bytes():
                return _refuse(f"文件太大，上限 {uploads.max_bytes() // (1024 * 1024)} MB", field="file")
            upload = Upload(content=file.read(), name=file.name or "")
    else:
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return _refuse("请求不是有效的 JSON")
        text = body.get("text", "") if isinstance(body, dict) else ""
    try:
        result = services.visitor_message_send(
            conversation_id=conversation.id, client_key=key, text=text, upload=upload
        )
    except ApplicationError as exc:
        return _refuse(exc.message, **exc.extra)
    return JsonResponse(_result(result), status=201 if result.created else 200)


def _result(result: SendResult) -> dict[str, Any]:
    return {
        "created": result.created,
        "outcome": "block" if result.outcome == Outcome.BLOCK else "deliver",  # warnings are for staff only
        "delivered": result.delivered,
        "notice": result.notice,
        "message": realtime.customer_payload(result.message, notice=result.notice),
    }


@require_GET
def chat_status(request: HttpRequest) -> HttpResponse:
    conversation = visitor_conversation(request.session)
    if conversation is None:
        return _no_conversation()
    return JsonResponse(_status(conversation))


@require_POST
def chat_rate(request: HttpRequest) -> HttpResponse:
    conversation = visitor_conversation(request.session)
    if conversation is None:
        return _no_conversation()
    try:
        score = int(request.POST.get("score", ""))
    except ValueError:
        return _refuse("请选择 1–5 星", field="score")
    try:
        services.conversation_rate(
            conversation_id=conversation.id, score=score, comment=request.POST.get("comment", "")
        )
    except ApplicationError as exc:
        return _refuse(exc.message, **exc.extra)
    return JsonResponse({"rated": True, "score": score})


@require_POST
def chat_close(request: HttpRequest) -> HttpResponse:
    conversation = visitor_conversation(request.session)
    if conversation is None:
        return _no_conversation()
    services.visitor_close(conversation_id=conversation.id)
    return JsonResponse({"status": "closed"})


@require_POST
def chat_new(request: HttpRequest) -> HttpResponse:
    """Leave the finished conversation behind and show the start form again."""
    conversation = visitor_conversation(request.session)
    if conversation is not None and conversation.status != ConversationStatus.CLOSED:
        return _refuse("请先结束当前会话", http_status=409)
    request.session.pop(SESSION_KEY, None)
    return redirect("channel:chat")


@require_GET
def chat_attachment(request: HttpRequest, message_id: int) -> HttpResponse:
    conversation = visitor_conversation(request.session)
    if conversation is None:
        return _no_conversation()
    message = conversation.messages.select_related("attachment").filter(id=message_id).first()
    hidden = (
        message is None
        or message.attachment_id is None
        or (message.outcome == Outcome.BLOCK and message.sender_kind != SenderKind.CUSTOMER)
        or hasattr(message, "retraction")
    )
    if hidden or message is None:
        return _refuse("找不到这个附件", http_status=404)
    return attachment_response(message)
