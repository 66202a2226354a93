"""The marketing scale bench (bench/marketing_scale.py) runs end to end on a small bank, and the
lean synthetic history it builds on leaves every figure the marketing code reads unchanged."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def scale_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A database of its own on the tests' PostgreSQL server (the bench drops its schema)."""
    server = os.environ.get("TEST_POSTGRES_URL", "")
    if not server:
        pytest.skip("TEST_POSTGRES_URL is not set (make test starts PostgreSQL and sets it)")
    name = f"bank_scale_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        server.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    monkeypatch.setenv("DATABASE_URL", "sqlite://")  # restored after the bench repoints it
    monkeypatch.setenv("BANK_AS_OF", AS_OF.isoformat())
    yield server.rsplit("/", 1)[0] + f"/{name}"
    from tests.platform.conftest import reset_platform_caches

    reset_platform_caches()  # closes the bench's pooled connections to that database
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _table(output: str) -> dict[str, str]:
    """figure -> the rest of its line, from the bench's printed table."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("figure"))
    return {line[:36].strip(): line[36:] for line in lines[start + 2 :] if line.strip()}


def test_bench_builds_a_bank_and_times_every_step_against_its_target(scale_database, capsys):
    from bench import marketing_scale

    assert marketing_scale.main(["--customers", "300", "--database-url", scale_database]) == 0
    rows = _table(capsys.readouterr().out)
    assert "population: synthetic bank, lean" in rows
    for figure, target in (
        ("event scan + routing", "< 60 s"),
        ("event scan + routing, next round", "< 60 s"),
        ("campaign preview", "< 30 s"),
        ("campaign launch", "< 30 s"),
        ("campaign preview + launch", "< 30 s"),
    ):
        assert target in rows[figure], figure
        assert "meets" in rows[figure] or "MISSES" in rows[figure], figure
    for channel in ("app", "telegram", "call"):
        assert "refused" in rows[f"contact policy blocked(), {channel}"]
    assert "300 matched" in rows["campaign preview"]
    assert " target, " in rows["campaign launch"] and " control; " in rows["campaign launch"]
    assert "nothing changed" in rows["campaign launch again (idempotent)"]

    # A second run on the same bank skips the build and measures the same way.
    assert (
        marketing_scale.main(["--customers", "300", "--database-url", scale_database, "--reuse"])
        == 0
    )
    again = _table(capsys.readouterr().out)
    assert "reused" in again["population"]
    assert "nothing changed" in again["campaign launch again (idempotent)"]


def test_lean_history_keeps_every_feature_of_the_full_history(tmp_path, monkeypatch):
    from crm.analytics.features import compute_features
    from crm.catalogue import seed_catalogue
    from crm.db import session_scope
    from crm.synthetic.bank import generate
    from tests.platform.conftest import migrate

    features, transactions = {}, {}
    for lean in (False, True):
        url = f"sqlite:///{tmp_path / f'lean_{lean}.db'}"
        monkeypatch.setenv("DATABASE_URL", url)
        migrate(url)
        monkeypatch.setenv("DATABASE_URL", url)
        with session_scope() as session:
            seed_catalogue(session)
            counters = generate(session, 150, 7, AS_OF, lean=lean)
        with session_scope() as session:
            features[lean] = compute_features(session, None, dt.datetime.combine(AS_OF, dt.time()))
        transactions[lean] = counters.totals["transactions"]
    assert transactions[True] < transactions[False] / 2
    assert len(features[True]) == 150
    assert features[True] == features[False]
