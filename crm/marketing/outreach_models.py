"""Outreach items: one planned contact (an outbound call or a proactive message) per row.

Campaign launches and the event scan write them; the agents' call list (channel 'call') and the
proactive messenger (channels 'app' / 'telegram') consume them. `dedupe_key` is UNIQUE so that a
replayed launch or a second scan never plans the same contact twice ("campaign:5:77",
"event:large_deposit:12"). `claimed_by` holds agents.id without a foreign key: crm sits below
the console in the import layers and must not know its tables.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from crm.clock import business_now
from crm.db import Base

CHANNELS = ("call", "app", "telegram")
SOURCES = ("campaign", "event")
STATUSES = ("pending", "claimed", "sent", "done", "expired", "suppressed")
OPEN_STATUSES = ("pending", "claimed")  # still to be worked; expiry and suppression end them


class OutreachItem(Base):
    __tablename__ = "outreach_items"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_outreach_items_dedupe_key"),
        # The consumers' queue: "pending call items that may go now", oldest first.
        Index("ix_outreach_items_queue", "channel", "status", "not_before"),
        Index("ix_outreach_items_customer", "customer_id", "status"),
        Index("ix_outreach_items_campaign", "campaign_id"),
        Index("ix_outreach_items_opportunity", "opportunity_id"),
        Index("ix_outreach_items_expires", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    channel: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    # No foreign key: campaigns belong to another module and may be purged on their own schedule.
    campaign_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunities.id"), nullable=True
    )
    offer_code: Mapped[str | None] = mapped_column(ForeignKey("offers.code"), nullable=True)
    reason: Mapped[dict] = mapped_column(JSON, default=dict)
    expected_value: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=business_now)
    not_before: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    claimed_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    outcome_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    callback_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    presentation_id: Mapped[int | None] = mapped_column(
        ForeignKey("offer_presentations.id"), nullable=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    dedupe_key: Mapped[str] = mapped_column(String(120))
