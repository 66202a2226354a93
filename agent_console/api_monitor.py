"""Supervisor monitoring: the live view of open conversations, taking one over, reassigning.

The page (/console/monitor, drawn by /static/console/monitor.js) lists every waiting and
open conversation with its agent, wait and SLA state; the supervisor reads any of them
along (the console already lets supervisors look), whispers to its agent (api_notes), takes
it over or gives it to another agent. Moving a claim is the routing feature's transfer
(conversations.transfers): one conditional UPDATE on the claim as the supervisor saw it, so
the owner closing it or another supervisor moving it at the same moment is settled once,
and the move is recorded in handoff_transfers. The agent who lost it is told in their
console. Every move is audited.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from agent_console import audit, monitor
from agent_console.api_conversations import ConversationId, checked
from agent_console.api_notes import ActingSupervisorDep
from agent_console.api_transfer import tell_customer
from agent_console.console import OptionalSession, _page, _to_login
from agent_console.guards import CONSOLE_ROLES, SupervisorDep, Who
from agent_console.history import epoch
from agent_console.lifecycle import Access
from agent_console.models import Agent
from conversations import transfers
from conversations.live_events import (
    ConversationLine,
    ConversationMoved,
    HandoffClaimed,
    HandoffStatus,
    HandoffTransferred,
)
from conversations.status import ACTIVE
from conversations.team_models import HandoffTransfer
from core.vocabulary import ConversationStatus
from core.vocabulary import HandoffStatus as Claim
from crm.api.deps import MAX_ID
from crm.db import session_scope

pages = APIRouter(prefix="/console", include_in_schema=False)
router = APIRouter(prefix="/console/api/monitor", tags=["console"])


class MoveIn(BaseModel):
    # The claim as the supervisor saw it: if it changed hands or ended since, nothing moves (409).
    expected_status: Literal["pending", "claimed"] | None = None
    expected_agent_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class ReassignIn(MoveIn):
    agent_id: int = Field(ge=1, le=MAX_ID)
    note: str = Field(default="", max_length=1000)


@pages.get("/monitor", response_class=HTMLResponse)
def monitor_page(request: Request, login_session: OptionalSession) -> Response:
    """The supervisor's live view (agents get the 'not for you' page)."""
    if login_session is None:
        return _to_login()
    if login_session.agent.role != "supervisor":
        return _page(request, login_session, "elsewhere.html", {}, status_code=403)
    return _page(request, login_session, "monitor.html", {})


@router.get("")
def read_monitor(who: SupervisorDep) -> dict[str, Any]:
    """Every waiting and open conversation, and the agents who could take one."""
    with session_scope() as session:
        return {
            "me": {"id": who.id, "name": who.name},
            "conversations": monitor.active(session),
            "agents": monitor.agents(session),
        }


@dataclass(frozen=True)
class Move:
    previous_agent_id: int | None
    was_waiting: bool
    note: str
    at: float


def _move(granted: Access, who: Who, to: Agent, seen: MoveIn, how: str, note: str) -> Move:
    """Give the handoff to `to` with the routing feature's transfer (conversations.transfers:
    one conditional UPDATE on the claim as the supervisor saw it, recorded with its note in
    handoff_transfers), and audit it. A supervisor taking it over is not held to a capacity."""
    if granted.handoff_status not in ACTIVE or granted.handoff_id is None:
        raise HTTPException(status.HTTP_409_CONFLICT, detail="Nobody is waiting on it now.")
    seen_status = seen.expected_status or granted.handoff_status
    holder = seen.expected_agent_id if seen.expected_status else granted.owner_id
    holder = None if seen_status == Claim.PENDING else holder
    if holder == to.id:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=f"{to.display_name} has it already.")
    with session_scope() as session:
        moved = transfers.transfer(
            session,
            granted.handoff_id,
            seen_status=seen_status,
            seen_holder=holder,
            by_agent_id=who.id,
            note=note.strip(),
            to_agent_id=to.id,
            to_agent_capacity=None if to.id == who.id else getattr(to, "capacity", None),
        )
        if moved.outcome == transfers.AT_CAPACITY:
            raise HTTPException(
                status.HTTP_409_CONFLICT, detail=f"{to.display_name} is at capacity."
            )
        if moved.outcome != transfers.MOVED:
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                detail="The conversation changed hands or ended meanwhile; nothing moved.",
            )
        detail = f"handoff {granted.handoff_id}: agent {holder} -> {to.id}"
        audit.record(session, who.id, how, granted.customer_id, detail)
        row = session.get(HandoffTransfer, moved.transfer_id)
        shown = (row.note, epoch(row.at)) if row else ("", time.time())
        session.commit()
        return Move(holder, seen_status == Claim.PENDING, *shown)


async def _announce(request: Request, granted: Access, who: Who, to: Agent, move: Move) -> None:
    """Everyone's queue, the conversation's watchers, and the agents who lost or got it."""
    live = request.app.state.live
    cid = granted.conversation_id
    await live.send(HandoffTransferred(granted.handoff_id, cid, None, to.id, who.id, who.name))
    # Consoles that had it stop following it and say who has it now (console_socket, live.js).
    await live.send(HandoffClaimed(granted.handoff_id, to.id, cid, to.display_name))
    line = {"kind": "queue", "state": "transferred", "agent": who.name, "team": None,
            "team_name": None, "to_agent": to.display_name, "note": move.note,
            "time": move.at}  # fmt: skip
    await live.send(ConversationLine(cid, line))
    if move.was_waiting:  # the customer now has a person
        await live.send(HandoffStatus(cid, status=ConversationStatus.OPEN))
    if move.previous_agent_id is not None:
        away = "taken_over" if to.id == who.id else "reassigned_away"
        await live.send(
            ConversationMoved(move.previous_agent_id, cid, away, who.name, to.display_name)
        )
    if to.id != who.id:
        await live.send(ConversationMoved(to.id, cid, "assigned", who.name, to.display_name))


def _agent(agent_id: int) -> Agent:
    with session_scope() as session:
        agent = session.get(Agent, agent_id)
        if agent is None or not agent.active or agent.role not in CONSOLE_ROLES:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such agent.")
        session.expunge(agent)
        return agent


@router.post("/conversations/{conversation_id}/take-over")
async def take_over(
    conversation_id: ConversationId, body: MoveIn, who: ActingSupervisorDep, request: Request
) -> dict[str, Any]:
    """The supervisor becomes the owner; the agent who had it is told in their console."""
    granted = await checked(conversation_id, who, act=False)
    me = await run_in_threadpool(_agent, who.id)
    move = await run_in_threadpool(_move, granted, who, me, body, "take_over", "")
    await _announce(request, granted, who, me, move)
    return {
        "conversation_id": conversation_id,
        "agent_id": who.id,
        "previous_agent_id": move.previous_agent_id,
    }


@router.post("/conversations/{conversation_id}/reassign")
async def reassign(
    conversation_id: ConversationId, body: ReassignIn, who: ActingSupervisorDep, request: Request
) -> dict[str, Any]:
    """Give the conversation to another agent (within their capacity, with a note they read
    first); both agents and the customer are told."""
    granted = await checked(conversation_id, who, act=False)
    target = await run_in_threadpool(_agent, body.agent_id)
    move = await run_in_threadpool(_move, granted, who, target, body, "reassign", body.note)
    await _announce(request, granted, who, target, move)
    # A new person answers from now on: the customer is told, as after any transfer.
    told = await tell_customer(request, conversation_id, granted.channel, who)
    return {
        "conversation_id": conversation_id,
        "agent_id": target.id,
        "agent": target.display_name,
        "previous_agent_id": move.previous_agent_id,
        "customer_told": told,
    }
