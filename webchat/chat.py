"""The customer chat page, its history and its live socket. Customers authenticate with the
same app-signed token the in-app channel checks; the sender is always the token's customer."""

from __future__ import annotations

import asyncio
import contextlib
import time
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    Header,
    HTTPException,
    Request,
    WebSocket,
    WebSocketDisconnect,
    status,
)
from fastapi.responses import FileResponse

from conversations.live_events import customer_topic
from conversations.rasa_client import RasaUnavailable
from core.app_token import AppIdentity, AppTokenVerifier, InvalidToken
from core.rate_limit import SOCKETS_PER_IDENTITY
from core.senders import customer_sender_id
from crm.settings import get_settings

WEB_DIR = Path(__file__).parent / "web"

router = APIRouter(tags=["chat"])


@lru_cache(maxsize=1)
def verifier() -> AppTokenVerifier:
    settings = get_settings()
    return AppTokenVerifier.from_keys(
        settings.app_jwt_secret, settings.app_jwt_public_key,
        settings.app_token_max_seconds, settings.app_jwt_issuer,
    )  # fmt: skip


def identity_for(authorization: str | None) -> AppIdentity:
    try:
        return verifier().verify(authorization)
    except InvalidToken as exc:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, detail=f"A valid app token is required ({exc})."
        ) from None


def sender_for(authorization: str | None) -> str:
    return customer_sender_id(identity_for(authorization).customer_id)


@router.get("/chat", include_in_schema=False)
def chat_page() -> FileResponse:
    return FileResponse(WEB_DIR / "chat.html", media_type="text/html")


@router.get("/chat/config.json", include_in_schema=False)
def chat_config() -> dict:
    settings = get_settings()
    return {"rasaUrl": settings.rasa_public_url, "demo": settings.demo_mode}


@router.get("/chat/history")
async def chat_history(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> list[dict[str, Any]]:
    """The signed-in customer's conversation so far, whichever channel it happened on."""
    sender = sender_for(authorization)
    try:
        return await request.app.state.rasa.history(sender)
    except RasaUnavailable:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, detail="History unavailable."
        ) from None


@router.websocket("/chat/ws")
async def chat_socket(websocket: WebSocket) -> None:
    """Live delivery of what arrives later: agent replies, typing, handoff status.

    The token comes as the first message (not in the URL, which proxies log); the socket
    closes when the token expires (the page then signs in again through the bank's app)."""
    await websocket.accept()
    try:
        first = await asyncio.wait_for(websocket.receive_json(), timeout=10)
        identity = identity_for(f"Bearer {first.get('token', '')}")
    except (HTTPException, TimeoutError, ValueError, AttributeError, WebSocketDisconnect):
        await _refuse(websocket, "A valid app token is required.")
        return
    sender = customer_sender_id(identity.customer_id)
    limiter = websocket.app.state.limiter
    if not await limiter.hit(SOCKETS_PER_IDENTITY, sender):
        await _refuse(websocket, "Too many connections; try again in a minute.")
        return
    await websocket.send_json({"type": "ready", "conversation_id": sender})
    async with websocket.app.state.live.subscribe(customer_topic(sender)) as queue:
        receiver = asyncio.create_task(_drain(websocket))
        try:
            while not receiver.done():
                left = identity.expires_at - time.time()
                if left <= 0:
                    await _refuse(websocket, "The app token expired.")
                    break
                getter = asyncio.create_task(queue.get())
                done, _ = await asyncio.wait(
                    {getter, receiver}, timeout=left, return_when=asyncio.FIRST_COMPLETED
                )
                if getter in done:
                    await websocket.send_json(getter.result())
                else:
                    getter.cancel()
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            receiver.cancel()


async def _refuse(websocket: WebSocket, reason: str) -> None:
    with contextlib.suppress(RuntimeError):
        await websocket.close(code=4401, reason=reason)


async def _drain(websocket: WebSocket) -> None:
    """Read (and ignore) client frames so a closed socket is noticed."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            await websocket.receive_text()
