"""What the assistant needs for proactive messages: the message being sent to a customer now,
and the customer's "stop" (marketing opt-out on every channel)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel

from crm.api.deps import CustomerDep, DbSession, require_service_token
from crm.marketing import proactive

router = APIRouter(tags=["marketing"], dependencies=[Depends(require_service_token)])


class OptOutIn(BaseModel):
    source: Literal["chat", "app"] = "chat"


@router.get("/customers/{customer_id}/proactive-message")
def read_proactive_message(customer: CustomerDep, session: DbSession) -> dict[str, Any]:
    """The proactive message the platform is sending this customer right now (claimed and
    recorded in the closed loop): its offer, the item's reason and the presentation; 404 when
    none is under way."""
    message = proactive.message_for(session, customer.id)
    if message is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No proactive message under way.")
    return message


@router.post("/customers/{customer_id}/marketing-opt-out")
def opt_out_of_marketing(
    customer: CustomerDep, body: OptOutIn, session: DbSession
) -> dict[str, int]:
    """The customer said "stop": marketing consent withdrawn on every channel, every pending
    outreach item suppressed, at once. Repeating it is harmless."""
    return proactive.opt_out(session, customer.id, body.source)
