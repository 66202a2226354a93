"""Handoffs nobody claims in time: tell the customer and offer a callback.

A background task of the platform looks for pending handoffs older than
HANDOFF_TIMEOUT_SECONDS. It works from the database, so it picks up where it left off
after a restart, and it marks each handoff with a conditional UPDATE on
`timeout_notified` before speaking, so the customer hears it once even with several
platform replicas. A known customer is offered a callback (`utter_handoff_timeout`, with
yes/no buttons); their "yes" turns the handoff into a callback in the queue.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from agent_console.live import LiveBus
from agent_console.models import Handoff
from agent_console.rasa_client import RasaClient, RasaUnavailable
from agent_console.settings import get_console_settings
from crm.clock import utcnow
from crm.db import session_scope

log = logging.getLogger(__name__)

OFFER_CALLBACK = "utter_handoff_timeout"
STILL_BUSY = "utter_handoff_still_busy"  # anonymous: no phone number to call back
CALLBACK_BOOKED = "utter_handoff_callback_booked"
KEEP_WAITING = "utter_handoff_keep_waiting"


@dataclass(frozen=True)
class Due:
    handoff_id: int
    conversation_id: str
    response: str


def claim_due(session: Session, timeout_seconds: int, now: dt.datetime | None = None) -> list[Due]:
    """Mark every overdue handoff as notified and return them (each only once, ever)."""
    cutoff = (now or utcnow()) - dt.timedelta(seconds=timeout_seconds)
    candidates = session.execute(
        select(Handoff.id, Handoff.conversation_id, Handoff.customer_id).where(
            Handoff.status == "pending",
            Handoff.timeout_notified.is_(False),
            Handoff.reason != "callback",
            Handoff.created_at <= cutoff,
        )
    ).all()
    due = []
    for handoff_id, conversation_id, customer_id in candidates:
        offer = customer_id is not None
        marked = session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.timeout_notified.is_(False))
            .values(timeout_notified=True, callback_offer="offered" if offer else None)
        )
        if marked.rowcount == 1:
            due.append(Due(handoff_id, conversation_id, OFFER_CALLBACK if offer else STILL_BUSY))
    session.commit()
    return due


def unmark(handoff_id: int) -> None:
    """The customer could not be told: try again on the next round."""
    with session_scope() as session:
        session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id)
            .values(timeout_notified=False, callback_offer=None)
        )


def answer_callback_offer(session: Session, conversation_id: str, intent: str | None) -> str | None:
    """The customer's yes/no to the callback offer: the response to send, or None.

    Yes: the handoff becomes a callback (reason "callback", still in the queue); no: it
    waits on. Either is recorded once; other messages leave it alone."""
    if intent not in ("affirm", "deny"):
        return None
    handoff = session.scalar(
        select(Handoff).where(
            Handoff.conversation_id == conversation_id,
            Handoff.status == "pending",
            Handoff.callback_offer == "offered",
        )
    )
    if handoff is None:
        return None
    values: dict[str, Any] = {"callback_offer": "declined"}
    if intent == "affirm":
        note = f"Callback requested after waiting (asked for: {handoff.reason}). "
        values = {
            "callback_offer": "accepted",
            "reason": "callback",
            "summary": (note + handoff.summary)[:500],
        }
    answered = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff.id, Handoff.callback_offer == "offered")
        .values(**values)
    )
    if answered.rowcount != 1:
        return None
    return CALLBACK_BOOKED if intent == "affirm" else KEEP_WAITING


async def check_once(rasa: RasaClient, live: LiveBus) -> int:
    """One round: tell every overdue customer; returns how many were told."""
    timeout = get_console_settings().handoff_timeout_seconds

    def _due() -> list[Due]:
        with session_scope() as session:
            return claim_due(session, timeout)

    told = 0
    for due in await run_in_threadpool(_due):
        try:
            await rasa.say(due.conversation_id, due.response)
        except RasaUnavailable as exc:
            log.warning("timeout message for handoff %s not sent: %s", due.handoff_id, exc)
            await run_in_threadpool(unmark, due.handoff_id)
            continue
        told += 1
        await live.publish("queue", {"type": "handoff.timeout", "handoff_id": due.handoff_id})
    return told


async def run_forever(rasa: RasaClient, live: LiveBus) -> None:
    interval = get_console_settings().handoff_check_seconds
    if interval <= 0:
        return
    while True:
        try:
            await check_once(rasa, live)
        except asyncio.CancelledError:
            raise
        except Exception:  # a database hiccup must not end the check for good
            log.exception("handoff timeout check failed; retrying")
        await asyncio.sleep(interval)
