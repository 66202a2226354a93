"""The customer's cards: which one the customer means, and reading them from the customer API.

Which statuses an operation may change is `core.card_states` (the customer API enforces the
same table); how statuses are told is `core.wording`.
"""

from __future__ import annotations

import re
from typing import Any

from actions.identity import Identity
from connectors import platform_api


async def fetch_cards(who: Identity, sender: str) -> list[dict[str, Any]]:
    cards = await platform_api.get(f"customers/{who.customer_id}/cards", sender)
    return sorted(cards or [], key=lambda c: (str(c.get("status")), str(c.get("last4"))))


def resolve(value: Any, cards: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The one card the customer meant: by its last digits, or by its kind when that is unique."""
    text = str(value or "").strip().lower()
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 4:
        matches = [c for c in cards if str(c.get("last4")) == digits[-4:]]
    else:
        matches = [c for c in cards if text and str(c.get("kind", "")).lower() in text]
    return matches[0] if len(matches) == 1 else None
