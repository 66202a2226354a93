"""Sending the domain's responses: the words stay in the domain, Python only picks one.

What to say about the customer's data (which response, with which values) is decided by
`core.wording`, the same way the agent console decides it; this module says it.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from core.wording import Reply


def has_response(domain: dict[str, Any], name: str) -> bool:
    return name in (domain.get("responses") or {})


def say(dispatcher: CollectingDispatcher, domain: dict[str, Any], reply: Reply) -> str | None:
    """Send the first of the reply's responses the domain has words for; None if none."""
    for name, values in reply.options:
        if has_response(domain, name):
            dispatcher.utter_message(response=name, **values)
            return name
    return None


def say_all(dispatcher: CollectingDispatcher, domain: dict[str, Any], replies: list[Reply]) -> None:
    for reply in replies:
        say(dispatcher, domain, reply)


def latest_intent(tracker: Any) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")
