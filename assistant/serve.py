"""Start the Rasa server from environment variables: `python -m assistant.serve`.

Checks the configuration first (so a missing secret is named, not a stack trace), writes the
runtime endpoints, then runs Rasa's own CLI (`rasa run`) in this process on the trained model,
so the API token is never on a command line other users can read with `ps`.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from assistant.runtime_config import write_runtime_files
from assistant.settings import PROJECT_ROOT, RasaSettings, get_rasa_settings

MAX_REQUEST_BYTES = 1_000_000


def rasa_command(
    settings: RasaSettings, endpoints: str, credentials: str, logging_config: str
) -> list[str]:
    return [
        "rasa", "run",
        "--model", settings.rasa_model,
        "--enable-api",
        # Callers sign a JWT with this secret and send it as a Bearer header; with no
        # --auth-token, Rasa accepts no token in a URL ("=" form: it may start with "-").
        f"--jwt-secret={settings.rasa_api_token}",
        "--jwt-method", "HS256",
        "--interface", settings.rasa_host,
        "--port", str(settings.rasa_port),
        "--cors", settings.public_url.rstrip("/"),
        "--credentials", credentials,
        "--endpoints", endpoints,
        "--logging-config-file", logging_config,
    ]  # fmt: skip


def _serve_metrics() -> None:
    """Rasa builds its Sanic app inside `rasa run`; add /metrics and request timing to it."""
    import rasa.core.run

    from connectors import metrics

    configure = rasa.core.run.configure_app

    def configure_with_metrics(*args: Any, **kwargs: Any) -> Any:
        app = configure(*args, **kwargs)
        metrics.install(app, "rasa")
        return app

    rasa.core.run.configure_app = configure_with_metrics


def main() -> None:
    settings = get_rasa_settings()  # every variable checked now, not on the first message
    files = write_runtime_files(settings.telegram_bot_token)
    sys.argv = rasa_command(settings, *(str(f) for f in files))
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    # Sanic reads up to 100 MB of a request body before any channel sees it; no message,
    # update or API call of ours comes near this (Sanic reads SANIC_* variables).
    os.environ["SANIC_REQUEST_MAX_SIZE"] = str(MAX_REQUEST_BYTES)
    os.chdir(PROJECT_ROOT)
    sys.path.insert(0, str(PROJECT_ROOT))

    import rasa.utils.io
    from rasa.__main__ import main as rasa_main

    from assistant import action_result_check, durable_store, session_hold, warm_up

    action_result_check.install()
    session_hold.install()
    durable_store.install()
    warm_up.install()
    _serve_metrics()

    # Rasa applies --logging-config-file, then coloredlogs swaps the stderr handler for its
    # own, dropping our formatter (JSON, conversation id). The file is the whole config.
    rasa.utils.io.configure_colored_logging = lambda loglevel: None
    rasa_main()


if __name__ == "__main__":
    main()
