"""Internal notes and supervisor whispers on a conversation, never shown to the customer.

A note is for whoever handles the conversation next (every agent who may look at it reads
it); a whisper is a supervisor's private word to the agent who owns the conversation now
(`to_agent_id`; besides them only supervisors read it). Neither goes through Rasa, so
neither can reach the customer's channel or the tracker store. No foreign key to
conversations or handoffs: retention and erasure delete these rows with them
(server.privacy), in any order.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.clock import utcnow
from crm.db import Base

NOTE = "note"
WHISPER = "whisper"
NOTE_KINDS = (NOTE, WHISPER)
MAX_NOTE = 2000


class ConversationNote(Base):
    __tablename__ = "conversation_notes"
    __table_args__ = (
        Index("ix_conversation_notes_conversation_time", "conversation_id", "created_at"),
        CheckConstraint("kind IN ('note', 'whisper')", name="ck_conversation_notes_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64))
    handoff_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    kind: Mapped[str] = mapped_column(String(8), default=NOTE)
    to_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    text: Mapped[str] = mapped_column(String(MAX_NOTE))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
