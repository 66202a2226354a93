"""Rasa event broker that streams every conversation event to the platform, off the hot path.

The agent console shows conversations live from these events (customer messages with the
understood intent, bot replies, handoff pauses). `publish` only enqueues; a background task
posts batches. If the platform is down the events wait (bounded) and are retried; the
tracker store stays the source of truth, so the console can always re-read the history.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from assistant.settings import get_rasa_settings
from connectors import metrics, platform_api

log = logging.getLogger(__name__)

MAX_QUEUED = 10_000
# What the console shows; the rest (featurization, action_listen, ...) stays in the tracker.
FORWARDED = {"user", "bot", "pause", "resume", "slot", "active_loop", "session_started", "action"}
SILENT_ACTIONS = {"action_listen", "action_session_start"}
MAX_BATCH = 200
# A turn's events are published together when the tracker is saved, so yielding once lets
# them all queue and go in one request. Any longer wait is added to what an agent watching
# the conversation waits for (measured: 50 ms of linger was half the console's p99).
LINGER_SECONDS = 0.0


class PlatformEventBroker(EventBroker):
    def __init__(self) -> None:
        self._queue: asyncio.Queue[dict[str, Any]] | None = None
        self._sender: asyncio.Task | None = None
        get_rasa_settings()  # fail at start-up, not on the first event

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig, event_loop: Any = None
    ) -> PlatformEventBroker:
        return cls()

    def publish(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind not in FORWARDED or (kind == "action" and event.get("name") in SILENT_ACTIONS):
            return
        if self._queue is None:
            self._queue = asyncio.Queue(MAX_QUEUED)
            self._sender = asyncio.get_running_loop().create_task(self._send_forever())
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            metrics.LIVE_DROPPED.inc()
            log.warning("platform unreachable for too long; live event dropped")
        metrics.LIVE_QUEUE.set(self._queue.qsize())

    async def _send_forever(self) -> None:
        assert self._queue is not None
        delay = 0.5
        while True:
            batch = [await self._queue.get()]
            await asyncio.sleep(LINGER_SECONDS)
            while not self._queue.empty() and len(batch) < MAX_BATCH:
                batch.append(self._queue.get_nowait())
            metrics.LIVE_QUEUE.set(self._queue.qsize())
            while True:
                try:
                    await platform_api.post("rasa-events", batch)
                    metrics.LIVE_SENT.inc(len(batch))
                    delay = 0.5
                    break
                except (platform_api.PlatformRejected, platform_api.PlatformNotFound) as exc:
                    log.warning("platform refused %d events: %s", len(batch), exc)
                    delay = 0.5
                    break
                except platform_api.PlatformUnavailable as exc:
                    log.warning("platform events post failed (%s); retrying", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10)

    async def close(self) -> None:
        if self._sender is not None:
            self._sender.cancel()
