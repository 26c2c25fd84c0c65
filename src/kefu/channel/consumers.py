"""WebSocket consumers: live messages for the agent console and the customer's chat page.

A socket only ever joins groups it is allowed to: staff subscribe per conversation and each request
is checked through the scoped selector; a visitor joins the one conversation held in their session
and cannot name another. Sockets carry events only; history and anything missed while disconnected
come from the cursor endpoints (``after=<last seq>``), so a dropped socket loses nothing.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from kefu.channel import realtime, selectors
from kefu.core import scopes
from kefu.core.errors import NotFound


class StaffConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user = user
        self.subscribed: set[int] = set()
        self.employee_id = await database_sync_to_async(lambda: scopes.principal(user).employee_id)()
        await self.accept()
        if self.employee_id:
            await self.channel_layer.group_add(realtime.agent_group(self.employee_id), self.channel_name)

    def _visible(self, conversation_id: int) -> int | None:
        try:
            return selectors.conversation_get(actor=self.user, conversation_id=conversation_id).last_seq
        except NotFound:
            return None

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        action = content.get("action") if isinstance(content, dict) else None
        if action == "ping":
            await self.send_json({"kind": "pong"})
            return
        try:
            conversation_id = int(content.get("conversation_id"))
        except (TypeError, ValueError, AttributeError):
            await self.send_json({"kind": "error", "message": "需要 conversation_id"})
            return
        if action == "subscribe":
            last_seq = await database_sync_to_async(self._visible)(conversation_id)
            if last_seq is None:
                await self.send_json({"kind": "error", "message": "找不到该会话", "conversation_id": conversation_id})
                return
            await self.channel_layer.group_add(realtime.staff_group(conversation_id), self.channel_name)
            self.subscribed.add(conversation_id)
            await self.send_json({"kind": "subscribed", "conversation_id": conversation_id, "last_seq": last_seq})
        elif action == "unsubscribe":
            await self._leave(conversation_id)
        else:
            await self.send_json({"kind": "error", "message": f"未知操作 {action!r}"})

    async def _leave(self, conversation_id: int) -> None:
        await self.channel_layer.group_discard(realtime.staff_group(conversation_id), self.channel_name)
        self.subscribed.discard(conversation_id)

    async def channel_event(self, message: dict[str, Any]) -> None:
        event = message["event"]
        # Handed to someone else: re-check, since the agent may have lost sight of it.
        if (
            event.get("kind") == "unassigned"
            and event.get("conversation_id") in self.subscribed
            and await database_sync_to_async(self._visible)(event["conversation_id"]) is None
        ):
            await self._leave(event["conversation_id"])
        await self.send_json(event)

    async def disconnect(self, code: int) -> None:
        for conversation_id in list(getattr(self, "subscribed", ())):
            await self._leave(conversation_id)
        if getattr(self, "employee_id", None):
            await self.channel_layer.group_discard(realtime.agent_group(self.employee_id), self.channel_name)


class VisitorConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.conversation_id = await database_sync_to_async(self._own_conversation)()
        if self.conversation_id is None:
            await self.close(code=4403)
            return
        await self.accept()
        await self.channel_layer.group_add(realtime.customer_group(self.conversation_id), self.channel_name)
        await self.send_json({"kind": "hello", "conversation_id": self.conversation_id})

    def _own_conversation(self) -> int | None:
        from kefu.channel.visitor import visitor_conversation

        session = self.scope.get("session")
        if session is None:
            return None
        conversation = visitor_conversation(session)
        return conversation.id if conversation else None

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # Sending goes through HTTP (idempotency key, upload checks); the socket only answers pings.
        if isinstance(content, dict) and content.get("action") == "ping":
            await self.send_json({"kind": "pong"})

    async def channel_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])

    async def disconnect(self, code: int) -> None:
        if getattr(self, "conversation_id", None):
            await self.channel_layer.group_discard(realtime.customer_group(self.conversation_id), self.channel_name)
