"""Ingest Rasa's event stream and deliver out-of-band messages to customers' live sockets.

Rasa (connectors/platform_events.py) posts every tracker event here; the console follows a
conversation live from them, and messages the assistant understood poorly are kept for the
designers' review. The in-app channel's output channel posts agent messages and
other out-of-band bot messages to /deliveries, which reach the customer's open chat page.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from agent_console import review_capture, timeouts, transcript
from agent_console.background import spawn
from agent_console.models import Conversation
from agent_console.rasa_client import RasaUnavailable
from agent_console.settings import get_console_settings
from crm.api.deps import require_service_token
from crm.clock import utcnow
from crm.db import session_scope

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", tags=["live"], dependencies=[Depends(require_service_token)])

SHOWN_EVENTS = {
    "user",
    "bot",
    "pause",
    "resume",
    "action",
    "active_loop",
    "slot",
    "session_started",
}


class RasaEvent(BaseModel):
    """The fields of a Rasa tracker event the console uses; the rest is passed through."""

    model_config = {"extra": "allow"}

    event: str = Field(max_length=64)
    sender_id: str = Field(min_length=1, max_length=64)
    timestamp: float | None = None


class Delivery(BaseModel):
    conversation_id: str = Field(min_length=1, max_length=64)
    message: dict[str, Any]


def compact(event: RasaEvent) -> dict[str, Any]:
    """What a live view needs of one event (same shape the history endpoint returns)."""
    raw = event.model_dump()
    parse = raw.get("parse_data") or {}
    metadata = raw.get("metadata") or {}
    return {
        "type": event.event,
        "conversation_id": event.sender_id,
        "timestamp": event.timestamp,
        "text": raw.get("text"),
        "channel": raw.get("input_channel") or metadata.get("channel"),
        "intent": (parse.get("intent") or {}).get("name"),
        "confidence": (parse.get("intent") or {}).get("confidence"),
        "entities": [
            {"entity": e.get("entity"), "value": e.get("value")}
            for e in parse.get("entities") or []
        ],
        "name": raw.get("name"),
        "value": raw.get("value") if event.event == "slot" else None,
        "author": metadata.get("author"),
    }


def _note_customer_message(
    sender_id: str, channel: str | None, customer_id: Any, intent: str | None
) -> tuple[str, str | None]:
    """Remember where the customer last wrote from; returns the conversation's status and
    the response owed to them if the message answers the callback offer."""
    with session_scope() as session:
        conversation = session.get(Conversation, sender_id)
        if conversation is None:
            conversation = Conversation(id=sender_id, status="bot")
            session.add(conversation)
        if channel:
            conversation.last_channel = channel
        if isinstance(customer_id, int):
            conversation.customer_id = customer_id
        conversation.updated_at = utcnow()
        answer = None
        if conversation.status == "pending":
            answer = timeouts.answer_callback_offer(session, sender_id, intent)
        return conversation.status, answer


def _keep_for_review(conversation_id: str, message_at: float, row: dict[str, Any]) -> None:
    try:
        with session_scope() as session:
            review_capture.capture(session, conversation_id, message_at, row)
    except IntegrityError:  # the same message replayed concurrently: already kept
        pass


async def _say(request: Request, conversation_id: str, response: str) -> None:
    try:
        await request.app.state.rasa.say(conversation_id, response)
    except RasaUnavailable as exc:
        log.warning("could not answer the callback offer in %s: %s", conversation_id, exc)


@router.post("/rasa-events", status_code=status.HTTP_202_ACCEPTED)
async def ingest_events(events: list[RasaEvent], request: Request) -> dict[str, int]:
    live = request.app.state.live
    received = time.time()  # when the platform heard of it (live lag = shown - this)
    shown = 0
    for event in events:
        if event.event not in SHOWN_EVENTS:
            continue
        raw = event.model_dump()
        line = transcript.item(raw)
        # The agent watching the conversation first: this is the path agents wait on.
        if line is not None:
            line |= {"conversation_id": event.sender_id, "received": received}
            await live.publish(f"conversation:{event.sender_id}", line)
        if event.event == "user":
            metadata = raw.get("metadata") or {}
            item = compact(event)
            conversation_status, answer = await run_in_threadpool(
                _note_customer_message, event.sender_id, item["channel"],
                metadata.get("customer_id"), item["intent"],
            )  # fmt: skip
            if conversation_status in ("pending", "open"):
                # Every agent hears that something was said, not what (that needs access).
                await live.publish(
                    "queue",
                    {"type": "customer.message", "conversation_id": event.sender_id,
                     "received": received},
                )  # fmt: skip
            if answer is not None:
                await live.publish("queue", {"type": "handoff.callback"})
                # Not awaited: Rasa is waiting for this request to finish its own work.
                spawn(request.app, _say(request, event.sender_id, answer))
            threshold = get_console_settings().review_confidence_threshold
            review = review_capture.worth_reviewing(raw, threshold)
            if review is not None:
                message_at = event.timestamp if event.timestamp is not None else received
                await run_in_threadpool(_keep_for_review, event.sender_id, message_at, review)
        shown += 1
    return {"received": len(events), "published": shown}


@router.post("/deliveries", status_code=status.HTTP_202_ACCEPTED)
async def deliver(delivery: Delivery, request: Request) -> dict[str, str]:
    await request.app.state.live.publish(
        f"customer:{delivery.conversation_id}", {"type": "message", "message": delivery.message}
    )
    return {"status": "queued"}
