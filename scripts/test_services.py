"""Start the real servers a test or bench run needs (Redis, PostgreSQL), its own copies.

Stdlib only. `start` makes a fresh directory, starts a Redis and a PostgreSQL server in it
on ports the kernel hands out, and prints shell `export` lines for their URLs and for the
directory; `stop` (with TEST_SERVICES_DIR from those lines) stops exactly those servers
and removes the directory. Two runs on one machine therefore never share a server, a
database or a port: a run can neither drop the schema under another nor stop its servers.

A developer who already has servers sets TEST_REDIS_URL / TEST_POSTGRES_URL (and
BENCH_POSTGRES_URL); what is set is used as is and never started or stopped here.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PG_USER, PG_PASSWORD = "bank", "bank-test-only"
PG_DB = "bank_test"
PG_BENCH_DB = "bank_bench"  # benchmarks rebuild their own database, never the tests' one


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait(port: int, what: str, where: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _answers(port):
            return
        time.sleep(0.2)
    sys.exit(f"{what} did not start on port {port}; see {where}")


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        sys.exit("PostgreSQL server binaries not found: apt-get install postgresql")
    return found[-1]


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def start_redis(state: Path) -> tuple[int, str]:
    redis = shutil.which("redis-server")
    if not redis:
        sys.exit("redis-server not found: apt-get install redis-server")
    port = _free_port()
    subprocess.run(
        [
            redis, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--daemonize", "yes",
            "--pidfile", str(state / "redis.pid"), "--logfile", str(state / "redis.log"),
        ],
        check=True,
    )  # fmt: skip
    _wait(port, "redis-server", state)
    return port, f"redis://127.0.0.1:{port}/0"


def start_postgres(state: Path) -> tuple[int, str]:
    data = state / "pgdata"
    pwfile = state / "pw"
    pwfile.write_text(PG_PASSWORD)
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "postgres:postgres", str(state)], check=True)
    subprocess.run(
        _as_postgres(
            [
                _pg_bin("initdb"), "-D", str(data), "-U", PG_USER, "--pwfile", str(pwfile),
                "-A", "scram-sha-256", "-E", "UTF8", "--no-sync",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    port = _free_port()
    options = f"-p {port} -k {state} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_postgres(
            [_pg_bin("pg_ctl"), "-D", str(data), "-o", options,
             "-l", str(state / "postgres.log"), "-w", "start"]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    _wait(port, "PostgreSQL", state)
    env = dict(os.environ, PGPASSWORD=PG_PASSWORD)
    for database in (PG_DB, PG_BENCH_DB):
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-p", str(port), "-U", PG_USER, database],
            env=env,
            check=True,
        )
    return port, f"postgresql://{PG_USER}:{PG_PASSWORD}@127.0.0.1:{port}"


def start() -> None:
    state = Path(tempfile.mkdtemp(prefix="bank-test-services-"))
    state.chmod(0o755)
    started: dict[str, str] = {}
    exports = {"TEST_SERVICES_DIR": str(state)}
    if os.environ.get("TEST_REDIS_URL"):
        exports["TEST_REDIS_URL"] = os.environ["TEST_REDIS_URL"]
    else:
        _, exports["TEST_REDIS_URL"] = start_redis(state)
        started["redis"] = "yes"
    if os.environ.get("TEST_POSTGRES_URL"):
        exports["TEST_POSTGRES_URL"] = os.environ["TEST_POSTGRES_URL"]
        exports["BENCH_POSTGRES_URL"] = os.environ.get("BENCH_POSTGRES_URL", "")
    else:
        _, server = start_postgres(state)
        started["postgres"] = str(state / "pgdata")
        exports["TEST_POSTGRES_URL"] = f"{server}/{PG_DB}"
        exports["BENCH_POSTGRES_URL"] = f"{server}/{PG_BENCH_DB}"
    (state / "started.json").write_text(json.dumps(started))
    for key, value in exports.items():
        print(f"export {key}={value}")


def stop() -> None:
    directory = os.environ.get("TEST_SERVICES_DIR")
    if not directory or not (Path(directory) / "started.json").exists():
        return
    state = Path(directory)
    started = json.loads((state / "started.json").read_text())
    if started.get("redis"):
        pid = (state / "redis.pid").read_text().strip()
        subprocess.run(["kill", pid], check=False)
    if started.get("postgres"):
        subprocess.run(
            _as_postgres([_pg_bin("pg_ctl"), "-D", started["postgres"], "-m", "fast", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
        )
    shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    {"start": start, "stop": stop}[sys.argv[1] if len(sys.argv) > 1 else "start"]()
