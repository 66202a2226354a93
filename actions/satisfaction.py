"""Customer satisfaction: ask for a 1-5 rating when the assistant alone completed a request,
store the rating at once and an optional comment after it, through the platform API.

The console asks after an agent's part ends (it sets `csat_subject` to "handoff-<id>"); the
assistant asks here, after the customer thanks it for something it did, at most once per
dialogue session, and never in a session a person had (that one is asked when it ends). The
platform keeps one rating per subject, so a replayed or re-clicked rating counts once.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import identity_of
from connectors import platform_api
from core.logs import conversation_id

log = logging.getLogger(__name__)

# Intents that are not a request of their own: they neither earn a rating question nor name
# what a rating is about.
NOT_A_REQUEST = frozenset({
    "greet", "goodbye", "thanks", "affirm", "deny", "bot_challenge", "out_of_scope",
    "nlu_fallback", "inform", "rate_service", "session_start", "restart",
})  # fmt: skip
RATING = re.compile(r"(?<![0-9])([1-5])(?![0-9])")
HANDOFF_INTENT = "human_handoff"
ASK = "utter_ask_csat"
RATE_PAYLOAD = "/rate_service"
NO_COMMENT = "-"  # what the "No, thanks" button fills the comment with
COMMENT_MAX = 1000


def current_session(events: list[dict[str, Any]]) -> tuple[float, list[dict[str, Any]]]:
    """(start timestamp, events) of the dialogue session in progress."""
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "session_started":
            return float(events[index].get("timestamp") or 0), events[index + 1 :]
    return 0.0, events


def session_subject(tracker: Tracker) -> str:
    start, _ = current_session(tracker.events)
    return f"session-{start:.3f}"


def requests_in(events: list[dict[str, Any]]) -> list[str]:
    """The intents of what the customer asked the assistant, oldest first: small talk and
    what they told a person (while the bot was paused) left out."""
    intents, paused = [], False
    for event in events:
        kind = event.get("event")
        if kind in ("pause", "resume"):
            paused = kind == "pause"
        if kind != "user" or paused:
            continue
        name = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if name and name not in NOT_A_REQUEST:
            intents.append(name)
    return intents


def rated_intent(events: list[dict[str, Any]]) -> str | None:
    """What the rating is about: the latest request, the topic before "a person, please"."""
    requests = requests_in(events)
    topics = [i for i in requests if i != HANDOFF_INTENT]
    return (topics or requests or [None])[-1]


def _asks_for_a_rating(event: dict[str, Any]) -> bool:
    buttons = (event.get("data") or {}).get("buttons") or []
    return any(str(b.get("payload") or "").startswith(RATE_PAYLOAD) for b in buttons)


def asked_in(session: list[dict[str, Any]]) -> bool:
    """The rating question (its buttons) was sent or answered in this session."""
    return any(
        (e.get("event") == "bot" and _asks_for_a_rating(e))
        or (
            e.get("event") == "user"
            and ((e.get("parse_data") or {}).get("intent") or {}).get("name") == "rate_service"
        )
        for e in session
    )


def rating_in(value: Any) -> int | None:
    """1..5 from the button's entity, or from a rating typed as a digit ("4", "我给5分")."""
    found = RATING.search(str(value or ""))
    return int(found.group(1)) if found else None


async def post_rating(tracker: Tracker, rating: int, comment: str | None = None) -> bool:
    """Store the rating (and comment); False if the platform could not be reached."""
    body: dict[str, Any] = {
        "conversation_id": tracker.sender_id,
        "subject": tracker.get_slot("csat_subject") or session_subject(tracker),
        "rating": rating,
        "intent": rated_intent(tracker.events),
        "channel": identity_of(tracker).via,
    }
    if comment:
        body["comment"] = comment[:COMMENT_MAX]
    try:
        await platform_api.post("satisfaction", body, tracker.sender_id)
    except platform_api.ERRORS as exc:
        log.warning("satisfaction rating not stored: %s", exc.__class__.__name__)
        return False
    return True


class ActionOfferCsat(Action):
    """After "thanks": ask for a rating if, in this session, the assistant alone handled a
    request and has not asked yet. Silent otherwise (small talk, a person had it)."""

    def name(self) -> str:
        return "action_offer_csat"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        _, session = current_session(tracker.events)
        subject = session_subject(tracker)
        had_a_person = any(e.get("event") == "pause" for e in session)
        if (
            had_a_person
            or tracker.get_slot("csat_subject") == subject
            or asked_in(session)
            or not requests_in(session)
        ):
            return []
        dispatcher.utter_message(response=ASK)
        return [SlotSet("csat_subject", subject)]


class ValidateCsatForm(Action):
    """A valid rating is stored as soon as it is given (a customer who leaves before the
    comment still counts); an unreadable one is asked again."""

    def name(self) -> str:
        return "validate_csat_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        conversation_id.set(tracker.sender_id)
        recent = tracker.slots_to_validate()
        events = []
        if "csat_rating" in recent:
            rating = rating_in(recent["csat_rating"])
            if rating is not None:
                await post_rating(tracker, rating)
            events.append(SlotSet("csat_rating", str(rating) if rating else None))
        if "csat_comment" in recent:
            comment = str(recent["csat_comment"] or "").strip()
            events.append(SlotSet("csat_comment", comment[:COMMENT_MAX] or NO_COMMENT))
        return events


class ActionSaveCsatComment(Action):
    """The rating's optional comment, then thanks; the answers are forgotten (the subject
    stays, so the same session is not asked again)."""

    def name(self) -> str:
        return "action_save_csat_comment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        conversation_id.set(tracker.sender_id)
        rating = rating_in(tracker.get_slot("csat_rating"))
        comment = tracker.get_slot("csat_comment")
        if rating is not None and comment and comment != NO_COMMENT:
            await post_rating(tracker, rating, comment)
        dispatcher.utter_message(response="utter_csat_thanks")
        return [SlotSet("csat_rating", None), SlotSet("csat_comment", None)]
