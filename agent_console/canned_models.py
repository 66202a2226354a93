"""The canned-response library: replies supervisors write once (in English and Chinese) and
agents insert by shortcut, with the customer's data filled in at the moment of use.

On the platform's one `Base`, so the one Alembic history migrates it (revision e3a0b0c00012)
and the tests' table cleanup sees it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from agent_console.models import Agent
from crm.clock import utcnow
from crm.db import Base


class CannedResponse(Base):
    """One reply of the library. `shortcut` is what an agent types (`/fees`); `intents` are
    the customer intents it answers, so it is offered first after such a message. Never
    deleted: a retired reply is `active = False` (who wrote what stays known)."""

    __tablename__ = "canned_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    shortcut: Mapped[str] = mapped_column(String(25), unique=True)
    title: Mapped[str] = mapped_column(String(80))
    text_en: Mapped[str] = mapped_column(Text)
    text_zh: Mapped[str] = mapped_column(Text)
    intents: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by: Mapped[int | None] = mapped_column(Integer, ForeignKey(Agent.id), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
