"""Which card status each operation starts from and ends in: one table for the customer API
(which enforces it) and the assistant (which offers only the cards an operation can change)."""

from __future__ import annotations

from typing import Literal

Operation = Literal["freeze", "unfreeze", "block"]
TARGET: dict[str, str] = {"freeze": "frozen", "unfreeze": "active", "block": "blocked"}
ALLOWED_FROM: dict[str, frozenset[str]] = {
    "freeze": frozenset({"active"}),
    "unfreeze": frozenset({"frozen"}),
    "block": frozenset({"active", "frozen", "inactive", "ordered"}),
}


def eligible(cards: list[dict], operation: str | None) -> list[dict]:
    """The cards (API dicts) this operation may change; block when none is named."""
    allowed = ALLOWED_FROM.get(operation or "block", frozenset())
    return [c for c in cards if c.get("status") in allowed]
