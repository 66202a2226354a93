"""Cards: list, and freeze / unfreeze / block (idempotent; 409 when impossible)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, status
from sqlalchemy import select

from crm.api.deps import MAX_ID, CustomerDep, DbSession, require_service_token
from crm.cards import ImpossibleTransition, Operation, change_status
from crm.models import Card, Interaction
from crm.schemas import CardChangeOut, CardOut

router = APIRouter(
    prefix="/customers", tags=["cards"], dependencies=[Depends(require_service_token)]
)


@router.get("/{customer_id}/cards", response_model=list[CardOut])
def read_cards(customer: CustomerDep, session: DbSession) -> list[CardOut]:
    rows = session.scalars(select(Card).where(Card.customer_id == customer.id).order_by(Card.id))
    return [CardOut.model_validate(c) for c in rows]


@router.post("/{customer_id}/cards/{card_id}/{operation}", response_model=CardChangeOut)
def change_card(
    customer: CustomerDep,
    card_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    operation: Operation,
    session: DbSession,
) -> CardChangeOut:
    card = session.get(Card, card_id)
    if card is None or card.customer_id != customer.id:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail=f"Customer {customer.id} has no card with id {card_id}.",
        )
    try:
        previous, changed = change_status(card, operation)
    except ImpossibleTransition as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from None
    if changed:
        session.add(
            Interaction(
                customer_id=customer.id,
                channel="app",
                kind=f"card_{operation}",
                summary=f"Card ending {card.last4}: {previous} -> {card.status}",
            )
        )
    session.flush()
    return CardChangeOut(
        **CardOut.model_validate(card).model_dump(), previous_status=previous, changed=changed
    )
