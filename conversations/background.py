"""Fire-and-forget work of a request (e.g. answering the customer through Rasa) that must
not hold up the response, kept referenced so it is not garbage-collected mid-way."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from fastapi import FastAPI

log = logging.getLogger(__name__)


def spawn(app: FastAPI, work: Coroutine[Any, Any, Any]) -> asyncio.Task:
    tasks: set[asyncio.Task] = app.state.tasks
    task = asyncio.get_running_loop().create_task(work)
    tasks.add(task)

    def _done(finished: asyncio.Task) -> None:
        tasks.discard(finished)
        if not finished.cancelled() and finished.exception() is not None:
            log.error("background work failed", exc_info=finished.exception())

    task.add_done_callback(_done)
    return task
