"""One way to configure every process: typed settings, read from the environment once.

Each process declares a frozen dataclass of what it needs (the platform in `crm.settings`,
the action server in `actions.settings`, the Rasa server in `assistant.settings`), each
field made with `setting(...)`. `load(cls)` reads every field from the environment variable
of its name, converts it to the field's type, checks it, runs the class's own `problems()`
for rules across fields, and stops start-up with one message naming every variable at
fault. The settings shared by several processes (the service token, the app-token keys)
are declared once below, so they are checked the same way everywhere. Stdlib only: both
runtimes use it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
MISSING = dataclasses.MISSING


class ConfigError(SystemExit):
    """Stops start-up with a message that names each missing or invalid variable."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "Configuration error (see .env.example):\n" + "\n".join(f"  {p}" for p in problems)
        )


def setting(
    default: Any = MISSING,
    *,
    min_length: int | None = None,
    ge: float | None = None,
    le: float | None = None,
    choices: tuple[str, ...] | None = None,
    lower: bool = False,
    secret: bool = False,
) -> Any:
    """A dataclass field read from the variable named like the field, upper-cased.

    No default: the variable is required. `secret` keeps the value out of reprs."""
    checks = {"min_length": min_length, "ge": ge, "le": le, "choices": choices, "lower": lower}
    return dataclasses.field(default=default, repr=not secret, metadata={"checks": checks})


# Settings several processes read: declared once, checked the same way in each.
def service_token() -> Any:
    """CRM_SERVICE_TOKEN: how the Rasa side and the platform prove themselves to each other."""
    return setting(min_length=16, secret=True)


ACTION_TOKEN_HEADER = "X-Action-Server-Token"  # noqa: S105 - a header name


def action_server_token() -> Any:
    """ACTION_SERVER_TOKEN: Rasa sends it to the action server, which refuses calls without it
    (the actions trust the tracker they are sent: who the customer is, whether verified)."""
    return setting(min_length=16, secret=True)


def app_jwt_secret() -> Any:
    """APP_JWT_SECRET: the bank app's HS256 key for in-app chat tokens (or a public key)."""
    return setting("", secret=True)


def app_jwt_public_key() -> Any:
    return setting("", secret=True)


def app_token_max_seconds() -> Any:
    """APP_TOKEN_MAX_SECONDS: the longest life an app token may be signed for."""
    return setting(86_400, ge=60, le=31 * 86_400)


def app_jwt_issuer() -> Any:
    """APP_JWT_ISSUER: when set, app tokens must carry it as `iss`."""
    return setting("")


def app_token_problems(secret: str, public_key: str) -> list[str]:
    """The app-token keys: a public key, or a shared secret of at least 32 characters."""
    if public_key.strip() or len(secret) >= 32:
        return []
    return ["APP_JWT_SECRET: must be set (at least 32 characters), or set APP_JWT_PUBLIC_KEY"]


def _convert(kind: Any, raw: str) -> Any:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        if raw.strip() == "":
            return None
        return _convert(options[0], raw)
    if kind is bool:
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise ValueError("must be true or false")
    if kind is int:
        return int(raw)
    if kind is float:
        return float(raw)
    if kind is Path:
        return Path(raw)
    if kind is dt.date:
        return dt.date.fromisoformat(raw.strip())
    return raw


def _check(name: str, value: Any, checks: dict[str, Any]) -> str | None:
    if value is None:
        return None
    if checks["min_length"] is not None and len(value) < checks["min_length"]:
        return f"{name}: must be set (at least {checks['min_length']} characters)"
    if checks["ge"] is not None and value < checks["ge"]:
        return f"{name}: must be at least {checks['ge']}"
    if checks["le"] is not None and value > checks["le"]:
        return f"{name}: must be at most {checks['le']}"
    if checks["choices"] is not None and value not in checks["choices"]:
        return f"{name}: must be one of {', '.join(checks['choices'])}"
    return None


_loaded: list[Any] = []


def get(cls: type[T]) -> T:
    """This process's settings of type `cls`, built once. A process loads its whole settings
    class at start; a part of the code that needs only a base class (say, the customer
    API client) then gets that same object, so each process has one settings object."""
    for settings in _loaded:
        if isinstance(settings, cls):
            return settings
    settings = load(cls)
    _loaded.append(settings)
    return settings


def reset() -> None:
    """Forget the loaded settings (tests that change the environment between cases)."""
    _loaded.clear()


def load(cls: type[T], environ: typing.Mapping[str, str] | None = None) -> T:
    """Build `cls` from the environment, or raise ConfigError naming every bad variable."""
    environ = os.environ if environ is None else environ
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    problems: list[str] = []
    for field in dataclasses.fields(cls):
        name = field.name.upper()
        checks = field.metadata.get("checks") or {}
        raw = environ.get(name)
        if raw is None or (raw == "" and field.default is not MISSING):
            if field.default is MISSING:
                problems.append(f"{name}: must be set")
                continue
            values[field.name] = field.default
            continue
        try:
            value = _convert(hints[field.name], raw)
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
            continue
        if checks.get("lower") and isinstance(value, str):
            value = value.lower()
        problem = _check(name, value, checks) if checks else None
        if problem:
            problems.append(problem)
        values[field.name] = value
    if problems:
        raise ConfigError(problems)
    settings = cls(**values)
    more = settings.problems() if hasattr(settings, "problems") else []
    if more:
        raise ConfigError(more)
    return settings
