"""The agents' outbound call list: planned calls (outreach items, channel 'call') to work.

The campaign launch and the event scan plan the calls (crm.marketing.outreach); this module is
the agent's side: which calls may be made now and in which order, who is calling whom (one
conditional UPDATE per claim), and what each call's outcome does to the item, the customer's
history, the closed loop and their consent. Every instant is the business clock
(crm.clock.business_now), the clock the items are planned on; functions take `now` so the
rules can be checked at any instant.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from agent_console import audit, calls, customer360, timeline
from agent_console.guards import Who
from agent_console.responses import Responses, render
from agent_console.suggestions import offer_messages
from core.language import EN, LANGUAGES
from core.pii import mask_pii
from core.vocabulary import Channel
from crm.analytics.features import features_of
from crm.clock import local_time
from crm.closed_loop import PolicyViolation, record_outcome, record_presentation
from crm.marketing import consent, contact_policy, outreach
from crm.marketing.campaign_models import Campaign
from crm.marketing.outreach_models import OutreachItem
from crm.models import Customer, Interaction, Offer, OfferPresentation, Opportunity
from crm.money import money_str, to_money
from crm.offers.nbo import segment_of
from crm.offers.reasons import offer_reasons

# A claim is a promise to call now: one left this long without an outcome lapses, and the
# item is back on everyone's list (the agent went home, the browser crashed).
LEASE = dt.timedelta(minutes=30)
# No answer: try again this much later, and give up after this many unanswered calls.
RETRY_AFTER = dt.timedelta(hours=2)
MAX_ATTEMPTS = 3
# A call-back belongs to the agent who agreed it until this long after the agreed time;
# then any agent may make it (the customer expects the call, not a particular voice).
CALLBACK_KEPT_FOR = dt.timedelta(minutes=30)
# Items expiring this soon come first, soonest first: their value is lost otherwise.
URGENT_WITHIN = dt.timedelta(hours=24)
WORKLIST_LENGTH = 50
# The hours an agent may call at all, the customer's local time (the contact policy's
# default quiet hours, 21:00-09:00).
CALLING_HOURS = range(9, 21)
HISTORY_DAYS = 365

OUTCOMES = ("reached", "no_answer", "callback", "accepted", "declined", "do_not_contact")
LABELS = {
    "reached": "reached",
    "no_answer": "no answer",
    "callback": "call back agreed",
    "accepted": "offer accepted",
    "declined": "offer declined",
    "do_not_contact": "do not contact",
}
# The call's outcome -> the offer's outcome in the closed loop (None: heard, no answer yet).
OFFER_OUTCOMES: dict[str, str | None] = {
    "reached": None,
    "no_answer": "ignored",
    "callback": None,
    "accepted": "accepted",
    "declined": "declined",
    "do_not_contact": "declined",
}
# Outcomes that record a contact without the offer having been heard may go without a
# presentation when the contact policy refuses one; the others need the offer said.
OFFER_HEARD = {"reached", "accepted", "declined"}
NO_ANSWER_KIND = "outbound_no_answer"
CALL_KIND = "outbound_call"


class OutboundError(Exception):
    """The request cannot be done; `status` is the HTTP status the router answers with."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


def _iso(when: dt.datetime | None) -> str | None:
    return None if when is None else when.isoformat(timespec="seconds")


# ---- what may be called now ---------------------------------------------------------------


def _live_claim(item: Any, now: dt.datetime) -> Any:
    """An item an agent holds now (claimed, lease not lapsed)."""
    return and_(item.status == "claimed", item.claimed_at > now - LEASE)


def _callable(who_id: int, now: dt.datetime) -> Any:
    """Call items this agent may claim now: pending and due (a call-back agreed by another
    agent only once it has been theirs for CALLBACK_KEPT_FOR), or claimed with a lapsed lease;
    not expired; and no other item of the same customer held by someone else right now."""
    item, other = OutreachItem, aliased(OutreachItem)
    due = and_(
        item.status == "pending",
        or_(item.not_before.is_(None), item.not_before <= now),
        or_(
            item.callback_at.is_(None),
            item.claimed_by.is_(None),
            item.claimed_by == who_id,
            item.callback_at <= now - CALLBACK_KEPT_FOR,
        ),
    )
    lapsed = and_(item.status == "claimed", item.claimed_at <= now - LEASE)
    held_elsewhere = exists().where(
        other.channel == "call",
        other.customer_id == item.customer_id,
        other.id != item.id,
        _live_claim(other, now),
        other.claimed_by != who_id,
    )
    return and_(item.channel == "call", item.expires_at > now, or_(due, lapsed), ~held_elsewhere)


def _blocked(session: Session, items: list[OutreachItem], now: dt.datetime) -> dict[int, str]:
    """Item id -> the contact policy's reason not to call now (consent, quiet hours, the
    week's limit, a recent decline of the offer), checked per offer, a few queries in all."""
    by_offer: dict[str | None, list[OutreachItem]] = {}
    for item in items:
        by_offer.setdefault(item.offer_code, []).append(item)
    out: dict[int, str] = {}
    for code, group in by_offer.items():
        ids = sorted({i.customer_id for i in group})
        blocked = contact_policy.blocked(session, ids, "call", now, offer_code=code)
        out |= {i.id: blocked[i.customer_id] for i in group if i.customer_id in blocked}
    for item in items:
        # A retry or a call-back continues the contact already counted (its presentation):
        # the week's limit does not stop it, quiet hours still do.
        if out.get(item.id) == "weekly_limit" and item.presentation_id is not None:
            out.pop(item.id)
            if contact_policy.in_quiet_hours(now):
                out[item.id] = "quiet_hours"
    return out


def _reason(item: OutreachItem) -> dict[str, Any]:
    """Why this customer: the item's reason {code, text, figures}, its text masked."""
    reason = dict(item.reason or {})
    reason["text"] = mask_pii(str(reason.get("text") or ""))
    return reason


def _summary(
    item: OutreachItem, customer: Customer, offer: Offer | None, who_id: int, now: dt.datetime
) -> dict[str, Any]:
    mine = item.status == "claimed" and item.claimed_by == who_id
    return {
        "id": item.id,
        "customer_no": customer.customer_no,
        "customer_name": customer.full_name,
        "reason": _reason(item),
        "source": item.source,
        "offer_code": item.offer_code,
        "offer_name": offer.title if offer else None,
        "expected_value": money_str(to_money(Decimal(str(item.expected_value or 0)))),
        "expires_at": _iso(item.expires_at),
        "urgent": item.expires_at <= now + URGENT_WITHIN,
        "attempts": item.attempts,
        "callback_at": _iso(item.callback_at) if item.status == "pending" or mine else None,
        "status": "mine" if mine else "open",
        "claimed_until": _iso(item.claimed_at + LEASE) if mine and item.claimed_at else None,
    }


def worklist(session: Session, who: Who, now: dt.datetime) -> dict[str, Any]:
    """The agent's calls: those they hold first, then the ones they may claim now, urgent
    ones by expiry and the rest by expected value; items the contact policy holds back are
    left out and counted by reason; their own call-backs not yet due, by time."""
    item = OutreachItem
    mine_q = (
        select(item, Customer, Offer)
        .join(Customer, Customer.id == item.customer_id)
        .outerjoin(Offer, Offer.code == item.offer_code)
        .where(item.channel == "call", item.status == "claimed", item.claimed_by == who.id)
        .where(item.claimed_at > now - LEASE)
        .order_by(item.claimed_at)
    )
    urgent = case((item.expires_at <= now + URGENT_WITHIN, 0), else_=1)
    open_q = (
        select(item, Customer, Offer)
        .join(Customer, Customer.id == item.customer_id)
        .outerjoin(Offer, Offer.code == item.offer_code)
        .where(_callable(who.id, now))
        .order_by(
            urgent,
            case((item.expires_at <= now + URGENT_WITHIN, item.expires_at), else_=None),
            item.expected_value.desc(),
            item.expires_at,
            item.id,
        )
        .limit(WORKLIST_LENGTH * 4)
    )
    scheduled_q = (
        select(item, Customer, Offer)
        .join(Customer, Customer.id == item.customer_id)
        .outerjoin(Offer, Offer.code == item.offer_code)
        .where(item.channel == "call", item.status == "pending", item.claimed_by == who.id)
        .where(item.callback_at.is_not(None), item.not_before > now, item.expires_at > now)
        .order_by(item.callback_at)
    )
    mine = list(session.execute(mine_q).all())
    scheduled = list(session.execute(scheduled_q).all())
    candidates = list(session.execute(open_q).all())
    blocked = _blocked(session, [row[0] for row in candidates], now)
    callable_rows, seen_customers = [], {row[0].customer_id for row in mine}
    for row in candidates:
        # One line per customer: two planned calls to the same person are one phone call.
        if row[0].id in blocked or row[0].customer_id in seen_customers:
            continue
        seen_customers.add(row[0].customer_id)
        callable_rows.append(row)
    return {
        "now": _iso(now),
        "mine": [_summary(i, c, o, who.id, now) for i, c, o in mine],
        "items": [_summary(i, c, o, who.id, now) for i, c, o in callable_rows[:WORKLIST_LENGTH]],
        "scheduled": [_summary(i, c, o, who.id, now) for i, c, o in scheduled],
        "held_back": dict(Counter(blocked.values())),
        "lease_minutes": int(LEASE.total_seconds() // 60),
    }


# ---- claiming ------------------------------------------------------------------------------


def claim(session: Session, who: Who, item_id: int, now: dt.datetime) -> OutreachItem:
    """Take an item to call now: one conditional UPDATE pending|lapsed -> claimed.

    Two agents clicking the same line at once both send this UPDATE; its WHERE re-checks
    that the item is still claimable, so exactly one UPDATE matches a row and the other
    gets 409 (no read-then-write window). The customer's row is locked first, so claims of
    two different items of one customer also take turns, and the second sees the first's
    live claim in `_callable` (SQLite serialises writers anyway). The claim holds for
    LEASE; after that it lapses and anyone may claim the item again."""
    item = session.get(OutreachItem, item_id)
    if item is None or item.channel != "call":
        raise OutboundError(404, "No such call on the list.")
    # Read to the end (scalar): an open SQLite cursor would pin a stale read snapshot.
    session.scalar(select(Customer.id).where(Customer.id == item.customer_id).with_for_update())
    if item.status == "claimed" and item.claimed_by == who.id and item.claimed_at > now - LEASE:
        return item  # a second click of the same agent
    # The UPDATE comes first: it takes the write lock at once (SQLite's busy wait applies),
    # where a read earlier in the transaction would leave a snapshot it cannot write from.
    result = session.execute(
        update(OutreachItem)
        .where(OutreachItem.id == item_id, _callable(who.id, now))
        .values(status="claimed", claimed_by=who.id, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise OutboundError(409, "Another agent has this customer, or the call is not due.")
    reason = _blocked(session, [item], now).get(item.id)
    if reason is not None:  # the caller's transaction rolls the claim back
        raise OutboundError(409, f"The contact policy does not allow this call now ({reason}).")
    session.refresh(item)
    audit.record(session, who.id, "outbound_claim", item.customer_id, f"outreach {item.id}")
    return item


def release(session: Session, who: Who, item_id: int) -> None:
    """Give a claimed call back to the list untouched (the agent cannot make it now)."""
    result = session.execute(
        update(OutreachItem)
        .where(
            OutreachItem.id == item_id,
            OutreachItem.status == "claimed",
            OutreachItem.claimed_by == who.id,
        )
        .values(status="pending", claimed_by=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise OutboundError(409, "You do not hold this call.")


def held(session: Session, who: Who, item_id: int) -> OutreachItem:
    """The item, if this agent holds it (a lapsed lease still counts until someone else
    claims it: the agent was on the phone), else 409."""
    item = session.get(OutreachItem, item_id)
    if item is None or item.channel != "call":
        raise OutboundError(404, "No such call on the list.")
    if item.status != "claimed" or item.claimed_by != who.id:
        raise OutboundError(409, "Claim this call before recording its outcome.")
    return item


# ---- what the agent sees -------------------------------------------------------------------


def best_time(session: Session, customer_id: int, now: dt.datetime) -> dict[str, Any]:
    """The hour of the day the customer is likeliest to answer, from their history.

    Phone contacts of the last HISTORY_DAYS are counted by the customer's local hour of day:
    each contact that happened (they called, or answered our call) counts +1, each
    unanswered outbound call -1; the best hour within calling hours with at least one
    answered contact wins. Without phone history, the hour they are most often in touch on
    any channel (app, chat) is the hint; without any, there is none."""
    since = now - dt.timedelta(days=HISTORY_DAYS)
    rows = session.execute(
        select(Interaction.channel, Interaction.kind, Interaction.occurred_at).where(
            Interaction.customer_id == customer_id, Interaction.occurred_at >= since
        )
    ).all()
    answered: Counter[int] = Counter()
    unanswered: Counter[int] = Counter()
    anywhere: Counter[int] = Counter()
    for channel, kind, at in rows:
        hour = local_time(at).hour
        anywhere[hour] += 1
        if channel == Channel.PHONE:
            (unanswered if kind == NO_ANSWER_KIND else answered)[hour] += 1

    def pick(counts: Counter[int], minus: Counter[int]) -> int | None:
        hours = [h for h in CALLING_HOURS if counts[h] > 0]
        return max(hours, key=lambda h: (counts[h] - minus[h], counts[h], -h)) if hours else None

    hour = pick(answered, unanswered)
    if hour is not None:
        basis = (
            f"{answered[hour]} of {sum(answered.values())} answered phone contacts in the last "
            f"year were between {hour:02d}:00 and {hour + 1:02d}:00, their local time"
        )
        if unanswered[hour]:
            basis += f" ({unanswered[hour]} unanswered call(s) in that hour)"
        source = "phone"
    else:
        hour = pick(anywhere, Counter())
        if hour is None:
            return {"hour": None, "window": None, "source": None,
                    "basis": "No contact history: any time within calling hours."}  # fmt: skip
        basis = (
            f"No answered phone contacts; {anywhere[hour]} of {sum(anywhere.values())} "
            f"contacts on any channel were between {hour:02d}:00 and {hour + 1:02d}:00, "
            "their local time"
        )
        source = "any_channel"
    window = f"{hour:02d}:00-{hour + 1:02d}:00"
    return {"hour": hour, "window": window, "source": source, "basis": basis}


def _offer(session: Session, item: OutreachItem) -> dict[str, Any] | None:
    """The suggested offer with the engine's reasons for this customer (item's reason first)."""
    if not item.offer_code:
        return None
    offer = session.get(Offer, item.offer_code)
    if offer is None:
        return None
    f = features_of(session, item.customer_id)
    segment, appetite = segment_of(session, f)
    opportunity = session.get(Opportunity, item.opportunity_id) if item.opportunity_id else None
    reasons = offer_reasons(offer, f, segment, appetite, opportunity)
    return {
        "code": offer.code,
        "name": offer.title,
        "names": offer.names or {},
        "category": offer.category,
        "reasons": [dict(r) for r in reasons],
    }


def _why_now(session: Session, item: OutreachItem) -> dict[str, Any]:
    """The event or campaign behind the call."""
    if item.source == "campaign" and item.campaign_id is not None:
        campaign = session.get(Campaign, item.campaign_id)
        name = campaign.name if campaign else f"campaign {item.campaign_id}"
        ends = f", until {campaign.ends_on}" if campaign and campaign.ends_on else ""
        return {"kind": "campaign", "text": f"Campaign “{name}”{ends}."}
    if item.opportunity_id is not None:
        o = session.get(Opportunity, item.opportunity_id)
        if o is not None:
            when = o.created_at.date().isoformat()
            text = f"{o.kind.replace('_', ' ').capitalize()} on {when}: {mask_pii(o.reason)}"
            return {"kind": o.kind, "text": text}
    reason = item.reason or {}
    return {"kind": reason.get("code") or item.source, "text": mask_pii(reason.get("text", ""))}


def detail(session: Session, who: Who, item_id: int, now: dt.datetime) -> dict[str, Any]:
    """One call to make: the customer (phone shown only to the agent holding the call, whose
    task is to dial it), why them, why now, the offer and its reasons, the best time, and
    the whole relationship across channels. Audited as a look at the customer's data."""
    item = session.get(OutreachItem, item_id)
    if item is None or item.channel != "call":
        raise OutboundError(404, "No such call on the list.")
    mine = item.status == "claimed" and item.claimed_by == who.id
    own_callback = item.status == "pending" and item.claimed_by == who.id
    visible = (
        mine
        or own_callback
        or session.scalar(
            select(OutreachItem.id).where(OutreachItem.id == item_id, _callable(who.id, now))
        )
    )
    if not visible:
        raise OutboundError(409, "Another agent has this customer, or the call is not due.")
    customer = session.get(Customer, item.customer_id)
    audit.record(session, who.id, "view_outbound_call", customer.id, f"outreach {item.id}")
    profile = customer360.profile(session, customer, reveal_phone=mine)
    offer = _offer(session, item)
    offer_row = session.get(Offer, item.offer_code) if item.offer_code else None
    return {
        "item": _summary(item, customer, offer_row, who.id, now),
        "why_customer": _reason(item),
        "why_now": _why_now(session, item),
        "offer": offer,
        "best_time": best_time(session, customer.id, now),
        "consent": consent.current(session, customer.id),
        "profile": profile,
        "timeline": timeline.timeline(session, customer.id),
    }


def script(
    responses: Responses, data: dict[str, Any], agent_name: str, language: str = EN
) -> list[dict[str, Any]]:
    """The call in the assistant's words (the domain's responses, customer's language): the
    opening, the offer as the assistant presents it (intro, the item's reason first, the
    question), and what to say on a call-back and on "do not contact me"."""
    language = language if language in LANGUAGES else EN
    slots = {"language": language}
    values = {"customer_name": data["profile"]["full_name"], "agent_name": agent_name}

    def say(step: str, name: str, **extra: Any) -> list[dict[str, Any]]:
        said = render(responses, name, values | extra, slots=slots)
        return [{"step": step, "text": said["text"]}] if said else []

    steps = say("opening", "utter_outbound_script_opening")
    offer = data.get("offer")
    if offer:
        reasons = [data["why_customer"]] if data["why_customer"].get("code") else []
        worded = offer_messages(responses, offer | {"reasons": reasons + offer["reasons"]},
                                None, language)  # fmt: skip
        steps += [{"step": "offer", "text": m["text"]} for m in worded]
    else:
        steps += say("offer", "utter_outbound_script_care")
    steps += say("callback", "utter_outbound_script_callback")
    steps += say("opt_out", "utter_outbound_script_opt_out")
    steps += say("closing", "utter_outbound_script_closing")
    return steps


# ---- the outcome ---------------------------------------------------------------------------


def _presentation(session: Session, item: OutreachItem, outcome: str) -> OfferPresentation | None:
    """The item's one presentation in the closed loop (context 'outbound', channel 'phone'),
    created at its first outcome and answered by the later ones. None when the item has no
    offer, or the policy refuses a new contact and the offer was not heard anyway."""
    if not item.offer_code:
        return None
    if item.presentation_id is not None:
        presentation = session.get(OfferPresentation, item.presentation_id)
    else:
        shown = calls.shown_offer(session, item.customer_id)
        follow_up = shown is not None and shown.offer_code == item.offer_code
        try:  # the policy is checked before anything is written
            presentation = record_presentation(
                session, item.customer_id, item.offer_code, "outbound", Channel.PHONE,
                "agent", f"outbound-{item.id}", None, follow_up=follow_up,
            )  # fmt: skip
        except PolicyViolation:
            if outcome in OFFER_HEARD:
                raise
            return None
        item.presentation_id = presentation.id
    wanted = OFFER_OUTCOMES[outcome]
    if wanted is not None and presentation.outcome not in ("accepted", "declined"):
        record_outcome(session, presentation, wanted)
    return presentation


def record(
    session: Session,
    who: Who,
    item_id: int,
    outcome: str,
    now: dt.datetime,
    callback_at: dt.datetime | None = None,
    note: str = "",
) -> dict[str, Any]:
    """How the call went. The item's next state (done; pending again later after no answer,
    up to MAX_ATTEMPTS; pending at the agreed time for a call-back, kept for the same agent),
    the offer's outcome in the closed loop, a phone contact in the history, and on "do not
    contact" the customer opted out on every channel with every planned contact stopped."""
    if outcome not in OUTCOMES:
        raise OutboundError(422, "Unknown outcome.")
    item = held(session, who, item_id)
    if outcome == "callback":
        if callback_at is None or callback_at <= now:
            raise OutboundError(422, "Give a call-back time in the future.")
        if callback_at >= item.expires_at:
            expires = _iso(item.expires_at)
            raise OutboundError(422, f"The call expires at {expires}: call back before then.")
    values: dict[str, Any] = {"outcome": outcome, "outcome_at": now}
    attempts = item.attempts
    if outcome == "no_answer":
        attempts += 1
        retry = attempts < MAX_ATTEMPTS and now + RETRY_AFTER < item.expires_at
        values |= {"attempts": attempts}
        values |= (
            {"status": "pending", "not_before": now + RETRY_AFTER, "claimed_by": None,
             "claimed_at": None, "callback_at": None}
            if retry else {"status": "done"}
        )  # fmt: skip
    elif outcome == "callback":
        # Pending again at the agreed time; claimed_by stays: the call-back is this agent's.
        values |= {"status": "pending", "not_before": callback_at, "callback_at": callback_at,
                   "claimed_at": None}  # fmt: skip
    else:
        values |= {"status": "done"}
    # The one writer of this outcome: a double click or a second tab finds the item no
    # longer claimed by this agent and gets 409, so the effects below happen once.
    result = session.execute(
        update(OutreachItem)
        .where(
            OutreachItem.id == item.id,
            OutreachItem.status == "claimed",
            OutreachItem.claimed_by == who.id,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise OutboundError(409, "This call's outcome is already recorded.")
    session.refresh(item)
    presentation = _presentation(session, item, outcome)
    clean_note = mask_pii(" ".join((note or "").split()))[:300]
    summary = f"Outbound call by {who.name} ({who.author}): {LABELS[outcome]}"
    if outcome == "callback" and callback_at is not None:
        # the history is read by people: the customer's local time, as the call was agreed
        summary += f" at {local_time(callback_at):%Y-%m-%d %H:%M} (customer's local time)"
    if item.offer_code:
        summary += f", offer {item.offer_code}"
    if clean_note:
        summary += f". Note: {clean_note}"
    session.add(
        Interaction(
            customer_id=item.customer_id,
            channel=Channel.PHONE,
            kind=NO_ANSWER_KIND if outcome == "no_answer" else CALL_KIND,
            summary=summary,
            conversation_id=f"outbound-{item.id}",
            occurred_at=now,
        )
    )
    stopped = 0
    if outcome == "do_not_contact":
        consent.opt_out_everywhere(session, item.customer_id, "call_outcome", by=who.author)
        stopped = outreach.suppress_customer(session, item.customer_id)
        # Claims of the customer's other items (another agent's lapsed lease) stop too.
        stopped += (
            session.execute(
                update(OutreachItem)
                .where(
                    OutreachItem.customer_id == item.customer_id,
                    OutreachItem.id != item.id,
                    OutreachItem.status == "claimed",
                )
                .values(status="suppressed")
                .execution_options(synchronize_session=False)
            ).rowcount
            or 0
        )
    session.flush()
    audit.record(
        session, who.id, "outbound_outcome", item.customer_id,
        f"outreach {item.id}: {outcome}"
        + (f" ({item.offer_code}, presentation {presentation.id})" if presentation else ""),
    )  # fmt: skip
    return {
        "id": item.id,
        "outcome": outcome,
        "status": item.status,
        "attempts": item.attempts,
        "not_before": _iso(item.not_before) if item.status == "pending" else None,
        "callback_at": _iso(item.callback_at) if outcome == "callback" else None,
        "presentation": None
        if presentation is None
        else {
            "id": presentation.id,
            "offer_code": presentation.offer_code,
            "outcome": presentation.outcome,
        },
        "other_items_stopped": stopped,
    }
