"""Canned responses: which ones fit the customer's last intent, which variables a reply may
use, and the reply filled in with this customer's data in the conversation's language.

The variables are a closed, safe set: a greeting name, the customer number, the city of
their record, a card's last four digits, an open complaint's reference and due date, the
agent's own name. Never a full card, account, ID or phone number: a reply is sent to the
customer and stored in the transcript.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent_console.canned_models import CannedResponse
from agent_console.responses import PLACEHOLDER
from core.language import EN, LANGUAGES, ZH
from core.pii import mask_pii
from crm.models import Card, Complaint, Customer

SHORTCUT = re.compile(r"^/[a-z0-9_-]{2,24}$")
INTENT = re.compile(r"^[a-z0-9_]{1,64}$")
MAX_INTENTS = 12
MAX_TEXT = 2000
MAX_TITLE = 80

# Name -> what it is filled with (shown to supervisors writing replies).
VARIABLES: dict[str, str] = {
    "first_name": "The customer's first name, as on their record",
    "customer_no": "The customer number (e.g. C000123)",
    "branch_city": "The city of the customer's home branch",
    "card_last4": "Last four digits of the customer's card (an active one first)",
    "complaint_ref": "Reference of the customer's latest open complaint",
    "complaint_due": "Due date of that complaint (YYYY-MM-DD)",
    "agent_name": "Your own name, as customers see it",
}


def unknown_variables(text: str) -> list[str]:
    """The placeholders of `text` that are not one of VARIABLES, in order, once each."""
    names = dict.fromkeys(PLACEHOLDER.findall(text))
    return [n for n in names if n not in VARIABLES]


def problems(
    shortcut: str, title: str, text_en: str, text_zh: str, intents: list[str]
) -> list[str]:
    """Everything wrong with a reply a supervisor submits, in words they can act on."""
    found = []
    if not SHORTCUT.match(shortcut):
        found.append(
            f"Shortcut {shortcut!r} must be a slash and 2-24 lowercase letters, digits, - or _"
            " (e.g. /fees)."
        )
    if not title.strip() or len(title) > MAX_TITLE:
        found.append(f"Title must be 1-{MAX_TITLE} characters.")
    for label, text in (("English", text_en), ("Chinese", text_zh)):
        if not text.strip() or len(text) > MAX_TEXT:
            found.append(f"The {label} text must be 1-{MAX_TEXT} characters.")
        unknown = unknown_variables(text)
        if unknown:
            found.append(
                f"Unknown variable(s) in the {label} text: "
                + ", ".join(f"{{{n}}}" for n in unknown)
                + ". Allowed: "
                + ", ".join(f"{{{n}}}" for n in VARIABLES)
                + "."
            )
    if len(intents) > MAX_INTENTS:
        found.append(f"At most {MAX_INTENTS} intents.")
    bad = [i for i in intents if not INTENT.match(i)]
    if bad:
        found.append(f"Intent names are lowercase words with _: not {', '.join(bad)}.")
    return found


def listed(session: Session, intent: str | None, include_inactive: bool) -> list[dict[str, Any]]:
    """The library, the replies that fit `intent` first (each marked `fits`), then by
    shortcut."""
    query = select(CannedResponse).order_by(CannedResponse.shortcut)
    if not include_inactive:
        query = query.where(CannedResponse.active.is_(True))
    rows = [as_dict(r) | {"fits": bool(intent) and intent in (r.intents or [])}
            for r in session.scalars(query)]  # fmt: skip
    return sorted(rows, key=lambda r: not r["fits"])  # stable: shortcut order within


def as_dict(row: CannedResponse) -> dict[str, Any]:
    return {
        "id": row.id,
        "shortcut": row.shortcut,
        "title": row.title,
        "text_en": row.text_en,
        "text_zh": row.text_zh,
        "intents": list(row.intents or []),
        "active": row.active,
        "updated_at": row.updated_at.isoformat(timespec="seconds") + "Z",
    }


def _first_name(full_name: str) -> str:
    """Records hold "Given Surname"; a name written without spaces is used whole."""
    parts = full_name.split()
    return parts[0] if parts else full_name


def customer_values(session: Session, customer: Customer | None, agent_name: str) -> dict:
    """The variables' values for this customer (None where the record has nothing)."""
    values: dict[str, str | None] = dict.fromkeys(VARIABLES)
    values["agent_name"] = agent_name
    if customer is None:
        return values
    card = session.scalar(
        select(Card)
        .where(Card.customer_id == customer.id)
        .order_by((Card.status != "active"), Card.id)
        .limit(1)
    )
    complaint = session.scalar(
        select(Complaint)
        .where(Complaint.customer_id == customer.id, Complaint.status != "closed")
        .order_by(Complaint.created_at.desc(), Complaint.id.desc())
        .limit(1)
    )
    values |= {
        "first_name": _first_name(customer.full_name),
        "customer_no": customer.customer_no,
        "branch_city": customer.city,
        "card_last4": card.last4[-4:] if card else None,
        "complaint_ref": complaint.reference if complaint else None,
        "complaint_due": complaint.sla_due.isoformat() if complaint else None,
    }
    # Belt and braces: nothing that looks like a full card, ID or phone number goes out.
    return {k: mask_pii(v) if isinstance(v, str) else v for k, v in values.items()}


def render(row: CannedResponse, language: str, values: dict[str, str | None]) -> dict[str, Any]:
    """The reply in `language`, its variables filled; a variable the record cannot fill is
    left as written (listed in `missing`) for the agent to complete before sending."""
    language = language if language in LANGUAGES else EN
    text = row.text_zh if language == ZH else row.text_en
    missing = [n for n in dict.fromkeys(PLACEHOLDER.findall(text)) if values.get(n) is None]

    def _value(match: re.Match) -> str:
        value = values.get(match.group(1))
        return match.group(0) if value is None else str(value)

    return {
        "id": row.id,
        "shortcut": row.shortcut,
        "title": row.title,
        "language": language,
        "text": PLACEHOLDER.sub(_value, text),
        "missing": missing,
    }
