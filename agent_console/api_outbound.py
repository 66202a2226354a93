"""Console API: the outbound call list. The calls an agent may make now, one call opened with
the customer's data and a script in the assistant's words, the claim that makes the call
theirs, and its outcome into the closed loop, the history and the customer's consent.

Agents and supervisors only (guards); every change needs the CSRF token and the console's
origin; every look at a customer's data is audited. Times are the business clock
(crm.clock), naive UTC as the database stores them.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, field_validator

from agent_console import outbound
from agent_console.guards import ActingDep, Who, WhoDep
from conversations.rasa_client import RasaUnavailable
from crm.api.deps import http_error
from crm.clock import business_now
from crm.closed_loop import OutcomeConflict, PolicyViolation, UnknownOffer
from crm.db import session_scope

log = logging.getLogger(__name__)
router = APIRouter(prefix="/console/api/outbound", tags=["console"])

ItemId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class OutcomeIn(BaseModel):
    outcome: Literal["reached", "no_answer", "callback", "accepted", "declined", "do_not_contact"]
    callback_at: dt.datetime | None = None
    note: str = Field("", max_length=1000)

    @field_validator("callback_at")
    @classmethod
    def _naive_utc(cls, value: dt.datetime | None) -> dt.datetime | None:
        """The business clock is naive UTC; a time with a zone is converted to it."""
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value


def _refused(exc: outbound.OutboundError) -> HTTPException:
    return HTTPException(exc.status, detail=exc.detail)


async def _with_script(request: Request, who: Who, data: dict[str, Any]) -> dict[str, Any]:
    """The call's script from the assistant's domain; without Rasa, no script."""
    data["script"] = []
    try:
        responses = await request.app.state.rasa.responses()
    except RasaUnavailable as exc:
        log.warning("no outbound call script: %s", exc.__class__.__name__)
        return data
    data["script"] = outbound.script(responses, data, who.name, data["profile"]["language"])
    return data


@router.get("")
async def worklist(who: WhoDep) -> dict[str, Any]:
    """The calls this agent holds, their call-backs to come, and the ones they may take now."""

    def _read() -> dict[str, Any]:
        with session_scope() as session:
            return outbound.worklist(session, who, business_now())

    return await run_in_threadpool(_read)


@router.get("/{item_id}")
async def read_item(item_id: ItemId, who: WhoDep, request: Request) -> dict[str, Any]:
    """One call: why this customer, why now, the offer, the script, the best time to call,
    the history across channels (masked; the phone only for the agent holding the call)."""

    def _read() -> dict[str, Any]:
        with session_scope() as session:
            try:
                return outbound.detail(session, who, item_id, business_now())
            except outbound.OutboundError as exc:
                raise _refused(exc) from None

    return await _with_script(request, who, await run_in_threadpool(_read))


@router.post("/{item_id}/claim")
async def claim(item_id: ItemId, who: ActingDep, request: Request) -> dict[str, Any]:
    """Take the call (one agent per customer; the claim lapses after the lease) and see it
    with the customer's phone number to dial."""

    def _claim() -> dict[str, Any]:
        now = business_now()
        with session_scope() as session:
            try:
                outbound.claim(session, who, item_id, now)
            except outbound.OutboundError as exc:
                raise _refused(exc) from None
        with session_scope() as session:
            return outbound.detail(session, who, item_id, now)

    return await _with_script(request, who, await run_in_threadpool(_claim))


@router.post("/{item_id}/release")
async def release(item_id: ItemId, who: ActingDep) -> dict[str, Any]:
    """Put a claimed call back on the list without an outcome."""

    def _release() -> dict[str, Any]:
        with session_scope() as session:
            try:
                outbound.release(session, who, item_id)
            except outbound.OutboundError as exc:
                raise _refused(exc) from None
            return {"id": item_id, "status": "pending"}

    return await run_in_threadpool(_release)


@router.post("/{item_id}/outcome")
async def record_outcome(item_id: ItemId, body: OutcomeIn, who: ActingDep) -> dict[str, Any]:
    """How the call went: reached, no answer (retried later), call back at a time (the same
    agent's), accepted, declined, or do not contact (opted out everywhere at once)."""

    def _record() -> dict[str, Any]:
        with session_scope() as session:
            try:
                return outbound.record(
                    session, who, item_id, body.outcome, business_now(),
                    callback_at=body.callback_at, note=body.note,
                )  # fmt: skip
            except outbound.OutboundError as exc:
                raise _refused(exc) from None
            except (PolicyViolation, UnknownOffer, OutcomeConflict) as exc:
                raise http_error(exc) from None

    return await run_in_threadpool(_record)
