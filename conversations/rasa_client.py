"""The console's side of Rasa's HTTP API: read the tracker, speak to the customer, hand back.

Everything the customer sees goes through Rasa with `output_channel=latest`, so it reaches
the channel they last wrote from (app page, Telegram) and lands in the tracker store, the
one history of the conversation. Words for the customer come from the domain's responses.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from core import rasa_auth
from crm.settings import get_settings

JWT_SECONDS = 300
# Rasa (Sanic) closes a connection after 5 s idle; a pooled one reused just as it closes fails
# the call. httpx's default expiry is the same 5 s, so forget idle connections sooner.
KEEPALIVE_SECONDS = 2.0


class RasaUnavailable(Exception):
    """Rasa did not answer or refused; nothing reached the customer."""


class RasaNotFound(RasaUnavailable):
    """Rasa answered 404: it has no such conversation (or no such thing to do with it)."""


class RasaClient:
    def __init__(self, base_url: str, token: str, domain_ttl: float = 60) -> None:
        self._base = base_url.rstrip("/")
        self._secret = token
        self._jwt, self._jwt_until = "", 0.0
        self._client = httpx.AsyncClient(
            timeout=10, limits=httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS)
        )
        self._domain: dict[str, Any] | None = None
        self._domain_at = 0.0
        self._domain_ttl = domain_ttl

    @classmethod
    def from_settings(cls) -> RasaClient:
        settings = get_settings()
        return cls(settings.rasa_url, settings.rasa_api_token, settings.rasa_domain_cache_seconds)

    async def close(self) -> None:
        await self._client.aclose()

    def _authorization(self) -> str:
        """A short-lived admin JWT, renewed before it expires (never a token in the URL)."""
        if time.monotonic() > self._jwt_until:
            self._jwt = rasa_auth.admin_token(self._secret, JWT_SECONDS)
            self._jwt_until = time.monotonic() + JWT_SECONDS / 2
        return f"Bearer {self._jwt}"

    async def _call(self, method: str, path: str, text: bool = False, **kwargs: Any) -> Any:
        headers = {"Authorization": self._authorization()} | kwargs.pop("headers", {})
        try:
            response = await self._client.request(
                method, f"{self._base}{path}", headers=headers, **kwargs
            )
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"{type(exc).__name__} calling Rasa {path}") from None
        if response.status_code == 404:
            raise RasaNotFound(f"Rasa answered HTTP 404 on {path}")
        if response.status_code >= 300:
            raise RasaUnavailable(f"Rasa answered HTTP {response.status_code} on {path}")
        if text:
            return response.text
        return response.json() if response.content else None

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        """The whole conversation from the tracker store (every session, every channel)."""
        return await self._call(
            "GET", f"/conversations/{conversation_id}/tracker", params={"include_events": "ALL"}
        )

    async def history(self, conversation_id: str, last: int = 200) -> list[dict[str, Any]]:
        """What the customer said and was told, from every channel: the chat page's history
        (a bot reply is shown on the channel of the message it answered); the `last`
        messages only, however long the conversation has grown."""
        tracker = await self.tracker(conversation_id)
        history = []
        channel = None
        for event in tracker.get("events") or []:
            if event.get("event") not in ("user", "bot"):
                continue
            data = event.get("data") or {}
            metadata = event.get("metadata") or {}
            if event["event"] == "user":
                channel = event.get("input_channel") or metadata.get("channel")
            history.append(
                {
                    "type": event["event"],
                    "text": event.get("text"),
                    "buttons": data.get("buttons") or [],
                    "channel": metadata.get("channel") or channel,
                    "author": metadata.get("author"),
                    "timestamp": event.get("timestamp"),
                }
            )
        return history[-last:]

    async def story(self, conversation_id: str) -> str:
        """The conversation as a Rasa test story (YAML, Rasa's own writer; every session)."""
        return await self._call(
            "GET",
            f"/conversations/{conversation_id}/story",
            text=True,
            params={"all_sessions": "true"},
        )

    async def append(self, conversation_id: str, events: list[dict[str, Any]]) -> None:
        """Append events and run their side effects (bot messages go to the latest channel)."""
        await self._call(
            "POST",
            f"/conversations/{conversation_id}/tracker/events",
            params={"execute_side_effects": "true", "output_channel": "latest"},
            json=events,
        )

    async def say(self, conversation_id: str, response_name: str) -> None:
        """Send one of the domain's responses to the customer's latest channel."""
        await self._call(
            "POST",
            f"/conversations/{conversation_id}/execute",
            params={"output_channel": "latest"},
            json={"name": response_name},
        )

    async def act_first(
        self, conversation_id: str, action: str, channel: str, language: str
    ) -> dict[str, Any] | None:
        """Have the assistant speak first (a proactive message): the conversation's language
        set to the customer's, then `action` run with its messages sent to `channel` (the
        customer may never have written there). Returns the tracker after the action, or None
        when the action ran but the tracker could not be read back."""
        await self._call(
            "POST",
            f"/conversations/{conversation_id}/tracker/events",
            params={"execute_side_effects": "false"},
            json=[{"event": "slot", "name": "language", "value": language}],
        )
        await self._call(
            "POST",
            f"/conversations/{conversation_id}/execute",
            params={"output_channel": channel},
            json={"name": action},
        )
        # Rasa answers with the tracker as it was before the action ran: read it again.
        try:
            return await self._call("GET", f"/conversations/{conversation_id}/tracker")
        except RasaUnavailable:
            return None

    async def new_session(self, conversation_id: str) -> None:
        """Start a fresh dialogue session (slots carried over, ready to listen).

        After a person had the conversation its history holds customer messages the bot
        never answered; the bot's policies predict well only from a clean session."""
        await self.say(conversation_id, "action_session_start")

    async def responses(self) -> dict[str, list[dict[str, Any]]]:
        """The assistant's responses (the words), cached for a while."""
        if self._domain is None or time.monotonic() - self._domain_at > self._domain_ttl:
            self._domain = await self._call(
                "GET", "/domain", headers={"Accept": "application/json"}
            )
            self._domain_at = time.monotonic()
        return (self._domain or {}).get("responses") or {}


def agent_message(text: str, author: str, **data: Any) -> dict[str, Any]:
    """A `bot` event written by a person; `author` shows in every history."""
    event: dict[str, Any] = {
        "event": "bot",
        "text": text,
        "timestamp": time.time(),
        "metadata": {"author": author},
    }
    if data:
        event["data"] = data
    return event
