"""Suggested replies for the agent, and the words of an offer the agent presents.

Built from what the assistant understood of the customer's last message (intent and
entities from Rasa's parse data) and the customer's data (e.g. card statuses for a card
question), in the assistant's own words: the domain's responses, filled with the figures.
The agent edits a suggestion before sending it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from agent_console.responses import Responses, first, render, response_key

MAX_SUGGESTIONS = 4
# Second-best intents are worth a suggestion when the best one is this unsure.
UNSURE = 0.6
# The assistant speaking about itself or its own flow: not words for a person.
NOT_FOR_AGENTS = ("utter_greet", "utter_iamabot", "utter_default", "utter_ask_rephrase")
NOT_FOR_AGENTS_PREFIXES = ("utter_handoff", "utter_agent_", "utter_did_you_mean_", "utter_ask_")

CARD_INTENTS = frozenset(
    {
        "card_arrival", "card_delivery_estimate", "activate_my_card", "card_not_working",
        "declined_card_payment", "declined_cash_withdrawal", "contactless_not_working",
        "virtual_card_not_working", "pin_blocked", "card_linking", "block_card", "freeze_card",
        "unfreeze_card", "lost_or_stolen_card", "compromised_card", "card_swallowed",
    }
)  # fmt: skip
EXPIRY_INTENTS = frozenset({"card_about_to_expire"})
BALANCE_INTENTS = frozenset({"check_balance"})
YES_NO = {"affirm": "utter_offer_accepted", "deny": "utter_offer_declined"}


def money(value: Any) -> str:
    try:
        return f"{Decimal(str(value)):.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def day(value: Any) -> str:
    return str(value or "")[:10]


def _allowed(name: str) -> bool:
    return name not in NOT_FOR_AGENTS and not name.startswith(NOT_FOR_AGENTS_PREFIXES)


def _card_lines(
    responses: Responses, cards: list[dict[str, Any]], entities: list[dict], expiry: bool
) -> list[dict[str, Any]]:
    wanted = {str(e.get("value"))[-4:] for e in entities if e.get("entity") == "card"}
    chosen = [c for c in cards if c.get("last4") in wanted] or cards
    lines = []
    for card in chosen:
        values = {"last4": card.get("last4"), "expires": day(card.get("expires_on"))}
        names = (
            ["utter_card_expiry"]
            if expiry
            else [f"utter_card_status_{card.get('status')}", "utter_card_status_other"]
        )
        line = first(responses, names, values)
        if line:
            lines.append(line)
    return lines


def _balance_lines(responses: Responses, accounts: list[dict[str, Any]]) -> list[dict]:
    lines = []
    for account in accounts:
        if account.get("status") != "open":
            continue
        values = {
            "account_name": account.get("product_name") or account.get("kind"),
            "last4": account.get("number_last4"),
            "balance": money(account.get("balance")),
            "currency": account.get("currency"),
        }
        line = render(responses, "utter_balance", values)
        if line:
            lines.append(line)
    return lines


def _intents(parse: dict[str, Any]) -> list[str]:
    best = parse.get("intent") or {}
    names = [best.get("name")] if best.get("name") else []
    if (best.get("confidence") or 0) < UNSURE:
        names += [r.get("name") for r in (parse.get("intent_ranking") or [])[1:3]]
    return [n for n in names if n and n != "nlu_fallback"]


def suggest(
    responses: Responses,
    parse: dict[str, Any],
    customer: dict[str, Any] | None,
    awaiting_offer: bool,
    channel: str | None = None,
) -> list[dict[str, Any]]:
    """Up to four replies, most specific first, each naming the response it came from."""
    entities = parse.get("entities") or []
    suggestions: list[dict[str, Any]] = []
    for intent in _intents(parse):
        if awaiting_offer and intent in YES_NO:
            suggestions += [render(responses, YES_NO[intent], channel=channel)]
        if customer and intent in CARD_INTENTS | EXPIRY_INTENTS:
            suggestions += _card_lines(
                responses, customer.get("cards") or [], entities, intent in EXPIRY_INTENTS
            )
        if customer and intent in BALANCE_INTENTS:
            suggestions += _balance_lines(responses, customer.get("accounts") or [])
        key = response_key(intent)
        for name in (f"utter_topic_{key}", f"utter_{key}"):
            if _allowed(name):
                suggestions.append(render(responses, name, channel=channel))
    suggestions.append(render(responses, "utter_anything_else", channel=channel))
    unique: list[dict[str, Any]] = []
    for s in suggestions:
        if s and all(s["text"] != u["text"] for u in unique):
            unique.append({"response": s["response"], "text": s["text"]})
    return unique[:MAX_SUGGESTIONS]


def figures_for_response(figures: dict[str, Any]) -> dict[str, str]:
    """Numbers as the customer reads them: amounts with two decimals, counts as they are."""
    values: dict[str, str] = {}
    for key, value in (figures or {}).items():
        is_float = isinstance(value, float)
        values[key] = money(value) if is_float else str(value)
    return values


def offer_messages(
    responses: Responses, offer: dict[str, Any], channel: str | None = None
) -> list[dict[str, Any]]:
    """The offer as the assistant words it: intro, the first reason it has words for, and
    the yes/no question (with its buttons). Empty if the domain has no intro."""
    code = str(offer["code"]).lower()
    intro = first(
        responses, [f"utter_offer_{code}", "utter_offer_intro"], {"offer_name": offer["name"]}
    )
    if intro is None:
        return []
    reason = None
    for r in offer.get("reasons") or []:
        reason = render(
            responses,
            f"utter_offer_reason_{r.get('code')}",
            figures_for_response(r.get("figures") or {}),
            channel=channel,
        )
        if reason:
            break
    reason = reason or render(responses, "utter_offer_reason_generic", channel=channel)
    question = render(responses, "utter_offer_question", channel=channel)
    return [m for m in (intro, reason, question) if m]
