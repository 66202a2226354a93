"""Turns environment variables into the endpoints and logging files `rasa run` reads.

Rasa takes its tracker store, lock store and action endpoint from endpoints.yml; the bank
configures everything from the environment, so the launcher writes that file (mode 0600, it
may hold a database password) under the git-ignored data directory on every start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from assistant.settings import PROJECT_ROOT, get_store_settings
from core import config
from core.config import ConfigError
from core.logs import private_file

# Rasa's SQLTrackerStore (same `events` table), with its queries off the event loop.
TRACKER_STORE = "connectors.tracker_store.BankSQLTrackerStore"


def data_dir() -> Path:
    return get_store_settings().data_path


def tracker_store(database_url: str, data: Path) -> dict[str, Any]:
    """Rasa's SQL tracker store on the platform's database (SQLite file by default)."""
    if not database_url:
        return {"type": TRACKER_STORE, "dialect": "sqlite", "db": str(data / "tracker.db")}
    if database_url.startswith("sqlite:///"):
        path = Path(database_url[len("sqlite:///") :])
        return {"type": TRACKER_STORE, "dialect": "sqlite", "db": str(path.with_name("tracker.db"))}
    parts = urlsplit(database_url)
    if parts.scheme.split("+")[0] not in {"postgresql", "postgres"}:
        raise ConfigError(["DATABASE_URL: must be a sqlite:/// or postgresql:// URL"])
    return {
        "type": TRACKER_STORE,
        "dialect": "postgresql",
        "url": parts.hostname or "localhost",
        "port": parts.port or 5432,
        "db": parts.path.lstrip("/"),
        "username": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
    }


def tracker_database_url() -> str:
    """SQLAlchemy URL of the tracker store's database (other Rasa-side tables live there too)."""
    store = tracker_store(get_store_settings().database_url, data_dir())
    if store["dialect"] == "sqlite":
        return f"sqlite:///{store['db']}"
    from sqlalchemy.engine import URL

    return URL.create(
        "postgresql+psycopg2",
        username=store["username"] or None,
        password=store["password"] or None,
        host=store["url"],
        port=store["port"],
        database=store["db"],
    ).render_as_string(hide_password=False)


def lock_store(redis_url: str) -> dict[str, Any]:
    """Redis locks let several Rasa replicas share one tracker store; in-memory otherwise."""
    if not redis_url:
        return {"type": "in_memory"}
    parts = urlsplit(redis_url)
    if parts.scheme not in {"redis", "rediss"}:
        raise ConfigError(["REDIS_URL: must be a redis:// or rediss:// URL"])
    store: dict[str, Any] = {
        "type": "redis",
        "url": parts.hostname or "localhost",
        "port": parts.port or 6379,
        "db": int(parts.path.lstrip("/") or 0),
        "key_prefix": "bank",
        "use_ssl": parts.scheme == "rediss",
    }
    if parts.password:
        store["password"] = unquote(parts.password)
    return store


def endpoints() -> dict[str, Any]:
    settings = get_store_settings()
    return {
        "action_endpoint": {
            "url": settings.action_server_url,
            "headers": {config.ACTION_TOKEN_HEADER: settings.action_server_token},
        },
        "tracker_store": tracker_store(settings.database_url, settings.data_path),
        "lock_store": lock_store(settings.redis_url),
        # Every event also streams to the platform (live console), off the reply path.
        "event_broker": {"type": "connectors.platform_events.PlatformEventBroker"},
    }


def logging_config(fmt: str, level: str) -> dict[str, Any]:
    """Every Rasa log line, structlog's included, goes through the PII-masking handler."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"masked": {"()": "core.logs.build_handler", "service": "rasa", "fmt": fmt}},
        "root": {"level": level, "handlers": ["masked"]},
    }


TELEGRAM = "connectors.telegram_channel.TelegramChannel"


def credentials(telegram_bot_token: str) -> dict[str, Any]:
    """assistant/credentials.yml, without Telegram when it has no bot token."""
    base = yaml.safe_load((PROJECT_ROOT / "assistant" / "credentials.yml").read_text()) or {}
    return {
        channel: settings
        for channel, settings in base.items()
        if channel != TELEGRAM or telegram_bot_token
    }


def write_runtime_files(telegram_bot_token: str = "") -> tuple[Path, Path, Path]:
    """Write endpoints, credentials and logging files under DATA_DIR/runtime."""
    runtime = data_dir() / "runtime"
    runtime.mkdir(parents=True, exist_ok=True)
    credentials_path = runtime / "credentials.yml"
    channels = credentials(telegram_bot_token)
    credentials_path.write_text(yaml.safe_dump(channels, sort_keys=False))
    endpoints_path = runtime / "endpoints.yml"
    with private_file(endpoints_path, "w") as handle:
        yaml.safe_dump(endpoints(), handle, sort_keys=False)
    logging_path = runtime / "logging.yml"
    settings = get_store_settings()
    config = logging_config(settings.log_format, settings.log_level.upper())
    logging_path.write_text(yaml.safe_dump(config, sort_keys=False))
    return endpoints_path, credentials_path, logging_path
