"""Customer satisfaction answers: a 1-5 rating and an optional comment, per agent, team and
intent, so the dashboard can tell who and what customers were happy with.

One row per rated subject ("handoff-<id>" after an agent's part, "session-<start>" after the
assistant alone): the unique constraint makes a replayed or re-clicked rating count once.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from crm.clock import utcnow
from crm.db import Base


class SatisfactionRating(Base):
    __tablename__ = "satisfaction_ratings"
    __table_args__ = (
        UniqueConstraint("conversation_id", "subject", name="uq_satisfaction_subject"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="ck_satisfaction_rating"),
        Index("ix_satisfaction_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(String(40))
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("handoffs.id"), nullable=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    team: Mapped[str | None] = mapped_column(String(24), nullable=True)
    intent: Mapped[str | None] = mapped_column(String(64), nullable=True)
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    channel: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
