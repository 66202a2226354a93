"""Fixtures for the platform runtime: a migrated real database per backend, and the app."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

TEST_ENV = {
    "CRM_SERVICE_TOKEN": "test-service-token-0123456789",
    "APP_JWT_SECRET": "test-app-jwt-secret-0123456789-abcdefgh",
    "RASA_API_TOKEN": "test-rasa-token-0123456789",
    "DEMO_MODE": "true",
    "LOG_FORMAT": "text",
}
SERVICE_AUTH = {"Authorization": f"Bearer {TEST_ENV['CRM_SERVICE_TOKEN']}"}
ROOT = Path(__file__).resolve().parents[2]


def reset_platform_caches() -> None:
    """Settings and engines are cached per process; tests switch databases, so clear them."""
    from crm import db, settings

    for cached in (settings.get_settings, settings.get_database_settings):
        cached.cache_clear()
    if db.get_engine.cache_info().currsize:
        db.get_engine().dispose()
    db.get_engine.cache_clear()
    db.get_sessionmaker.cache_clear()


@pytest.fixture(autouse=True)
def platform_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in TEST_ENV.items():
        monkeypatch.setenv(key, value)
    yield
    reset_platform_caches()


def _fresh_postgres(url: str) -> None:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def migrate(url: str) -> None:
    """Build the schema with the real Alembic migrations, as `make demo` does."""
    from alembic import command
    from alembic.config import Config

    os.environ["DATABASE_URL"] = url
    reset_platform_caches()
    command.upgrade(Config(str(ROOT / "crm" / "alembic.ini")), "head")
    reset_platform_caches()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'bank.db'}"
    else:
        url = os.environ.get("TEST_POSTGRES_URL", "")
        if not url:
            pytest.skip("TEST_POSTGRES_URL is not set (make test starts PostgreSQL and sets it)")
        _fresh_postgres(url)
    previous = os.environ.get("DATABASE_URL")
    migrate(url)
    if previous is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = previous
    return url


@pytest.fixture
def db(database_url: str, monkeypatch: pytest.MonkeyPatch):
    """A session on a migrated database; every table is emptied after the test."""
    from crm.db import Base, get_engine, get_sessionmaker

    monkeypatch.setenv("DATABASE_URL", database_url)
    reset_platform_caches()
    session = get_sessionmaker()()
    yield session
    session.close()
    with get_engine().begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def client(db):
    from fastapi.testclient import TestClient

    from agent_console.main import create_app

    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        yield test_client
