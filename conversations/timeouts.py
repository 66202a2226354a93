"""Handoffs nobody claims in time: tell the customer and offer a callback.

A background task of the platform looks for pending handoffs older than
HANDOFF_TIMEOUT_SECONDS. It works from the database, so it picks up where it left off after
a restart, and each handoff is marked before the customer is told (conversations.status),
so they hear it once even with several platform replicas. A known customer is offered a
callback (`utter_handoff_timeout`, with yes/no buttons); their "yes" turns the handoff into
a callback in the queue.
"""

from __future__ import annotations

import logging

from fastapi.concurrency import run_in_threadpool

from conversations import status
from conversations.live import LiveBus
from conversations.live_events import HandoffTimedOut
from conversations.rasa_client import RasaClient, RasaUnavailable
from core.loops import every
from crm.db import session_scope
from crm.settings import get_settings

log = logging.getLogger(__name__)


def _due() -> list[status.Due]:
    with session_scope() as session:
        return status.claim_due(session, get_settings().handoff_timeout_seconds)


def _unmark(handoff_id: int) -> None:
    with session_scope() as session:
        status.unmark_due(session, handoff_id)


async def check_once(rasa: RasaClient, live: LiveBus) -> int:
    """One round: tell every overdue customer; returns how many were told."""
    told = 0
    for due in await run_in_threadpool(_due):
        try:
            await rasa.say(due.conversation_id, due.response)
        except RasaUnavailable as exc:
            log.warning("timeout message for handoff %s not sent: %s", due.handoff_id, exc)
            await run_in_threadpool(_unmark, due.handoff_id)
            continue
        told += 1
        await live.send(HandoffTimedOut(due.handoff_id))
    return told


async def run_forever(rasa: RasaClient, live: LiveBus) -> None:
    await every(
        get_settings().handoff_check_seconds,
        lambda: check_once(rasa, live),
        "handoff timeout check",
    )
