"""WebSocket consumers through the real ASGI application (session cookie, Origin check, channel layer).

The in-memory layer by default; the same scenarios run on channels-redis when KEFU_REDIS_URL is set
(CI's PostgreSQL leg), and `test_redis_layer_delivers` uses Redis on 127.0.0.1:6379 directly when it is
reachable. Database work runs on the test's own connection (thread-sensitive), so the test transaction
is seen and rolled back as usual.
"""

from __future__ import annotations

import asyncio
import copy
import json
import socket
import uuid
from collections.abc import Callable
from typing import Any

import channels.db
import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels_redis.core import RedisChannelLayer
from django.test import Client

from kefu.asgi import application
from kefu.channel import services
from kefu.settings import redis_channel_layer
from tests.channel.ws import WebsocketCommunicator

ORIGIN = (b"origin", b"http://127.0.0.1")


@pytest.fixture(autouse=True)
def _one_connection(monkeypatch: Any) -> None:
    # channels closes "old" connections around each DB call; here that would break the test transaction.
    monkeypatch.setattr(channels.db, "close_old_connections", lambda: None)


@pytest.fixture(autouse=True)
def _private_redis_prefix(settings: Any, worker_id: str) -> None:
    """Parallel workers share one Redis: give each test its own prefix so groups never cross."""
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    if "redis" in layers["default"]["BACKEND"].lower():
        layers["default"].setdefault("CONFIG", {})["prefix"] = f"kefu-test-{worker_id}-{uuid.uuid4().hex[:8]}"
        settings.CHANNEL_LAYERS = layers


def _cookie(client: Client) -> tuple[bytes, bytes]:
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


def staff_headers(user: Any) -> list[tuple[bytes, bytes]]:
    client = Client()
    client.force_login(user)
    return [_cookie(client), ORIGIN]


def visitor(group: Any) -> tuple[list[tuple[bytes, bytes]], Any]:
    from kefu.channel.models import Conversation

    client = Client()
    assert client.post("/channel/chat/", {"identified_by": "guest", "g": group.code}).status_code == 302
    return [_cookie(client), ORIGIN], Conversation.objects.order_by("-id").first()


def run(scenario: Callable[[], Any]) -> None:
    async_to_sync(scenario)()


def committed(capture: Any, fn: Callable[[], Any]) -> Callable[[], Any]:
    """Run a service call and its after-commit fan-out, as a committed request would."""

    def call() -> Any:
        with capture(execute=True):
            return fn()

    return sync_to_async(call)


async def next_message(communicator: WebsocketCommunicator, kind: str = "message") -> dict[str, Any]:
    while True:
        # generous: broadcasts leave through the event loop, which a loaded CI machine may serve late
        event = await communicator.receive_json_from(timeout=10)
        if event.get("kind") == kind:
            return event


def test_customer_and_agent_see_each_other_live(
    world: Any, agent: Any, group: Any, django_capture_on_commit_callbacks: Any
) -> None:
    services.presence_set(actor=agent, status="online")
    customer_headers, conversation = visitor(group)
    agent_headers = staff_headers(agent)

    async def scenario() -> None:
        desk = WebsocketCommunicator(application, "/ws/channel/staff/", headers=agent_headers)
        phone = WebsocketCommunicator(application, "/ws/channel/visitor/", headers=customer_headers)
        assert (await desk.connect())[0] and (await phone.connect())[0]
        assert (await phone.receive_json_from())["kind"] == "hello"
        await desk.send_json_to({"action": "subscribe", "conversation_id": conversation.id})
        assert (await next_message(desk, "subscribed"))["conversation_id"] == conversation.id

        await committed(
            django_capture_on_commit_callbacks,
            lambda: services.visitor_message_send(conversation_id=conversation.id, client_key="c1", text="在吗？"),
        )()
        seen = await next_message(desk)
        assert (seen["text"], seen["sender_kind"], seen["outcome"]) == ("在吗？", "customer", "deliver")
        echoed = await next_message(phone)
        assert echoed["seq"] == seen["seq"]

        await committed(
            django_capture_on_commit_callbacks,
            lambda: services.message_send(
                actor=agent, conversation_id=conversation.id, client_key="a1", text="在的，<b>请讲</b>"
            ),
        )()
        reply = await next_message(phone)
        assert reply["text"] == "在的，<b>请讲</b>" and "reasons" not in reply

        # Blocked: kept as evidence, the customer is told the policy text, the agent's socket hears nothing.
        await committed(
            django_capture_on_commit_callbacks,
            lambda: services.visitor_message_send(
                conversation_id=conversation.id, client_key="c2", text="加我微信 abc12345"
            ),
        )()
        own = await next_message(phone)
        assert own["blocked"] and own["notice"] == "请通过官方渠道联系"
        await next_message(desk)  # the agent's own reply comes back on their socket too
        assert await desk.receive_nothing(timeout=0.3)
        await desk.disconnect()
        await phone.disconnect()

    run(scenario)


def test_staff_socket_refuses_foreign_conversations(
    world: Any, active: Any, django_capture_on_commit_callbacks: Any
) -> None:
    outsider = staff_headers(world.spots["same_team"].user)

    async def scenario() -> None:
        spy = WebsocketCommunicator(application, "/ws/channel/staff/", headers=outsider)
        assert (await spy.connect())[0]
        await spy.send_json_to({"action": "subscribe", "conversation_id": active.id})
        refusal = await spy.receive_json_from()
        assert refusal["kind"] == "error"
        await committed(
            django_capture_on_commit_callbacks,
            lambda: services.visitor_message_send(conversation_id=active.id, client_key="c1", text="我的地址是…"),
        )()
        assert await spy.receive_nothing(timeout=0.3)
        await spy.disconnect()

    run(scenario)


def test_visitor_socket_hears_only_its_own_conversation(
    world: Any, agent: Any, group: Any, django_capture_on_commit_callbacks: Any
) -> None:
    services.presence_set(actor=agent, status="online")
    _, conversation_a = visitor(group)
    headers_b, _ = visitor(group)

    async def scenario() -> None:
        b = WebsocketCommunicator(application, "/ws/channel/visitor/", headers=headers_b)
        assert (await b.connect())[0]
        await b.receive_json_from()  # hello
        await committed(
            django_capture_on_commit_callbacks,
            lambda: services.message_send(
                actor=agent, conversation_id=conversation_a.id, client_key="a1", text="甲的订单地址已改"
            ),
        )()
        assert await b.receive_nothing(timeout=0.3)
        await b.disconnect()

    run(scenario)


def test_sockets_without_login_or_session_are_refused(active: Any) -> None:
    async def scenario() -> None:
        for path in ("/ws/channel/staff/", "/ws/channel/visitor/"):
            communicator = WebsocketCommunicator(application, path, headers=[ORIGIN])
            connected, code = await communicator.connect()
            assert not connected and code in (4401, 4403)
        foreign_origin = WebsocketCommunicator(
            application, "/ws/channel/visitor/", headers=[(b"origin", b"http://evil.example")]
        )
        assert not (await foreign_origin.connect())[0]

    run(scenario)


def test_dropped_socket_catches_up_by_cursor_without_loss_or_repeat(
    world: Any, agent: Any, group: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """What the page does after a reconnect: fetch after the last seq it drew, then go live again."""
    services.presence_set(actor=agent, status="online")
    headers, conversation = visitor(group)
    client = Client()
    client.cookies["sessionid"] = headers[0][1].decode().split("=", 1)[1]
    drawn: dict[int, str] = {}

    async def scenario() -> None:
        phone = WebsocketCommunicator(application, "/ws/channel/visitor/", headers=headers)
        assert (await phone.connect())[0]
        await phone.receive_json_from()
        history = await sync_to_async(lambda: client.get("/channel/chat/messages/").json())()
        drawn.update({m["seq"]: m["text"] for m in history["items"]})
        await committed(
            django_capture_on_commit_callbacks,
            lambda: services.message_send(actor=agent, conversation_id=conversation.id, client_key="a1", text="一"),
        )()
        live = await next_message(phone)
        drawn[live["seq"]] = live["text"]
        await phone.disconnect()  # the connection drops

        for n, text in enumerate(["二", "三", "四"], start=2):
            await committed(
                django_capture_on_commit_callbacks,
                lambda k=f"a{n}", t=text: services.message_send(
                    actor=agent, conversation_id=conversation.id, client_key=k, text=t
                ),
            )()
        again = WebsocketCommunicator(application, "/ws/channel/visitor/", headers=headers)
        assert (await again.connect())[0]
        missed = await sync_to_async(lambda: client.get("/channel/chat/messages/", {"after": max(drawn)}).json())()
        for m in missed["items"]:
            assert m["seq"] not in drawn, "shown twice"
            drawn[m["seq"]] = m["text"]
        await again.disconnect()

    run(scenario)
    conversation.refresh_from_db()
    assert sorted(drawn) == list(range(1, conversation.last_seq + 1)), "lost a message"
    assert [drawn[s] for s in sorted(drawn)][-4:] == ["一", "二", "三", "四"]


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.3):
            return True
    except OSError:
        return False


def _test_redis_layer(worker_id: str) -> dict[str, Any]:
    return redis_channel_layer("redis://127.0.0.1:6379/15", prefix=f"kefu-t-{worker_id}-{uuid.uuid4().hex[:8]}")


def test_redis_layer_reads_longer_than_the_server_waits() -> None:
    """Otherwise an idle consumer's BZPOPMIN and the client's socket timeout race (redis-py ≥ 8: both 5 s)."""
    layer = RedisChannelLayer(**redis_channel_layer("redis://127.0.0.1:6379/15", prefix="kefu-t")["CONFIG"])
    pool = layer.create_pool(0)
    assert pool.connection_kwargs["socket_timeout"] > layer.brpop_timeout


@pytest.mark.skipif(not _redis_up(), reason="Redis not reachable on 127.0.0.1:6379 (CI has it)")
def test_idle_redis_consumer_still_receives(worker_id: str) -> None:
    """A consumer that heard nothing for longer than one server-side wait still gets the next message."""
    layer = RedisChannelLayer(**_test_redis_layer(worker_id)["CONFIG"])

    async def scenario() -> Any:
        channel = await layer.new_channel()
        waiting = asyncio.ensure_future(layer.receive(channel))
        await asyncio.sleep(layer.brpop_timeout + 1)
        await layer.send(channel, {"type": "late"})
        try:
            return await asyncio.wait_for(waiting, timeout=10)
        finally:
            await layer.flush()
            await layer.close_pools()

    assert async_to_sync(scenario)()["type"] == "late"


@pytest.mark.skipif(not _redis_up(), reason="Redis not reachable on 127.0.0.1:6379 (CI has it)")
def test_redis_layer_delivers(
    settings: Any, world: Any, active: Any, worker_id: str, django_capture_on_commit_callbacks: Any
) -> None:
    settings.CHANNEL_LAYERS = {"default": _test_redis_layer(worker_id)}
    customer_client_headers = staff_headers(world.users["agent"])

    async def scenario() -> None:
        desk = WebsocketCommunicator(application, "/ws/channel/staff/", headers=customer_client_headers)
        assert (await desk.connect())[0]
        await desk.send_json_to({"action": "subscribe", "conversation_id": active.id})
        await next_message(desk, "subscribed")
        await committed(
            django_capture_on_commit_callbacks,
            lambda: services.visitor_message_send(conversation_id=active.id, client_key="r1", text="经由 Redis"),
        )()
        assert (await next_message(desk))["text"] == "经由 Redis"
        await desk.disconnect()

    run(scenario)
    assert json.dumps({"ok": True})
