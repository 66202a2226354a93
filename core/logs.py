"""Structured logging for every process: one line per record, PII masked, conversation id on it.

`LOG_FORMAT=json` gives one JSON object per line; anything else gives readable text.
Stdlib only (plus `core.pii`), so the Rasa runtime can load it from a dictConfig file.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import sys
import time

from core.pii import mask_pii

conversation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "conversation_id", default=None
)


class PiiMaskingFilter(logging.Filter):
    """Renders the message once, masks it, and stamps the current conversation id."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = str(record.msg)
        record.msg = mask_pii(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_pii(record.exc_text)
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
    """Readable lines for a developer's terminal, still with the conversation id."""

    def __init__(self, service: str | None = None) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s [%(conv)s] %(message)s")
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        record.conv = getattr(record, "conversation_id", None) or "-"
        return super().format(record)


def build_handler(service: str, fmt: str | None = None, stream=None) -> logging.Handler:
    """A handler that masks PII and formats per `fmt` (default: the LOG_FORMAT variable)."""
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
