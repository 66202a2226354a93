"""Async client for the customer API, with a hard timeout so a slow API never stalls a chat."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

from actions.settings import get_action_settings

log = logging.getLogger(__name__)


class CrmUnavailable(Exception):
    """The customer API is down, slow or broken; the bot apologises and carries on."""


class CrmNotFound(Exception):
    """The customer API does not know this customer or object."""


class CrmRejected(Exception):
    """The customer API refused the request (e.g. an impossible card state change)."""

    def __init__(self, status: int, detail: Any) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail


# Everything a call can end in besides success: actions catch these and say so politely.
ERRORS = (CrmUnavailable, CrmNotFound, CrmRejected)

_sessions: dict[int, aiohttp.ClientSession] = {}


def _session() -> aiohttp.ClientSession:
    """One pooled session per event loop (the action server runs one loop)."""
    loop = asyncio.get_running_loop()
    session = _sessions.get(id(loop))
    if session is None or session.closed:
        settings = get_action_settings()
        session = aiohttp.ClientSession(
            headers={"Authorization": f"Bearer {settings.crm_service_token}"},
            timeout=aiohttp.ClientTimeout(total=settings.crm_timeout_seconds),
        )
        _sessions[id(loop)] = session
    return session


async def request(method: str, path: str, conversation_id: str | None = None, **kwargs: Any) -> Any:
    """Call the API; map every failure onto the three exceptions the actions handle."""
    headers = {"X-Conversation-Id": conversation_id} if conversation_id else {}
    try:
        url = f"{get_action_settings().crm_api_url}/{path.lstrip('/')}"
        async with _session().request(method, url, headers=headers, **kwargs) as response:
            if response.status == 404:
                raise CrmNotFound(path)
            if 400 <= response.status < 500:
                detail = (await response.json(content_type=None) or {}).get("detail")
                raise CrmRejected(response.status, detail)
            if response.status >= 500:
                raise CrmUnavailable(f"{method} {path} answered {response.status}")
            return await response.json(content_type=None)
    except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
        log.warning("customer API %s %s failed: %s", method, path, exc.__class__.__name__)
        raise CrmUnavailable(str(exc)) from exc


async def get(path: str, conversation_id: str | None = None, **params: Any) -> Any:
    """GET with query parameters; a list or tuple value repeats the parameter."""
    pairs = [
        (key, str(value))
        for key, values in params.items()
        for value in (values if isinstance(values, list | tuple) else [values])
    ]
    return await request("GET", path, conversation_id, params=pairs or None)


async def post(path: str, body: dict, conversation_id: str | None = None) -> Any:
    return await request("POST", path, conversation_id, json=body)


async def close() -> None:
    """Close the running loop's pooled session (at shutdown, and between test event loops)."""
    session = _sessions.pop(id(asyncio.get_running_loop()), None)
    if session is not None and not session.closed:
        await session.close()
