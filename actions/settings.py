"""The action server's settings (environment variables only, see .env.example)."""

from __future__ import annotations

from dataclasses import dataclass

from connectors.platform_api import PlatformApiSettings
from core import config


@dataclass(frozen=True, kw_only=True)
class ActionSettings(PlatformApiSettings):
    action_server_host: str = config.setting("127.0.0.1")
    action_server_port: int = config.setting(5055, ge=1, le=65535)
    action_server_token: str = config.action_server_token()


def get_action_settings() -> ActionSettings:
    return config.get(ActionSettings)
