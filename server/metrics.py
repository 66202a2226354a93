"""Prometheus metrics of the platform: `/metrics` (no auth; the Ingress never routes it, so
only Prometheus inside the cluster reaches it, see deploy/kubernetes/).

Requests per route and their latency come from prometheus-fastapi-instrumentator (route
templates, not raw paths). The queue's state (handoffs waiting, the oldest wait, handoffs
with an agent) is read from the database at each scrape: it is the cluster's state, the
same on every replica (aggregate with max, not sum). Agent replies and offers are counted
where they happen (conversations.metrics, crm.metrics).
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from prometheus_fastapi_instrumentator import Instrumentator
from sqlalchemy import func, select

from conversations.models import Handoff
from core.vocabulary import HandoffStatus
from crm.clock import utcnow
from crm.db import session_scope


class QueueCollector(Collector):
    """Handoffs waiting for a person and how long the oldest has waited, at scrape time."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        waiting = GaugeMetricFamily(
            "bank_handoffs_waiting", "Handoffs waiting for an agent", labels=["priority"]
        )
        oldest = GaugeMetricFamily(
            "bank_handoff_oldest_wait_seconds", "How long the oldest waiting handoff has waited"
        )
        with_agent = GaugeMetricFamily("bank_handoffs_with_agent", "Handoffs an agent has")
        try:
            with session_scope() as session:
                rows = session.execute(
                    select(Handoff.priority, func.count(), func.min(Handoff.created_at))
                    .where(Handoff.status == HandoffStatus.PENDING)
                    .group_by(Handoff.priority)
                ).all()
                claimed = session.scalar(
                    select(func.count()).where(Handoff.status == HandoffStatus.CLAIMED)
                )
        except Exception:  # the database is down: /health says so; metrics go on
            return
        firsts = [first for _, _, first in rows if first is not None]
        for priority, count, _ in rows:
            waiting.add_metric([priority], count)
        oldest.add_metric([], (utcnow() - min(firsts)).total_seconds() if firsts else 0.0)
        with_agent.add_metric([], claimed or 0)
        yield from (waiting, oldest, with_agent)


_queue_collector: QueueCollector | None = None


def install(app: FastAPI) -> None:
    global _queue_collector
    if _queue_collector is None:  # one per process, however many apps tests create
        _queue_collector = QueueCollector()
        REGISTRY.register(_queue_collector)
    Instrumentator(excluded_handlers=["/metrics"]).instrument(app).expose(
        app, include_in_schema=False
    )
