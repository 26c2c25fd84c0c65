"""The customer's side: a visitor sees only the conversation started in their own session, through the
page, the JSON endpoints, attachments and the WebSocket."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from kefu.channel import services
from kefu.channel.models import Conversation, Customer, Message
from kefu.channel.services import Upload
from tests.channel.factories import png_bytes


def _visitor(group: Any, **form: str) -> tuple[Client, Conversation]:
    client = Client()
    data = {"identified_by": "guest", "g": group.code, **form}
    response = client.post("/channel/chat/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    conversation = Conversation.objects.order_by("-id").first()
    assert conversation is not None
    return client, conversation


def _say(client: Client, text: str, key: str) -> Any:
    return client.post(
        "/channel/chat/messages/",
        data=json.dumps({"text": text}),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def test_start_page_works_without_login_and_on_a_phone(group: Any) -> None:
    response = Client().get("/channel/chat/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="viewport"' in body and "以访客身份咨询" in body


def test_guest_chats_and_agent_reply_shows_escaped(world: Any, agent: Any, group: Any) -> None:
    services.presence_set(actor=agent, status="online")
    client, conversation = _visitor(group, name="小林")
    sent = _say(client, "<b>我的包裹</b>还没到", "v1")
    assert sent.status_code == 201 and sent.json()["delivered"] is True
    services.message_send(
        actor=agent, conversation_id=conversation.id, client_key="a1", text="<script>x</script>马上查"
    )
    items = client.get("/channel/chat/messages/").json()["items"]
    texts = [m["text"] for m in items]
    assert "<b>我的包裹</b>还没到" in texts and "<script>x</script>马上查" in texts
    assert all("reasons" not in m for m in items)  # screening details are for staff only


def test_visitor_a_cannot_read_visitor_b(world: Any, agent: Any, group: Any) -> None:
    services.presence_set(actor=agent, status="online")
    a, conversation_a = _visitor(group, name="甲")
    b, conversation_b = _visitor(group, name="乙")
    _say(a, "甲的秘密：订单地址", "a1")
    upload = Upload(png_bytes("green"), "甲的照片.png")
    secret = services.visitor_message_send(conversation_id=conversation_a.id, client_key="a2", upload=upload).message
    assert "甲的秘密" not in json.dumps(b.get("/channel/chat/messages/").json(), ensure_ascii=False)
    assert "甲的秘密" not in b.get("/channel/chat/").content.decode()
    assert b.get(f"/channel/chat/attachments/{secret.id}/").status_code == 404
    assert a.get(f"/channel/chat/attachments/{secret.id}/").status_code == 200
    # No parameter names a conversation: B's writes always land in B's own conversation.
    _say(b, "乙的话", "b1")
    assert Message.objects.filter(conversation=conversation_a, text="乙的话").count() == 0
    assert Message.objects.filter(conversation=conversation_b, text="乙的话").count() == 1


def test_without_a_session_nothing_is_shown(active: Any) -> None:
    stranger = Client()
    assert stranger.get("/channel/chat/messages/").status_code == 403
    assert stranger.get("/channel/chat/status/").status_code == 403
    assert _say(stranger, "你好", "x").status_code == 403
    message = active.messages.first()
    assert stranger.get(f"/channel/chat/attachments/{message.id}/").status_code == 403


def test_staff_login_does_not_open_a_customer_conversation(agent: Any, active: Any) -> None:
    client = Client()
    client.force_login(agent)
    assert client.get("/channel/chat/messages/").status_code == 403


def test_contact_exchange_is_blocked_with_the_policy_text(agent: Any, group: Any) -> None:
    services.presence_set(actor=agent, status="online")
    client, conversation = _visitor(group)
    response = _say(client, "加我微信 abc12345", "v1")
    body = response.json()
    assert (body["delivered"], body["notice"]) == (False, "请通过官方渠道联系")
    assert body["outcome"] == "block"
    stored = Message.objects.get(conversation=conversation, client_key="v1")
    assert stored.outcome == "block"


def test_warned_message_reaches_the_customer_without_the_warning(agent: Any, group: Any) -> None:
    services.presence_set(actor=agent, status="online")
    client, conversation = _visitor(group)
    services.message_send(actor=agent, conversation_id=conversation.id, client_key="a1", text="不用发红包给我")
    body = client.get("/channel/chat/messages/").json()
    shown = next(m for m in body["items"] if m["text"] == "不用发红包给我")
    assert shown["blocked"] is False and "reasons" not in shown


def test_retracted_agent_message_shows_only_a_notice(agent: Any, group: Any) -> None:
    services.presence_set(actor=agent, status="online")
    client, conversation = _visitor(group)
    sent = services.message_send(actor=agent, conversation_id=conversation.id, client_key="a1", text="说错的话").message
    services.message_retract(actor=agent, conversation_id=conversation.id, message_id=sent.id)
    body = json.dumps(client.get("/channel/chat/messages/").json(), ensure_ascii=False)
    assert "说错的话" not in body and "客服撤回了一条消息" in body


def test_image_upload_from_the_phone(agent: Any, group: Any) -> None:
    client, _ = _visitor(group)
    response = client.post(
        "/channel/chat/messages/",
        {"file": _file(png_bytes(), "IMG_0001.PNG"), "text": "破损照片"},
        headers={"Idempotency-Key": "img-1"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["message"]["attachment"]["content_type"] == "image/png"
    fake = client.post(
        "/channel/chat/messages/", {"file": _file(b"%!PS-Adobe fake", "x.jpg")}, headers={"Idempotency-Key": "img-2"}
    )
    assert fake.status_code == 400


def _file(content: bytes, name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, "application/octet-stream")


def test_queue_place_and_rating_after_close(agent: Any, group: Any, make_customer: Any) -> None:
    first, first_conversation = _visitor(group)
    second, _ = _visitor(group)
    status = second.get("/channel/chat/status/").json()
    assert (status["status"], status["position"]) == ("queued", 1)
    services.presence_set(actor=agent, status="online")
    services.conversation_close(actor=agent, conversation_id=first_conversation.id)
    assert second.post("/channel/chat/rate/", {"score": "5"}).status_code == 400  # own one is still open
    assert first.post("/channel/chat/rate/", {"score": "9"}).status_code == 400
    assert first.post("/channel/chat/rate/", {"score": "5", "comment": "很耐心"}).json() == {"rated": True, "score": 5}


def test_start_by_phone_and_by_order(world: Any, group: Any, make_customer: Any) -> None:
    ka = make_customer("王总", "ka", phone="13512345678")
    services.order_create(
        actor=None,
        customer=ka,
        number="DD888",
        shop="旗舰店",
        items=[{"name": "茶具", "quantity": 1, "unit_price": "9"}],
    )
    _, by_phone = _visitor(group, identified_by="phone", phone="13512345678")
    _, by_order = _visitor(group, identified_by="order", order_number="DD888")
    assert by_phone.customer_id == by_order.customer_id == ka.id
    assert by_phone.priority == 0
    response = Client().post("/channel/chat/", {"identified_by": "order", "order_number": "NOPE", "g": group.code})
    assert response.status_code == 400 and "找不到这个订单号" in response.content.decode()
    assert Customer.objects.filter(phone="13512345678").count() == 1


@pytest.mark.parametrize("path", ["/channel/chat/rate/", "/channel/chat/close/", "/channel/chat/new/"])
def test_writes_need_post(path: str, active: Any) -> None:
    assert Client().get(path).status_code == 405
