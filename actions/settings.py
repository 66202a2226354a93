"""Action-server configuration, from environment variables only (see .env.example)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


class ConfigError(SystemExit):
    """Stops start-up with a message naming the missing or invalid variable."""


@dataclass(frozen=True)
class ActionSettings:
    crm_api_url: str
    crm_service_token: str
    crm_timeout_seconds: float
    host: str
    port: int


@lru_cache(maxsize=1)
def get_action_settings() -> ActionSettings:
    token = os.environ.get("CRM_SERVICE_TOKEN", "")
    if len(token) < 16:
        raise ConfigError(
            "Configuration error (see .env.example):\n"
            "  CRM_SERVICE_TOKEN: must be set (at least 16 characters)"
        )
    try:
        timeout = float(os.environ.get("CRM_TIMEOUT_SECONDS", "2"))
        port = int(os.environ.get("ACTION_SERVER_PORT", "5055"))
    except ValueError as exc:
        raise ConfigError(
            f"Configuration error: CRM_TIMEOUT_SECONDS/ACTION_SERVER_PORT: {exc}"
        ) from None
    return ActionSettings(
        crm_api_url=os.environ.get("CRM_API_URL", "http://127.0.0.1:8000/api/v1").rstrip("/"),
        crm_service_token=token,
        crm_timeout_seconds=timeout,
        host=os.environ.get("ACTION_SERVER_HOST", "127.0.0.1"),
        port=port,
    )
