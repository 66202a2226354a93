"""Console API: internal notes on a conversation, and a supervisor's whisper to its agent.

A note is for whoever handles the conversation now or next (the owner and supervisors
write them; everyone who may look at the conversation reads them, with author and time).
A whisper is a supervisor's private word to the agent who owns the conversation: it is
stored, sent live to that agent's own console topic and nowhere else. Neither goes through
Rasa, so neither can reach the customer (conversations.notes).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy import select

from agent_console import audit
from agent_console.api_conversations import ConversationId, checked
from agent_console.guards import ActingDep, SupervisorDep, Who, WhoDep, acting_agent
from agent_console.models import Agent
from conversations import notes
from conversations.live_events import ConversationLine, Whisper
from conversations.note_models import MAX_NOTE, NOTE, WHISPER
from core.vocabulary import HandoffStatus
from crm.db import session_scope

router = APIRouter(prefix="/console/api/conversations", tags=["console"])


def acting_supervisor(
    request: Request,
    who: SupervisorDep,
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> Who:
    """Supervisors only (403 for agents), and a change: CSRF token and the console's origin."""
    return acting_agent(request, who, x_csrf_token)


ActingSupervisorDep = Annotated[Who, Depends(acting_supervisor)]


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_NOTE, pattern=r"\S")


def agent_names(session) -> dict[int, str]:
    return dict(session.execute(select(Agent.id, Agent.display_name)).all())


@router.get("/{conversation_id}/notes")
async def read_notes(conversation_id: ConversationId, who: WhoDep) -> dict[str, Any]:
    """The notes on this conversation (and the whispers meant for this agent), oldest first."""
    await checked(conversation_id, who, act=False)

    def _read() -> list[dict[str, Any]]:
        with session_scope() as session:
            names = agent_names(session)
            rows = notes.visible(session, [conversation_id], who.id, who.supervisor)
            return [notes.shown(n, names) for n in rows]

    return {"notes": await run_in_threadpool(_read)}


@router.post("/{conversation_id}/notes", status_code=status.HTTP_201_CREATED)
async def add_note(
    conversation_id: ConversationId, body: NoteIn, who: ActingDep, request: Request
) -> dict[str, Any]:
    """A note for the next agent (the owner or a supervisor writes it; never to the customer)."""
    granted = await checked(conversation_id, who, act=False)
    if not (granted.can_act or who.supervisor):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="Only the agent who has it (or a supervisor) notes."
        )

    def _add() -> dict[str, Any]:
        with session_scope() as session:
            note = notes.add(session, conversation_id, who.id, body.text, granted.handoff_id, NOTE)
            audit.record(session, who.id, "add_note", granted.customer_id, conversation_id)
            session.commit()
            return notes.shown(note, agent_names(session))

    shown = await run_in_threadpool(_add)
    # Travels as a line of the conversation: only its watchers get it, re-checked like lines.
    await request.app.state.live.send(ConversationLine(conversation_id, {"kind": "note"} | shown))
    return shown


@router.post("/{conversation_id}/whisper", status_code=status.HTTP_201_CREATED)
async def whisper(
    conversation_id: ConversationId, body: NoteIn, who: ActingSupervisorDep, request: Request
) -> dict[str, Any]:
    """A supervisor's private note to the agent who owns the conversation now (403 for
    agents; 409 when nobody has it). Only that agent's console gets it, live."""
    granted = await checked(conversation_id, who, act=False)
    if granted.handoff_status != HandoffStatus.CLAIMED or granted.owner_id is None:
        raise HTTPException(status.HTTP_409_CONFLICT, detail="No agent has this conversation now.")
    if granted.owner_id == who.id:
        raise HTTPException(status.HTTP_409_CONFLICT, detail="This conversation is yours.")

    def _add() -> dict[str, Any]:
        with session_scope() as session:
            note = notes.add(
                session, conversation_id, who.id, body.text, granted.handoff_id, WHISPER,
                to_agent_id=granted.owner_id,
            )  # fmt: skip
            audit.record(
                session, who.id, "whisper", granted.customer_id,
                f"{conversation_id} to agent {granted.owner_id}",
            )  # fmt: skip
            session.commit()
            return notes.shown(note, agent_names(session))

    shown = await run_in_threadpool(_add)
    await request.app.state.live.send(Whisper(granted.owner_id, conversation_id, shown))
    return shown
