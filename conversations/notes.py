"""Internal notes and whispers: written by agents and supervisors, read in the console only.

Nothing here talks to Rasa or to the customer's topic: a note or a whisper is a row in
`conversation_notes` and a live event to agents, so it cannot reach the customer's chat
page, their channel or the tracker store. Texts are masked before they are stored (an agent
who pastes a card number into a note does not keep it on file).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from conversations.note_models import MAX_NOTE, NOTE, WHISPER, ConversationNote
from core.pii import mask_pii

RECENT_NOTES = 200


def add(
    session: Session,
    conversation_id: str,
    author_id: int,
    text: str,
    handoff_id: int | None = None,
    kind: str = NOTE,
    to_agent_id: int | None = None,
) -> ConversationNote:
    """Store one note (for everyone who handles the conversation) or whisper (to one agent)."""
    if kind == WHISPER and to_agent_id is None:
        raise ValueError("a whisper is to one agent")
    note = ConversationNote(
        conversation_id=conversation_id,
        handoff_id=handoff_id,
        author_id=author_id,
        kind=kind,
        to_agent_id=to_agent_id if kind == WHISPER else None,
        text=mask_pii(text.strip())[:MAX_NOTE],
    )
    session.add(note)
    session.flush()
    return note


def visible(
    session: Session, conversation_ids: list[str], reader_id: int, supervisor: bool
) -> list[ConversationNote]:
    """Notes on these conversations `reader_id` may read, oldest first: every note; a whisper
    only for the agent it was for, its author and supervisors."""
    query = select(ConversationNote).where(ConversationNote.conversation_id.in_(conversation_ids))
    if not supervisor:
        query = query.where(
            or_(
                ConversationNote.kind == NOTE,
                ConversationNote.to_agent_id == reader_id,
                ConversationNote.author_id == reader_id,
            )
        )
    query = query.order_by(ConversationNote.created_at.desc(), ConversationNote.id.desc())
    return list(reversed(session.scalars(query.limit(RECENT_NOTES)).all()))


def shown(note: ConversationNote, names: dict[int, str]) -> dict[str, Any]:
    """A note as the console shows it: who wrote it (and to whom), when, what."""
    return {
        "id": note.id,
        "conversation_id": note.conversation_id,
        "handoff_id": note.handoff_id,
        "kind": note.kind,
        "author_id": note.author_id,
        "author": names.get(note.author_id, "an agent"),
        "to_agent_id": note.to_agent_id,
        "to": names.get(note.to_agent_id) if note.to_agent_id else None,
        "text": note.text,
        "time": epoch(note.created_at),
    }


def epoch(value: dt.datetime) -> float:
    """Stored times are naive UTC; the console's lines carry epoch seconds."""
    return value.replace(tzinfo=dt.UTC).timestamp()


def delete_for(session: Session, conversation_ids: Any) -> int:
    """Retention and erasure: the notes go with their conversations."""
    return session.execute(
        delete(ConversationNote).where(ConversationNote.conversation_id.in_(conversation_ids))
    ).rowcount
