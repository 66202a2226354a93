"""Conversation tables: one conversation per customer across channels, its requests for a
person, and the messages the assistant understood poorly.

On the platform's one `Base` (one Alembic history). Agents are the console's: these tables
refer to them by id only, so conversations never import the console. The statuses are the
enums of `core.vocabulary`, enforced by CHECK constraints; they change only in
`conversations.status`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.vocabulary import ConversationStatus, Disposition, HandoffReason, HandoffStatus, values
from crm.clock import utcnow
from crm.db import Base


def one_of(column: str, allowed: tuple[str, ...], name: str) -> CheckConstraint:
    quoted = ", ".join(f"'{v}'" for v in allowed)
    return CheckConstraint(f"{column} IN ({quoted})", name=name)


class Conversation(Base):
    """One conversation per Rasa sender (`customer-<id>` for a known customer, whatever
    channel), with Chatwoot-style status: bot → pending (waiting for an agent) → open
    (an agent owns it) → resolved (handed back or closed)."""

    __tablename__ = "conversations"
    __table_args__ = (
        one_of("status", values(ConversationStatus), "ck_conversations_status"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(16), default=ConversationStatus.BOT)
    last_channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    assigned_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Handoff(Base):
    """A request for a person, created by the assistant (or a callback request).

    status: pending (in the queue) -> claimed (an agent has it) -> closed (closed with a
    disposition, or handed back to the bot)."""

    __tablename__ = "handoffs"
    __table_args__ = (
        Index("ix_handoffs_status_created", "status", "created_at"),
        one_of("status", values(HandoffStatus), "ck_handoffs_status"),
        one_of("reason", values(HandoffReason), "ck_handoffs_reason"),
        one_of("sla_state", ("ok", "warning", "breached"), "ck_handoffs_sla_state"),
        Index("ix_handoffs_sla_state_due", "sla_state", "sla_due_at"),
        CheckConstraint(
            "disposition IS NULL OR disposition IN ("
            + ", ".join(f"'{v}'" for v in values(Disposition))
            + ")",
            name="ck_handoffs_disposition",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    channel: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(24))
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    summary: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(16), default=HandoffStatus.PENDING, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    disposition: Mapped[str | None] = mapped_column(String(24), nullable=True)
    notes: Mapped[str] = mapped_column(String(2000), default="")
    timeout_notified: Mapped[bool] = mapped_column(Boolean, default=False)
    # After the timeout message: offered -> accepted (now a callback) or declined (waits on).
    callback_offer: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # SLA (conversations.sla): the first agent reply, when it was due, ok/warning/breached.
    first_response_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    sla_due_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    sla_state: Mapped[str] = mapped_column(String(8), default="ok", server_default="ok")
    # The team whose queue it is in (conversations.routing.team_for; changed by a transfer).
    team: Mapped[str | None] = mapped_column(String(24), nullable=True)


REVIEW_REASONS = ("fallback", "out_of_scope", "low_confidence")
REVIEW_STATUSES = ("open", "added", "dismissed")


class ReviewItem(Base):
    """A customer message the assistant understood poorly, waiting for a designer.

    Captured from Rasa's event stream; the text is stored masked (card, ID and phone
    numbers never reach training data). One row per message: a replayed event is ignored."""

    __tablename__ = "nlu_review_items"
    __table_args__ = (
        UniqueConstraint("conversation_id", "message_at", name="uq_review_message"),
        Index("ix_review_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64))
    message_at: Mapped[float] = mapped_column(Float)  # the Rasa event's timestamp
    text: Mapped[str] = mapped_column(String(1000))
    predicted_intent: Mapped[str | None] = mapped_column(String(64), nullable=True)
    confidence: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")
    assigned_intent: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
