"""The Rasa server process's settings: the server, its stores, its channels (see .env.example).

Built once by `assistant.serve` before Rasa starts (a missing secret is named, not a stack
trace); the channels Rasa loads then read the same object.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from connectors.platform_api import PlatformApiSettings
from core import config

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, kw_only=True)
class StoreSettings:
    """Where Rasa keeps conversations and locks, and how it logs (the runtime files)."""

    data_dir: str = config.setting("")
    database_url: str = config.setting("", secret=True)  # may hold a password
    redis_url: str = config.setting("", secret=True)
    action_server_url: str = config.setting("http://127.0.0.1:5055/webhook")
    action_server_token: str = config.action_server_token()
    log_format: str = config.setting("text", choices=("text", "json"), lower=True)
    log_level: str = config.setting("INFO")

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir or PROJECT_ROOT / "data").resolve()


@dataclass(frozen=True, kw_only=True)
class RasaSettings(StoreSettings, PlatformApiSettings):
    rasa_api_token: str = config.setting(min_length=16, secret=True)
    rasa_model: str = config.setting(str(PROJECT_ROOT / "models"))
    rasa_host: str = config.setting("127.0.0.1")
    rasa_port: int = config.setting(5005, ge=1, le=65535)
    # The platform's address: the only origin browsers may call the in-app channel from.
    public_url: str = config.setting("http://127.0.0.1:8000")
    app_jwt_secret: str = config.app_jwt_secret()
    app_jwt_public_key: str = config.app_jwt_public_key()
    app_jwt_issuer: str = config.app_jwt_issuer()
    app_token_max_seconds: int = config.app_token_max_seconds()
    telegram_bot_token: str = config.setting("", secret=True)
    telegram_mode: str = config.setting("webhook", choices=("webhook", "polling"), lower=True)
    telegram_api_base_url: str = config.setting("https://api.telegram.org/bot")
    telegram_webhook_url: str = config.setting("")
    telegram_webhook_secret: str = config.setting("", secret=True)

    def problems(self) -> list[str]:
        found = config.app_token_problems(self.app_jwt_secret, self.app_jwt_public_key)
        webhook = self.telegram_bot_token and self.telegram_mode == "webhook"
        if webhook and len(self.telegram_webhook_secret) < 16:
            found.append("TELEGRAM_WEBHOOK_SECRET: must be set (>= 16 chars) in webhook mode")
        return found


def get_rasa_settings() -> RasaSettings:
    return config.get(RasaSettings)


def get_store_settings() -> StoreSettings:
    return config.get(StoreSettings)
