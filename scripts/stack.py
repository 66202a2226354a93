"""Start the product's processes, wait until each is healthy, stop exactly those.

Used by `make demo` (scripts/demo.py) and by the system tests, so both run the product the
same way. Stdlib only (and core.logs, stdlib too): it runs under any of the project's
Python environments.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from core.logs import private_file

ROOT = Path(__file__).resolve().parent.parent
RASA_PY = ROOT / ".venvs" / "rasa" / "bin" / "python"
PLATFORM_PY = ROOT / ".venvs" / "platform" / "bin" / "python"


class StackError(RuntimeError):
    """A process could not start or become healthy; the message says which and where its log is."""


@dataclass
class Service:
    name: str
    command: list[str]
    health_url: str
    port: int
    process: subprocess.Popen | None = None
    log_path: Path | None = None


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """If the orchestrator is killed outright, its children go too (Linux PR_SET_PDEATHSIG)."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


def free_ports(count: int) -> list[int]:
    """Ports the kernel says are free now, so two runs on one machine never share one."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - local URL
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


@dataclass
class Stack:
    """The Rasa server, the action server and the platform, configured by `env`."""

    env: dict[str, str]
    log_dir: Path
    services: list[Service] = field(default_factory=list)

    @classmethod
    def from_env(cls, env: dict[str, str], log_dir: Path) -> Stack:
        rasa_port = int(env.get("RASA_PORT", "5005"))
        action_port = int(env.get("ACTION_SERVER_PORT", "5055"))
        platform_port = int(env.get("PLATFORM_PORT", "8000"))
        services = [
            Service(
                "actions",
                [str(RASA_PY), "-m", "actions.server"],
                f"http://127.0.0.1:{action_port}/health",
                action_port,
            ),
            Service(
                "platform",
                [
                    str(PLATFORM_PY),
                    "-m",
                    "uvicorn",
                    "--factory",
                    "server.app:create_app",
                    "--host",
                    env.get("PLATFORM_HOST", "127.0.0.1"),
                    "--port",
                    str(platform_port),
                    "--no-access-log",
                ],
                f"http://127.0.0.1:{platform_port}/health",
                platform_port,
            ),
            Service(
                "rasa",
                [str(RASA_PY), "-m", "assistant.serve"],
                f"http://127.0.0.1:{rasa_port}/webhooks/app/",
                rasa_port,
            ),
        ]
        return cls(env=env, log_dir=log_dir, services=services)

    def start(self, timeout: float = 300) -> None:
        """Start every service and wait until all are healthy; on failure stop them all."""
        busy = [s for s in self.services if port_in_use(s.port)]
        if busy:
            names = ", ".join(f"{s.name} port {s.port}" for s in busy)
            raise StackError(f"Port already in use ({names}); is another copy running?")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        try:
            for service in self.services:
                service.log_path = self.log_dir / f"{service.name}.log"
                log = private_file(service.log_path)
                service.process = subprocess.Popen(
                    service.command,
                    cwd=ROOT,
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    preexec_fn=_die_with_parent,
                )
                log.close()
            self._wait_healthy(timeout)
        except BaseException:
            self.stop()
            raise

    def service(self, name: str) -> Service:
        return next(s for s in self.services if s.name == name)

    def kill(self, name: str) -> None:
        """Stop one service abruptly (tests of a dead dependency)."""
        service = self.service(name)
        if service.process and service.process.poll() is None:
            os.killpg(service.process.pid, signal.SIGKILL)
            service.process.wait()

    def restart(self, name: str, timeout: float = 120) -> None:
        self.kill(name)
        service = self.service(name)
        self._spawn(service)
        self._wait_healthy(timeout, [service])

    def _spawn(self, service: Service) -> None:
        service.log_path = self.log_dir / f"{service.name}.log"
        with private_file(service.log_path) as log:
            service.process = subprocess.Popen(
                service.command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )

    def _wait_healthy(self, timeout: float, services: list[Service] | None = None) -> None:
        deadline = time.monotonic() + timeout
        pending = list(services or self.services)
        while pending:
            for service in list(pending):
                assert service.process is not None
                if service.process.poll() is not None:
                    raise StackError(
                        f"{service.name} exited with code {service.process.returncode}; "
                        f"last lines of {service.log_path}:\n{self.tail(service)}"
                    )
                if answers(service.health_url):
                    pending.remove(service)
            if pending and time.monotonic() > deadline:
                names = ", ".join(s.name for s in pending)
                raise StackError(
                    f"not healthy after {timeout:.0f} s: {names} (logs in {self.log_dir})"
                )
            if pending:
                time.sleep(0.5)

    @staticmethod
    def tail(service: Service, lines: int = 25) -> str:
        if service.log_path is None or not service.log_path.exists():
            return ""
        return "\n".join(service.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, grace: float = 10) -> None:
        """SIGTERM each started process group, SIGKILL what is left after `grace` seconds."""
        running = [s for s in self.services if s.process and s.process.poll() is None]
        for service in running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(service.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for service in running:
            try:
                service.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(service.process.pid, signal.SIGKILL)
                service.process.wait()
