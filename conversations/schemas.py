"""Wire schemas of the conversation API (handoffs), kept apart from the SQLAlchemy models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from core.senders import SENDER_ID_PATTERN
from core.vocabulary import HandoffReason
from crm.schemas import UtcDateTime

Priority = Literal["high", "normal"]


class HandoffIn(BaseModel):
    conversation_id: str = Field(pattern=SENDER_ID_PATTERN)
    customer_id: int | None = None
    channel: str = Field(min_length=1, max_length=16)
    reason: HandoffReason
    priority: Priority = "normal"
    summary: str = Field(default="", max_length=500)
    # The customer's last topical intent: with the reason it picks the team (routing.team_for).
    intent: str | None = Field(default=None, max_length=64)


class HandoffOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: str
    customer_id: int | None
    channel: str
    reason: str
    priority: str
    summary: str
    status: str
    created_at: UtcDateTime
    claimed_by: int | None
    claimed_at: UtcDateTime | None
    team: str | None = None
