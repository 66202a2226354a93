"""Rasa's event stream in, and messages out of band to customers' open chat pages.

Rasa (connectors/platform_events.py) posts every tracker event here: the agents watching a
conversation see its lines live, a customer message updates the conversation (its latest
channel) and answers a pending callback offer, and messages the assistant understood poorly
are kept for the designers' review. The in-app channel's output channel posts agent
messages and other out-of-band bot messages to /deliveries, which reach the customer's
open chat page.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from conversations import review_capture, summary_refresh, transcript
from conversations import status as conversation_status
from conversations.background import spawn
from conversations.live_events import CallbackBooked, ConversationLine, CustomerWrote, Delivery
from conversations.rasa_client import RasaUnavailable
from core.senders import SENDER_ID_PATTERN
from core.vocabulary import ConversationStatus
from crm.api.deps import require_service_token
from crm.db import session_scope
from crm.settings import get_settings

log = logging.getLogger(__name__)
router = APIRouter(tags=["live"], dependencies=[Depends(require_service_token)])

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
WITH_A_PERSON = (ConversationStatus.PENDING, ConversationStatus.OPEN)


class RasaEvent(BaseModel):
    """The fields of a Rasa tracker event the platform uses; the rest is passed through."""

    model_config = {"extra": "allow"}

    event: str = Field(max_length=64)
    sender_id: str = Field(pattern=SENDER_ID_PATTERN)
    timestamp: float | None = None


class DeliveryIn(BaseModel):
    conversation_id: str = Field(pattern=SENDER_ID_PATTERN)
    message: dict[str, Any]


def _customer_message(
    sender_id: str, channel: str | None, customer_id: Any, intent: str | None
) -> tuple[str, str | None]:
    """The conversation's status after this customer message, and the response owed to the
    customer if it answers the callback offer."""
    with session_scope() as session:
        conversation = conversation_status.note_customer_message(
            session, sender_id, channel, customer_id
        )
        answer = None
        if conversation.status == ConversationStatus.PENDING:
            answer = conversation_status.answer_callback_offer(session, sender_id, intent)
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
            await live.send(ConversationLine(event.sender_id, line, received))
        if event.event == "user":
            await _on_customer_message(request, event, raw, received)
        elif summary_refresh.triggers(raw):  # the handoff summary's line may change
            summary_refresh.refresh_soon(request.app, event.sender_id, event.timestamp)
        shown += 1
    return {"received": len(events), "published": shown}


async def _on_customer_message(
    request: Request, event: RasaEvent, raw: dict[str, Any], received: float
) -> None:
    metadata = raw.get("metadata") or {}
    parse = raw.get("parse_data") or {}
    channel = raw.get("input_channel") or metadata.get("channel")
    intent = (parse.get("intent") or {}).get("name")
    conversation, answer = await run_in_threadpool(
        _customer_message, event.sender_id, channel, metadata.get("customer_id"), intent
    )
    live = request.app.state.live
    if conversation in WITH_A_PERSON:
        # Every agent hears that something was said, not what (that needs access).
        await live.send(CustomerWrote(event.sender_id, received))
        summary_refresh.refresh_soon(request.app, event.sender_id, event.timestamp)
    if answer is not None:
        await live.send(CallbackBooked())
        # Not awaited: Rasa is waiting for this request to finish its own work.
        spawn(request.app, _say(request, event.sender_id, answer))
    threshold = get_settings().review_confidence_threshold
    review = review_capture.worth_reviewing(raw, threshold)
    if review is not None:
        message_at = event.timestamp if event.timestamp is not None else received
        await run_in_threadpool(_keep_for_review, event.sender_id, message_at, review)


@router.post("/deliveries", status_code=status.HTTP_202_ACCEPTED)
async def deliver(delivery: DeliveryIn, request: Request) -> dict[str, str]:
    await request.app.state.live.send(Delivery(delivery.conversation_id, delivery.message))
    return {"status": "queued"}
