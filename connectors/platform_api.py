"""The Rasa runtime's one client of the platform API (`/api/v1`): the actions read and change
the customer's data through it, the channels look up identities, post live events and
deliveries through it.

Service-token authenticated, with a hard timeout: the platform being slow must never stall
a customer's conversation. Every failure becomes one of three exceptions the callers handle
(the assistant apologises and carries on).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp

from core import config

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class PlatformApiSettings:
    """What this client needs; the action server's and the Rasa server's settings extend it."""

    crm_api_url: str = config.setting("http://127.0.0.1:8000/api/v1")
    crm_service_token: str = config.service_token()
    crm_timeout_seconds: float = config.setting(2.0, ge=0.1, le=60)


class PlatformUnavailable(Exception):
    """The platform is down, slow or broken; the bot apologises and carries on."""


class PlatformNotFound(Exception):
    """The platform does not know this customer, object or identity."""


class PlatformRejected(Exception):
    """The platform refused the request (e.g. an impossible card state change)."""

    def __init__(self, status: int, detail: Any) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail


# Everything a call can end in besides success: callers catch these and say so politely.
ERRORS = (PlatformUnavailable, PlatformNotFound, PlatformRejected)

_sessions: dict[int, aiohttp.ClientSession] = {}

# The platform (uvicorn) closes a connection after 5 s idle. Reusing a pooled one just as the
# server closes it fails the call with a reset; CI lost a customer's handoff that way. So the
# pool forgets idle connections well before the server does, and a call that may safely be
# sent twice is retried once on a fresh connection if it still meets a dropped one.
KEEPALIVE_SECONDS = 2.0


def _settings() -> PlatformApiSettings:
    return config.get(PlatformApiSettings)


def _session() -> aiohttp.ClientSession:
    """One pooled session per event loop (each server runs one loop)."""
    loop = asyncio.get_running_loop()
    session = _sessions.get(id(loop))
    if session is None or session.closed:
        settings = _settings()
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
            headers={"Authorization": f"Bearer {settings.crm_service_token}"},
            timeout=aiohttp.ClientTimeout(total=settings.crm_timeout_seconds),
        )
        _sessions[id(loop)] = session
    return session


async def request(
    method: str,
    path: str,
    conversation_id: str | None = None,
    *,
    idempotent: bool | None = None,
    **kwargs: Any,
) -> Any:
    """Call the API; map every failure onto the three exceptions callers handle.

    `idempotent` (default: only GET) says the call may be sent twice: it is retried once when
    the connection drops under it. Anything else (a complaint, a card block) is not, since the
    platform may have acted before the connection dropped."""
    retry = method == "GET" if idempotent is None else idempotent
    try:
        try:
            return await _send(method, path, conversation_id, **kwargs)
        except _DROPPED as exc:
            if not retry or isinstance(exc, aiohttp.ClientConnectorError):
                raise
            log.info("platform API %s %s: connection dropped, retrying once", method, path)
            return await _send(method, path, conversation_id, **kwargs)
    except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
        log.warning("platform API %s %s failed: %s", method, path, exc.__class__.__name__)
        raise PlatformUnavailable(str(exc)) from exc


# A connection that dropped under the call. A refused one (ClientConnectorError, the platform
# is down) is not retried: the customer hears the apology at once.
_DROPPED = (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)


async def _send(method: str, path: str, conversation_id: str | None, **kwargs: Any) -> Any:
    headers = {"X-Conversation-Id": conversation_id} if conversation_id else {}
    url = f"{_settings().crm_api_url.rstrip('/')}/{path.lstrip('/')}"
    async with _session().request(method, url, headers=headers, **kwargs) as response:
        if response.status == 404:
            raise PlatformNotFound(path)
        if 400 <= response.status < 500:
            detail = (await response.json(content_type=None) or {}).get("detail")
            raise PlatformRejected(response.status, detail)
        if response.status >= 500:
            raise PlatformUnavailable(f"{method} {path} answered {response.status}")
        return await response.json(content_type=None)


async def get(path: str, conversation_id: str | None = None, **params: Any) -> Any:
    """GET with query parameters; a list or tuple value repeats the parameter."""
    pairs = [
        (key, str(value))
        for key, values in params.items()
        for value in (values if isinstance(values, list | tuple) else [values])
    ]
    return await request("GET", path, conversation_id, params=pairs or None)


async def post(
    path: str, body: Any, conversation_id: str | None = None, *, idempotent: bool = False
) -> Any:
    """POST JSON; `idempotent=True` only where the platform takes a repeat as the same call."""
    return await request("POST", path, conversation_id, idempotent=idempotent, json=body)


async def close() -> None:
    """Close the running loop's pooled session (at shutdown, and between test event loops)."""
    session = _sessions.pop(id(asyncio.get_running_loop()), None)
    if session is not None and not session.closed:
        await session.close()
