"""The customer chat page (the in-app widget, standalone for the demo), its history and
its live socket. Customers authenticate with the same app-signed token the in-app channel
checks; the sender is always the token's customer."""

from __future__ import annotations

import asyncio
import contextlib
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Header, HTTPException, WebSocket, WebSocketDisconnect, status
from fastapi.responses import FileResponse

from connectors.app_token import AppTokenVerifier, InvalidToken
from crm.settings import get_settings

WEB_DIR = Path(__file__).parent / "web"
HISTORY_EVENTS = ("user", "bot")

router = APIRouter(tags=["chat"])


@lru_cache(maxsize=1)
def verifier() -> AppTokenVerifier:
    return AppTokenVerifier.from_environment()


def sender_for(authorization: str | None) -> str:
    try:
        identity = verifier().verify(authorization)
    except InvalidToken as exc:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, detail=f"A valid app token is required ({exc})."
        ) from None
    return f"customer-{identity.customer_id}"


async def conversation_history(sender: str) -> list[dict[str, Any]]:
    """Messages of the conversation from Rasa's tracker store: every channel, one history."""
    settings = get_settings()
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.get(
            f"{settings.rasa_url}/conversations/{sender}/tracker",
            params={"token": settings.rasa_api_token, "include_events": "ALL"},
        )
    if response.status_code != 200:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail="History unavailable.")
    history = []
    channel = None  # a bot reply went to the channel of the message it answered
    for event in response.json().get("events", []):
        if event.get("event") not in HISTORY_EVENTS:
            continue
        data = event.get("data") or {}
        metadata = event.get("metadata") or {}
        if event["event"] == "user":
            channel = event.get("input_channel") or metadata.get("channel")
        history.append(
            {
                "type": event["event"],
                "text": event.get("text"),
                "buttons": data.get("buttons") or [],
                "channel": metadata.get("channel") or channel,
                "author": metadata.get("author"),
                "timestamp": event.get("timestamp"),
            }
        )
    return history


@router.get("/chat", include_in_schema=False)
def chat_page() -> FileResponse:
    return FileResponse(WEB_DIR / "chat.html", media_type="text/html")


@router.get("/chat/config.json", include_in_schema=False)
def chat_config() -> dict:
    settings = get_settings()
    return {"rasaUrl": settings.rasa_public_url, "demo": settings.demo_mode}


@router.get("/chat/history")
async def chat_history(
    authorization: Annotated[str | None, Header()] = None,
) -> list[dict[str, Any]]:
    """The signed-in customer's conversation so far, whichever channel it happened on."""
    return await conversation_history(sender_for(authorization))


@router.websocket("/chat/ws")
async def chat_socket(websocket: WebSocket) -> None:
    """Live delivery of what arrives later: agent replies, typing, handoff status.

    The token comes as the first message (not in the URL, which proxies log)."""
    await websocket.accept()
    try:
        first = await asyncio.wait_for(websocket.receive_json(), timeout=10)
        sender = sender_for(f"Bearer {first.get('token', '')}")
    except (HTTPException, TimeoutError, ValueError, AttributeError, WebSocketDisconnect):
        with contextlib.suppress(RuntimeError):
            await websocket.close(code=4401, reason="A valid app token is required.")
        return
    await websocket.send_json({"type": "ready", "conversation_id": sender})
    async with websocket.app.state.live.subscribe(f"customer:{sender}") as queue:
        receiver = asyncio.create_task(_drain(websocket))
        try:
            while not receiver.done():
                getter = asyncio.create_task(queue.get())
                done, _ = await asyncio.wait(
                    {getter, receiver}, return_when=asyncio.FIRST_COMPLETED
                )
                if getter in done:
                    await websocket.send_json(getter.result())
                else:
                    getter.cancel()
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            receiver.cancel()


async def _drain(websocket: WebSocket) -> None:
    """Read (and ignore) client frames so a closed socket is noticed."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            await websocket.receive_text()
