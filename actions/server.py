"""Entry point of the action server: `python -m actions.server`.

Wraps rasa-sdk's app so that it binds to the configured interface (loopback by default:
only the Rasa server calls it), fails fast on bad configuration, logs through the project's
masking handler, and answers only callers that present ACTION_SERVER_TOKEN: the actions
trust the tracker they are sent (who the customer is, whether verified), so anyone else
who could reach the port could otherwise read any customer's data.
"""

from __future__ import annotations

import hmac
import logging
import time

from rasa_sdk.endpoint import create_app
from sanic import response
from sanic.request import Request

from actions.settings import get_action_settings
from connectors import metrics
from core.config import ACTION_TOKEN_HEADER
from core.logs import configure_logging

log = logging.getLogger("actions.server")
# Health for the orchestrator, metrics for Prometheus: neither holds customer data.
OPEN_PATHS = ("/health", "/metrics")


def require_token(token: str):
    async def check(request: Request):
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get(ACTION_TOKEN_HEADER, "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            return response.json({"error": "unauthorized"}, status=401)
        return None

    return check


def count_action(request: Request, reply) -> None:
    """Per action: how many ran and how long each took (callers with the token only)."""
    if request.path != "/webhook" or reply is None or reply.status == 401:
        return
    try:
        body = request.json if isinstance(request.json, dict) else {}
    except Exception:  # sanic raises InvalidUsage on malformed JSON
        body = {}
    action = str(body.get("next_action") or "none")[:64]
    status = "ok" if reply.status == 200 else "rejected" if reply.status < 500 else "error"
    metrics.ACTIONS.labels(action, status).inc()
    started = getattr(request.ctx, "metrics_started", None)
    if started is not None:
        metrics.ACTION_LATENCY.labels(action).observe(time.perf_counter() - started)


def build_app():
    settings = get_action_settings()
    app = create_app("actions", cors_origins=None)
    metrics.install(app, "actions")
    app.register_middleware(require_token(settings.action_server_token), "request")

    @app.middleware("response")
    async def _count_action(request: Request, reply) -> None:
        count_action(request, reply)

    app.config.REQUEST_MAX_SIZE = 1_000_000  # a tracker is kilobytes; Sanic's default is 100 MB
    return app


def main() -> None:
    configure_logging("actions")
    settings = get_action_settings()
    app = build_app()
    host, port = settings.action_server_host, settings.action_server_port
    log.info("action server listening on %s:%s", host, port)
    app.run(host, port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
