"""From the bank's data to what the assistant says: a response name and the values that fill it.

The words stay in the domain (`assistant/domain/*.yml`), where designers edit and translate
them. These pure functions choose the response and prepare its values, the same way for the
assistant's actions (which send it through Rasa) and for the agent console (which renders
it as a suggestion or sends it as the agent). Inputs are the customer API's JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

# Holdings with nothing to report as a balance (an insurance policy's cover is not money
# the customer holds).
WITHOUT_BALANCE = frozenset({"insurance"})

CARDS, EXPIRY, PENDING, RECENT, FEES = "cards", "expiry", "pending", "recent", "fees"

# Which of the customer's data answers each topic's personal side (after the general answer).
PERSONAL_TOPICS: dict[str, str] = {
    "card_arrival": CARDS,
    "card_delivery_estimate": CARDS,
    "activate_my_card": CARDS,
    "card_not_working": CARDS,
    "card_swallowed": CARDS,
    "declined_card_payment": CARDS,
    "declined_cash_withdrawal": CARDS,
    "contactless_not_working": CARDS,
    "virtual_card_not_working": CARDS,
    "pin_blocked": CARDS,
    "card_linking": CARDS,
    "card_about_to_expire": EXPIRY,
    "pending_transfer": PENDING,
    "pending_card_payment": PENDING,
    "pending_cash_withdrawal": PENDING,
    "pending_top_up": PENDING,
    "balance_not_updated_after_bank_transfer": PENDING,
    "balance_not_updated_after_cheque_or_cash_deposit": PENDING,
    "transfer_not_received_by_recipient": PENDING,
    "cancel_transfer": PENDING,
    "Refund_not_showing_up": RECENT,
    "transaction_charged_twice": RECENT,
    "reverted_card_payment?": RECENT,
    "top_up_reverted": RECENT,
    "top_up_failed": RECENT,
    "failed_transfer": RECENT,
    "declined_transfer": RECENT,
    "wrong_amount_of_cash_received": RECENT,
    "verify_source_of_funds": RECENT,
    "card_payment_fee_charged": FEES,
    "cash_withdrawal_charge": FEES,
    "transfer_fee_charged": FEES,
    "extra_charge_on_statement": FEES,
}

# Topics that are complaints about fees: they raise churn risk (retention).
FEE_COMPLAINTS = frozenset(t for t, kind in PERSONAL_TOPICS.items() if kind == FEES)

# Intents that lead to the card form; an agent answering them wants the cards' statuses too.
CARD_FORM_INTENTS = frozenset(
    {"block_card", "freeze_card", "unfreeze_card", "lost_or_stolen_card", "compromised_card"}
)


@dataclass(frozen=True)
class Reply:
    """One message: the first of `options` (response name, values) the domain has words for
    (specific before generic)."""

    options: tuple[tuple[str, dict[str, Any]], ...]

    @classmethod
    def of(cls, name: str, **values: Any) -> Reply:
        return cls(((name, values),))

    @classmethod
    def first_of(cls, names: Iterable[str], **values: Any) -> Reply:
        return cls(tuple((name, values) for name in names))


def localized(record: dict[str, Any], key: str, language: str | None) -> Any:
    """A name in the customer's language: `record[key + "s"][language]` ({"zh": ...}, kept
    beside the English `record[key]` by the catalogue), else the English one."""
    return ((record.get(f"{key}s") or {}).get(language or "") or record.get(key)) or None


def money(value: Any) -> str:
    """Amounts exactly as the bank stores them (two decimals), never rounded by a float."""
    try:
        return f"{Decimal(str(value)):.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def day(value: Any) -> str:
    """The date part of an ISO date or timestamp, as the app shows it (YYYY-MM-DD)."""
    if not value:
        return ""
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        return str(value)[:10]


def response_key(intent: str) -> str:
    """The response-name form of an intent (BANKING77 has 'Refund_...' and '...payment?')."""
    return intent.lower().rstrip("?")


def figures_for_response(figures: dict[str, Any]) -> dict[str, str]:
    """Numbers as the customer reads them: amounts with two decimals, counts as they are."""
    values: dict[str, str] = {}
    for key, value in (figures or {}).items():
        values[key] = money(value) if isinstance(value, float) else str(value)
    return values


def balance_replies(
    accounts: list[dict[str, Any]], asked: Iterable[str] = (), language: str | None = None
) -> list[Reply]:
    """Every open account's balance, or only the kinds the customer named ("my savings"),
    each account named in the customer's language."""
    holding = [
        a
        for a in accounts
        if a.get("status", "open") == "open" and a.get("kind") not in WITHOUT_BALANCE
    ]
    if not holding:
        return [Reply.of("utter_no_accounts")]
    wanted = set(asked)
    named = [a for a in holding if a.get("kind") in wanted]
    return [
        Reply.of(
            "utter_balance",
            account_name=localized(a, "product_name", language) or a.get("kind"),
            last4=a.get("number_last4"),
            balance=money(a.get("balance")),
            currency=a.get("currency"),
        )
        for a in named or holding
    ]


def card_status_replies(cards: list[dict[str, Any]]) -> list[Reply]:
    if not cards:
        return [Reply.of("utter_no_cards")]
    return [
        Reply.first_of(
            [f"utter_card_status_{card.get('status')}", "utter_card_status_other"],
            last4=card.get("last4"),
            expires=day(card.get("expires_on")),
        )
        for card in cards
    ]


def card_expiry_replies(cards: list[dict[str, Any]]) -> list[Reply]:
    usable = [c for c in cards if c.get("status") not in ("blocked", "expired")]
    if not usable:
        return [Reply.of("utter_no_cards")]
    return [
        Reply.of("utter_card_expiry", last4=c.get("last4"), expires=day(c.get("expires_on")))
        for c in usable
    ]


def card_button(card: dict[str, Any]) -> dict[str, str]:
    """A button that names the card only by data (its last four digits), so needs no words."""
    last4 = str(card.get("last4"))
    return {"title": f"•••• {last4}", "payload": f'/inform{{"card":"{last4}"}}'}


def transaction_values(row: dict[str, Any]) -> dict[str, str]:
    return {
        "date": day(row.get("posted_at")),
        "description": row.get("description") or row.get("kind") or "",
        "amount": money(row.get("amount")),
        "currency": row.get("currency") or "",
    }


def offer_replies(offer: dict[str, Any], language: str | None = None) -> list[Reply]:
    """An offer in the assistant's words: its intro, then the first reason the domain can
    voice (every reason has a code and figures), else the generic one. The offer is named in
    the customer's language; the reasons' words are the domain's, in every language."""
    name = localized(offer, "name", language) or offer["code"]
    intro = Reply.first_of(
        [f"utter_offer_{str(offer['code']).lower()}", "utter_offer_intro"], offer_name=name
    )
    reasons = tuple(
        (f"utter_offer_reason_{r.get('code')}", figures_for_response(r.get("figures") or {}))
        for r in offer.get("reasons") or []
    )
    return [intro, Reply((*reasons, ("utter_offer_reason_generic", {})))]
