"""Cards: the customer's cards, and freezing, unfreezing or blocking one.

Which status each operation starts from and ends in is `core.card_states` (the assistant
offers only the cards an operation can change, from the same table). Repeating a change
is harmless: the card is already there.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.card_states import ALLOWED_FROM, TARGET, Operation
from core.vocabulary import Channel
from crm.clock import business_now
from crm.models import Card, Interaction
from crm.schemas import CardChangeOut, CardOut
from crm.service.errors import Conflict, NotFound


def cards(session: Session, customer_id: int) -> list[CardOut]:
    rows = session.scalars(select(Card).where(Card.customer_id == customer_id).order_by(Card.id))
    return [CardOut.model_validate(c) for c in rows]


def change_status(card: Card, operation: Operation) -> tuple[str, bool]:
    """Apply the operation; returns (previous status, whether anything changed)."""
    previous, target = card.status, TARGET[operation]
    if previous == target:
        return previous, False
    if previous not in ALLOWED_FROM[operation]:
        raise Conflict(
            f"Cannot {operation} card ending {card.last4}: it is {previous}"
            + (
                " (a blocked card stays blocked; order a replacement)."
                if previous == "blocked"
                else "."
            )
        )
    card.status = target
    card.updated_at = business_now()
    return previous, True


def change_card(
    session: Session, customer_id: int, card_id: int, operation: Operation
) -> CardChangeOut:
    """Change one of the customer's cards and note it in their interaction history."""
    card = session.get(Card, card_id)
    if card is None or card.customer_id != customer_id:
        raise NotFound(f"Customer {customer_id} has no card with id {card_id}.")
    previous, changed = change_status(card, operation)
    if changed:
        session.add(
            Interaction(
                customer_id=customer_id,
                channel=Channel.APP,
                kind=f"card_{operation}",
                summary=f"Card ending {card.last4}: {previous} -> {card.status}",
            )
        )
    session.flush()
    return CardChangeOut(
        **CardOut.model_validate(card).model_dump(), previous_status=previous, changed=changed
    )
