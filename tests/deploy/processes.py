"""The product's processes as deployments run them: which settings class each loads at start,
and that loader's verdict on an environment, in the process's own runtime."""

from __future__ import annotations

import json
import subprocess

from tests.deploy.kubernetes_render import ROOT

RASA_PY = ROOT / ".venvs" / "rasa" / "bin" / "python"
PLATFORM_PY = ROOT / ".venvs" / "platform" / "bin" / "python"

# Which settings class each process loads at start (see README, Configuration).
PROCESSES = {
    "assistant.serve": (RASA_PY, "assistant.settings:RasaSettings"),
    "actions.server": (RASA_PY, "actions.settings:ActionSettings"),
    "server.app:create_app": (PLATFORM_PY, "crm.settings:PlatformSettings"),
    "alembic": (PLATFORM_PY, "crm.settings:DatabaseSettings"),
    "crm.synthetic": (PLATFORM_PY, "crm.settings:DatabaseSettings"),
}

# Values an operator might put in the Secret: valid, so what fails is the manifests.
FILLED_SECRET = {
    "CRM_SERVICE_TOKEN": "s" * 32,
    "APP_JWT_SECRET": "j" * 48,
    "APP_JWT_PUBLIC_KEY": "",
    "RASA_API_TOKEN": "r" * 32,
    "ACTION_SERVER_TOKEN": "a" * 32,
    "DATABASE_URL": "postgresql://bank:pw@postgres:5432/bank",
    "REDIS_URL": "redis://redis:6379/0",
    "TELEGRAM_BOT_TOKEN": "",
    "TELEGRAM_WEBHOOK_SECRET": "",
    "POSTGRES_PASSWORD": "pw",
    "DEMO_AGENT_PASSWORD": "demo-password",
}


def process_of(command: list[str]) -> str:
    line = " ".join(command)
    for process in PROCESSES:
        if process in line:
            return process
    raise AssertionError(f"unknown process: {line}")


def settings_verdict(process: str, environment: dict[str, str]) -> str:
    """ "ok", or the message with which the process would refuse to start."""
    python, settings_class = PROCESSES[process]
    done = subprocess.run(
        [str(python), "-m", "tests.deploy.load_settings", settings_class],
        input=json.dumps(environment),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        check=False,
    )
    return (done.stdout + done.stderr).strip()
