"""Console API: an agent records the marketing consent change a customer asks for in the
conversation the agent is handling (e.g. "don't call me about offers"), with source "console"
and the agent's username. Only the agent who may act in the conversation; audited.

Withdrawing on every channel stops the customer's pending outreach at once, as a "stop"
reply or a do-not-contact call outcome does.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict

from agent_console import audit
from agent_console.api_conversations import ConversationId, checked
from agent_console.guards import ActingDep
from crm.db import session_scope
from crm.marketing import consent, outreach

router = APIRouter(prefix="/console/api", tags=["console"])


class ConsentChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: Literal["app", "telegram", "call", "all"]
    granted: bool


@router.post("/conversations/{conversation_id}/marketing-consent")
async def change_consent(
    conversation_id: ConversationId, body: ConsentChangeIn, who: ActingDep
) -> dict:
    """Record the customer's answer; answers with consent per channel now."""
    granted = await checked(conversation_id, who, act=True)
    if granted.customer_id is None:
        raise HTTPException(status.HTTP_409_CONFLICT, detail="Anonymous customer.")
    customer_id = granted.customer_id

    def _record() -> dict:
        with session_scope() as session:
            consent.record(
                session, customer_id, body.channel, body.granted, "console", by=who.username
            )
            now = consent.current(session, customer_id)
            if not any(now.values()):
                outreach.suppress_customer(session, customer_id)
            audit.record(
                session, who.id, "change_marketing_consent", customer_id,
                f"{body.channel}={'yes' if body.granted else 'no'} in {conversation_id}",
            )  # fmt: skip
            return consent.current_with_source(session, customer_id)

    return {"marketing_consent": await run_in_threadpool(_record)}
