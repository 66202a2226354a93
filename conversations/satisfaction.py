"""Customer satisfaction: the assistant's action stores a rating here; the console asks for
one when an agent's part of a conversation ends.

A rating is about a subject: "handoff-<id>" (the console put it in the `csat_subject` slot
when the agent closed or handed back) or "session-<start>" (the assistant alone). For a
handoff the agent and team are the handoff's, never what the caller says, so a customer
cannot rate someone else's conversation. One row per subject: a replayed rating is ignored,
and a comment is added to the rating once.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import APIRouter, Depends, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conversations.models import Handoff
from conversations.rasa_client import RasaClient, RasaUnavailable
from conversations.satisfaction_models import SatisfactionRating
from core.pii import mask_pii
from core.senders import SENDER_ID_PATTERN
from crm.api.deps import require_service_token
from crm.db import session_scope

log = logging.getLogger(__name__)
router = APIRouter(
    prefix="/satisfaction", tags=["satisfaction"], dependencies=[Depends(require_service_token)]
)

ASK_RESPONSE = "utter_ask_csat"
SUBJECT_SLOT = "csat_subject"
SUBJECT_PATTERN = r"^(handoff-[0-9]{1,12}|session-[0-9]{1,12}(\.[0-9]{1,6})?)$"
HANDOFF_SUBJECT = re.compile(r"^handoff-([0-9]+)$")


class RatingIn(BaseModel):
    conversation_id: str = Field(pattern=SENDER_ID_PATTERN)
    subject: str = Field(pattern=SUBJECT_PATTERN)
    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=1000)
    intent: str | None = Field(default=None, max_length=64)
    channel: str = Field(min_length=1, max_length=16)


def handoff_subject(handoff_id: int) -> str:
    return f"handoff-{handoff_id}"


def _rated_handoff(session: Session, body: RatingIn) -> Handoff | None:
    """The handoff a "handoff-<id>" subject names, if it is this conversation's."""
    match = HANDOFF_SUBJECT.match(body.subject)
    if not match:
        return None
    handoff = session.get(Handoff, int(match.group(1)))
    return handoff if handoff and handoff.conversation_id == body.conversation_id else None


def _add_comment(session: Session, body: RatingIn) -> bool:
    """Add the comment to the stored rating, once.

    One conditional UPDATE (`comment IS NULL`): a replayed comment, or two arriving at once,
    cannot overwrite the first."""
    result = session.execute(
        update(SatisfactionRating)
        .where(
            SatisfactionRating.conversation_id == body.conversation_id,
            SatisfactionRating.subject == body.subject,
            SatisfactionRating.comment.is_(None),
        )
        .values(comment=mask_pii(body.comment or ""))
    )
    return result.rowcount == 1


def record(session: Session, body: RatingIn) -> tuple[SatisfactionRating, bool]:
    """(the stored rating, True if this call created it). The unique (conversation, subject)
    constraint settles a replay, even two at once: the second insert fails and the first
    row stands; only a missing comment is added to it."""
    handoff = _rated_handoff(session, body)
    row = SatisfactionRating(
        conversation_id=body.conversation_id,
        subject=body.subject,
        handoff_id=handoff.id if handoff else None,
        agent_id=handoff.claimed_by if handoff else None,
        team=handoff.team if handoff else None,
        intent=body.intent,
        rating=body.rating,
        comment=mask_pii(body.comment) if body.comment else None,  # read by supervisors
        channel=body.channel,
    )
    session.add(row)
    try:
        session.commit()
        return row, True
    except IntegrityError:
        session.rollback()
    if body.comment:
        _add_comment(session, body)
        session.commit()
    existing = session.scalar(
        select(SatisfactionRating).where(
            SatisfactionRating.conversation_id == body.conversation_id,
            SatisfactionRating.subject == body.subject,
        )
    )
    assert existing is not None  # the insert failed because it exists
    return existing, False


def describe(row: SatisfactionRating) -> dict[str, Any]:
    return {
        "id": row.id,
        "conversation_id": row.conversation_id,
        "subject": row.subject,
        "handoff_id": row.handoff_id,
        "agent_id": row.agent_id,
        "team": row.team,
        "intent": row.intent,
        "rating": row.rating,
        "comment": row.comment,
        "channel": row.channel,
    }


@router.post("", status_code=status.HTTP_201_CREATED)
async def rate(body: RatingIn, response: Response) -> dict[str, Any]:
    """201 for a new rating; 200 with the stored one when it was already given."""

    def _store() -> tuple[dict[str, Any], bool]:
        with session_scope() as session:
            row, created = record(session, body)
            return describe(row), created

    stored, created = await run_in_threadpool(_store)
    if not created:
        response.status_code = status.HTTP_200_OK
    return stored


async def ask_after_agent(rasa: RasaClient, conversation_id: str, handoff_id: int | None) -> bool:
    """Ask the customer to rate the agent's help (in the assistant's words, on their latest
    channel), naming the handoff in the conversation's `csat_subject` slot so the rating is
    stored for that agent and team. Call it before a new dialogue session starts: Rasa finds
    the customer's latest channel in the current session only (the slot carries over).
    False if Rasa could not be reached (not asked)."""
    if handoff_id is None:
        return False
    slot = {"event": "slot", "name": SUBJECT_SLOT, "value": handoff_subject(handoff_id)}
    try:
        await rasa.append(conversation_id, [slot])
        await rasa.say(conversation_id, ASK_RESPONSE)
    except RasaUnavailable as exc:
        log.warning("satisfaction question for %s not sent: %s", conversation_id, exc)
        return False
    return True
