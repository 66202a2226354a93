"""The platform's own protections, applied to every request before any route sees it.

- Request bodies are capped (MAX_BODY_BYTES) while they are read, so a client cannot make the
  server buffer a large body to be refused later (413).
- A caller's `X-Conversation-Id` labels the log lines of its request only when the caller is
  trusted (holds the service token): anyone else could otherwise write ids of their choosing
  into the logs.
- Pages get a strict Content-Security-Policy: scripts and styles only from our own files, no
  framing. The chat page may also talk to the in-app channel on the Rasa server.
"""

from __future__ import annotations

import hmac
import re
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 1_000_000
CONVERSATION_ID = re.compile(r"^[A-Za-z0-9:_-]{1,64}$")


def page_policy(connect_to: str = "") -> str:
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {connect_to}".rstrip()
        + "; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def trusted_conversation_id(headers: Any, service_token: str) -> str | None:
    """The caller's conversation id, if the caller is a service holding the token."""
    scheme, _, token = (headers.get("authorization") or "").partition(" ")
    trusted = hmac.compare_digest(token.encode(), service_token.encode())
    if scheme.lower() != "bearer" or not trusted:
        return None
    value = headers.get("x-conversation-id") or ""
    return value if CONVERSATION_ID.match(value) else None


class BodyLimit:
    """ASGI middleware: answer 413 as soon as a request body passes `limit` bytes (declared
    in Content-Length or counted while it streams)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared and declared.isdigit() and int(declared) > self.limit:
            await self._too_large(send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except BodyTooLarge:
            await self._too_large(send)

    @staticmethod
    async def _too_large(send: Send) -> None:
        body = b'{"detail": "The request body is too large."}'
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})


class BodyTooLarge(Exception):
    pass


def documented_errors(app: Any) -> dict[str, Any]:
    """The OpenAPI document, saying what a 422 really holds: FastAPI's list of validation
    errors, or (for a request that is well-formed but meaningless, like an unknown offer
    code) a sentence or an object with a message and a report."""
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    schema = get_openapi(title=app.title, version=app.version, description=app.description,
                         routes=app.routes)  # fmt: skip
    error = schema.get("components", {}).get("schemas", {}).get("HTTPValidationError")
    if error is not None:
        listed = error["properties"]["detail"]
        error["properties"]["detail"] = {
            "anyOf": [listed, {"type": "string"}, {"type": "object"}], "title": "Detail"
        }
    app.openapi_schema = schema
    return schema
