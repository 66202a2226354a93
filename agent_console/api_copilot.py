"""Console API: the copilot panel — customer 360, offers (present one, record the outcome)
and suggested replies. Every read of customer data is audited."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from sqlalchemy import select

from agent_console import audit, customer360, lifecycle, suggestions
from agent_console.api_conversations import ConversationId, checked, raise_for, rasa_failed
from agent_console.guards import ActingDep, WhoDep
from conversations import metrics, sla, transcript
from conversations.models import Handoff
from conversations.rasa_client import RasaUnavailable, agent_message
from core.language import EN, LANGUAGES
from core.vocabulary import Channel
from crm.api.deps import MAX_ID, http_error
from crm.closed_loop import OutcomeConflict, PolicyViolation, UnknownOffer, record_outcome
from crm.db import session_scope
from crm.models import Customer, OfferPresentation
from crm.schemas import OfferOut
from crm.service import cards, customers, offers

router = APIRouter(prefix="/console/api", tags=["console"])

OfferCode = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_]+$")]


class OutcomeIn(BaseModel):
    outcome: Literal["accepted", "declined", "ignored"]


def _customer(session, customer_id: int | None) -> Customer | None:
    return session.get(Customer, customer_id) if customer_id else None


@router.get("/conversations/{conversation_id}/customer")
async def read_customer_360(conversation_id: ConversationId, who: WhoDep) -> dict[str, Any]:
    """Customer 360 and suggested offers for the customer in this conversation."""
    granted = await checked(conversation_id, who, act=False)

    def _read() -> dict[str, Any]:
        with session_scope() as session:
            customer = _customer(session, granted.customer_id)
            if customer is None:
                return {"anonymous": True}
            handoff = session.get(Handoff, granted.handoff_id) if granted.handoff_id else None
            # Calling back is the task that needs the number; nothing else does.
            reveal = granted.can_act and handoff is not None and handoff.reason == "callback"
            audit.record(
                session, who.id, "view_customer_360", customer.id,
                conversation_id + (" (phone shown for callback)" if reveal else ""),
            )  # fmt: skip
            return {
                "anonymous": False,
                "profile": customer360.profile(session, customer, reveal),
                "offers": customer360.suggested_offers(
                    session, customer, granted.channel, conversation_id
                ),
            }

    return await run_in_threadpool(_read)


@router.get("/conversations/{conversation_id}/suggestions")
async def suggested_replies(
    conversation_id: ConversationId, who: WhoDep, request: Request
) -> dict[str, Any]:
    """Replies to the customer's last message, in the assistant's words, for the agent to
    edit: from the understood intent and entities and the customer's own data."""
    granted = await checked(conversation_id, who, act=False)
    rasa = request.app.state.rasa
    try:
        tracker = await rasa.tracker(conversation_id)
        responses = await rasa.responses()
    except RasaUnavailable as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(exc)) from None
    last = next(
        (e for e in reversed(tracker.get("events") or []) if e.get("event") == "user"), None
    )
    if last is None:
        return {"message": None, "suggestions": []}
    parse = last.get("parse_data") or {}

    def _data() -> tuple[dict[str, Any] | None, bool]:
        with session_scope() as session:
            customer = _customer(session, granted.customer_id)
            awaiting = session.scalar(
                select(OfferPresentation.id).where(
                    OfferPresentation.conversation_id == conversation_id,
                    OfferPresentation.outcome.is_(None),
                )
            )
            if customer is None:
                return None, awaiting is not None
            audit.record(session, who.id, "view_suggestions", customer.id, conversation_id)
            data = {
                "cards": [c.model_dump(mode="json") for c in cards.cards(session, customer.id)],
                "accounts": [
                    a.model_dump(mode="json") for a in customers.accounts(session, customer.id)
                ],
            }
            return data, awaiting is not None

    customer, awaiting = await run_in_threadpool(_data)
    line = suggestions_line(last)
    return {
        "message": line,
        "suggestions": suggestions.suggest(
            responses, parse, customer, awaiting, line["channel"], conversation_language(tracker)
        ),
    }


def suggestions_line(event: dict[str, Any]) -> dict[str, Any]:
    line = transcript.item(event) or {}
    keys = ("text", "language", "intent", "confidence", "entities", "channel")
    return {k: line.get(k) for k in keys}


def conversation_language(tracker: dict[str, Any]) -> str:
    """The language the assistant answers in now (its `language` slot), English if unset."""
    language = (tracker.get("slots") or {}).get("language")
    return language if language in LANGUAGES else EN


@router.post("/conversations/{conversation_id}/offers/{offer_code}/present")
async def present_offer(
    conversation_id: ConversationId, offer_code: OfferCode, who: ActingDep, request: Request
) -> dict[str, Any]:
    """Show the customer an offer in the assistant's words (to their latest channel) and
    record the presentation, by an agent, in the closed loop."""
    granted = await checked(conversation_id, who, act=True)
    rasa = request.app.state.rasa
    try:
        responses = await rasa.responses()
        language = conversation_language(await rasa.tracker(conversation_id))
    except RasaUnavailable as exc:
        raise rasa_failed(exc) from None
    channel = granted.channel if granted.channel in set(Channel) else Channel.APP

    def _record() -> tuple[int, list[dict[str, Any]]]:
        with session_scope() as session:
            customer = _customer(session, granted.customer_id)
            if customer is None:
                raise HTTPException(status.HTTP_409_CONFLICT, detail="Anonymous customer.")
            found = _offer_now(session, customer, offer_code)
            if found is None:
                raise HTTPException(
                    status.HTTP_409_CONFLICT,
                    detail=f"Offer {offer_code} cannot be presented to this customer now.",
                )
            offer, context = found
            messages = suggestions.offer_messages(
                responses, offer.model_dump(mode="json"), channel, language
            )
            if not messages:
                raise HTTPException(
                    status.HTTP_409_CONFLICT, detail="The assistant has no words for offers."
                )
            try:
                presentation = offers.present(
                    session, customer.id, offer_code,
                    context,  # retention, or "agent" for a next-best offer
                    channel, "agent", conversation_id,
                )  # fmt: skip
            except (PolicyViolation, UnknownOffer) as exc:
                raise http_error(exc) from None
            audit.record(
                session, who.id, "present_offer", customer.id,
                f"{offer_code} in {conversation_id} (presentation {presentation.id})",
            )  # fmt: skip
            return presentation.id, messages

    presentation_id, messages = await run_in_threadpool(_record)
    events = [
        agent_message(m["text"], who.author, **({"buttons": m["buttons"]} if m["buttons"] else {}))
        for m in messages
    ]
    try:
        await rasa.append(conversation_id, events)
    except RasaUnavailable as exc:
        await run_in_threadpool(_forget, presentation_id)
        raise rasa_failed(exc) from None
    await run_in_threadpool(sla.note_first_response, granted.handoff_id)  # stops the SLA clock
    metrics.AGENT_REPLIES.labels("offer").inc()
    return {"presentation_id": presentation_id, "offer_code": offer_code, "messages": messages}


def _offer_now(session, customer: Customer, code: str) -> tuple[OfferOut, str] | None:
    """The offer as the engine proposes it right now, and the context it belongs to."""
    for context in customer360.OFFER_CONTEXTS:
        decision = offers.offers(session, customer.id, context, limit=5)
        offer = next((o for o in decision.offers if o.code == code), None)
        if offer is not None:
            return offer, context
    return None


def _forget(presentation_id: int) -> None:
    """The offer never reached the customer: it was not presented."""
    with session_scope() as session:
        row = session.get(OfferPresentation, presentation_id)
        if row is not None:
            session.delete(row)


@router.post("/presentations/{presentation_id}/outcome")
async def set_outcome(
    presentation_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: OutcomeIn, who: ActingDep
) -> dict[str, Any]:
    """What the customer said to an offer shown in the agent's conversation."""

    def _record() -> dict[str, Any]:
        with session_scope() as session:
            row = session.get(OfferPresentation, presentation_id)
            if row is None or not row.conversation_id:
                raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such presentation.")
            try:
                lifecycle.acting(session, row.conversation_id, who)
            except (lifecycle.NotFound, lifecycle.Forbidden) as exc:
                raise_for(exc)
            try:
                record_outcome(session, row, body.outcome)
            except OutcomeConflict as exc:
                raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from None
            audit.record(
                session, who.id, "offer_outcome", row.customer_id,
                f"presentation {row.id} ({row.offer_code}): {body.outcome}",
            )  # fmt: skip
            return {"presentation_id": row.id, "offer_code": row.offer_code,
                    "outcome": row.outcome}  # fmt: skip

    return await run_in_threadpool(_record)
