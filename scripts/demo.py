"""`make demo`: start the whole product on embedded defaults and print where to find it.

Assumes `make` already installed, migrated, seeded and trained. Secrets not set in the
environment are generated once into data/demo-secrets.env (git-ignored, mode 0600) and
reused; Ctrl-C stops the processes started here and nothing else.
"""

from __future__ import annotations

import os
import secrets
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.logs import private_file
from scripts.stack import ROOT, Stack, StackError

SECRETS = {
    "CRM_SERVICE_TOKEN": 32,
    "APP_JWT_SECRET": 48,
    "RASA_API_TOKEN": 32,
    "ACTION_SERVER_TOKEN": 32,
    "DEMO_AGENT_PASSWORD": 12,
}


def data_dir() -> Path:
    return Path(os.environ.get("DATA_DIR") or ROOT / "data")


def demo_environment() -> dict[str, str]:
    """The caller's environment plus demo defaults and generated secrets for what is unset."""
    env = dict(os.environ)
    store = data_dir() / "demo-secrets.env"
    saved: dict[str, str] = {}
    if store.exists():
        for line in store.read_text().splitlines():
            key, _, value = line.partition("=")
            if key and value:
                saved[key.strip()] = value.strip()
    for name, size in SECRETS.items():
        if not env.get(name):
            saved.setdefault(name, secrets.token_urlsafe(size))
            env[name] = saved[name]
    store.parent.mkdir(parents=True, exist_ok=True)
    with private_file(store, "w") as handle:
        handle.writelines(f"{k}={v}\n" for k, v in saved.items())
    env.setdefault("DEMO_MODE", "true")
    # One process is the whole product here, so it also runs the scheduler's marketing loops:
    # event scan and routing every 5 minutes, due proactive messages every 30 s.
    env.setdefault("OUTREACH_SCAN_SECONDS", "300")
    env.setdefault("PROACTIVE_SEND_SECONDS", "30")
    port = env.get("PLATFORM_PORT", "8000")
    env.setdefault("PUBLIC_URL", f"http://127.0.0.1:{port}")
    env.setdefault("CRM_API_URL", f"http://127.0.0.1:{port}/api/v1")
    env.setdefault("RASA_URL", f"http://127.0.0.1:{env.get('RASA_PORT', '5005')}")
    env.setdefault("RASA_PUBLIC_URL", env["RASA_URL"])
    env.setdefault(
        "ACTION_SERVER_URL", f"http://127.0.0.1:{env.get('ACTION_SERVER_PORT', '5055')}/webhook"
    )
    return env


def main() -> int:
    if sys.argv[1:] == ["--print-env"]:
        # Used by the Makefile so seeding sees the same generated secrets.
        env = demo_environment()
        for name in (*SECRETS, "DEMO_MODE"):
            print(f"export {name}='{env[name]}'")
        return 0
    env = demo_environment()
    stack = Stack.from_env(env, data_dir() / "logs")
    print("starting the action server, the platform and the Rasa server…", flush=True)
    try:
        stack.start()
    except StackError as exc:
        print(f"demo failed to start: {exc}", file=sys.stderr)
        return 1
    public = env["PUBLIC_URL"]
    login = f"user: agent, password: {env['DEMO_AGENT_PASSWORD']}"
    others = (
        "same password for agent2, supervisor (dashboard), designer (review) "
        "and marketer (campaigns)"
    )
    print(
        "\nready\n"
        f"  customer chat:  {public}/chat\n"
        f"  agent console:  {public}/console  ({login})\n"
        f"                  {others}\n"
        f"  API docs:       {public}/docs\n"
        f"  Rasa server:    {env['RASA_URL']}  (API token in data/demo-secrets.env)\n"
        f"  logs:           {data_dir() / 'logs'}\n"
        "Press Ctrl-C to stop.",
        flush=True,
    )
    stopping = False

    def _stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stopping:
            for service in stack.services:
                if service.process and service.process.poll() is not None:
                    print(f"{service.name} stopped unexpectedly:\n{stack.tail(service)}")
                    stopping = True
            if not stopping:
                time.sleep(1)
    finally:
        print("\nstopping…", flush=True)
        stack.stop()
        print("stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
