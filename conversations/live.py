"""Live fan-out between processes: queue updates, conversation lines, customer deliveries
(the events and their topics: conversations.live_events).

Without REDIS_URL everything happens in this process (one host). With it, events go through
Redis pub/sub, so a message that arrives at one platform replica reaches the websocket an
agent or a customer holds on another.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

from conversations.live_events import LiveEvent

log = logging.getLogger(__name__)

PREFIX = "bank:live:"
QUEUE_SIZE = 1000


class LiveBus:
    def __init__(self, redis_url: str = "") -> None:
        self._subscribers: dict[str, set[asyncio.Queue]] = defaultdict(set)
        self._redis_url = redis_url
        self._redis: Any = None
        self._listener: asyncio.Task | None = None

    async def start(self) -> None:
        if not self._redis_url:
            return
        import redis.asyncio as redis

        self._redis = redis.from_url(self._redis_url)
        pubsub = self._redis.pubsub()
        await pubsub.psubscribe(PREFIX + "*")
        self._listener = asyncio.create_task(self._listen(pubsub))

    async def stop(self) -> None:
        if self._listener:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        if self._redis is not None:
            await self._redis.aclose()

    async def _listen(self, pubsub) -> None:
        while True:
            try:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5)
            except asyncio.CancelledError:
                raise
            except Exception:  # a Redis hiccup must not end live delivery for good
                log.exception("redis pub/sub read failed; retrying")
                await asyncio.sleep(1)
                continue
            if message and message.get("type") == "pmessage":
                topic = message["channel"].decode()[len(PREFIX) :]
                self._deliver(topic, json.loads(message["data"]))

    def _deliver(self, topic: str, event: dict[str, Any]) -> None:
        for queue in list(self._subscribers.get(topic, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:  # a stalled client loses live events, not the server
                log.warning("live subscriber on %s is too slow; event dropped", topic)

    async def send(self, event: LiveEvent) -> None:
        """Publish one typed event on its topic (conversations.live_events)."""
        payload = event.payload()
        if self._redis is not None:
            await self._redis.publish(PREFIX + event.topic, json.dumps(payload, default=str))
        else:
            self._deliver(event.topic, payload)

    def open(self) -> Subscription:
        """A subscription whose topics can change while it lives (an agent's socket)."""
        return Subscription(self)

    @contextlib.asynccontextmanager
    async def subscribe(self, *topics: str) -> AsyncIterator[asyncio.Queue]:
        subscription = self.open()
        for topic in topics:
            subscription.add(topic)
        try:
            yield subscription.queue
        finally:
            subscription.close()


class Subscription:
    """One consumer's queue, fed by every topic it currently follows."""

    def __init__(self, bus: LiveBus) -> None:
        self._bus = bus
        self.queue: asyncio.Queue = asyncio.Queue(QUEUE_SIZE)
        self.topics: set[str] = set()

    def add(self, topic: str) -> None:
        self._bus._subscribers[topic].add(self.queue)
        self.topics.add(topic)

    def remove(self, topic: str) -> None:
        subscribers = self._bus._subscribers.get(topic)
        if subscribers is not None:
            subscribers.discard(self.queue)
            if not subscribers:
                del self._bus._subscribers[topic]
        self.topics.discard(topic)

    def close(self) -> None:
        for topic in list(self.topics):
            self.remove(topic)
