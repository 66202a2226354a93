"""The summary at the top of a handed-over conversation, built by the product from Rasa's
tracker events and the bank's records (no external service).

Why: an agent who takes a conversation should not have to read the transcript to learn why
the customer came, what the assistant understood and already did (a card blocked, a
complaint filed with its reference, an offer shown and the answer), how the customer feels
and what they are still waiting to hear. Everything quoted from the customer is masked
(core.pii) like the transcript. Agent-facing words only: nothing here reaches a customer.

The session summarised is the one the handoff happened in: from the `session_started`
before the latest pause (the bot handing over) to now.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from conversations import sentiment
from conversations.models import Handoff
from core.pii import mask_pii
from core.vocabulary import HandoffReason, HandoffStatus
from crm.models import Complaint, Offer, OfferPresentation

ACTIVE = (HandoffStatus.PENDING, HandoffStatus.CLAIMED)
QUOTE = 160  # characters of a customer's message quoted in the summary
LINE_MAX = 500  # handoffs.summary
# Messages that ask for nothing of their own: not "the open question" if a real one precedes.
NO_QUESTION = {"human_handoff", "affirm", "deny", "greet", "goodbye", "thanks", "csat_rating"}
REFERENCE = re.compile(r"\bCMP-\d{6}-[A-Z0-9]{6}\b")

WHY = {
    HandoffReason.CUSTOMER_REQUEST: "The customer asked for a person.",
    HandoffReason.FALLBACK: "The assistant did not understand the customer twice in a row.",
    HandoffReason.RETENTION: "Churn risk: wants to close the account or complained about fees.",
    HandoffReason.COMPLAINT: "Open complaint or dispute; the customer asked for a person.",
    HandoffReason.CALLBACK: "Asked for a callback after waiting.",
}
CARD_DONE = {
    "utter_card_blocked": "Blocked the card",
    "utter_card_frozen": "Froze the card",
    "utter_card_unfrozen": "Unfroze the card",
    "utter_card_operation_refused": "Could not change the card (refused)",
}
CASE_FILED = {"utter_complaint_created": "complaint", "utter_dispute_created": "dispute"}
FORMS = {  # a form the assistant started: what it was doing if it did not finish
    "card_form": "card",
    "complaint_form": "complaint",
    "dispute_form": "dispute",
}
SHOWN = {
    "action_check_balance": "Showed the balance",
    "action_recent_transactions": "Showed recent transactions",
}
ANSWER = {
    "accepted": "accepted",
    "declined": "declined",
    "ignored": "asked for a person instead",
    None: "no answer yet",
}


def session_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events of the session the latest handoff happened in (all, if none started)."""
    kinds = [e.get("event") for e in events]
    end = max((i for i, k in enumerate(kinds) if k == "pause"), default=len(kinds))
    start = max((i for i, k in enumerate(kinds[:end]) if k == "session_started"), default=0)
    return events[start:]


def _intent(event: dict[str, Any]) -> str | None:
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")


def _quote(text: str) -> str:
    text = " ".join(mask_pii(text).split())
    return text if len(text) <= QUOTE else text[: QUOTE - 1] + "…"


def _is_person(event: dict[str, Any]) -> bool:
    return str((event.get("metadata") or {}).get("author") or "").startswith("agent:")


class _Reader:
    """One pass over the session's events, remembering what the assistant did."""

    def __init__(self) -> None:
        self.customer: list[dict[str, Any]] = []  # user events
        self.intents: Counter[str] = Counter()
        self.entities: dict[tuple[str, str], None] = {}
        self.done: list[dict[str, Any]] = []
        self.slots: dict[str, Any] = {}
        self.offers: list[tuple[Any, str]] = []  # (presentation id, code)
        self.open_forms: dict[str, str] = {}  # form -> what it is about
        self.last_person_reply = -1
        self.card_operation = "block"  # what the card form was for (its slot is reset after)

    def read(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            kind = event.get("event")
            if kind == "user":
                self._user(event)
            elif kind == "bot":
                self._bot(event)
            elif kind == "slot":
                self._slot(event.get("name"), event.get("value"))
            elif kind == "active_loop":
                self._form(event.get("name"))
            elif kind == "action" and event.get("name") in SHOWN:
                self._add("shown", SHOWN[event["name"]])

    def _user(self, event: dict[str, Any]) -> None:
        self.customer.append(event)
        intent = _intent(event)
        if intent:
            self.intents[intent] += 1
        for entity in (event.get("parse_data") or {}).get("entities") or []:
            if entity.get("entity") and entity.get("entity") != "language":
                key = (str(entity["entity"]), mask_pii(str(entity.get("value")))[:60])
                self.entities[key] = None

    def _bot(self, event: dict[str, Any]) -> None:
        if _is_person(event):
            self.last_person_reply = len(self.customer)
            return
        utter = (event.get("metadata") or {}).get("utter_action")
        if utter in CARD_DONE:
            last4 = self.slots.get("card_last4")
            ending = f" ending {last4}" if last4 else ""
            self._add("card", f"{CARD_DONE[utter]}{ending}.", card_last4=last4, action=utter)
            self.open_forms.pop("card_form", None)
        elif utter in CASE_FILED:
            found = REFERENCE.search(event.get("text") or "")
            reference = found.group(0) if found else None
            self._add(CASE_FILED[utter], "", reference=reference)
            self.open_forms.pop(f"{CASE_FILED[utter]}_form", None)

    def _slot(self, name: Any, value: Any) -> None:
        self.slots[str(name)] = value
        if name == "card_operation" and value:
            self.card_operation = str(value)
        elif name == "offer_presentation_id" and value is not None:
            self.offers.append((value, ""))
        elif name == "offer_code" and value and self.offers and not self.offers[-1][1]:
            self.offers[-1] = (self.offers[-1][0], str(value))

    def _form(self, name: Any) -> None:
        if name in FORMS:
            self.open_forms[str(name)] = FORMS[str(name)]

    def _add(self, kind: str, text: str, **details: Any) -> None:
        self.done.append({"kind": kind, "text": text, **details})


def _unfinished(form: str, operation: str) -> dict[str, Any]:
    if form == "card_form":
        return {"kind": "card_asked", "text": f"Started to {operation} a card; not done yet.",
                "operation": operation}  # fmt: skip
    what = FORMS[form]
    return {"kind": f"{what}_started", "text": f"Started a {what}; not filed yet."}


def _case_text(session: Session, item: dict[str, Any]) -> None:
    reference = item.get("reference")
    case = (
        session.scalar(select(Complaint).where(Complaint.reference == reference))
        if (reference)
        else None
    )
    kind = item["kind"]
    if case is None:
        item["text"] = f"Filed a {kind}" + (f", reference {reference}." if reference else ".")
        return
    item |= {"category": case.category, "due": case.sla_due.isoformat(), "status": case.status}
    item["text"] = (
        f"Filed a {kind}, reference {case.reference} ({case.category.replace('_', ' ')}), "
        f"due {case.sla_due.isoformat()}."
    )


def _offers(session: Session, offers: list[tuple[Any, str]]) -> list[dict[str, Any]]:
    shown = []
    for presentation_id, code in offers:
        row = None
        if str(presentation_id).isdigit():
            row = session.get(OfferPresentation, int(presentation_id))
        code = row.offer_code if row is not None else code
        offer = session.get(Offer, code) if code else None
        outcome = row.outcome if row is not None else None
        title = offer.title if offer is not None else code or "an offer"
        answer = ANSWER.get(outcome, outcome)
        shown.append({"kind": "offer", "offer_code": code, "outcome": outcome,
                      "text": f"Showed the offer “{title}”: {answer}."})  # fmt: skip
    return shown


def _open_question(reader: _Reader) -> dict[str, Any] | None:
    """The last thing the customer said that no person has answered yet (a bare "a person
    please" or "yes" gives way to the real question before it)."""
    unanswered = reader.customer[max(0, reader.last_person_reply) :]
    if not unanswered:
        return None
    asking = [e for e in unanswered if _intent(e) not in NO_QUESTION] or unanswered
    event = asking[-1]
    return {"text": _quote(event.get("text") or ""), "intent": _intent(event),
            "time": event.get("timestamp")}  # fmt: skip


def build(
    session: Session, events: list[dict[str, Any]], handoff: Handoff | None
) -> dict[str, Any]:
    """The summary of the conversation's handoff session, for the console (JSON-ready)."""
    reader = _Reader()
    reader.read(session_events(events))
    done = list(reader.done)
    for item in done:
        if item["kind"] in CASE_FILED.values():
            _case_text(session, item)
    done += _offers(session, reader.offers)
    done += [_unfinished(form, reader.card_operation) for form in reader.open_forms]
    first = next((e for e in reader.customer if _intent(e) not in NO_QUESTION), None)
    first = first or (reader.customer[0] if reader.customer else None)
    mood = sentiment.conversation_mood(e.get("text") or "" for e in reader.customer)
    reason = handoff.reason if handoff is not None else None
    summary = {
        "reason": reason,
        "why": WHY.get(reason, "") if reason else "",
        "first_request": {"text": _quote(first.get("text") or ""), "intent": _intent(first)}
        if first
        else None,
        "intents": [{"intent": name, "count": n} for name, n in reader.intents.items()],
        "entities": [{"entity": k, "value": v} for k, v in reader.entities],
        "done": done,
        "mood": {"label": mood.label, "score": mood.score, "cues": list(mood.cues)},
        "open_question": _open_question(reader),
        "customer_messages": len(reader.customer),
    }
    summary["line"] = line(summary)
    return summary


def line(summary: dict[str, Any]) -> str:
    """One line for the queue preview: came for, did, mood. Not the open question: it
    changes with every message, and each change is pushed to every agent's queue."""
    if not summary["customer_messages"]:
        return ""
    parts = []
    if summary["reason"] == HandoffReason.CALLBACK:
        parts.append(WHY[HandoffReason.CALLBACK])
    if summary["first_request"]:
        parts.append(f"Came for: “{summary['first_request']['text']}”")
    if summary["done"]:
        parts.append("Did: " + " ".join(d["text"] for d in summary["done"]))
    parts.append(f"Mood: {summary['mood']['label']}")
    return " · ".join(parts)[:LINE_MAX]


def active_handoff(session: Session, conversation_id: str) -> Handoff | None:
    """The conversation's waiting or claimed handoff, else its latest one."""
    rows = session.scalars(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id)
        .order_by(Handoff.id.desc())
    ).all()
    return next((h for h in rows if h.status in ACTIVE), rows[0] if rows else None)


def store_line(session: Session, handoff_id: int, text: str) -> bool:
    """Put the summary line on a handoff that still waits or is worked on; True if changed.
    One conditional UPDATE: a handoff closed meanwhile keeps the summary it closed with."""
    changed = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.status.in_(ACTIVE), Handoff.summary != text)
        .values(summary=text)
    )
    return (changed.rowcount or 0) == 1
