"""Console API: transfer a conversation to another team or agent, with a note; the teams.

The owner transfers (a supervisor may too: a reassignment). The handoff itself moves, so the
history, the summary and the customer stay with it: back to the target team's queue, or
straight to the named agent (within their capacity). The note is what the next agent reads
first (queue item and history). The customer is told in the assistant's words
(`utter_agent_transferred` in the domain), in their language, after the move succeeded, so a
transfer that lost a race never tells them anything.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, model_validator

from agent_console import audit, lifecycle, responses
from agent_console import teams as agent_teams
from agent_console.api_conversations import ConversationId, checked, raise_for
from agent_console.api_copilot import conversation_language
from agent_console.guards import CONSOLE_ROLES, ActingDep, Who, WhoDep
from agent_console.history import epoch
from conversations import transfers
from conversations.live_events import ConversationLine, HandoffStatus, HandoffTransferred
from conversations.rasa_client import RasaUnavailable, agent_message
from conversations.status import ACTIVE
from conversations.team_models import TEAM_NAMES, TEAMS
from core.vocabulary import ConversationStatus
from crm.api.deps import MAX_ID, DbSession
from crm.db import session_scope

log = logging.getLogger(__name__)
router = APIRouter(prefix="/console/api", tags=["console"])

TRANSFERRED_RESPONSE = "utter_agent_transferred"
DOMAIN_DIR = Path(__file__).resolve().parents[1] / "assistant" / "domain"
TeamCode = Literal[TEAMS]  # type: ignore[valid-type]


class TransferIn(BaseModel):
    team: TeamCode | None = None
    agent_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None
    note: str = Field(min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _somewhere(self) -> TransferIn:
        if self.team is None and self.agent_id is None:
            raise ValueError("Say which team or which agent takes the conversation.")
        if not self.note.strip():
            raise ValueError("Write a note for the next agent.")
        return self


@router.get("/teams")
def read_teams(who: WhoDep, session: DbSession) -> dict[str, Any]:
    """The teams and the agents a conversation can go to, with how many they hold now."""
    return agent_teams.directory(session)


def _move(conversation_id: str, body: TransferIn, who: Who) -> dict[str, Any]:
    with session_scope() as session:
        granted = lifecycle.access(session, conversation_id, who)
        reassigning = who.supervisor and granted.handoff_status in ACTIVE
        if not granted.can_act and not reassigning:
            raise lifecycle.Forbidden(
                f"{granted.owner_name} has this conversation; only they can transfer it."
                if granted.owner_name and granted.handoff_status == "claimed"
                else "Claim this conversation from the queue before transferring it."
            )
        target = None
        if body.agent_id is not None:
            target = agent_teams.lock(session, body.agent_id)
            if target is None or not target.active or target.role not in CONSOLE_ROLES:
                raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "No such agent.")
            if target.id == granted.owner_id:
                raise lifecycle.Conflict(f"{target.display_name} already has this conversation.")
        moved = transfers.transfer(
            session,
            granted.handoff_id,
            seen_status=granted.handoff_status,
            seen_holder=granted.owner_id,
            by_agent_id=who.id,
            note=body.note.strip(),
            to_team=body.team,
            to_agent_id=target.id if target else None,
            to_agent_capacity=target.capacity if target else None,
        )
        if moved.outcome == transfers.AT_CAPACITY:
            raise lifecycle.Conflict(
                f"{target.display_name} is at capacity ({target.capacity} conversations)."
            )
        if moved.outcome != transfers.MOVED:
            raise lifecycle.Conflict("This conversation was already closed or moved.")
        where = f"agent {target.id}" if target else f"team {body.team}"
        audit.record(
            session, who.id, "transfer_conversation", granted.customer_id,
            f"handoff {granted.handoff_id} to {where}" + (f" ({body.team})" if target else ""),
        )  # fmt: skip
        row = session.get(transfers.HandoffTransfer, moved.transfer_id)
        at = epoch(row.at) if row else 0.0
        note = row.note if row else ""
        session.commit()
        return {
            "handoff_id": granted.handoff_id,
            "channel": granted.channel,
            "team": body.team,
            "to_agent_id": target.id if target else None,
            "to_agent": target.display_name if target else None,
            "note": note,
            "at": at,
        }


@functools.cache
def domain_files() -> responses.Responses:
    """The domain's responses as written (for a running model older than a new response)."""
    found: responses.Responses = {}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        found |= (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}
    return found


async def tell_customer(request: Request, conversation_id: str, channel: str | None, who: Who):
    """The transfer message, in the customer's language; False if it could not be sent."""
    rasa = request.app.state.rasa
    try:
        words = await rasa.responses()
        if TRANSFERRED_RESPONSE not in words:
            words = words | domain_files()
        language = conversation_language(await rasa.tracker(conversation_id))
        message = responses.render(
            words, TRANSFERRED_RESPONSE, channel=channel, slots={"language": language}
        )
        if message is None:
            log.warning("no words for %s", TRANSFERRED_RESPONSE)
            return False
        await rasa.append(conversation_id, [agent_message(message["text"], who.author)])
    except RasaUnavailable as exc:  # transferred all the same; the next agent can greet them
        log.warning("after transferring %s: %s", conversation_id, exc)
        return False
    return True


@router.post("/conversations/{conversation_id}/transfer")
async def transfer_conversation(
    conversation_id: ConversationId, body: TransferIn, who: ActingDep, request: Request
) -> dict[str, Any]:
    """Transfer to `team`'s queue or to `agent_id` (optionally also naming the team), with a
    note; 409 if it was closed or moved meanwhile or the agent is at capacity."""
    await checked(conversation_id, who, act=False)
    try:
        moved = await run_in_threadpool(_move, conversation_id, body, who)
    except (lifecycle.NotFound, lifecycle.Forbidden, lifecycle.Conflict) as exc:
        raise_for(exc)
        raise
    live = request.app.state.live
    await live.send(
        HandoffTransferred(
            moved["handoff_id"], conversation_id, moved["team"], moved["to_agent_id"],
            who.id, who.name,
        )
    )  # fmt: skip
    line = {"kind": "queue", "state": "transferred", "agent": who.name, "team": moved["team"],
            "team_name": TEAM_NAMES.get(moved["team"] or ""), "to_agent": moved["to_agent"],
            "note": moved["note"], "time": moved["at"]}  # fmt: skip
    await live.send(ConversationLine(conversation_id, line))
    now = ConversationStatus.OPEN if moved["to_agent_id"] else ConversationStatus.PENDING
    await live.send(HandoffStatus(conversation_id, status=now))
    told = await tell_customer(request, conversation_id, moved["channel"], who)
    return {
        "status": "transferred",
        "team": moved["team"],
        "agent": moved["to_agent"],
        "customer_told": told,
    }
