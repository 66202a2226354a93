"""Keep the queue's summary line of a waiting or claimed handoff up to date.

Why in the background: the queue preview must show the summary without reading every
waiting conversation's events on each queue refresh (50 agents refresh often), so the line
is stored on the handoff (`handoffs.summary`, the column the queue already shows) when
something changes it: the bot handing over (`pause`), a customer message while a person
has the conversation, a person's reply. Rasa streams a turn's events just before it writes
them to its store, so the refresh waits until the store holds the event that triggered it.
One refresh runs per conversation at a time; a trigger meanwhile runs it once more.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from conversations import handoff_summary, tracker_records
from conversations.background import spawn
from conversations.live_events import HandoffSummarised
from crm.db import session_scope

log = logging.getLogger(__name__)

STORE_WAIT_SECONDS = 0.25  # between looks at the tracker store
STORE_LOOKS = 12  # ~3 s for Rasa to write the turn; then summarise what is there
_running: dict[str, float] = {}  # conversation -> latest trigger's timestamp (0: none newer)


def triggers(event: dict[str, Any]) -> bool:
    """Events after which the summary may read differently (customer messages are checked
    by the caller: only those of conversations with a person count)."""
    kind = event.get("event")
    author = str((event.get("metadata") or {}).get("author") or "")
    return kind == "pause" or (kind == "bot" and author.startswith("agent:"))


def refresh_soon(app: FastAPI, conversation_id: str, at: float | None) -> None:
    """Refresh the conversation's summary line once its store holds the event at `at`."""
    at = at or 0.0
    if conversation_id in _running:
        _running[conversation_id] = max(_running[conversation_id], at, 1e-9)
        return
    _running[conversation_id] = 0.0
    spawn(app, _refresh(app, conversation_id, at))


async def _refresh(app: FastAPI, conversation_id: str, at: float) -> None:
    try:
        while True:
            changed = await _refresh_once(conversation_id, at)
            if changed:
                await app.state.live.send(HandoffSummarised(conversation_id))
            again = _running.get(conversation_id, 0.0)
            if not again:
                return
            _running[conversation_id], at = 0.0, again
    finally:
        _running.pop(conversation_id, None)


async def _refresh_once(conversation_id: str, at: float) -> bool:
    try:
        for _ in range(STORE_LOOKS):
            events = await run_in_threadpool(tracker_records.load_events, conversation_id)
            if not events or not at or any((e.get("timestamp") or 0) >= at for e in events[-50:]):
                break  # nothing stored for it at all: not a conversation to wait for
            await asyncio.sleep(STORE_WAIT_SECONDS)
        return await run_in_threadpool(_store, conversation_id, events)
    except Exception:  # a summary line is a convenience: never let it break the live path
        log.exception("summary line of %s not refreshed", conversation_id)
        return False


def _store(conversation_id: str, events: list[dict[str, Any]]) -> bool:
    with session_scope() as session:
        handoff = handoff_summary.active_handoff(session, conversation_id)
        if handoff is None or handoff.status not in handoff_summary.ACTIVE:
            return False
        text = handoff_summary.build(session, events, handoff)["line"]
        if not text:
            return False
        return handoff_summary.store_line(session, handoff.id, text)
