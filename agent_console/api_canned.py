"""Console API: the canned-response library. Agents list replies (those fitting the
customer's last intent first) and render one for a conversation, filled with that
customer's data in the conversation's language; supervisors write, edit and retire them.

Rendering only fills the reply box: the agent edits it and sends it through the normal
reply route, so a canned reply reaches the customer exactly as a typed one does.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from agent_console import audit, canned
from agent_console.api_conversations import ConversationId, checked
from agent_console.canned_models import CannedResponse
from agent_console.guards import SupervisorDep, Who, WhoDep, acting_agent
from conversations.rasa_client import RasaUnavailable
from core.language import EN, LANGUAGES
from crm.api.deps import MAX_ID
from crm.clock import utcnow
from crm.db import session_scope
from crm.models import Customer

log = logging.getLogger(__name__)
router = APIRouter(prefix="/console/api", tags=["console"])

CannedId = Annotated[int, Path(ge=1, le=MAX_ID)]


def acting_supervisor(
    request: Request, who: SupervisorDep, x_csrf_token: Annotated[str | None, Header()] = None
) -> Who:
    """Supervisors only, with the CSRF token and the console's own origin."""
    return acting_agent(request, who, x_csrf_token)


ActingSupervisorDep = Annotated[Who, Depends(acting_supervisor)]


class CannedIn(BaseModel):
    """Loose limits here; `canned.problems` says precisely what is wrong (one clear 422)."""

    shortcut: str = Field(max_length=64)
    title: str = Field(max_length=400)
    text_en: str = Field(max_length=8000)
    text_zh: str = Field(max_length=8000)
    intents: list[Annotated[str, Field(max_length=80)]] = Field(default=[], max_length=50)
    active: bool = True


def _validated(body: CannedIn) -> CannedIn:
    body = body.model_copy(
        update={
            "shortcut": body.shortcut.strip().lower(),
            "title": body.title.strip(),
            "intents": list(dict.fromkeys(i.strip() for i in body.intents if i.strip())),
        }
    )
    found = canned.problems(body.shortcut, body.title, body.text_en, body.text_zh, body.intents)
    if found:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=" ".join(found))
    return body


def _taken(shortcut: str) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, detail=f"Shortcut {shortcut} is already used.")


@router.get("/canned")
async def list_canned(
    who: WhoDep,
    intent: Annotated[str | None, Query(max_length=64)] = None,
    include_inactive: Annotated[bool, Query(alias="all")] = False,
) -> dict[str, Any]:
    """The library for the reply box: replies fitting `intent` (the customer's last) first.
    Retired replies are listed for supervisors only, when asked (`all=true`)."""

    def _read() -> list[dict[str, Any]]:
        with session_scope() as session:
            return canned.listed(session, intent, include_inactive and who.supervisor)

    return {
        "responses": await run_in_threadpool(_read),
        "variables": [{"name": k, "meaning": v} for k, v in canned.VARIABLES.items()],
    }


@router.post("/canned", status_code=status.HTTP_201_CREATED)
async def create_canned(body: CannedIn, who: ActingSupervisorDep) -> dict[str, Any]:
    """A new reply in the library (supervisors)."""
    body = _validated(body)

    def _create() -> dict[str, Any]:
        try:
            with session_scope() as session:
                row = CannedResponse(**body.model_dump(), updated_by=who.id, updated_at=utcnow())
                session.add(row)
                session.flush()
                return canned.as_dict(row)
        except IntegrityError:  # the unique shortcut settles two supervisors' race
            raise _taken(body.shortcut) from None

    return await run_in_threadpool(_create)


@router.put("/canned/{canned_id}")
async def update_canned(
    canned_id: CannedId, body: CannedIn, who: ActingSupervisorDep
) -> dict[str, Any]:
    """Edit a reply, or retire it (`active: false`) or bring it back (supervisors)."""
    body = _validated(body)

    def _update() -> dict[str, Any]:
        try:
            with session_scope() as session:
                row = session.get(CannedResponse, canned_id)
                if row is None:
                    raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such reply.")
                for key, value in body.model_dump().items():
                    setattr(row, key, value)
                row.updated_by, row.updated_at = who.id, utcnow()
                session.flush()
                return canned.as_dict(row)
        except IntegrityError:
            raise _taken(body.shortcut) from None

    return await run_in_threadpool(_update)


@router.get("/conversations/{conversation_id}/canned/{canned_id}")
async def render_canned(
    conversation_id: ConversationId, canned_id: CannedId, who: WhoDep, request: Request
) -> dict[str, Any]:
    """The reply filled with this conversation's customer's data, in the language the
    assistant speaks with them now (its `language` slot; their record's language if the
    assistant cannot say). Audited: it reads the customer's record."""
    granted = await checked(conversation_id, who, act=False)
    slot = None
    try:
        tracker = await request.app.state.rasa.tracker(conversation_id)
        slot = (tracker.get("slots") or {}).get("language")
    except RasaUnavailable as exc:
        log.info("canned reply for %s without the assistant's language: %s", conversation_id, exc)

    def _render() -> dict[str, Any]:
        with session_scope() as session:
            row = session.get(CannedResponse, canned_id)
            if row is None or not row.active:
                raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such reply.")
            customer = session.get(Customer, granted.customer_id) if granted.customer_id else None
            language = slot if slot in LANGUAGES else (customer.language if customer else EN)
            values = canned.customer_values(session, customer, who.name)
            if customer is not None:
                audit.record(
                    session, who.id, "render_canned", customer.id,
                    f"{row.shortcut} in {conversation_id}",
                )  # fmt: skip
            return canned.render(row, language, values)

    return await run_in_threadpool(_render)
