"""The SLA check: every SLA_CHECK_SECONDS, move the clocks and tell the supervisors.

Runs on one replica (the scheduler; SLA_CHECK_SECONDS=0 elsewhere), like the handoff
timeout. It works from the database, so it resumes after a restart; the moves are
conditional UPDATEs (conversations.sla), so even two checks at once alert once.
"""

from __future__ import annotations

from fastapi.concurrency import run_in_threadpool

from conversations import sla
from conversations.live import LiveBus
from conversations.live_events import ComplaintsDue, SlaAlert
from core.loops import every
from crm.db import session_scope
from crm.settings import get_settings


def _check() -> tuple[list[sla.Alert], list[sla.ComplaintAlert]]:
    with session_scope() as session:
        handoffs = sla.check_handoffs(session)
        complaints = sla.check_complaints(session)
        return handoffs, complaints


def complaints_event(alerts: list[sla.ComplaintAlert]) -> ComplaintsDue:
    named = [
        {"reference": a.reference, "customer_id": a.customer_id, "category": a.category,
         "due": a.due.isoformat(), "state": a.state}
        for a in alerts[: sla.COMPLAINTS_LISTED]
    ]  # fmt: skip
    return ComplaintsDue(
        warning=sum(a.state == sla.WARNING for a in alerts),
        breached=sum(a.state == sla.BREACHED for a in alerts),
        complaints=named,
    )


async def check_once(live: LiveBus) -> int:
    """One round; returns how many alerts went out (a complaints batch counts once)."""
    handoffs, complaints = await run_in_threadpool(_check)
    for alert in handoffs:
        due = alert.due_at.isoformat(timespec="seconds") + "Z"
        await live.send(
            SlaAlert(alert.handoff_id, alert.conversation_id, alert.team, alert.priority,
                     alert.state, due)
        )  # fmt: skip
    if complaints:
        await live.send(complaints_event(complaints))
    return len(handoffs) + (1 if complaints else 0)


async def run_forever(live: LiveBus) -> None:
    await every(get_settings().sla_check_seconds, lambda: check_once(live), "SLA check")
