"""Turns environment variables into the endpoints and logging files `rasa run` reads.

Rasa takes its tracker store, lock store and action endpoint from endpoints.yml; the bank
configures everything from the environment, so the launcher writes that file (mode 0600, it
may hold a database password) under the git-ignored data directory on every start.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent


# Rasa's SQLTrackerStore (same `events` table), with its queries off the event loop.
TRACKER_STORE = "connectors.tracker_store.BankSQLTrackerStore"


class ConfigError(SystemExit):
    """Stops start-up naming the variable at fault."""


def data_dir() -> Path:
    return Path(os.environ.get("DATA_DIR") or PROJECT_ROOT / "data").resolve()


def tracker_store(database_url: str, data: Path) -> dict[str, Any]:
    """Rasa's SQL tracker store on the platform's database (SQLite file by default)."""
    if not database_url:
        return {"type": TRACKER_STORE, "dialect": "sqlite", "db": str(data / "tracker.db")}
    if database_url.startswith("sqlite:///"):
        path = Path(database_url[len("sqlite:///") :])
        return {"type": TRACKER_STORE, "dialect": "sqlite", "db": str(path.with_name("tracker.db"))}
    parts = urlsplit(database_url)
    if parts.scheme.split("+")[0] not in {"postgresql", "postgres"}:
        raise ConfigError("Configuration error: DATABASE_URL must be sqlite:/// or postgresql://")
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
    store = tracker_store(os.environ.get("DATABASE_URL", ""), data_dir())
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
        raise ConfigError("Configuration error: REDIS_URL must be a redis:// or rediss:// URL")
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
    data = data_dir()
    return {
        "action_endpoint": {
            "url": os.environ.get("ACTION_SERVER_URL", "http://127.0.0.1:5055/webhook")
        },
        "tracker_store": tracker_store(os.environ.get("DATABASE_URL", ""), data),
        "lock_store": lock_store(os.environ.get("REDIS_URL", "")),
        # Every event also streams to the platform (live console), off the reply path.
        "event_broker": {"type": "connectors.platform_events.PlatformEventBroker"},
    }


def logging_config(fmt: str, level: str) -> dict[str, Any]:
    """Every Rasa log line, structlog's included, goes through the PII-masking handler."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"masked": {"()": "crm.logs.build_handler", "service": "rasa", "fmt": fmt}},
        "root": {"level": level, "handlers": ["masked"]},
    }


OPTIONAL_CHANNELS = {"connectors.telegram_channel.TelegramChannel": "TELEGRAM_BOT_TOKEN"}


def credentials() -> dict[str, Any]:
    """assistant/credentials.yml minus the channels whose token is not configured."""
    base = yaml.safe_load((PROJECT_ROOT / "assistant" / "credentials.yml").read_text()) or {}
    enabled = {}
    for channel, config in base.items():
        token_variable = OPTIONAL_CHANNELS.get(channel)
        if token_variable is None or os.environ.get(token_variable):
            enabled[channel] = config
    return enabled


def write_runtime_files() -> tuple[Path, Path, Path]:
    """Write endpoints, credentials and logging files under DATA_DIR/runtime."""
    runtime = data_dir() / "runtime"
    runtime.mkdir(parents=True, exist_ok=True)
    credentials_path = runtime / "credentials.yml"
    credentials_path.write_text(yaml.safe_dump(credentials(), sort_keys=False))
    endpoints_path = runtime / "endpoints.yml"
    fd = os.open(endpoints_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        yaml.safe_dump(endpoints(), handle, sort_keys=False)
    logging_path = runtime / "logging.yml"
    fmt = os.environ.get("LOG_FORMAT", "text").lower()
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    logging_path.write_text(yaml.safe_dump(logging_config(fmt, level), sort_keys=False))
    return endpoints_path, credentials_path, logging_path
