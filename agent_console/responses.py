"""Render the assistant's own responses (from Rasa's domain) for the console to send.

The words stay in `assistant/domain/*.yml`, where designers edit and translate them; which
response and which values is `core.wording` (the same choice the assistant's actions make);
this module fills the `{placeholders}` as Rasa's template generator does.
"""

from __future__ import annotations

import re
from typing import Any

from core.wording import Reply

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
Responses = dict[str, list[dict[str, Any]]]


def _matches(variation: dict[str, Any], channel: str | None, slots: dict[str, Any]) -> bool:
    if variation.get("channel") and variation["channel"] != channel:
        return False
    for condition in variation.get("condition") or []:
        if slots.get(condition.get("name")) != condition.get("value"):
            return False
    return True


def choose(
    variations: list[dict[str, Any]], channel: str | None = None, slots: dict | None = None
) -> dict[str, Any] | None:
    """The variation Rasa would pick: channel- and condition-specific ones before the rest."""
    slots = slots or {}
    fitting = [v for v in variations if _matches(v, channel, slots)]
    specific = [v for v in fitting if v.get("channel") or v.get("condition")]
    return (specific or fitting or [None])[0]


def fill(text: str, values: dict[str, Any]) -> str | None:
    """The text with its placeholders filled; None if a value is missing."""
    missing = [name for name in PLACEHOLDER.findall(text) if values.get(name) is None]
    if missing:
        return None
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), text)


def render(
    responses: Responses,
    name: str,
    values: dict[str, Any] | None = None,
    channel: str | None = None,
    slots: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """{"response", "text", "buttons"} for a domain response, or None if it cannot be said."""
    variation = choose(responses.get(name) or [], channel, slots)
    if variation is None or not variation.get("text"):
        return None
    text = fill(variation["text"], values or {})
    if text is None:
        return None
    return {"response": name, "text": text, "buttons": variation.get("buttons") or []}


def render_reply(
    responses: Responses, reply: Reply, channel: str | None = None
) -> dict[str, Any] | None:
    """The first of the reply's options the domain can say with its values; None if none."""
    for name, values in reply.options:
        rendered = render(responses, name, values, channel=channel)
        if rendered is not None:
            return rendered
    return None
