"""SLA targets: first-response time per team and priority; complaint due-date alerts sent.

The handoff's own clock (first_response_at, sla_due_at, sla_state) lives on `handoffs`
(conversations.models). Targets are rows so a bank can tune them without a release; the
code's defaults (conversations.sla.DEFAULT_TARGETS) apply where a row is missing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.clock import utcnow
from crm.db import Base


class SlaTarget(Base):
    """How soon an agent must first answer a handoff of this team and priority."""

    __tablename__ = "sla_targets"

    team: Mapped[str] = mapped_column(String(24), primary_key=True)
    priority: Mapped[str] = mapped_column(String(8), primary_key=True)
    first_response_seconds: Mapped[int] = mapped_column(Integer)


class ComplaintSlaAlert(Base):
    """A complaint's due-date alert that went out ('warning': due soon; 'breached': overdue).

    The primary key is the once-only guarantee: a second insert of the same alert fails, so
    the supervisor hears each one once even if two checks overlap."""

    __tablename__ = "complaint_sla_alerts"

    complaint_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(8), primary_key=True)
    alerted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
