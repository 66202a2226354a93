"""Personal data kept no longer than needed: retention on a schedule, erasure on request.

Retention: conversations older than RETENTION_DAYS are deleted from Rasa's tracker store,
with the platform's records of them (closed handoffs, messages kept for review,
conversations idle since); audit entries older than the same period are deleted too. The
platform runs it every RETENTION_CHECK_SECONDS on one replica (0: not on this one), and
`python -m server.privacy retain` runs it by hand.

Erasure (a customer's request, `POST /api/v1/customers/{id}/erasure` from the bank's back
office, or `python -m server.privacy erase --customer N`): their conversations on every
channel (the tracker store's events and stored replies, handoffs, review items), channel
identities and link codes, and marketing data (offers shown and their outcomes,
opportunities, churn signals, segment and model features) are deleted; audit entries about
them keep who looked and when but no longer say at whom. The bank's own account records
(accounts, cards, transactions, complaints, interactions) stay: the bank must keep them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import time
from dataclasses import asdict, dataclass

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from agent_console.models import AuditEntry
from conversations import notes, tracker_records
from conversations.models import Conversation, Handoff, ReviewItem
from conversations.note_models import ConversationNote
from conversations.satisfaction_models import SatisfactionRating
from conversations.team_models import HandoffTransfer
from core.loops import every
from core.senders import customer_sender_id, telegram_sender_id
from core.vocabulary import Channel, HandoffStatus
from crm.api.deps import CustomerDep, require_service_token
from crm.clock import utcnow
from crm.db import session_scope
from crm.models import (
    ChannelIdentity,
    ChurnSignal,
    CustomerFeatures,
    LinkCode,
    OfferPresentation,
    Opportunity,
    SegmentAssignment,
)
from crm.settings import get_settings

log = logging.getLogger(__name__)
router = APIRouter(tags=["privacy"], dependencies=[Depends(require_service_token)])


@dataclass
class Erased:
    customer_id: int
    conversation_events: int
    conversations: int
    identities: int
    offer_presentations: int
    opportunities: int
    audit_entries_anonymised: int


def erase_customer(session: Session, customer_id: int) -> Erased:
    """Delete what the bank holds about a customer that it need not keep (see the module)."""
    identities = list(
        session.scalars(select(ChannelIdentity).where(ChannelIdentity.customer_id == customer_id))
    )
    chats = [i.external_id for i in identities if i.channel == Channel.TELEGRAM]
    senders = [customer_sender_id(customer_id)] + [
        telegram_sender_id(int(c)) for c in chats if c.lstrip("-").isdigit()
    ]
    replays = [f"app:{customer_id}:"]  # the app's stored replies; Telegram's hold no text
    events = tracker_records.delete_conversations(senders, replays)
    conversations = session.scalars(
        select(Conversation.id).where(
            (Conversation.customer_id == customer_id) | Conversation.id.in_(senders)
        )
    ).all()
    session.execute(delete(ReviewItem).where(ReviewItem.conversation_id.in_(conversations)))
    notes.delete_for(session, conversations)  # internal notes and whispers on them
    # Their ratings (a comment is the customer's words) and their handoffs' transfer notes.
    session.execute(
        delete(SatisfactionRating).where(SatisfactionRating.conversation_id.in_(conversations))
    )
    handoffs = select(Handoff.id).where(Handoff.conversation_id.in_(conversations))
    session.execute(delete(HandoffTransfer).where(HandoffTransfer.handoff_id.in_(handoffs)))
    session.execute(delete(Handoff).where(Handoff.conversation_id.in_(conversations)))
    session.execute(delete(Conversation).where(Conversation.id.in_(conversations)))
    session.execute(delete(LinkCode).where(LinkCode.customer_id == customer_id))
    session.execute(delete(ChannelIdentity).where(ChannelIdentity.customer_id == customer_id))
    shown = session.execute(
        delete(OfferPresentation).where(OfferPresentation.customer_id == customer_id)
    ).rowcount
    found = session.execute(
        delete(Opportunity).where(Opportunity.customer_id == customer_id)
    ).rowcount
    session.execute(delete(ChurnSignal).where(ChurnSignal.customer_id == customer_id))
    session.execute(delete(SegmentAssignment).where(SegmentAssignment.customer_id == customer_id))
    session.execute(delete(CustomerFeatures).where(CustomerFeatures.customer_id == customer_id))
    anonymised = session.execute(
        update(AuditEntry)
        .where(AuditEntry.customer_id == customer_id)
        .values(customer_id=None, detail="(erased at the customer's request)")
    ).rowcount
    session.add(AuditEntry(agent_id=None, action="erase_customer", customer_id=None,
                           detail=f"{len(senders)} conversation(s) erased"))  # fmt: skip
    return Erased(customer_id, events, len(conversations), len(identities), shown, found,
                  anonymised)  # fmt: skip


@dataclass
class Retained:
    cutoff: str
    conversation_events: int
    handoffs: int
    review_items: int
    conversations: int
    audit_entries: int


def apply_retention(session: Session, days: int, now: dt.datetime | None = None) -> Retained:
    """Delete conversations and audit entries older than `days` (see the module)."""
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    events = tracker_records.delete_events_before(cutoff.replace(tzinfo=dt.UTC).timestamp())
    old = (Handoff.status == HandoffStatus.CLOSED) & (Handoff.created_at < cutoff)
    # What refers to those handoffs goes first: transfer notes with them; a rating keeps its
    # score for the dashboard's figures but loses the handoff and the customer's comment.
    old_ids = select(Handoff.id).where(old)
    session.execute(delete(HandoffTransfer).where(HandoffTransfer.handoff_id.in_(old_ids)))
    session.execute(
        update(SatisfactionRating)
        .where(
            SatisfactionRating.handoff_id.in_(old_ids) | (SatisfactionRating.created_at < cutoff)
        )
        .values(handoff_id=None, comment=None)
    )
    handoffs = session.execute(delete(Handoff).where(old)).rowcount
    reviews = session.execute(delete(ReviewItem).where(ReviewItem.created_at < cutoff)).rowcount
    session.execute(delete(ConversationNote).where(ConversationNote.created_at < cutoff))
    idle = select(Handoff.conversation_id)
    conversations = session.execute(
        delete(Conversation).where(Conversation.updated_at < cutoff, Conversation.id.not_in(idle))
    ).rowcount
    audits = session.execute(delete(AuditEntry).where(AuditEntry.at < cutoff)).rowcount
    return Retained(cutoff.isoformat(timespec="seconds"), events, handoffs, reviews,
                    conversations, audits)  # fmt: skip


@router.post("/customers/{customer_id}/erasure")
async def erase(customer: CustomerDep) -> dict:
    """A customer's erasure request: what the bank need not keep about them is deleted."""
    customer_id = customer.id

    def _erase() -> Erased:
        with session_scope() as session:
            return erase_customer(session, customer_id)

    return asdict(await run_in_threadpool(_erase))


def retain_once() -> Retained:
    with session_scope() as session:
        return apply_retention(session, get_settings().retention_days)


async def _retain_round() -> None:
    done = await run_in_threadpool(retain_once)
    log.info("retention: %s", asdict(done))


async def run_forever() -> None:
    await every(get_settings().retention_check_seconds, _retain_round, "retention run")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.privacy", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("retain", help="delete what is older than RETENTION_DAYS")
    erase_parser = commands.add_parser("erase", help="a customer's erasure request")
    erase_parser.add_argument("--customer", type=int, required=True)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.command == "retain":
        print(asdict(retain_once()))
    else:
        with session_scope() as session:
            print(asdict(erase_customer(session, args.customer)))
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
