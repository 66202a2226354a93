"""The pinned synthetic bank is the same whatever day the generator runs on.

Every suite that starts a product pins the seed and the business date (tests.support.pinned);
if anything in the generator or the analytics batch read the wall clock instead, the
customers, cards and offers the tests rely on would change from one day to the next. The
generator runs here under two different wall clocks (Debian's faketime, which moves the
clock the process itself reads) and the whole database must come out identical.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.support.pinned import AS_OF, generator_args

ROOT = Path(__file__).resolve().parents[2]
PLATFORM_PY = ROOT / ".venvs" / "platform" / "bin" / "python"
CUSTOMERS = 40


def generate(database: Path, wall_clock: str, pinned: bool) -> None:
    """Migrate and fill `database` with the generator run as if it were `wall_clock`."""
    faketime = shutil.which("faketime")
    if faketime is None:
        pytest.fail("faketime is not installed (.ci/run installs Debian's faketime package)")
    env = {k: v for k, v in os.environ.items() if k != "BANK_AS_OF"}
    env["DATABASE_URL"] = f"sqlite:///{database}"
    if pinned:
        env["BANK_AS_OF"] = AS_OF
    migrate = [str(PLATFORM_PY), "-m", "alembic", "-c", "server/alembic.ini", "upgrade", "head"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True, capture_output=True)
    args = generator_args(CUSTOMERS)
    if not pinned:
        args = args[: args.index("--as-of")]  # what `make seed` runs: today's bank
    subprocess.run(
        [faketime, wall_clock, str(PLATFORM_PY), *args],
        cwd=ROOT, env=env, check=True, capture_output=True, timeout=300,
    )  # fmt: skip


def dump(database: Path) -> dict[str, list[tuple]]:
    """Every row of every table the generator and the analytics batch write."""
    with sqlite3.connect(database) as db:
        tables = [
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if name not in ("alembic_version", "agents")
        ]
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}  # noqa: S608


def test_the_pinned_bank_is_identical_under_two_wall_clocks(tmp_path: Path) -> None:
    generate(tmp_path / "spring.db", "2027-03-01 10:00:00", pinned=True)
    generate(tmp_path / "winter.db", "2026-12-24 23:30:00", pinned=True)
    spring, winter = dump(tmp_path / "spring.db"), dump(tmp_path / "winter.db")
    assert sum(len(rows) for rows in spring.values()) > 10_000  # a bank, not empty tables
    for table in spring:
        assert spring[table] == winter[table], f"{table} differs between the two wall clocks"


def test_unpinned_the_generator_makes_todays_bank(tmp_path: Path) -> None:
    """The control: without the pin the wall clock does reach the generator (so the test
    above would see a dependence on it), and the demo's history ends today."""
    generate(tmp_path / "today.db", "2027-03-01 10:00:00", pinned=False)
    with sqlite3.connect(tmp_path / "today.db") as db:
        (last,) = db.execute("SELECT max(posted_at) FROM transactions").fetchone()
    assert "2027-02-27" <= last[:10] <= "2027-03-01"  # history runs up to the (fake) today
