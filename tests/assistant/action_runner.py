"""Run the project's custom actions as the action server does: rasa_sdk's ActionExecutor,
a tracker as Rasa serialises it (with the channel's metadata on the user message), and the
real domain from assistant/domain/."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk.executor import ActionExecutor

from connectors import platform_api

ROOT = Path(__file__).resolve().parents[2]

APP = {"channel": "app", "verified": True}
ANONYMOUS_SENDERS = {
    # An unlinked Telegram chat, as the Telegram connector sends it.
    "telegram-unlinked": {"channel": "telegram", "customer_id": None, "verified": False},
    # Claims a customer id but is not verified: must be treated as anonymous.
    "claims-id-unverified": {"channel": "telegram", "customer_id": 1, "verified": False},
    # A "verified" flag that is not the boolean true the connectors set.
    "verified-as-text": {"channel": "app", "customer_id": 1, "verified": "true"},
    # No metadata at all (e.g. Rasa's HTTP API).
    "no-metadata": {},
}


def load_domain() -> dict[str, Any]:
    """The domain as Rasa merges the directory (only the parts actions read)."""
    merged: dict[str, Any] = {"responses": {}, "slots": {}, "forms": {}, "actions": []}
    merged["intents"] = []
    for path in sorted((ROOT / "assistant" / "domain").glob("*.yml")):
        part = yaml.safe_load(path.read_text()) or {}
        for key in ("responses", "slots", "forms"):
            merged[key].update(part.get(key) or {})
        merged["actions"] += part.get("actions") or []
        merged["intents"] += [
            i if isinstance(i, str) else next(iter(i)) for i in part.get("intents") or []
        ]
    return merged


DOMAIN = load_domain()


def app_metadata(customer_id: int) -> dict[str, Any]:
    return {**APP, "customer_id": customer_id}


def tracker(
    metadata: dict[str, Any],
    intent: str,
    *,
    sender: str | None = None,
    text: str = "",
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    ranking: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
    recent_slots: dict[str, Any] | None = None,
    history: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A tracker whose latest user message has `intent` and the channel's `metadata`.

    `recent_slots` become SlotSet events after the user message, as a form passes slot
    candidates to its validation action.
    """
    customer_id = metadata.get("customer_id")
    sender = sender or (f"customer-{customer_id}" if customer_id else "telegram-424242")
    message = {
        "text": text or f"/{intent}",
        "intent": {"name": intent, "confidence": 1.0},
        "intent_ranking": ranking or [{"name": intent, "confidence": 1.0}],
        "entities": entities or [],
        "metadata": metadata,
    }
    values = {slot: None for slot in DOMAIN["slots"]} | (slots or {}) | (recent_slots or {})
    events = [
        *(history or []),
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": message["text"], "parse_data": message, "metadata": metadata},
    ]
    if recent_slots:
        events.append({"event": "action", "name": active_loop or "action_listen"})
        events += [{"event": "slot", "name": k, "value": v} for k, v in recent_slots.items()]
    return {
        "sender_id": sender,
        "slots": values,
        "latest_message": message,
        "events": events,
        "paused": False,
        "followup_action": None,
        "active_loop": {"name": active_loop} if active_loop else {},
        "latest_action_name": "action_listen",
    }


def run_action(name: str, state: dict[str, Any]) -> dict[str, Any]:
    """The action server's answer: {"events": [...], "responses": [...]}."""

    async def call() -> dict[str, Any]:
        executor = ActionExecutor()
        executor.register_package("actions")
        try:
            result = await executor.run(
                {"next_action": name, "sender_id": state["sender_id"], "tracker": state,
                 "domain": DOMAIN, "version": "3.6.2"}
            )  # fmt: skip
        finally:
            await platform_api.close()
        return result or {"events": [], "responses": []}

    return asyncio.run(call())


def said(result: dict[str, Any]) -> list[str]:
    """Names of the domain responses the action sent, in order."""
    return [r.get("response") for r in result["responses"]]


def slots_set(result: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in result["events"] if e.get("event") == "slot"}


def as_text(result: dict[str, Any]) -> str:
    """Everything the action sends back (messages, buttons, values), for leak checks."""
    return json.dumps(result, default=str)


def text_of(response: dict[str, Any]) -> str:
    """A response as the customer reads it: the domain text filled with the action's values."""
    template = DOMAIN["responses"][response["response"]][-1]["text"]
    values = {k: v for k, v in response.items() if k not in ("response", "text", "buttons")}
    for key, value in values.items():
        template = template.replace("{" + key + "}", str(value))
    return template
