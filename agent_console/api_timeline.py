"""Console API: the customer's whole relationship with the bank, for the copilot panel."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from agent_console import audit, timeline
from agent_console.api_conversations import ConversationId, checked
from agent_console.guards import WhoDep
from crm.db import session_scope

router = APIRouter(prefix="/console/api/conversations", tags=["console"])


@router.get("/{conversation_id}/timeline")
async def read_timeline(conversation_id: ConversationId, who: WhoDep) -> dict[str, Any]:
    """Contacts, card changes, complaints and disputes, offers and their outcomes, earlier
    handoffs and notes of the customer in this conversation, newest first, masked. Audited."""
    granted = await checked(conversation_id, who, act=False)

    def _read() -> dict[str, Any]:
        with session_scope() as session:
            if granted.customer_id is None:
                return {"anonymous": True, "entries": []}
            audit.record(session, who.id, "view_timeline", granted.customer_id, conversation_id)
            return {"anonymous": False, "entries": timeline.timeline(session, granted.customer_id)}

    return await run_in_threadpool(_read)
