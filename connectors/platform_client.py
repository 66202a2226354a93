"""Small async client the Rasa-side connectors use to reach the platform API.

Service-token authenticated, short timeouts: the platform being slow must never hold up a
customer's conversation.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import aiohttp

_sessions: dict[int, aiohttp.ClientSession] = {}


def platform_api_url() -> str:
    return os.environ.get("CRM_API_URL", "http://127.0.0.1:8000/api/v1").rstrip("/")


def service_token() -> str:
    token = os.environ.get("CRM_SERVICE_TOKEN", "")
    if len(token) < 16:
        raise SystemExit(
            "Configuration error (see .env.example):\n"
            "  CRM_SERVICE_TOKEN: must be set (at least 16 characters)"
        )
    return token


def session() -> aiohttp.ClientSession:
    loop = asyncio.get_running_loop()
    current = _sessions.get(id(loop))
    if current is None or current.closed:
        current = aiohttp.ClientSession(
            headers={"Authorization": f"Bearer {service_token()}"},
            timeout=aiohttp.ClientTimeout(total=float(os.environ.get("PLATFORM_TIMEOUT", "3"))),
        )
        _sessions[id(loop)] = current
    return current


async def post(path: str, body: Any) -> tuple[int, Any]:
    """POST JSON; returns (status, parsed body). Raises aiohttp/asyncio errors to the caller."""
    async with session().post(f"{platform_api_url()}/{path.lstrip('/')}", json=body) as response:
        return response.status, await response.json(content_type=None)


async def get(path: str) -> tuple[int, Any]:
    async with session().get(f"{platform_api_url()}/{path.lstrip('/')}") as response:
        return response.status, await response.json(content_type=None)
