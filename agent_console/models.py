"""Console tables: the people who log in (agents, supervisors, designers) and their sessions.

Kept apart from the customer record (`crm.models`) but on the same `Base`, so one Alembic
history migrates the whole platform database.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.clock import utcnow
from crm.db import Base

ROLES = ("agent", "supervisor", "designer")


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16), default="agent")
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    sessions: Mapped[list[AgentSession]] = relationship(back_populates="agent")


class AgentSession(Base):
    """A server-side login session; the cookie holds only a random id whose hash is stored."""

    __tablename__ = "agent_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)

    agent: Mapped[Agent] = relationship(back_populates="sessions")


CONVERSATION_STATUSES = ("bot", "pending", "open", "resolved")
HANDOFF_REASONS = ("customer_request", "fallback", "retention", "complaint", "callback")
DISPOSITIONS = (
    "resolved",
    "offer_accepted",
    "offer_declined",
    "callback_requested",
    "account_closed",
)


class Conversation(Base):
    """One conversation per Rasa sender (`customer-<id>` for a known customer, whatever
    channel), with Chatwoot-style status: bot → pending (waiting for an agent) → open
    (an agent owns it) → resolved (handed back or closed)."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(16), default="bot")
    last_channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    assigned_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    assigned_agent: Mapped[Agent | None] = relationship()


class Handoff(Base):
    """A request for a human, created by the assistant (or a callback request).

    status: pending (in the queue) -> claimed (an agent has it) -> closed (closed with a
    disposition, or handed back to the bot)."""

    __tablename__ = "handoffs"
    __table_args__ = (Index("ix_handoffs_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    channel: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(24))
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    summary: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    disposition: Mapped[str | None] = mapped_column(String(24), nullable=True)
    notes: Mapped[str] = mapped_column(String(2000), default="")
    timeout_notified: Mapped[bool] = mapped_column(Boolean, default=False)
    # After the timeout message: offered -> accepted (now a callback) or declined (waits on).
    callback_offer: Mapped[str | None] = mapped_column(String(16), nullable=True)

    conversation: Mapped[Conversation] = relationship()
    agent: Mapped[Agent | None] = relationship()


class AuditEntry(Base):
    """Who looked at or changed which customer's data, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(48))
    customer_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    detail: Mapped[str] = mapped_column(String(500), default="")


class LinkCode(Base):
    """A one-time code that links a messaging account (e.g. a Telegram chat) to a customer.

    Issued only to a verified in-app customer; valid for minutes, single use; only a hash
    of the code is stored."""

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


REVIEW_REASONS = ("fallback", "low_confidence")
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
