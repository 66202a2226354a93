"""The production topology as processes on this machine, for the soak: two Rasa servers, two
action servers, two platform replicas (one runs the once-per-cluster loops), Debian's nginx
in front with the Ingress's routes (deploy/nginx/locations.conf), and this run's own
PostgreSQL and Redis. Every address is a free port, so a soak never meets another run.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from scripts import test_services
from scripts.stack import PLATFORM_PY, RASA_PY, ROOT, Service, Stack, free_ports
from tests.support.pinned import AS_OF, generator_args

MODEL = ROOT / "models" / "bank.tar.gz"
LOCATIONS = ROOT / "deploy" / "nginx" / "locations.conf"

NGINX_CONF = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    upstream rasa {{ {rasa} }}
    upstream platform {{ {platform} }}
    upstream actions {{ {actions} }}
    # What customers and agents reach: the Ingress's routes.
    server {{
        listen 127.0.0.1:{public};
        include {locations};
    }}
    # In-cluster Services: Rasa's API (the platform calls it), the actions, the customer API.
    server {{
        listen 127.0.0.1:{rasa_api};
        location / {{ proxy_pass http://rasa; proxy_set_header Host $http_host;
                     proxy_next_upstream error timeout; proxy_read_timeout 60s; }}
    }}
    server {{
        listen 127.0.0.1:{actions_port};
        location / {{ proxy_pass http://actions; proxy_next_upstream error timeout;
                     proxy_read_timeout 60s; }}
    }}
    server {{
        listen 127.0.0.1:{platform_api};
        location / {{ proxy_pass http://platform; proxy_set_header Host $http_host;
                     proxy_next_upstream error timeout; proxy_read_timeout 60s; }}
    }}
}}
"""


def upstream(ports: list[int]) -> str:
    # A replica that refuses connections is skipped for 5 s, then tried again.
    return " ".join(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in ports)


@dataclass
class Topology:
    root: Path
    replicas: int = 2
    env: dict[str, str] = field(default_factory=dict)
    stacks: dict[str, Stack] = field(default_factory=dict)
    redis_port: int = 0
    state: Path | None = None
    pg_data: Path | None = None
    nginx: subprocess.Popen | None = None

    @property
    def public_url(self) -> str:
        return self.env["PUBLIC_URL"]

    # --- data services ---------------------------------------------------------------
    def start_services(self) -> None:
        state = self.root / "services"
        state.mkdir(parents=True)
        state.chmod(0o755)
        self.state = state
        self.redis_port, redis_url = test_services.start_redis(state)
        (state / "started.json").write_text(json.dumps({"redis": "yes"}))
        _, server = test_services.start_postgres(state)  # also makes bank_test, unused here
        self.pg_data = state / "pgdata"
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-p", server.rsplit(":", 1)[1], "-U", "bank", "soak"],
            env=dict(os.environ, PGPASSWORD=test_services.PG_PASSWORD),
            check=True,
        )
        # What scripts/test_services.py stop needs to stop them (also by hand after --keep).
        started = {"redis": "yes", "postgres": str(self.pg_data)}
        (state / "started.json").write_text(json.dumps(started))
        self.env["DATABASE_URL"] = f"{server}/soak"
        self.env["REDIS_URL"] = redis_url

    def stop_redis(self) -> None:
        pid = int((self.state / "redis.pid").read_text())
        os.kill(pid, signal.SIGKILL)

    def start_redis(self) -> None:
        subprocess.run(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.redis_port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "yes",
             "--pidfile", str(self.state / "redis.pid"),
             "--logfile", str(self.state / "redis.log")],
            check=True,
        )  # fmt: skip

    def restart_postgres(self) -> None:
        subprocess.run(
            test_services._as_postgres(
                [test_services._pg_bin("pg_ctl"), "-D", str(self.pg_data), "-m", "fast", "-w",
                 "restart"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def stop_services(self) -> None:
        os.environ["TEST_SERVICES_DIR"] = str(self.state)
        test_services.stop()

    # --- the product -------------------------------------------------------------------
    def configure(self) -> None:
        public, rasa_api, actions, platform_api = free_ports(4)
        self.ports = {"public": public, "rasa_api": rasa_api, "actions": actions,
                      "platform_api": platform_api}  # fmt: skip
        self.env |= {
            key: value
            for key, value in os.environ.items()
            if key in ("PATH", "HOME", "LANG", "TMPDIR")
        } | {
            "CRM_SERVICE_TOKEN": secrets.token_urlsafe(24),
            "APP_JWT_SECRET": secrets.token_urlsafe(40),
            "RASA_API_TOKEN": secrets.token_urlsafe(24),
            "ACTION_SERVER_TOKEN": secrets.token_urlsafe(24),
            "DEMO_AGENT_PASSWORD": secrets.token_urlsafe(12),
            "DATA_DIR": str(self.root / "data"),
            "RASA_MODEL": str(MODEL),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "WARNING",
            "PUBLIC_URL": f"http://127.0.0.1:{public}",
            "RASA_PUBLIC_URL": f"http://127.0.0.1:{public}",
            "RASA_URL": f"http://127.0.0.1:{rasa_api}",
            "ACTION_SERVER_URL": f"http://127.0.0.1:{actions}/webhook",
            "CRM_API_URL": f"http://127.0.0.1:{platform_api}/api/v1",
            "RASA_TELEMETRY_ENABLED": "false",
            "BANK_AS_OF": AS_OF,
            "HANDOFF_TIMEOUT_SECONDS": "3600",
            "RETENTION_CHECK_SECONDS": "0",
        }

    def prepare(self, customers: int) -> None:
        for args in (
            ["-m", "alembic", "-c", "server/alembic.ini", "upgrade", "head"],
            generator_args(customers),
            ["-m", "agent_console.seed_agents"],
        ):
            subprocess.run([str(PLATFORM_PY), *args], cwd=ROOT, env=self.env, check=True,
                           timeout=900, stdout=subprocess.DEVNULL)  # fmt: skip

    def _replica(self, kind: str, index: int) -> Stack:
        (port,) = free_ports(1)
        env = dict(self.env)
        if kind == "rasa":
            env["RASA_PORT"] = str(port)
            command = [str(RASA_PY), "-m", "assistant.serve"]
            health = f"http://127.0.0.1:{port}/webhooks/app/"
        elif kind == "actions":
            env["ACTION_SERVER_PORT"] = str(port)
            command = [str(RASA_PY), "-m", "actions.server"]
            health = f"http://127.0.0.1:{port}/health"
        else:
            # The first platform replica alone runs the handoff-timeout loop.
            env["HANDOFF_CHECK_SECONDS"] = "5" if index == 0 else "0"
            command = [str(PLATFORM_PY), "-m", "uvicorn", "--factory", "server.app:create_app",
                       "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
                       "--proxy-headers"]  # fmt: skip
            health = f"http://127.0.0.1:{port}/health"
        name = f"{kind}-{index + 1}"
        return Stack(env=env, log_dir=self.root / "logs",
                     services=[Service(name, command, health, port)])  # fmt: skip

    def start_product(self) -> None:
        for kind in ("actions", "platform", "rasa"):
            for index in range(self.replicas):
                self.stacks[f"{kind}-{index + 1}"] = self._replica(kind, index)
        for name, stack in self.stacks.items():
            if not name.startswith("rasa"):
                stack.start(timeout=120)
        for name, stack in self.stacks.items():  # both Rasa servers load the model at once
            if name.startswith("rasa"):
                stack.services[0].log_path = stack.log_dir / f"{name}.log"
                stack.log_dir.mkdir(parents=True, exist_ok=True)
                stack._spawn(stack.services[0])
        for name, stack in self.stacks.items():
            if name.startswith("rasa"):
                stack._wait_healthy(300)
        self._start_nginx()

    def port_of(self, name: str) -> int:
        return self.stacks[name].services[0].port

    def _start_nginx(self) -> None:
        directory = self.root / "nginx"
        directory.mkdir()
        names = lambda kind: [self.port_of(n) for n in self.stacks if n.startswith(kind)]  # noqa: E731
        conf = directory / "nginx.conf"
        conf.write_text(NGINX_CONF.format(
            dir=directory, locations=LOCATIONS, public=self.ports["public"],
            rasa_api=self.ports["rasa_api"], actions_port=self.ports["actions"],
            platform_api=self.ports["platform_api"], rasa=upstream(names("rasa")),
            platform=upstream(names("platform")), actions=upstream(names("actions")),
        ))  # fmt: skip
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.nginx = subprocess.Popen(
            [nginx, "-p", str(directory), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=open(directory / "stderr.log", "w"),  # noqa: SIM115
            start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                import httpx

                if httpx.get(f"{self.public_url}/chat", timeout=2).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"nginx did not start: {(directory / 'stderr.log').read_text()}")

    def kill(self, name: str) -> None:
        self.stacks[name].kill(name)

    def restart(self, name: str) -> None:
        self.stacks[name].restart(name, timeout=300)

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.terminate()
            self.nginx.wait(10)
        for stack in self.stacks.values():
            stack.stop()
