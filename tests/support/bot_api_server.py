"""A local Telegram Bot API server for tests (stdlib only, 127.0.0.1).

Implements the Bot API methods the connector's python-telegram-bot client calls, so the
real library's code path runs without reaching Telegram. Test control endpoints under
/_test/ queue updates for polling and list what the bot sent.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class BotApiState:
    def __init__(self, token: str) -> None:
        self.token = token
        self.updates: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.calls: list[str] = []
        self.webhook: dict[str, Any] = {}
        self.lock = threading.Condition()
        self.message_ids = itertools.count(1000)
        self.update_ids = itertools.count(1)

    def queue_update(self, update: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            update = {"update_id": next(self.update_ids), **update}
            self.updates.append(update)
            self.lock.notify_all()
        return update

    def wait_for_sent(self, count: int, timeout: float = 30) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self.lock:
            while len(self.sent) < count and time.monotonic() < deadline:
                self.lock.wait(0.2)
            return list(self.sent)


def _params(handler: BaseHTTPRequestHandler) -> dict[str, Any]:
    length = int(handler.headers.get("Content-Length") or 0)
    raw = handler.rfile.read(length) if length else b""
    kind = handler.headers.get("Content-Type", "")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(handler.path).query))
    if "json" in kind and raw:
        return query | json.loads(raw)
    values = query | dict(urllib.parse.parse_qsl(raw.decode()))
    decoded: dict[str, Any] = {}
    for key, value in values.items():
        try:
            decoded[key] = json.loads(value)
        except ValueError:
            decoded[key] = value
    return decoded


def make_handler(state: BotApiState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def _reply(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self.do_POST()

        def do_POST(self) -> None:
            path = urllib.parse.urlsplit(self.path).path
            params = _params(self)
            if path.startswith("/_test/"):
                return self._control(path, params)
            prefix = f"/bot{state.token}/"
            if not path.startswith(prefix):
                return self._reply(
                    401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
                )
            method = path[len(prefix) :]
            state.calls.append(method)
            handler = getattr(self, f"m_{method.lower()}", None)
            if handler is None:
                return self._reply(
                    404, {"ok": False, "error_code": 404, "description": "Not Found"}
                )
            return self._reply(200, {"ok": True, "result": handler(params)})

        def _control(self, path: str, params: dict[str, Any]) -> None:
            if path == "/_test/updates":
                return self._reply(200, state.queue_update(params))
            if path == "/_test/sent":
                return self._reply(200, state.sent)
            return self._reply(404, {})

        def m_getme(self, _: dict) -> dict:
            return {
                "id": 4242, "is_bot": True, "first_name": "Bank", "username": "bank_test_bot",
                "can_join_groups": False, "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }  # fmt: skip

        def m_getupdates(self, params: dict) -> list:
            offset = int(params.get("offset") or 0)
            timeout = min(float(params.get("timeout") or 0), 2.0)
            deadline = time.monotonic() + timeout
            with state.lock:
                while True:
                    state.updates = [u for u in state.updates if u["update_id"] >= offset]
                    if state.updates or time.monotonic() >= deadline:
                        return list(state.updates)
                    state.lock.wait(0.1)

        def m_setwebhook(self, params: dict) -> bool:
            state.webhook = params
            return True

        def m_deletewebhook(self, _: dict) -> bool:
            state.webhook = {}
            return True

        def m_getwebhookinfo(self, _: dict) -> dict:
            return {"url": state.webhook.get("url", ""), "has_custom_certificate": False,
                    "pending_update_count": 0}  # fmt: skip

        def m_sendmessage(self, params: dict) -> dict:
            message = {
                "message_id": next(state.message_ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "from": self.m_getme({}),
                "text": params.get("text", ""),
            }
            with state.lock:
                state.sent.append({**params, "message_id": message["message_id"]})
                state.lock.notify_all()
            return message

        def m_answercallbackquery(self, _: dict) -> bool:
            return True

        def m_sendchataction(self, _: dict) -> bool:
            return True

        def m_editmessagereplymarkup(self, params: dict) -> bool:
            return True

    return Handler


class BotApiServer:
    """Run with `with BotApiServer(token) as server:`; `server.base_url` is what PTB needs."""

    def __init__(self, token: str, port: int = 0) -> None:
        self.state = BotApiState(token)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(self.state))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def __enter__(self) -> BotApiServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
