"""Pick the customer messages a designer should look at out of Rasa's event stream.

A message the assistant fell back on, ruled out of scope while unsure of it (the NLU's scope
gate), or answered with less confidence than REVIEW_CONFIDENCE_THRESHOLD, is kept (masked)
with what the assistant thought it meant.
Button presses (`/intent{...}` payloads) are not language and are skipped.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from conversations.models import ReviewItem
from core.pii import mask_pii

FALLBACK_INTENT = "nlu_fallback"
GATE_KEY = "out_of_scope_gate"  # set by assistant.components.scope_gate when it rejects
MAX_TEXT = 1000


def worth_reviewing(event: dict[str, Any], threshold: float) -> dict[str, Any] | None:
    """The review row for a `user` event, or None when the assistant understood it well."""
    text = (event.get("text") or "").strip()
    parse = event.get("parse_data") or {}
    intent = parse.get("intent") or {}
    name, confidence = intent.get("name"), intent.get("confidence")
    if not text or text.startswith("/") or name is None or confidence is None:
        return None
    if name == FALLBACK_INTENT:
        # What the classifier would have said: the best intent below the threshold.
        ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") != name]
        best = ranking[0] if ranking else {}
        predicted, score, reason = best.get("name"), best.get("confidence", 0.0), "fallback"
    elif parse.get(GATE_KEY):
        # Refused as out of scope while the classifier was unsure: maybe a banking question.
        gate = parse[GATE_KEY]
        predicted, score, reason = gate.get("name"), gate.get("confidence", 0.0), "out_of_scope"
    elif float(confidence) < threshold:
        predicted, score, reason = name, confidence, "low_confidence"
    else:
        return None
    return {
        "text": " ".join(mask_pii(text).split())[:MAX_TEXT],
        "predicted_intent": predicted,
        "confidence": float(score or 0.0),
        "reason": reason,
    }


def capture(session: Session, conversation_id: str, message_at: float, row: dict) -> bool:
    """Store one message for review; False if this message is already there (a replay)."""
    exists = session.scalar(
        select(ReviewItem.id).where(
            ReviewItem.conversation_id == conversation_id, ReviewItem.message_at == message_at
        )
    )
    if exists is not None:
        return False
    session.add(ReviewItem(conversation_id=conversation_id, message_at=message_at, **row))
    return True
