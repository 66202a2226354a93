"""The agent's live socket: queue changes, the watched conversation, typing to the customer.

One socket per console tab, authenticated by the login cookie sent with the handshake
(same origin only), and again every SESSION_CHECK_SECONDS while it is open: it closes when
the agent logs out, the session expires or the agent is deactivated. The client says which
conversation it shows (`watch`); the server checks the agent may see it before following
it, and again as its lines arrive (access ends with the agent's claim, after a short
wrap-up). Typing reaches the customer only from the agent who owns the conversation.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool

from agent_console import auth, lifecycle
from agent_console.guards import Who, socket_agent
from agent_console.teams import PushGate
from conversations.live import Subscription
from conversations.live_events import (
    QUEUE,
    SUPERVISORS,
    ConversationLine,
    HandoffClaimed,
    Typing,
    agent_topic,
    conversation_topic,
)
from core.rate_limit import SOCKETS_PER_IDENTITY
from crm.db import session_scope

router = APIRouter()
SESSION_CHECK_SECONDS = 2
RECHECK_SECONDS = 2


class Watch:
    """Which conversation this socket follows, and whether its agent may act on it."""

    def __init__(self, subscription: Subscription) -> None:
        self.subscription = subscription
        self.conversation_id: str | None = None
        self.can_act = False
        self.checked_at = time.monotonic()

    def follow(self, conversation_id: str | None, can_act: bool) -> None:
        self.checked_at = time.monotonic()
        if self.conversation_id:
            self.subscription.remove(conversation_topic(self.conversation_id))
        self.conversation_id, self.can_act = conversation_id, can_act
        if conversation_id:
            self.subscription.add(conversation_topic(conversation_id))


def _may_see(conversation_id: str, who: Who) -> tuple[bool, bool, str]:
    try:
        with session_scope() as session:
            granted = lifecycle.access(session, conversation_id, who)
    except (lifecycle.NotFound, lifecycle.Forbidden) as exc:
        return False, False, str(exc) or "No such conversation."
    return True, granted.can_act, ""


async def _handle(websocket: WebSocket, who: Who, watch: Watch, message: Any) -> None:
    if not isinstance(message, dict):
        return
    kind = message.get("type")
    if kind == "watch":
        conversation_id = str(message.get("conversation_id") or "")[:64]
        if not conversation_id:
            watch.follow(None, False)
            return
        allowed, can_act, why = await run_in_threadpool(_may_see, conversation_id, who)
        if not allowed:
            watch.follow(None, False)
            await websocket.send_json({"type": "error", "detail": why})
            return
        watch.follow(conversation_id, can_act)
        await websocket.send_json(
            {"type": "watching", "conversation_id": conversation_id, "can_act": can_act}
        )
    elif kind == "typing" and watch.conversation_id and watch.can_act:
        await websocket.app.state.live.send(
            Typing(watch.conversation_id, on=bool(message.get("on")))
        )


def _taken_by_someone_else(event: dict[str, Any], who: Who, watch: Watch) -> bool:
    return (
        event.get("type") == HandoffClaimed.type
        and event.get("conversation_id") == watch.conversation_id
        and event.get("agent_id") != who.id
        and not who.supervisor
    )


def _still_signed_in(token: str) -> bool:
    with session_scope() as session:
        return auth.session_for_token(session, token) is not None


async def _session_guard(token: str) -> None:
    """Returns when the login session behind the socket has ended."""
    while await run_in_threadpool(_still_signed_in, token):
        await asyncio.sleep(SESSION_CHECK_SECONDS)


async def _recheck(websocket: WebSocket, who: Who, watch: Watch) -> None:
    """The agent still may see the conversation it follows, or stops following it."""
    if not watch.conversation_id or time.monotonic() - watch.checked_at < RECHECK_SECONDS:
        return
    allowed, can_act, why = await run_in_threadpool(_may_see, watch.conversation_id, who)
    if allowed:
        watch.can_act, watch.checked_at = can_act, time.monotonic()
        return
    watch.follow(None, False)
    await websocket.send_json({"type": "error", "detail": why})


@router.websocket("/console/ws")
async def console_socket(websocket: WebSocket) -> None:
    await websocket.accept()
    who = await run_in_threadpool(socket_agent, websocket)
    token = websocket.cookies.get(auth.COOKIE_NAME, "")
    if who is None:
        with contextlib.suppress(RuntimeError):
            await websocket.close(code=4401, reason="Log in to the agent console.")
        return
    if not await websocket.app.state.limiter.hit(SOCKETS_PER_IDENTITY, f"agent:{who.id}"):
        with contextlib.suppress(RuntimeError):
            await websocket.close(code=4429, reason="Too many connections; try again soon.")
        return
    subscription = websocket.app.state.live.open()
    subscription.add(QUEUE)
    subscription.add(agent_topic(who.id))  # whispers and moves meant for this agent alone
    if who.supervisor:
        subscription.add(SUPERVISORS)  # SLA warnings and breaches
    watch = Watch(subscription)
    gate = PushGate(who.id, who.supervisor)  # no pushes of new work while at capacity

    async def _read() -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            while True:
                text = await websocket.receive_text()
                try:
                    message = json.loads(text)
                except ValueError:
                    continue
                await _handle(websocket, who, watch, message)

    try:
        await websocket.send_json({"type": "ready", "agent": who.name})
        reader = asyncio.create_task(_read())
        guard = asyncio.create_task(_session_guard(token))
        try:
            while not reader.done() and not guard.done():
                getter = asyncio.create_task(subscription.queue.get())
                done, _ = await asyncio.wait(
                    {getter, reader, guard}, return_when=asyncio.FIRST_COMPLETED
                )
                if getter not in done:
                    getter.cancel()
                    continue
                event = getter.result()
                if not await gate.lets_through(event):
                    continue
                if _taken_by_someone_else(event, who, watch):
                    watch.follow(None, False)  # their conversation now: stop following
                following = event.get("conversation_id") == watch.conversation_id
                if event.get("type") == ConversationLine.type:
                    if not following:
                        continue  # a line of a conversation this socket no longer follows
                    await _recheck(websocket, who, watch)
                    if not watch.conversation_id:
                        continue
                await websocket.send_json(event)
            if guard.done():
                await websocket.close(code=4401, reason="The console session ended.")
        finally:
            reader.cancel()
            guard.cancel()
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        subscription.close()
