"""The platform's one settings object: every variable it reads is documented, and a bad one
stops start-up naming every variable at fault."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from core import config
from crm.settings import PlatformSettings

ENV_EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def documented() -> set[str]:
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.M))


def test_every_platform_setting_is_in_env_example() -> None:
    names = {f.name.upper() for f in dataclasses.fields(PlatformSettings)}
    assert names - documented() == set()


def test_bad_values_are_all_named_at_once() -> None:
    env = {
        "CRM_SERVICE_TOKEN": "short",
        "RASA_API_TOKEN": "x" * 20,
        "APP_JWT_SECRET": "x" * 40,
        "HANDOFF_TIMEOUT_SECONDS": "soon",
        "LOG_FORMAT": "xml",
    }
    with pytest.raises(config.ConfigError) as refused:
        config.load(PlatformSettings, env)
    message = str(refused.value)
    for name in ("CRM_SERVICE_TOKEN", "HANDOFF_TIMEOUT_SECONDS", "LOG_FORMAT"):
        assert name in message


def test_a_public_key_is_enough_for_app_tokens_outside_the_demo() -> None:
    key = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----"
    env = {"CRM_SERVICE_TOKEN": "x" * 20, "RASA_API_TOKEN": "x" * 20, "APP_JWT_PUBLIC_KEY": key}
    assert config.load(PlatformSettings, env).app_jwt_secret == ""
    with pytest.raises(config.ConfigError, match="APP_JWT_SECRET"):
        config.load(PlatformSettings, env | {"DEMO_MODE": "true"})  # the demo signs tokens
