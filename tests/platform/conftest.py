"""Fixtures for the platform runtime: a migrated real database per backend, and the app."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import create_engine, text

from tests.support.pinned import AS_OF

TEST_ENV = {
    "CRM_SERVICE_TOKEN": "test-service-token-0123456789",
    "APP_JWT_SECRET": "test-app-jwt-secret-0123456789-abcdefgh",
    "RASA_API_TOKEN": "test-rasa-token-0123456789",
    # Off, as in production (the demo's routes have their own test).
    "DEMO_MODE": "false",
    "RETENTION_CHECK_SECONDS": "0",  # the retention test runs it itself
    "LOG_FORMAT": "text",
    # The bank's data is judged on a pinned day (crm.clock), whatever day the tests run.
    "BANK_AS_OF": AS_OF,
}
SERVICE_AUTH = {"Authorization": f"Bearer {TEST_ENV['CRM_SERVICE_TOKEN']}"}


def app_token_for(customer_id: int) -> str:
    """What the bank's app would sign for this customer (the chat page's token)."""
    from core import app_token

    return app_token.issue(customer_id, TEST_ENV["APP_JWT_SECRET"])


ROOT = Path(__file__).resolve().parents[2]


def reset_platform_caches() -> None:
    """Settings and engines are cached per process; tests switch databases, so clear them."""
    from core import config
    from crm import db

    config.reset()
    if db.get_engine.cache_info().currsize:
        db.get_engine().dispose()
    db.get_engine.cache_clear()
    db.get_sessionmaker.cache_clear()


@pytest.fixture(autouse=True)
def platform_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in TEST_ENV.items():
        monkeypatch.setenv(key, value)
    # Tests run the handoff timeout check themselves, so the app's own loop stays off.
    monkeypatch.setenv("HANDOFF_CHECK_SECONDS", "0")
    monkeypatch.setenv("SLA_CHECK_SECONDS", "0")  # and the SLA check (tests/platform/test_sla.py)
    reset_platform_caches()
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
    command.upgrade(Config(str(ROOT / "server" / "alembic.ini")), "head")
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

    from server.app import create_app

    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        yield test_client


class CrmWorld:
    """Builds customers with real postings on the test database, as the bank would book them."""

    def __init__(self, session) -> None:
        from crm.catalogue import seed_catalogue

        self.db = session
        seed_catalogue(session)
        session.commit()

    def customer(self, age: int = 40, tenure_years: int = 5, **fields):
        import datetime as dt

        from crm.clock import business_now
        from crm.models import Customer

        today = business_now().date()
        n = self.db.query(Customer).count() + 1
        customer = Customer(
            customer_no=fields.pop("customer_no", f"T{n:06d}"),
            full_name=fields.pop("full_name", f"Test Customer {n}"),
            phone=f"1390000{n:04d}",
            id_number=f"11010519800101{n:04d}",
            birth_date=today - dt.timedelta(days=int(age * 365.25) + 30),
            city="Beijing",
            joined_on=today - dt.timedelta(days=int(tenure_years * 365.25) + 30),
            **fields,
        )
        self.db.add(customer)
        self.db.flush()
        return customer

    def account(self, customer, kind: str = "current", product: str = "CUR", balance="0", **extra):
        import datetime as dt
        from decimal import Decimal

        from crm.models import Account

        number = f"62{customer.id:06d}{self.db.query(Account).count() + 1:08d}"
        row = Account(
            customer_id=customer.id,
            product_code=product,
            kind=kind,
            number=number,
            balance=Decimal(str(balance)),
            opened_on=dt.date(2015, 1, 1),
            **extra,
        )
        self.db.add(row)
        self.db.flush()
        return row

    def steady_history(self, account, level: str, months: int = 7, salary: str | None = None):
        """A balance held near `level` for `months` months, with salary in and spending out."""
        import datetime as dt
        from decimal import Decimal

        from crm.clock import business_now
        from crm.ledger import post

        start = business_now() - dt.timedelta(days=30 * months)
        post(self.db, account, level, "deposit", "Opening deposit", start)
        for m in range(months):
            when = start + dt.timedelta(days=30 * m + 10)
            amount = Decimal(salary or "3000")
            post(self.db, account, amount, "salary", "Salary - Test Employer", when)
            shop = "Card payment - Test Shop"
            post(self.db, account, -amount, "card_spend", shop, when + dt.timedelta(days=5))
        return account

    def analyse(self, *customers) -> None:
        """Refresh month balances, features and segments for these customers (the nightly batch)."""
        from crm.analytics.segments import refresh_segments
        from crm.ledger import refresh_account_months
        from crm.models import Account

        ids = [c.id for c in customers]
        accounts = [a.id for a in self.db.query(Account).filter(Account.customer_id.in_(ids))]
        refresh_account_months(self.db, accounts)
        refresh_segments(self.db, ids)
        self.db.commit()


@pytest.fixture
def crm_world(db) -> CrmWorld:
    return CrmWorld(db)


@pytest.fixture
def users(client, db):
    """The demo agents, signed in: agent (Alex), agent2 (Bea) and supervisor (Sam)."""
    from tests.platform.console_helpers import ConsoleUser, seed_users

    seed_users()
    return {name: ConsoleUser(client, name) for name in ("agent", "agent2", "supervisor")}


EVENTS = sa.Table(  # Rasa's SQL tracker store, as Rasa creates it
    "events", sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True), sa.Column("sender_id", sa.String(255)),
    sa.Column("type_name", sa.String(255)), sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)), sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)  # fmt: skip
REPLAYS = sa.Table(  # the replies the channels keep for retried messages
    "channel_replays", sa.MetaData(), sa.Column("key", sa.String(160), primary_key=True),
    sa.Column("reply", sa.Text), sa.Column("created_at", sa.Float),
)  # fmt: skip


@pytest.fixture
def tracker(db):
    """Rasa's tracker store beside the test database (where the platform reads and deletes
    conversations), empty before and after the test."""
    from conversations import tracker_records

    tracker_records.reset()
    engine = sa.create_engine(tracker_records.tracker_url())
    for table in (EVENTS, REPLAYS):
        table.create(engine, checkfirst=True)
    with engine.begin() as conn:
        for table in (EVENTS, REPLAYS):
            conn.execute(table.delete())
    yield engine
    with engine.begin() as conn:
        for table in (EVENTS, REPLAYS):
            conn.execute(table.delete())
    engine.dispose()
    tracker_records.reset()
