"""Rasa's HTTP API as the platform calls it, for the platform tests (no Rasa runs beside
them; the browser tests and end-to-end conversations talk to the real one).

It serves the assistant's domain as written (`/domain`), a tracker whose `language` slot a
test sets (plus whatever `slots` adds), and records every POST: appended events, executed
actions, their query strings. `fail=True` answers every POST with 503 (Rasa down)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]


def domain_responses() -> dict[str, Any]:
    """Every response of the assistant's domain files, as the designers wrote them."""
    responses: dict[str, Any] = {}
    for path in (ROOT / "assistant" / "domain").glob("*.yml"):
        responses |= (yaml.safe_load(path.read_text()) or {}).get("responses") or {}
    return responses


def domain_text(name: str, language: str = "en") -> str:
    """The text of a response's variation for a language (zh, or any other for English)."""
    for variation in domain_responses()[name]:
        zh = any(c.get("value") == "zh" for c in variation.get("condition") or [])
        if zh == (language == "zh"):
            return variation["text"]
    raise AssertionError(name)


class RasaStandIn:
    def __init__(
        self, fail: bool = False, slots: Callable[[str], dict[str, Any]] | None = None
    ) -> None:
        # (conversation, what: the path's last part, query, body) of every POST
        self.calls: list[tuple[str, str, dict[str, str], Any]] = []
        self.language: dict[str, str] = {}
        responses = domain_responses()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, body: Any, code: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                if path == "/domain":
                    return self._json({"responses": responses})
                conversation = path.split("/")[2]
                tracker_slots = {"language": stand_in.language.get(conversation, "en")}
                tracker_slots |= slots(conversation) if slots else {}
                return self._json({"sender_id": conversation, "slots": tracker_slots,
                                   "events": []})  # fmt: skip

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                url = urlsplit(self.path)
                parts = url.path.split("/")
                stand_in.calls.append((parts[2], parts[-1], dict(parse_qsl(url.query)), body))
                return self._json({}, 503 if fail else 200)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()

    def last_calls(self, conversation: str, count: int) -> list[Any]:
        """The bodies of the last `count` calls to Rasa for the conversation."""
        return [body for c, _, _, body in self.calls if c == conversation][-count:]

    def said_to(self, conversation: str) -> list[str]:
        """What the assistant was told to say in the conversation (appended bot events)."""
        events = [e for c, what, _, body in self.calls if c == conversation and what == "events"
                  for e in (body if isinstance(body, list) else [body])]  # fmt: skip
        return [e["text"] for e in events if e.get("event") == "bot"]

    def executed(self) -> list[tuple[str, str, str | None]]:
        """(conversation, action, output channel) of every action it was asked to run."""
        return [(c, body["name"], query.get("output_channel"))
                for c, what, query, body in self.calls if what == "execute"]  # fmt: skip
