"""Start the real servers the tests need (Redis, PostgreSQL) unless they already answer.

Stdlib only. `start` prints shell `export` lines for the URLs; `stop` stops only what
`start` started (recorded in a state file), so a developer's own servers are left alone.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

STATE_DIR = Path(os.environ.get("TEST_SERVICES_DIR", "/tmp/bank-test-services"))  # noqa: S108
STATE = STATE_DIR / "started.json"
REDIS_PORT = int(os.environ.get("TEST_REDIS_PORT", "56379"))
PG_PORT = int(os.environ.get("TEST_PG_PORT", "55432"))
PG_USER, PG_PASSWORD, PG_DB = "bank", "bank-test-only", "bank_test"
PG_BENCH_DB = "bank_bench"  # benchmarks rebuild their own database, never the tests' one


def _answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait(port: int, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _answers(port):
            return
        time.sleep(0.2)
    sys.exit(f"{what} did not start on port {port}; see {STATE_DIR}")


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        sys.exit("PostgreSQL server binaries not found: apt-get install postgresql")
    return found[-1]


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def start_redis(started: dict) -> None:
    if _answers(REDIS_PORT):
        return
    redis = shutil.which("redis-server")
    if not redis:
        sys.exit("redis-server not found: apt-get install redis-server")
    subprocess.run(
        [
            redis,
            "--port",
            str(REDIS_PORT),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
            "--pidfile",
            str(STATE_DIR / "redis.pid"),
            "--logfile",
            str(STATE_DIR / "redis.log"),
        ],
        check=True,
    )
    _wait(REDIS_PORT, "redis-server")
    started["redis"] = True


def start_postgres(started: dict) -> None:
    if not _answers(PG_PORT):
        _init_and_start_postgres(started)
    _create_databases()


def _init_and_start_postgres(started: dict) -> None:
    data = STATE_DIR / "pgdata"
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "postgres:postgres", str(STATE_DIR)], check=True)
    if not (data / "PG_VERSION").exists():
        pwfile = STATE_DIR / "pw"
        pwfile.write_text(PG_PASSWORD)
        if os.geteuid() == 0:
            subprocess.run(["chown", "postgres:postgres", str(pwfile)], check=True)
        subprocess.run(
            _as_postgres(
                [
                    _pg_bin("initdb"),
                    "-D",
                    str(data),
                    "-U",
                    PG_USER,
                    "--pwfile",
                    str(pwfile),
                    "-A",
                    "scram-sha-256",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    options = f"-p {PG_PORT} -k {STATE_DIR} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_postgres(
            [
                _pg_bin("pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(STATE_DIR / "postgres.log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    _wait(PG_PORT, "PostgreSQL")
    started["postgres"] = str(data)


def _create_databases() -> None:
    env = dict(os.environ, PGPASSWORD=PG_PASSWORD)
    for database in (PG_DB, PG_BENCH_DB):
        exists = subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(PG_PORT),
                "-U",
                PG_USER,
                "-d",
                "postgres",
                "-tAc",
                f"SELECT 1 FROM pg_database WHERE datname='{database}'",  # noqa: S608 - constant
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not exists:
            subprocess.run(
                ["createdb", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", PG_USER, database],
                env=env,
                check=True,
            )


def start() -> None:
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    STATE_DIR.chmod(0o777)
    started = json.loads(STATE.read_text()) if STATE.exists() else {}
    start_redis(started)
    start_postgres(started)
    STATE.write_text(json.dumps(started))
    print(f"export TEST_REDIS_URL=redis://127.0.0.1:{REDIS_PORT}/0")
    server = f"postgresql://{PG_USER}:{PG_PASSWORD}@127.0.0.1:{PG_PORT}"
    print(f"export TEST_POSTGRES_URL={server}/{PG_DB}")
    print(f"export BENCH_POSTGRES_URL={server}/{PG_BENCH_DB}")


def stop() -> None:
    if not STATE.exists():
        return
    started = json.loads(STATE.read_text())
    if started.get("redis"):
        pid = (STATE_DIR / "redis.pid").read_text().strip()
        subprocess.run(["kill", pid], check=False)
    if started.get("postgres"):
        subprocess.run(
            _as_postgres([_pg_bin("pg_ctl"), "-D", started["postgres"], "-m", "fast", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
        )
    STATE.unlink()


if __name__ == "__main__":
    {"start": start, "stop": stop}[sys.argv[1] if len(sys.argv) > 1 else "start"]()
