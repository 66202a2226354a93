"""Rate limits count every attempt in a sliding window, here or in Redis alike."""

from __future__ import annotations

import asyncio
import os
import socket
import time

import pytest

from core.rate_limit import RateLimiter, Rule

RULE = Rule("test", 3, 1)


def limiters() -> list[RateLimiter]:
    found = [RateLimiter()]
    if os.environ.get("TEST_REDIS_URL"):
        found.append(RateLimiter(os.environ["TEST_REDIS_URL"], prefix=f"test:{time.time_ns()}:"))
    return found


@pytest.mark.parametrize("limiter", limiters(), ids=lambda x: "redis" if x._redis_url else "here")
def test_the_limit_holds_per_key_and_lifts_after_the_window(limiter: RateLimiter) -> None:
    assert [limiter.hit_sync(RULE, "a") for _ in range(4)] == [True, True, True, False]
    assert limiter.hit_sync(RULE, "b") is True  # another key has its own count
    assert asyncio.run(limiter.hit(RULE, "a")) is False
    time.sleep(1.1)
    assert limiter.hit_sync(RULE, "a") is True


def test_with_redis_unreachable_each_process_still_enforces_the_limit() -> None:
    """A Redis outage neither stops every customer nor lifts the limit."""
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    limiter = RateLimiter(dead)
    answers = [asyncio.run(limiter.hit(RULE, "customer-1")) for _ in range(RULE.limit + 1)]
    assert answers == [True] * RULE.limit + [False]
    assert [limiter.hit_sync(RULE, "customer-2") for _ in range(RULE.limit + 1)] == answers
