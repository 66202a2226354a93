"""Console API: read a conversation, reply in it, hand it back to the bot or close it.

The history comes from Rasa's tracker store (every channel, one conversation); replies go
through Rasa to the customer's latest channel. Only the agent who claimed the
conversation may act on it (403 for anyone else), and every look is audited.
"""

from __future__ import annotations

import logging
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from agent_console import audit, history, lifecycle
from agent_console.guards import ActingDep, Who, WhoDep
from agent_console.lifecycle import Access
from conversations import metrics, satisfaction, sla, transcript
from conversations.live_events import ConversationLine, HandoffClosed, HandoffStatus
from conversations.rasa_client import RasaUnavailable, agent_message
from core.senders import SENDER_ID_PATTERN
from core.vocabulary import ConversationStatus, Disposition
from crm.db import session_scope

log = logging.getLogger(__name__)
router = APIRouter(prefix="/console/api/conversations", tags=["console"])

ConversationId = Annotated[str, Path(pattern=SENDER_ID_PATTERN)]
HANDED_BACK_RESPONSE = "utter_agent_handed_back"
MAX_LINES = 500


class MessageIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


class HandBackIn(BaseModel):
    notes: str = Field(default="", max_length=2000)


# Ways an agent closes a conversation (handing it back is its own request).
Closing = Literal[
    Disposition.RESOLVED,
    Disposition.OFFER_ACCEPTED,
    Disposition.OFFER_DECLINED,
    Disposition.CALLBACK_REQUESTED,
    Disposition.ACCOUNT_CLOSED,
]


class CloseIn(BaseModel):
    disposition: Closing
    notes: str = Field(default="", max_length=2000)


def raise_for(exc: Exception) -> None:
    if isinstance(exc, lifecycle.NotFound):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such conversation.")
    if isinstance(exc, lifecycle.Forbidden):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=str(exc))
    if isinstance(exc, lifecycle.Conflict):
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc))
    raise exc


async def checked(conversation_id: str, who: Who, act: bool, audit_as: str = "") -> Access:
    """Access to the conversation (to look, or to act), audited when `audit_as` is given."""

    def _check() -> Access:
        with session_scope() as session:
            granted = (lifecycle.acting if act else lifecycle.access)(session, conversation_id, who)
            if audit_as:
                audit.record(session, who.id, audit_as, granted.customer_id, conversation_id)
            return granted

    try:
        return await run_in_threadpool(_check)
    except (lifecycle.NotFound, lifecycle.Forbidden, lifecycle.Conflict) as exc:
        raise_for(exc)
        raise


def rasa_failed(exc: RasaUnavailable) -> HTTPException:
    return HTTPException(
        status.HTTP_502_BAD_GATEWAY,
        detail=f"The assistant could not be reached; nothing was sent ({exc}).",
    )


def describe(granted: Access) -> dict[str, Any]:
    return {
        "id": granted.conversation_id,
        "customer_id": granted.customer_id,
        "channel": granted.channel,
        "status": granted.status,
        "handoff_id": granted.handoff_id,
        "handoff_status": granted.handoff_status,
        "owner": granted.owner_name,
        "can_act": granted.can_act,
    }


@router.get("/{conversation_id}")
async def read_conversation(conversation_id: ConversationId, who: WhoDep, request: Request):
    """The conversation so far: messages from every channel, intents, form steps, handoffs."""
    granted = await checked(conversation_id, who, act=False, audit_as="view_conversation")
    try:
        tracker = await request.app.state.rasa.tracker(conversation_id)
    except RasaUnavailable as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(exc)) from None

    def _queue_lines() -> list[dict[str, Any]]:
        with session_scope() as session:
            return history.handoff_lines(session, conversation_id)

    lines = history.merged(
        transcript.from_tracker(tracker), await run_in_threadpool(_queue_lines)
    )
    # The latest lines: a years-long conversation is not sent whole to a browser.
    clock = await run_in_threadpool(sla.clock_of, granted.handoff_id)  # the SLA timer
    return {"conversation": describe(granted) | {"sla": clock}, "lines": lines[-MAX_LINES:],
            "earlier_lines": max(0, len(lines) - MAX_LINES)}  # fmt: skip


@router.post("/{conversation_id}/messages", status_code=status.HTTP_202_ACCEPTED)
async def send_message(
    conversation_id: ConversationId, body: MessageIn, who: ActingDep, request: Request
) -> dict[str, str]:
    """The agent's reply, to the customer's latest channel (and into the history)."""
    granted = await checked(conversation_id, who, act=True)
    try:
        await request.app.state.rasa.append(conversation_id, [agent_message(body.text, who.author)])
    except RasaUnavailable as exc:
        raise rasa_failed(exc) from None
    await run_in_threadpool(sla.note_first_response, granted.handoff_id)  # stops the SLA clock
    metrics.AGENT_REPLIES.labels("typed").inc()
    return {"status": "sent"}


async def _end(
    request: Request,
    conversation_id: str,
    who: Who,
    how: str,
    disposition: str,
    notes: str,
    farewell: str | None = None,
) -> bool:
    """Unpause the bot and close the claim; True if the customer heard `farewell`."""
    granted = await checked(conversation_id, who, act=True)
    rasa = request.app.state.rasa
    try:  # the bot answers again from now on; if Rasa is down nothing changes here either
        await rasa.append(conversation_id, [{"event": "resume"}])
    except RasaUnavailable as exc:
        raise rasa_failed(exc) from None

    def _finish() -> None:
        with session_scope() as session:
            lifecycle.finish(session, granted, who, how, disposition, notes)

    try:
        await run_in_threadpool(_finish)
    except lifecycle.Conflict as exc:
        raise_for(exc)
    told = False
    try:
        if farewell:
            await rasa.say(conversation_id, farewell)
            told = True
        # The customer rates this agent's help (stored per agent, team and intent); asked in
        # the session the customer wrote in, so that "latest" still names their channel.
        await satisfaction.ask_after_agent(rasa, conversation_id, granted.handoff_id)
        await rasa.new_session(conversation_id)
    except RasaUnavailable as exc:  # handed back all the same: the bot answers what comes next
        log.warning("after handing back %s: %s", conversation_id, exc)
    live = request.app.state.live
    await live.send(HandoffClosed(conversation_id))
    queue_line = {"kind": "queue", "state": "closed", "disposition": disposition,
                  "agent": who.name, "time": time.time()}  # fmt: skip
    await live.send(ConversationLine(conversation_id, queue_line))
    await live.send(HandoffStatus(conversation_id, status=ConversationStatus.BOT))
    return told


@router.post("/{conversation_id}/hand-back")
async def hand_back(
    conversation_id: ConversationId, body: HandBackIn, who: ActingDep, request: Request
) -> dict[str, Any]:
    """Give the conversation back to the bot, which tells the customer it is back."""
    told = await _end(
        request, conversation_id, who, "hand_back", Disposition.HANDED_BACK, body.notes,
        HANDED_BACK_RESPONSE,
    )
    return {"status": "handed_back", "customer_told": told}


@router.post("/{conversation_id}/close")
async def close(
    conversation_id: ConversationId, body: CloseIn, who: ActingDep, request: Request
) -> dict[str, str]:
    """End the conversation with a disposition and notes; the bot takes new messages."""
    await _end(request, conversation_id, who, "close", body.disposition, body.notes)
    return {"status": "resolved", "disposition": body.disposition}
