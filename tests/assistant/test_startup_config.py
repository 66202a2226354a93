"""A missing or invalid variable stops start-up with a message that names it."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "RASA_API_TOKEN": "startup-test-token-0123456789",
    "APP_JWT_SECRET": "startup-test-app-secret-0123456789abcdef",
    "CRM_SERVICE_TOKEN": "startup-test-service-token-01234",
    "ACTION_SERVER_TOKEN": "startup-test-action-token-012345",
}


def _run(
    module: str, env_overrides: dict[str, str | None], tmp_path
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in GOOD}
    env |= {"DATA_DIR": str(tmp_path), "ACTION_SERVER_PORT": "1"}
    for key, value in (GOOD | env_overrides).items():
        if value is not None:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-m", module], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("module", "variable", "value"),
    [
        ("assistant.serve", "RASA_API_TOKEN", None),
        ("assistant.serve", "RASA_API_TOKEN", "short"),
        ("assistant.serve", "APP_JWT_SECRET", None),
        ("actions.server", "CRM_SERVICE_TOKEN", None),
        ("actions.server", "ACTION_SERVER_TOKEN", None),
        ("assistant.serve", "ACTION_SERVER_TOKEN", "short"),
    ],
)
def test_start_up_names_the_bad_variable(module, variable, value, tmp_path) -> None:
    result = _run(module, {variable: value}, tmp_path)
    assert result.returncode != 0
    assert variable in result.stderr
    assert "Traceback" not in result.stderr


def test_an_api_token_starting_with_a_dash_reaches_rasa() -> None:
    """Generated tokens are URL-safe base64, so about one in 64 starts with "-"."""
    from rasa.cli.arguments.run import add_server_arguments

    from assistant.serve import rasa_command
    from assistant.settings import RasaSettings
    from core import config

    token = "-startup-test-token-0123456789"
    settings = config.load(RasaSettings, GOOD | {"RASA_API_TOKEN": token})
    command = rasa_command(settings, "endpoints.yml", "credentials.yml", "logging.yml")
    parser = argparse.ArgumentParser()
    add_server_arguments(parser)
    parser.add_argument("--model")
    parsed, _ = parser.parse_known_args(command[2:])
    assert parsed.jwt_secret == token
    assert parsed.auth_token is None  # no token is ever accepted in a URL


def test_every_rasa_side_setting_is_in_env_example() -> None:
    import dataclasses
    import re

    from actions.settings import ActionSettings
    from assistant.settings import RasaSettings

    text = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, re.M))
    for settings in (ActionSettings, RasaSettings):
        names = {f.name.upper() for f in dataclasses.fields(settings)}
        assert names - documented == set(), settings.__name__
