"""Suggested replies for the agent, and the words of an offer the agent presents.

Built from what the assistant understood of the customer's last message (intent and
entities from Rasa's parse data) and the customer's data (e.g. card statuses for a card
question), in the assistant's own words: the domain's responses, chosen and filled by
`core.wording` exactly as the assistant's actions choose them. The agent edits a
suggestion before sending it.
"""

from __future__ import annotations

from typing import Any

from agent_console.responses import Responses, render, render_reply
from core.language import EN
from core.wording import (
    CARD_FORM_INTENTS,
    CARDS,
    EXPIRY,
    PERSONAL_TOPICS,
    Reply,
    balance_replies,
    card_expiry_replies,
    card_status_replies,
    offer_replies,
    response_key,
)

MAX_SUGGESTIONS = 4
# Second-best intents are worth a suggestion when the best one is this unsure.
UNSURE = 0.6
# The assistant speaking about itself or its own flow: not words for a person.
NOT_FOR_AGENTS = ("utter_greet", "utter_iamabot", "utter_default", "utter_ask_rephrase")
NOT_FOR_AGENTS_PREFIXES = ("utter_handoff", "utter_agent_", "utter_did_you_mean_", "utter_ask_")

CARD_INTENTS = frozenset(t for t, kind in PERSONAL_TOPICS.items() if kind == CARDS)
EXPIRY_INTENTS = frozenset(t for t, kind in PERSONAL_TOPICS.items() if kind == EXPIRY)
BALANCE_INTENTS = frozenset({"check_balance"})
YES_NO = {"affirm": "utter_offer_accepted", "deny": "utter_offer_declined"}


def _allowed(name: str) -> bool:
    return name not in NOT_FOR_AGENTS and not name.startswith(NOT_FOR_AGENTS_PREFIXES)


def _entity_values(entities: list[dict], name: str) -> list[str]:
    return [str(e.get("value")) for e in entities if e.get("entity") == name]


def _card_replies(cards: list[dict[str, Any]], entities: list[dict], expiry: bool) -> list[Reply]:
    """The named card (by its last four digits), else every card."""
    wanted = {value[-4:] for value in _entity_values(entities, "card")}
    chosen = [c for c in cards if c.get("last4") in wanted] or cards
    return card_expiry_replies(chosen) if expiry else card_status_replies(chosen)


def _intents(parse: dict[str, Any]) -> list[str]:
    best = parse.get("intent") or {}
    names = [best.get("name")] if best.get("name") else []
    if (best.get("confidence") or 0) < UNSURE:
        names += [r.get("name") for r in (parse.get("intent_ranking") or [])[1:3]]
    return [n for n in names if n and n != "nlu_fallback"]


def _data_replies(
    intent: str, customer: dict[str, Any], entities: list[dict], language: str
) -> list[Reply]:
    """What the customer's own data adds to an answer to this intent."""
    if intent in CARD_INTENTS | CARD_FORM_INTENTS | EXPIRY_INTENTS:
        cards = customer.get("cards") or []
        return _card_replies(cards, entities, intent in EXPIRY_INTENTS) if cards else []
    if intent in BALANCE_INTENTS:
        asked = _entity_values(entities, "account_type")
        return balance_replies(customer.get("accounts") or [], asked, language)
    return []


def suggest(
    responses: Responses,
    parse: dict[str, Any],
    customer: dict[str, Any] | None,
    awaiting_offer: bool,
    channel: str | None = None,
    language: str = EN,
) -> list[dict[str, Any]]:
    """Up to four replies, most specific first, each naming the response it came from, in
    the language the customer is writing in (the conversation's `language` slot)."""
    entities = parse.get("entities") or []
    slots = {"language": language}
    suggestions: list[dict[str, Any] | None] = []
    for intent in _intents(parse):
        if awaiting_offer and intent in YES_NO:
            suggestions.append(render(responses, YES_NO[intent], channel=channel, slots=slots))
        if customer:
            replies = _data_replies(intent, customer, entities, language)
            suggestions += [render_reply(responses, r, channel, slots) for r in replies]
        key = response_key(intent)
        for name in (f"utter_topic_{key}", f"utter_{key}"):
            if _allowed(name):
                suggestions.append(render(responses, name, channel=channel, slots=slots))
    suggestions.append(render(responses, "utter_anything_else", channel=channel, slots=slots))
    unique: list[dict[str, Any]] = []
    for s in suggestions:
        if s and all(s["text"] != u["text"] for u in unique):
            unique.append({"response": s["response"], "text": s["text"]})
    return unique[:MAX_SUGGESTIONS]


def offer_messages(
    responses: Responses, offer: dict[str, Any], channel: str | None = None, language: str = EN
) -> list[dict[str, Any]]:
    """The offer as the assistant words it, in the customer's language: intro, the first
    reason it has words for, and the yes/no question (with its buttons). Empty if the domain
    has no intro."""
    slots = {"language": language}
    intro, reason = (
        render_reply(responses, r, channel, slots) for r in offer_replies(offer, language)
    )
    if intro is None:
        return []
    question = render(responses, "utter_offer_question", channel=channel, slots=slots)
    return [m for m in (intro, reason, question) if m]
