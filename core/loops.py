"""The scheduler's periodic loops (handoff timeouts, SLA, retention, outreach scan, proactive
sends): one shape for all of them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def every(seconds: float, step: Callable[[], Awaitable[object]], what: str) -> None:
    """Run `step` every `seconds` until cancelled. 0 means not on this replica: the loops run
    on the scheduler alone, so several replicas never do the same round. A failed round is
    logged and the next one comes as usual: a database hiccup must not end a loop for good."""
    if seconds <= 0:
        return
    while True:
        try:
            await step()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed; retrying in %s s", what, seconds)
        await asyncio.sleep(seconds)
