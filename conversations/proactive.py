"""The proactive sender: every PROACTIVE_SEND_SECONDS, due app/Telegram outreach items become
the assistant's own message in the customer's conversation.

Runs on one replica (the scheduler; PROACTIVE_SEND_SECONDS=0 elsewhere), like the SLA check,
and is safe with two: each item is claimed by a conditional UPDATE before anything is sent
(crm.marketing.proactive.claim). The contact policy is applied at send time (consent, quiet
hours, the weekly limit across campaigns and the assistant), and every message is recorded
in the closed loop before it goes. The assistant speaks through Rasa, as the console does:
`action_proactive_offer` runs in the conversation `customer-<id>` (the sender id both the app
and a linked Telegram chat use) with its messages sent to the item's channel, so they reach
the chat page or the Telegram chat and land in the one history, and the customer's answer
continues that conversation.
"""

from __future__ import annotations

import logging

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select

from conversations.models import Handoff
from conversations.rasa_client import RasaClient, RasaUnavailable
from core.loops import every
from core.vocabulary import HandoffStatus
from crm.clock import business_now
from crm.db import session_scope
from crm.marketing import proactive
from crm.settings import get_settings

log = logging.getLogger(__name__)

ACTION = "action_proactive_offer"
BATCH = 20  # a round sends at most this many; the rest go next round


def _with_a_person(session, conversation_id: str) -> bool:
    """A person has (or is about to have) the conversation: no marketing in between."""
    return (
        session.scalar(
            select(Handoff.id)
            .where(
                Handoff.conversation_id == conversation_id,
                Handoff.status.in_((HandoffStatus.PENDING, HandoffStatus.CLAIMED)),
            )
            .limit(1)
        )
        is not None
    )


def _take_due() -> list[proactive.Outgoing]:
    """Claim and record the due items (one transaction each, committed before sending)."""
    now = business_now()
    with session_scope() as session:
        due = proactive.due(session, now, BATCH)
    taken = []
    for item_id, customer_id in due:
        with session_scope() as session:
            if _with_a_person(session, proactive.sender_of(customer_id)):
                continue
            outgoing = proactive.take(session, item_id, now)
        if outgoing is not None:
            taken.append(outgoing)
    return taken


def _settle(item_id: int, delivered: bool) -> None:
    with session_scope() as session:
        if delivered:
            proactive.sent(session, item_id)
        else:
            proactive.not_sent(session, item_id)


async def _send(rasa: RasaClient, outgoing: proactive.Outgoing) -> bool:
    """True once the assistant has said it (its tracker holds this message's presentation)."""
    try:
        tracker = await rasa.act_first(
            outgoing.conversation_id, ACTION, outgoing.channel, outgoing.language
        )
    except RasaUnavailable as exc:
        log.warning("proactive message %s not sent: %s", outgoing.item_id, exc)
        return False
    if tracker is None:  # it ran; sending again could say it twice
        log.warning("proactive message %s sent, not confirmed", outgoing.item_id)
        return True
    said = (tracker.get("slots") or {}).get("offer_presentation_id")
    if str(said) != str(outgoing.presentation_id):
        log.warning("proactive message %s: the assistant did not say it", outgoing.item_id)
        return False
    return True


async def send_once(rasa: RasaClient) -> int:
    """One round; returns how many messages the assistant sent."""
    sent = 0
    for outgoing in await run_in_threadpool(_take_due):
        delivered = await _send(rasa, outgoing)
        await run_in_threadpool(_settle, outgoing.item_id, delivered)
        sent += delivered
    return sent


async def run_forever(rasa: RasaClient) -> None:
    await every(get_settings().proactive_send_seconds, lambda: send_once(rasa), "proactive send")
