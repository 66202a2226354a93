"""Rate limits where abuse is cheap: messages per customer or chat, link-code guesses, console
logins, socket connections, requests for a person.

A sliding window per (rule, key): every attempt in the last `seconds` counts, refused ones
too, so someone who keeps hammering stays refused until they pause. Kept in this process,
or in Redis when REDIS_URL is set, so every replica counts against the same limit (one
MULTI transaction per attempt: two replicas never both let the last attempt through). A
limit is a `Rule` (how many per how many seconds); `hit` counts one attempt and says
whether it is allowed. Both runtimes use it (the Rasa side's channels, the platform's
console and handoffs).
"""

from __future__ import annotations

import collections
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    name: str
    limit: int
    seconds: int


# Defaults a bank can live with; each is a little above what a real person does.
MESSAGES_PER_CUSTOMER = Rule("message", 30, 60)  # a customer typing fast sends ~10 a minute
LINK_CODE_GUESSES = Rule("link_code", 5, 600)  # per chat: a 40-bit code, 5 tries in 10 min
LOGINS_PER_USER = Rule("login_user", 10, 900)
LOGINS_PER_ADDRESS = Rule("login_address", 30, 900)
SOCKETS_PER_IDENTITY = Rule("socket", 20, 60)
HANDOFFS_PER_CONVERSATION = Rule("handoff", 5, 3600)


class RateLimiter:
    def __init__(self, redis_url: str = "", prefix: str = "bank:rate:") -> None:
        self._redis_url, self._prefix = redis_url, prefix
        self._seen: dict[tuple[str, str], collections.deque[float]] = {}
        self._lock = threading.Lock()
        self._async_redis: Any = None
        self._sync_redis: Any = None

    def _count_here(self, rule: Rule, key: str) -> int:
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 100_000:  # forget keys nobody used for a while
                self._seen = {k: v for k, v in self._seen.items() if v and v[-1] > now - 3600}
            seen = self._seen.setdefault((rule.name, key), collections.deque())
            while seen and seen[0] <= now - rule.seconds:
                seen.popleft()
            seen.append(now)
            return len(seen)

    def _redis_commands(self, pipe: Any, rule: Rule, key: str) -> Any:
        name, now = f"{self._prefix}{rule.name}:{key}", time.time()
        return (
            pipe.zremrangebyscore(name, 0, now - rule.seconds)
            .zadd(name, {uuid.uuid4().hex: now})
            .zcard(name)
            .expire(name, rule.seconds)
        )

    async def hit(self, rule: Rule, key: str) -> bool:
        """Count one attempt; False when it is over the limit."""
        if not self._redis_url:
            return self._count_here(rule, key) <= rule.limit
        if self._async_redis is None:
            import redis.asyncio as redis

            self._async_redis = redis.from_url(self._redis_url)
        try:
            async with self._async_redis.pipeline(transaction=True) as pipe:
                _, _, count, _ = await self._redis_commands(pipe, rule, key).execute()
        except Exception as exc:  # Redis unreachable: count in this process until it is back
            return self._counted_here_instead(rule, key, exc)
        return int(count) <= rule.limit

    def hit_sync(self, rule: Rule, key: str) -> bool:
        """The same, for code that runs in a worker thread."""
        if not self._redis_url:
            return self._count_here(rule, key) <= rule.limit
        if self._sync_redis is None:
            import redis

            self._sync_redis = redis.Redis.from_url(self._redis_url)
        try:
            with self._sync_redis.pipeline(transaction=True) as pipe:
                _, _, count, _ = self._redis_commands(pipe, rule, key).execute()
        except Exception as exc:
            return self._counted_here_instead(rule, key, exc)
        return int(count) <= rule.limit

    def _counted_here_instead(self, rule: Rule, key: str, exc: Exception) -> bool:
        """A Redis outage must not stop every customer and agent: each replica enforces the
        limit on its own attempts meanwhile (a little looser across replicas, never off)."""
        log.warning("rate limits counted per process while Redis is unreachable: %s", exc)
        return self._count_here(rule, key) <= rule.limit
