"""Structured logging for every process: one line per record, no secret and no personal data
in it, the conversation id on it.

Every record passes one filter before it is written: secrets are redacted (the values of the
secret variables this process was given, and anything token-shaped: JWTs, bearer headers,
`token=` query parameters, Telegram bot tokens, passwords in URLs), then card, ID and phone
numbers are masked (core.pii). HTTP client libraries log every request line, URL included,
at INFO and DEBUG; they are held at WARNING. `LOG_FORMAT=json` gives one JSON object per
line; text lines escape newlines, so a customer's message cannot forge a log line. Log files
are created readable by their owner only.

Stdlib only (plus `core.pii`), so the Rasa runtime can load it from a dictConfig file.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import sys
import time
from functools import lru_cache

from core.pii import mask_pii

conversation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "conversation_id", default=None
)

# Variables whose values must never be written anywhere (DATABASE_URL and REDIS_URL may hold
# a password; the URL patterns below catch those too).
SECRET_VARIABLES = (
    "CRM_SERVICE_TOKEN",
    "APP_JWT_SECRET",
    "RASA_API_TOKEN",
    "ACTION_SERVER_TOKEN",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_WEBHOOK_SECRET",
    "DEMO_AGENT_PASSWORD",
)
# Libraries that log request lines (with URLs and headers) below WARNING.
CHATTY_LOGGERS = (
    "httpx",
    "httpcore",
    "urllib3",
    "aiohttp.access",
    "aiohttp.client",
    "telegram",
    "hpack",
    "websockets",
    "sanic.access",
    "uvicorn.access",
)
REDACTED = "[REDACTED]"
TOKEN_SHAPES = re.compile(
    r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"  # a JWT
    r"|(?i:bearer)\s+[A-Za-z0-9._~+/=-]{8,}"  # an Authorization header's value
    r"|\d{6,12}:[A-Za-z0-9_-]{30,}"  # a Telegram bot token (after "bot" in its API URLs)
    r"|(?<=[?&])(?i:token|secret|password|api_key|key)=[^&\s\"']+"  # a secret in a query
    r"|(?<=://)[^/\s:@]+:[^/\s@]+(?=@)"  # user:password in a URL
)


@lru_cache(maxsize=1)
def _secret_values() -> tuple[str, ...]:
    values = {os.environ.get(name, "") for name in SECRET_VARIABLES}
    return tuple(sorted((v for v in values if len(v) >= 6), key=len, reverse=True))


def redact_secrets(text: str) -> str:
    for value in _secret_values():
        if value in text:
            text = text.replace(value, REDACTED)
    return TOKEN_SHAPES.sub(REDACTED, text)


def clean(text: str) -> str:
    """What may be written: no secret, no card, ID or phone number."""
    return mask_pii(redact_secrets(text))


class PiiMaskingFilter(logging.Filter):
    """Renders the message once, redacts and masks it, and stamps the conversation id."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = str(record.msg)
        record.msg = clean(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = clean(record.exc_text)
        if not getattr(record, "conversation_id", None):
            record.conversation_id = conversation_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    def __init__(self, service: str | None = None) -> None:
        super().__init__()
        self.service = service or os.environ.get("SERVICE_NAME", "bank")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "conversation_id": getattr(record, "conversation_id", None),
            "message": record.getMessage(),
        }
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Readable lines for a developer's terminal, still with the conversation id; a newline
    inside a message is written as \\n, so every line of the log is one record."""

    def __init__(self, service: str | None = None) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s [%(conv)s] %(message)s")
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        record.conv = str(getattr(record, "conversation_id", None) or "-").replace("\n", "\\n")
        record.msg = str(record.msg).replace("\r", "\\r").replace("\n", "\\n")
        return super().format(record)


def quiet_chatty_loggers() -> None:
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def build_handler(service: str, fmt: str | None = None, stream=None) -> logging.Handler:
    """A handler that redacts and masks, formatted per `fmt` (default: LOG_FORMAT). Also
    holds the chatty HTTP loggers at WARNING: the Rasa runtime builds its handler here."""
    quiet_chatty_loggers()
    fmt = (fmt or os.environ.get("LOG_FORMAT", "text")).lower()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(PiiMaskingFilter())
    handler.setFormatter(JsonFormatter(service) if fmt == "json" else TextFormatter(service))
    return handler


def configure_logging(service: str, level: str | None = None, fmt: str | None = None) -> None:
    """Route the root logger (and so every library's logger) through the masking handler."""
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(build_handler(service, fmt))
    root.setLevel((level or os.environ.get("LOG_LEVEL", "INFO")).upper())


def private_file(path: os.PathLike | str, mode: str = "ab"):
    """Open a log or secret file readable by its owner only (0600), tightening an existing
    one that was created looser."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC),
                 0o600)  # fmt: skip
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, mode)
