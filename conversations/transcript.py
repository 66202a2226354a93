"""A conversation as the agent reads it, from Rasa's tracker events (history and live alike).

Customer messages carry the channel, the language they are written in, the intent the
assistant understood and its confidence; bot and agent messages say who wrote them; form
steps, the bot pausing for a person and resuming complete the picture (the console adds the
queue's own handoff events). Card, ID and phone numbers a customer typed are masked: the
agent's task never needs them in full.
"""

from __future__ import annotations

from typing import Any

from core.language import detect
from core.pii import mask_pii

# Rasa's own bookkeeping actions; utter_ actions show as the bot messages they send.
QUIET_ACTIONS = {"action_listen", "action_session_start", "action_extract_slots"}


def _user(event: dict[str, Any]) -> dict[str, Any]:
    parse = event.get("parse_data") or {}
    intent = parse.get("intent") or {}
    metadata = event.get("metadata") or {}
    return {
        "kind": "customer",
        "text": mask_pii(event.get("text") or ""),
        "channel": event.get("input_channel") or metadata.get("channel"),
        "language": detect(event.get("text") or ""),
        "intent": intent.get("name"),
        "confidence": intent.get("confidence"),
        "entities": [
            {"entity": e.get("entity"), "value": mask_pii(str(e.get("value")))}
            for e in parse.get("entities") or []
            if e.get("entity") != "language"  # shown as the line's language
        ],
    }


def _bot(event: dict[str, Any]) -> dict[str, Any]:
    author = str((event.get("metadata") or {}).get("author") or "")
    data = event.get("data") or {}
    return {
        "kind": "agent" if author.startswith("agent:") else "bot",
        "author": author.removeprefix("agent:") or None,
        "text": event.get("text") or "",
        "buttons": [str(b.get("title")) for b in data.get("buttons") or [] if b.get("title")],
    }


def item(event: dict[str, Any]) -> dict[str, Any] | None:
    """One tracker event as a transcript line; None for what an agent need not see."""
    kind = event.get("event")
    if kind == "user":
        line = _user(event)
    elif kind == "bot":
        line = _bot(event)
    elif kind == "active_loop":
        line = {"kind": "form", "name": event.get("name")}
    elif kind == "slot":
        value = event.get("value")
        if event.get("name") == "requested_slot":
            if value is None:
                return None
            line = {"kind": "form_step", "name": str(value)}
        else:
            shown = None if value is None else mask_pii(str(value))[:200]
            line = {"kind": "slot", "name": event.get("name"), "value": shown}
    elif kind in ("pause", "resume"):
        line = {"kind": "handoff", "state": "paused" if kind == "pause" else "resumed"}
    elif kind == "action":
        name = event.get("name") or ""
        if name in QUIET_ACTIONS or name.startswith("utter_"):
            return None
        line = {"kind": "action", "name": name}
    elif kind == "session_started":
        line = {"kind": "session"}
    else:
        return None
    return line | {"time": event.get("timestamp")}


def from_tracker(tracker: dict[str, Any]) -> list[dict[str, Any]]:
    """The whole history; bot lines get the channel of the message they answered."""
    lines = []
    channel = None
    form_active = False
    for event in tracker.get("events") or []:
        line = item(event)
        if line is None:
            continue
        if line["kind"] == "customer":
            channel = line["channel"] or channel
        elif line["kind"] in ("bot", "agent"):
            line["channel"] = channel
        elif line["kind"] == "form":
            form_active = bool(line["name"])
        elif line["kind"] == "slot" and (not form_active or line["value"] is None):
            continue  # only the values a form collects are steps worth showing
        lines.append(line)
    return lines
