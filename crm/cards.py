"""Card status changes: which are possible, and which are no-ops (safe to repeat)."""

from __future__ import annotations

from typing import Literal

from crm.clock import business_now
from crm.models import Card

Operation = Literal["freeze", "unfreeze", "block"]
TARGET = {"freeze": "frozen", "unfreeze": "active", "block": "blocked"}
ALLOWED_FROM = {
    "freeze": {"active"},
    "unfreeze": {"frozen"},
    "block": {"active", "frozen", "inactive", "ordered"},
}


class ImpossibleTransition(Exception):
    """The card's status does not allow this operation (the API answers 409)."""


def change_status(card: Card, operation: Operation) -> tuple[str, bool]:
    """Apply the operation; returns (previous status, whether anything changed)."""
    previous, target = card.status, TARGET[operation]
    if previous == target:
        return previous, False
    if previous not in ALLOWED_FROM[operation]:
        raise ImpossibleTransition(
            f"Cannot {operation} card ending {card.last4}: it is {previous}"
            + (
                " (a blocked card stays blocked; order a replacement)."
                if previous == "blocked"
                else "."
            )
        )
    card.status = target
    card.updated_at = business_now()
    return previous, True
