"""Cards: list, and freeze / unfreeze / block (idempotent; 409 when impossible)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from core.card_states import Operation
from crm.api.deps import MAX_ID, CustomerDep, DbSession, http_error, require_service_token
from crm.schemas import CardChangeOut, CardOut
from crm.service import cards
from crm.service.errors import Conflict, NotFound

router = APIRouter(
    prefix="/customers", tags=["cards"], dependencies=[Depends(require_service_token)]
)


@router.get("/{customer_id}/cards", response_model=list[CardOut])
def read_cards(customer: CustomerDep, session: DbSession) -> list[CardOut]:
    return cards.cards(session, customer.id)


@router.post("/{customer_id}/cards/{card_id}/{operation}", response_model=CardChangeOut)
def change_card(
    customer: CustomerDep,
    card_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    operation: Operation,
    session: DbSession,
) -> CardChangeOut:
    try:
        return cards.change_card(session, customer.id, card_id, operation)
    except (NotFound, Conflict) as exc:
        raise http_error(exc) from None
