"""Console API: the handoff summary at the top of a conversation (conversations.handoff_summary).

The same access as reading the conversation (any console agent may look, audited as a look
at the customer's data); read from Rasa's tracker store and the bank's records, so it
answers even while Rasa is busy or down.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from agent_console.api_conversations import ConversationId, checked
from agent_console.guards import WhoDep
from agent_console.work_queue import iso
from conversations import handoff_summary, tracker_records
from crm.db import session_scope

router = APIRouter(prefix="/console/api/conversations", tags=["console"])


def summarise(conversation_id: str) -> dict[str, Any]:
    events = tracker_records.load_events(conversation_id)
    with session_scope() as session:
        handoff = handoff_summary.active_handoff(session, conversation_id)
        summary = handoff_summary.build(session, events, handoff)
        summary["handoff"] = None if handoff is None else {
            "id": handoff.id, "status": handoff.status, "created_at": iso(handoff.created_at),
        }  # fmt: skip
        return summary


@router.get("/{conversation_id}/summary")
async def read_summary(conversation_id: ConversationId, who: WhoDep) -> dict[str, Any]:
    """Why the customer came, what the assistant understood and did, mood, open question."""
    await checked(conversation_id, who, act=False, audit_as="view_summary")
    return await run_in_threadpool(summarise, conversation_id)
