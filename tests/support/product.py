"""A throwaway copy of the whole product for system and end-to-end tests.

Migrated SQLite in a temp directory, a small synthetic bank, demo console users, and the
real Rasa server, action server and platform started as `make demo` starts them, on ports
the kernel hands out (two test runs on one machine never meet).

The synthetic bank is pinned (tests.support.pinned): the same seed and business date on
any day the tests run, and the platform judges the data on the day it was generated for.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from agent_console.training_data import copy_project
from scripts.stack import PLATFORM_PY, ROOT, Stack, free_ports
from tests.support.pinned import AS_OF, generator_args

MODEL = ROOT / "models" / "bank.tar.gz"
CUSTOMERS = 60
SECRETS = {
    "CRM_SERVICE_TOKEN": "system-test-service-token-0123456789",
    "APP_JWT_SECRET": "system-test-app-jwt-secret-0123456789abcdef",
    "RASA_API_TOKEN": "system-test-rasa-token-0123456789",
    "ACTION_SERVER_TOKEN": "system-test-action-server-token-0123",
    "DEMO_AGENT_PASSWORD": "system-test-agent-password",
}


def product_env(data: Path, **extra: str) -> dict[str, str]:
    """Environment for a product on three free ports (platform, Rasa, action server)."""
    platform_port, rasa_port, action_port = free_ports(3)
    platform = f"http://127.0.0.1:{platform_port}"
    rasa = f"http://127.0.0.1:{rasa_port}"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= SECRETS | {
        "PLATFORM_PORT": str(platform_port),
        "RASA_PORT": str(rasa_port),
        "ACTION_SERVER_PORT": str(action_port),
        "DATA_DIR": str(data),
        "RASA_MODEL": str(MODEL),
        "DEMO_MODE": "true",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "DEBUG",
        "PUBLIC_URL": platform,
        "CRM_API_URL": f"{platform}/api/v1",
        "RASA_URL": rasa,
        "RASA_PUBLIC_URL": rasa,
        "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
        "RASA_TELEMETRY_ENABLED": "false",
        "BANK_AS_OF": AS_OF,  # the platform judges the data on the day it was made for
        # A handoff left pending by one test must not get the "nobody is free" message in
        # the middle of another; the timeout has its own test with its own platform.
        "HANDOFF_TIMEOUT_SECONDS": "3600",
        # The SLA check looks every second (the targets stay the bank's: minutes); the SLA
        # browser test shortens the targets in the database while it runs.
        "SLA_CHECK_SECONDS": "1",
        # Every browser test signs the same demo agents in from one address, dozens of times
        # in a few minutes; the limits themselves have their own tests (tests/platform).
        "CONSOLE_LOGINS_PER_AGENT": "1000",
        "CONSOLE_LOGINS_PER_ADDRESS": "1000",
        # Calls and messages may go at any hour: a browser test must not depend on the time
        # of day it runs (quiet hours have their own tests in tests/platform).
        "MARKETING_QUIET_HOURS": "00:00-00:00",
        # The review page writes training data: into a copy, never into the checkout.
        "TRAINING_DATA_DIR": str(data / "project"),
    }
    return env | extra


def prepare(env: dict[str, str]) -> None:
    """Migrate, seed the pinned synthetic bank and the demo users, as `make seed` does."""
    if not MODEL.exists():
        raise RuntimeError(f"{MODEL} is missing: run `make train` first (make test does)")
    project = Path(env["TRAINING_DATA_DIR"])
    if not project.exists():
        copy_project(ROOT, project)
    for args in (
        ["-m", "alembic", "-c", "server/alembic.ini", "upgrade", "head"],
        generator_args(CUSTOMERS),
        ["-m", "agent_console.seed_agents"],
        ["-m", "agent_console.seed_canned"],
    ):
        subprocess.run([str(PLATFORM_PY), *args], cwd=ROOT, env=env, check=True, timeout=900)


def on_postgres_and_redis(name: str) -> dict[str, str]:
    """The production stores for a product: a fresh database on this run's PostgreSQL server
    (make test starts one; TEST_POSTGRES_URL) and Redis (its own database number), so the
    tracker store, the locks, the replay keys and the live events run as deployed. The
    demo's token issuer stays off: it refuses a PostgreSQL database (tests sign tokens)."""
    import uuid

    import psycopg

    server, redis = os.environ.get("TEST_POSTGRES_URL"), os.environ.get("TEST_REDIS_URL")
    if not server or not redis:
        raise RuntimeError("TEST_POSTGRES_URL and TEST_REDIS_URL are needed (make test sets them)")
    database = f"{name}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    return {
        "DATABASE_URL": f"{server.rsplit('/', 1)[0]}/{database}",
        "REDIS_URL": f"{redis.rsplit('/', 1)[0]}/7",
        "DEMO_MODE": "false",
    }


@contextlib.contextmanager
def running_product(**extra: str) -> Iterator[dict[str, str]]:
    with tempfile.TemporaryDirectory(prefix="bank-product-") as tmp:
        env = product_env(Path(tmp), **extra)
        prepare(env)
        stack = Stack.from_env(env, Path(tmp) / "logs")
        stack.start(timeout=300)
        try:
            yield env
        finally:
            stack.stop()
