"""The words both runtimes and the database agree on, as enums instead of bare strings.

The database enforces the statuses with CHECK constraints built from these (see the
migrations); Python compares and stores the enum members (a StrEnum is its value).
"""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    """Where a customer speaks from (conversations, offers, handoffs, identities)."""

    APP = "app"
    TELEGRAM = "telegram"
    PHONE = "phone"
    BRANCH = "branch"
    WEB = "web"


class ConversationStatus(StrEnum):
    """Chatwoot's model: the bot has it, it waits for a person, a person has it, done."""

    BOT = "bot"
    PENDING = "pending"
    OPEN = "open"
    RESOLVED = "resolved"


class HandoffStatus(StrEnum):
    """A request for a person: in the queue, taken by an agent, ended."""

    PENDING = "pending"
    CLAIMED = "claimed"
    CLOSED = "closed"


class HandoffReason(StrEnum):
    CUSTOMER_REQUEST = "customer_request"
    FALLBACK = "fallback"
    RETENTION = "retention"
    COMPLAINT = "complaint"
    CALLBACK = "callback"


class Disposition(StrEnum):
    """How an agent's part of a conversation ended."""

    RESOLVED = "resolved"
    OFFER_ACCEPTED = "offer_accepted"
    OFFER_DECLINED = "offer_declined"
    CALLBACK_REQUESTED = "callback_requested"
    ACCOUNT_CLOSED = "account_closed"
    HANDED_BACK = "handed_back"


def values(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)
