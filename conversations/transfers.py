"""Transfer a handoff to another team's queue or straight to another agent, with a note.

The handoff itself moves (same row: its summary, history and customer stay with it), and
each transfer is recorded in `handoff_transfers` with the note the next agent reads. A
transfer races with the owner's own other clicks (close, hand back, a second transfer), with
supervisors moving the claim, and with the target agent's other claims (capacity); it is
settled by one conditional UPDATE on the handoff as the caller saw it (see `transfer`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from conversations.models import Conversation, Handoff
from conversations.status import below_capacity
from conversations.team_models import HandoffTransfer
from core.pii import mask_pii
from core.vocabulary import ConversationStatus, HandoffStatus
from crm.clock import utcnow

MOVED = "moved"
GONE = "gone"  # the handoff is no longer as the caller saw it (closed, moved, claimed)
AT_CAPACITY = "at_capacity"  # the target agent holds as many conversations as they may


@dataclass(frozen=True)
class Transferred:
    outcome: str
    conversation_id: str = ""
    customer_id: int | None = None
    transfer_id: int | None = None


def transfer(
    session: Session,
    handoff_id: int,
    *,
    seen_status: str,
    seen_holder: int | None,
    by_agent_id: int,
    note: str,
    to_team: str | None = None,
    to_agent_id: int | None = None,
    to_agent_capacity: int | None = None,
) -> Transferred:
    """Move the handoff to `to_team`'s queue (pending, nobody's) or to `to_agent_id` (claimed
    by them), and record the transfer. Not committed.

    One UPDATE ... WHERE status = seen_status AND claimed_by = seen_holder [AND the target
    holds fewer than their capacity]: a double click, the owner closing it meanwhile, or a
    supervisor moving it at the same moment all leave only the first request matching; the
    others change nothing (GONE), so the customer is never in two places nor told twice."""
    now = utcnow()
    holder = (
        Handoff.claimed_by.is_(None) if seen_holder is None else (Handoff.claimed_by == seen_holder)
    )
    conditions = [Handoff.id == handoff_id, Handoff.status == seen_status, holder]
    if to_agent_id is not None:
        values: dict = {"status": HandoffStatus.CLAIMED, "claimed_by": to_agent_id,
                        "claimed_at": now}  # fmt: skip
        if to_agent_capacity is not None:
            conditions.append(below_capacity(to_agent_id, to_agent_capacity))
    else:
        # Back in a queue: the customer was just told by a person that a colleague comes;
        # the "all our colleagues are busy" timeout message would contradict that.
        values = {"status": HandoffStatus.PENDING, "claimed_by": None, "claimed_at": None,
                  "timeout_notified": True}  # fmt: skip
    if to_team is not None:
        values["team"] = to_team
    result = session.execute(update(Handoff).where(*conditions).values(**values))
    handoff = session.get(Handoff, handoff_id)
    if result.rowcount != 1 or handoff is None:
        session.rollback()
        if handoff is None:
            return Transferred(GONE)
        session.refresh(handoff)
        unchanged = handoff.status == seen_status and handoff.claimed_by == seen_holder
        return Transferred(
            AT_CAPACITY if unchanged and to_agent_id is not None else GONE,
            handoff.conversation_id,
            handoff.customer_id,
        )
    session.refresh(handoff)
    row = HandoffTransfer(
        handoff_id=handoff_id,
        from_agent_id=seen_holder,
        to_team=to_team,
        to_agent_id=to_agent_id,
        note=mask_pii(note),  # the queue is seen by every agent
        by_agent_id=by_agent_id,
        at=now,
    )
    session.add(row)
    session.execute(
        update(Conversation)
        .where(Conversation.id == handoff.conversation_id)
        .values(
            status=ConversationStatus.OPEN if to_agent_id else ConversationStatus.PENDING,
            assigned_agent_id=to_agent_id,
            updated_at=now,
        )
    )
    session.flush()
    return Transferred(MOVED, handoff.conversation_id, handoff.customer_id, row.id)


def latest_notes(session: Session, handoff_ids: list[int]) -> dict[int, HandoffTransfer]:
    """The latest transfer of each handoff (its note is what the next agent reads first)."""
    if not handoff_ids:
        return {}
    latest: dict[int, HandoffTransfer] = {}
    rows = session.scalars(
        select(HandoffTransfer)
        .where(HandoffTransfer.handoff_id.in_(handoff_ids))
        .order_by(HandoffTransfer.at, HandoffTransfer.id)
    )
    for row in rows:
        latest[row.handoff_id] = row
    return latest


def of_conversation(session: Session, conversation_id: str) -> list[HandoffTransfer]:
    return list(
        session.scalars(
            select(HandoffTransfer)
            .join(Handoff, Handoff.id == HandoffTransfer.handoff_id)
            .where(Handoff.conversation_id == conversation_id)
            .order_by(HandoffTransfer.at, HandoffTransfer.id)
        )
    )
