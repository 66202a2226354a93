"""Console API: phone calls. Look the caller up (phone or customer number), see the chat's
copilot for them, and wrap the call up into the closed loop and the customer's history.

The lookup is a POST: it writes the audit trail, needs the CSRF token, and keeps the
caller's number out of URLs and access logs. Only signed-in agents and supervisors reach it
(guards), so nobody else can learn whether a number is a customer's; agents are limited to
a caller a couple of seconds, well above what answering calls needs.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, model_validator

from agent_console import audit, calls, suggestions
from agent_console.guards import ActingDep, WhoDep
from conversations.rasa_client import RasaUnavailable
from core.language import EN, LANGUAGES
from core.rate_limit import Rule
from crm.api.deps import http_error
from crm.closed_loop import PolicyViolation, UnknownOffer
from crm.db import session_scope
from crm.models import Customer

log = logging.getLogger(__name__)
router = APIRouter(prefix="/console/api/calls", tags=["console"])

CALLER_LOOKUPS = Rule("caller_lookup", 30, 60)
CallId = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^call-[0-9a-f]{16}$")]


class LookupIn(BaseModel):
    phone: str | None = Field(None, max_length=32)
    customer_no: str | None = Field(None, max_length=16, pattern=r"^\s*[A-Za-z0-9]+\s*$")

    @model_validator(mode="after")
    def _one(self) -> LookupIn:
        if bool(self.phone) == bool(self.customer_no):
            raise ValueError("Give a phone number or a customer number.")
        return self


class WrapUpIn(BaseModel):
    outcome: Literal["offer_accepted", "offer_declined", "no_answer", "callback", "resolved"]
    offer_code: str | None = Field(None, min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_]+$")
    note: str = Field("", max_length=1000)


def _refused(exc: calls.CallError) -> HTTPException:
    return HTTPException(exc.status, detail=exc.detail)


async def _with_script(request: Request, data: dict[str, Any]) -> dict[str, Any]:
    """The suggested offer in the assistant's own words and the customer's language, for the
    agent to read out: the customer hears what the app said. Without Rasa, no script."""
    offers = data["offers"]
    offer = next((o for o in offers["offers"] if o["code"] == offers["suggested"]), None)
    data["script"] = []
    if offer is None:
        return data
    language = data["profile"]["language"]
    try:
        responses = await request.app.state.rasa.responses()
    except RasaUnavailable as exc:
        log.warning("no offer script for a call: %s", exc.__class__.__name__)
        return data
    language = language if language in LANGUAGES else EN
    messages = suggestions.offer_messages(responses, offer, None, language)
    data["script"] = [m["text"] for m in messages]
    return data


@router.post("/lookup")
async def lookup(body: LookupIn, who: ActingDep, request: Request) -> dict[str, Any]:
    """Find the caller and open a call: the customer 360 (phone masked), offers and the one
    to suggest. An unknown number gets 404 "No customer with this number."."""
    if not await request.app.state.limiter.hit(CALLER_LOOKUPS, f"agent:{who.id}"):
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, detail="Too many lookups.")

    def _find() -> dict[str, Any]:
        with session_scope() as session:
            try:
                customer = calls.lookup(session, who, body.phone, body.customer_no)
            except calls.CallError as exc:
                session.commit()  # the miss stays in the audit trail
                raise _refused(exc) from None
            how = "phone" if body.phone else "customer number"
            call_id = calls.open_call(session, who, customer, how)
            return calls.panel(session, customer, call_id)

    return await _with_script(request, await run_in_threadpool(_find))


@router.get("/{call_id}")
async def read_call(call_id: CallId, who: WhoDep, request: Request) -> dict[str, Any]:
    """The call's copilot again (after presenting, or a reload), for the agent on the call."""

    def _read() -> dict[str, Any]:
        with session_scope() as session:
            try:
                customer_id = calls.call_of(session, who, call_id)
            except calls.CallError as exc:
                raise _refused(exc) from None
            audit.record(session, who.id, "view_customer_360", customer_id, call_id)
            return calls.panel(session, session.get(Customer, customer_id), call_id)

    return await _with_script(request, await run_in_threadpool(_read))


@router.post("/{call_id}/wrap-up")
async def wrap_up(call_id: CallId, body: WrapUpIn, who: ActingDep) -> dict[str, Any]:
    """How the call ended: the offer's answer in the closed loop (channel phone) and a phone
    contact with the agent and the note in the customer's history."""

    def _record() -> dict[str, Any]:
        with session_scope() as session:
            try:
                return calls.wrap_up(
                    session, who, call_id, body.outcome, body.offer_code, body.note
                )
            except calls.CallError as exc:
                raise _refused(exc) from None
            except (PolicyViolation, UnknownOffer) as exc:
                raise http_error(exc) from None

    return await run_in_threadpool(_record)
