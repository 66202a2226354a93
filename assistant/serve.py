"""Start the Rasa server from environment variables: `python -m assistant.serve`.

Checks the configuration first (so a missing secret is named, not a stack trace), writes the
runtime endpoints, then runs Rasa's own CLI (`rasa run`) in this process on the trained model,
so the API token is never on a command line other users can read with `ps`.
"""

from __future__ import annotations

import os
import sys

from assistant.runtime_config import PROJECT_ROOT, ConfigError, write_runtime_files
from connectors.app_token import AppTokenVerifier


def rasa_command(endpoints: str, credentials: str, logging_config: str) -> list[str]:
    token = os.environ.get("RASA_API_TOKEN", "")
    if len(token) < 16:
        raise ConfigError(
            "Configuration error (see .env.example):\n"
            "  RASA_API_TOKEN: must be set (at least 16 characters)"
        )
    model = os.environ.get("RASA_MODEL", str(PROJECT_ROOT / "models"))
    origins = os.environ.get("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
    return [
        "rasa", "run",
        "--model", model,
        "--enable-api",
        f"--auth-token={token}",  # "=" form: a token may start with "-"
        "--interface", os.environ.get("RASA_HOST", "127.0.0.1"),
        "--port", os.environ.get("RASA_PORT", "5005"),
        "--cors", origins,
        "--credentials", credentials,
        "--endpoints", endpoints,
        "--logging-config-file", logging_config,
    ]  # fmt: skip


def main() -> None:
    AppTokenVerifier.from_environment()  # fail now, not on the first chat message
    if os.environ.get("TELEGRAM_BOT_TOKEN"):
        from connectors.telegram_channel import TelegramSettings

        TelegramSettings.from_environment()
    endpoints, credentials, logging_config = write_runtime_files()
    sys.argv = rasa_command(str(endpoints), str(credentials), str(logging_config))
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.chdir(PROJECT_ROOT)
    sys.path.insert(0, str(PROJECT_ROOT))

    import rasa.utils.io
    from rasa.__main__ import main as rasa_main

    from assistant import session_hold

    session_hold.install()

    # Rasa applies --logging-config-file, then coloredlogs swaps the stderr handler for its
    # own, dropping our formatter (JSON, conversation id). The file is the whole config.
    rasa.utils.io.configure_colored_logging = lambda loglevel: None
    rasa_main()


if __name__ == "__main__":
    main()
