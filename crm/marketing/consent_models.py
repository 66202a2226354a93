"""Marketing consent per customer and channel: an append-only history (the latest row per
customer and channel wins; no row means no consent), so every change keeps its source and time."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.clock import utcnow
from crm.db import Base

CHANNELS = ("app", "telegram", "call")
SOURCES = ("onboarding", "chat", "console", "call_outcome", "app")


class MarketingConsent(Base):
    __tablename__ = "marketing_consents"
    __table_args__ = (
        Index("ix_marketing_consents_customer_channel", "customer_id", "channel", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    channel: Mapped[str] = mapped_column(String(16))
    granted: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(24))
    recorded_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
