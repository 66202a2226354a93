"""Fixtures for the action tests: the real platform (customer API) on a migrated, seeded SQLite.

The platform runs in its own runtime (.venvs/platform) as `make demo` runs it; the actions
under test reach it over HTTP exactly as the action server does.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from core import config
from scripts.stack import free_ports
from tests.support.pinned import AS_OF, generator_args

ROOT = Path(__file__).resolve().parents[2]
PLATFORM_PY = ROOT / ".venvs" / "platform" / "bin" / "python"
SERVICE_TOKEN = "actions-test-service-token-0123456789"
PLATFORM_SECRETS = {
    "CRM_SERVICE_TOKEN": SERVICE_TOKEN,
    "APP_JWT_SECRET": "actions-test-app-jwt-secret-0123456789abcdef",
    "RASA_API_TOKEN": "actions-test-rasa-token-0123456789",
}


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - local URL
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Settings are built once per process; tests that change the environment rebuild them."""
    config.reset()
    yield
    config.reset()


@pytest.fixture(scope="session")
def platform_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("platform")


@pytest.fixture(scope="session")
def platform_db(platform: str, platform_data: Path) -> Path:
    """The platform's SQLite file, to check what the actions recorded."""
    return platform_data / "bank.db"


@pytest.fixture(scope="session")
def platform(platform_data: Path) -> Iterator[str]:
    """URL of the customer API (…/api/v1) of a running platform with a synthetic bank."""
    data = platform_data
    (port,) = free_ports(1)
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        **PLATFORM_SECRETS,
        "DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'bank.db'}",
        "DEMO_MODE": "false",
        "LOG_FORMAT": "text",
        "PLATFORM_PORT": str(port),
        "BANK_AS_OF": AS_OF,
    }

    def run(*args: str) -> None:
        subprocess.run(
            [str(PLATFORM_PY), *args], cwd=ROOT, env=env, check=True, timeout=600,
            capture_output=True,
        )  # fmt: skip

    run("-m", "alembic", "-c", "server/alembic.ini", "upgrade", "head")
    run(*generator_args(40))
    log = (data / "platform.log").open("wb")
    process = subprocess.Popen(
        [
            str(PLATFORM_PY), "-m", "uvicorn", "--factory", "server.app:create_app",
            "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not _healthy(f"http://127.0.0.1:{port}/health"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"platform did not start; see {data / 'platform.log'}")
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}/api/v1"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture
def crm_env(platform: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The actions talk to the running platform (fresh settings for each test)."""
    yield from _point_actions_at(platform, monkeypatch)


@pytest.fixture
def dead_crm(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The actions talk to a port nobody listens on."""
    (port,) = free_ports(1)
    yield from _point_actions_at(f"http://127.0.0.1:{port}/api/v1", monkeypatch)


def _point_actions_at(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("CRM_API_URL", url)
    monkeypatch.setenv("CRM_SERVICE_TOKEN", SERVICE_TOKEN)
    monkeypatch.setenv("CRM_TIMEOUT_SECONDS", "2")
    config.reset()
    yield url
    config.reset()
