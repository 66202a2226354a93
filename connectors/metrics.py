"""Prometheus metrics of the Rasa runtime's two processes (the Rasa server, the action server).

`install(app, process)` gives a Sanic app a `/metrics` endpoint (the Prometheus text format,
no auth: it is reached only inside the cluster, see deploy/kubernetes/network-policy.yaml) and
counts every request by route and status with its latency. Routes are the app's route
templates, never raw paths, so a scanner cannot blow up the label set. The domain metrics
(messages per intent, fallbacks, live-event queue, actions) are declared here and counted
where they happen. Labels never hold a customer's data.
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from sanic import Sanic, response
from sanic.request import Request

# Buckets around what a reply costs here: 20 ms parse, 0.2-1.5 s for a turn with actions.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "bank_http_requests_total", "HTTP requests answered", ["process", "route", "method", "status"]
)
LATENCY = Histogram(
    "bank_http_request_seconds",
    "Time to answer an HTTP request",
    ["process", "route"],
    buckets=LATENCY_BUCKETS,
)
MESSAGES = Counter(
    "bank_customer_messages_total",
    "Customer messages stored, by channel, understood intent and language",
    ["channel", "intent", "language"],
)
FALLBACKS = Counter(
    "bank_fallbacks_total",
    "Customer messages the assistant did not understand well enough to act on",
    ["channel", "kind"],
)
LIVE_QUEUE = Gauge(
    "bank_live_event_queue_depth", "Live events waiting to be posted to the platform"
)
LIVE_SENT = Counter("bank_live_events_sent_total", "Live events the platform accepted")
LIVE_DROPPED = Counter(
    "bank_live_events_dropped_total",
    "Live events dropped because the queue was full (the tracker store still has them)",
)
ACTIONS = Counter(
    "bank_actions_total", "Custom actions run by the action server", ["action", "status"]
)
ACTION_LATENCY = Histogram(
    "bank_action_seconds", "Time to run a custom action", ["action"], buckets=LATENCY_BUCKETS
)
DIALOGUE_MEMO = Counter(
    "bank_dialogue_memo_total",
    "Dialogue policy answers looked up per state window (assistant/policies): hit or miss",
    ["policy", "result"],
)

# Intents that mean "not understood": what the fallback and the scope gate answer with.
FALLBACK_INTENTS = {"nlu_fallback": "low_confidence", "out_of_scope": "out_of_scope"}


def route_of(request: Request) -> str:
    route = getattr(request, "route", None)
    return "/" + route.path.lstrip("/") if route is not None else "unmatched"


def count_user_message(event: dict[str, Any]) -> None:
    """One stored customer message (a tracker event as a dict)."""
    parse = event.get("parse_data") or {}
    intent = (parse.get("intent") or {}).get("name") or "none"
    channel = event.get("input_channel") or "unknown"
    language = next(
        (e.get("value") for e in parse.get("entities") or [] if e.get("entity") == "language"),
        "none",  # no letters (digits, emoji): the conversation's language carries on
    )
    MESSAGES.labels(channel, intent, language).inc()
    if intent in FALLBACK_INTENTS:
        FALLBACKS.labels(channel, FALLBACK_INTENTS[intent]).inc()


def install(app: Sanic, process: str) -> None:
    """Time every request and serve the metrics at /metrics."""

    @app.middleware("request")
    async def _start(request: Request) -> None:
        request.ctx.metrics_started = time.perf_counter()

    @app.middleware("response")
    async def _finish(request: Request, reply: Any) -> None:
        started = getattr(request.ctx, "metrics_started", None)
        if started is None or reply is None:
            return
        route = route_of(request)
        LATENCY.labels(process, route).observe(time.perf_counter() - started)
        REQUESTS.labels(process, route, request.method, str(reply.status)).inc()

    @app.route("/metrics", methods=["GET"], name="prometheus_metrics")
    async def _metrics(_: Request) -> Any:
        return response.raw(generate_latest(), content_type=CONTENT_TYPE_LATEST)
