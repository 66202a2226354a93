"""Console API: the queue and claiming a handoff from it."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.concurrency import run_in_threadpool

from agent_console import work_queue
from agent_console.guards import ActingDep, WhoDep
from crm.api.deps import MAX_ID, DbSession
from crm.db import session_scope

router = APIRouter(prefix="/console/api", tags=["console"])


@router.get("/queue")
def read_queue(who: WhoDep, session: DbSession) -> dict:
    """Waiting handoffs (most urgent first) and the conversations this agent has."""
    return {
        "me": {"id": who.id, "name": who.name, "role": who.role},
        "waiting": work_queue.waiting(session),
        "mine": work_queue.mine(session, who.id),
    }


@router.post("/handoffs/{handoff_id}/claim")
async def claim_handoff(
    handoff_id: Annotated[int, Path(ge=1, le=MAX_ID)], who: ActingDep, request: Request
) -> dict:
    """Take a waiting customer. When two agents claim at once, the second hears 409."""

    def _claim() -> work_queue.ClaimResult | None:
        with session_scope() as session:
            return work_queue.claim(session, handoff_id, who)

    result = await run_in_threadpool(_claim)
    if result is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"No handoff with id {handoff_id}.")
    if not result.won:
        detail = (
            f"{result.holder} claimed this conversation first."
            if result.status == "claimed" and result.holder
            else "This handoff is no longer waiting."
        )
        raise HTTPException(status.HTTP_409_CONFLICT, detail=detail)
    live = request.app.state.live
    conversation = result.conversation_id
    claimed = {"conversation_id": conversation, "agent": who.name}
    await live.publish(
        "queue", {"type": "handoff.claimed", "handoff_id": handoff_id, "agent_id": who.id} | claimed
    )
    await live.publish(
        f"conversation:{conversation}",
        {"kind": "queue", "state": "claimed", "time": time.time()} | claimed,
    )
    await live.publish(f"customer:{conversation}", {"type": "handoff", "status": "open"})
    return {"conversation_id": conversation, "customer_id": result.customer_id}
