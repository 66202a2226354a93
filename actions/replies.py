"""Helpers for choosing domain responses: the words stay in the domain, Python only picks one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from rasa_sdk.executor import CollectingDispatcher


def has_response(domain: dict[str, Any], name: str) -> bool:
    return name in (domain.get("responses") or {})


def utter_first(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], names: list[str], **values: Any
) -> str | None:
    """Send the first of `names` the domain defines (specific before generic); None if none."""
    for name in names:
        if has_response(domain, name):
            dispatcher.utter_message(response=name, **values)
            return name
    return None


def response_key(intent: str) -> str:
    """The response-name form of an intent (BANKING77 has 'Refund_...' and '...payment?')."""
    return intent.lower().rstrip("?")


def latest_intent(tracker: Any) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def money(value: Any) -> str:
    """Amounts exactly as the bank stores them (two decimals), never rounded by a float."""
    try:
        return f"{Decimal(str(value)):.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def day(value: Any) -> str:
    """The date part of an ISO date or timestamp, as the app shows it (YYYY-MM-DD)."""
    if not value:
        return ""
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        return str(value)[:10]
