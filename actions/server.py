"""Entry point of the action server: `python -m actions.server`.

Wraps rasa-sdk's app so that it binds to the configured interface (loopback by default:
only the Rasa server calls it), fails fast on bad configuration, and logs through the
project's PII-masking handler.
"""

from __future__ import annotations

import logging

from rasa_sdk.endpoint import create_app

from actions.settings import get_action_settings
from core.logs import configure_logging

log = logging.getLogger("actions.server")


def main() -> None:
    configure_logging("actions")
    settings = get_action_settings()
    app = create_app("actions", cors_origins=None)
    host, port = settings.action_server_host, settings.action_server_port
    log.info("action server listening on %s:%s", host, port)
    app.run(host, port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
