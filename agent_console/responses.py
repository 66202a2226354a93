"""Render the assistant's own responses (from Rasa's domain) for the console to send.

The words stay in `assistant/domain/*.yml`, where designers edit and translate them; which
response and which values is `core.wording` (the same choice the assistant's actions make);
this module fills the `{placeholders}` as Rasa's template generator does.
"""

from __future__ import annotations

import re
from typing import Any

from core.language import EN
from core.wording import Reply

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
Responses = dict[str, list[dict[str, Any]]]


def _conditions_hold(variation: dict[str, Any], slots: dict[str, Any]) -> bool:
    for condition in variation.get("condition") or []:
        value, wanted = slots.get(condition.get("name")), condition.get("value")
        if isinstance(value, str) and isinstance(wanted, str):
            value, wanted = value.casefold(), wanted.casefold()
        if value != wanted:
            return False
    return True


def choose(
    variations: list[dict[str, Any]], channel: str | None = None, slots: dict | None = None
) -> dict[str, Any] | None:
    """The variation Rasa's generator would pick (rasa.core.nlg.generator), first of:
    conditional for this channel, default for this channel, conditional for any channel,
    default for any channel. `slots` carries at least the conversation's language."""
    slots = {"language": EN, **(slots or {})}
    conditional = [v for v in variations if v.get("condition") and _conditions_hold(v, slots)]
    default = [v for v in variations if not v.get("condition")]
    for group in (
        [v for v in conditional if v.get("channel") == channel],
        [v for v in default if v.get("channel") == channel],
        [v for v in conditional if not v.get("channel")],
        [v for v in default if not v.get("channel")],
    ):
        if group:
            return group[0]
    return None


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
    responses: Responses, reply: Reply, channel: str | None = None, slots: dict | None = None
) -> dict[str, Any] | None:
    """The first of the reply's options the domain can say with its values; None if none."""
    for name, values in reply.options:
        rendered = render(responses, name, values, channel=channel, slots=slots)
        if rendered is not None:
            return rendered
    return None
