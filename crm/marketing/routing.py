"""Event-triggered outreach: scan for moments, then turn open opportunities into outreach items
(a call on the agents' list, or a proactive app / Telegram message).

`scan_and_route` is what the scheduler's loop runs (crm.marketing.outreach_loop) and what the
bench times. Per opportunity it picks the offer (crm.marketing.event_rules) and the first of
the rule's channels the contact policy allows (crm.marketing.contact_policy.blocked, a few
queries per channel and offer, whatever the audience). Customers the policy excludes on every
channel are counted by reason and left for a later scan (quiet hours end; consent may come);
nothing is queued for them. One event contact per customer at a time: a customer who already
has an open event item, or a better opportunity in the same scan, waits.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from crm.analytics.segments import assign
from crm.marketing import contact_policy, outreach
from crm.marketing.event_rules import Choice, Rule, choose_offer, rule_for
from crm.marketing.event_scan import scan_all
from crm.marketing.outreach_models import OPEN_STATUSES, OutreachItem
from crm.models import CustomerFeatures, Offer, Opportunity, SegmentAssignment
from crm.offers.propensity import current_model

CHUNK = 5_000  # opportunities per routing round: bounded memory at any scale


def dedupe_key(kind: str, opportunity_id: int) -> str:
    return f"event:{kind}:{opportunity_id}"


def _unrouted(session: Session, now: dt.datetime) -> list[Opportunity]:
    """Open, unexpired opportunities that have no outreach item yet, newest first."""
    has_item = exists().where(OutreachItem.opportunity_id == Opportunity.id)
    return list(
        session.scalars(
            select(Opportunity)
            .where(
                Opportunity.status == "open",
                or_(Opportunity.expires_at.is_(None), Opportunity.expires_at > now),
                ~has_item,
            )
            .order_by(Opportunity.created_at.desc(), Opportunity.id.desc())
        )
    )


def _busy(session: Session, customer_ids: list[int]) -> set[int]:
    """Customers with an event contact still open (pending or being worked)."""
    busy: set[int] = set()
    for start in range(0, len(customer_ids), CHUNK):
        part = customer_ids[start : start + CHUNK]
        busy.update(
            session.scalars(
                select(OutreachItem.customer_id).where(
                    OutreachItem.customer_id.in_(part),
                    OutreachItem.source == "event",
                    OutreachItem.status.in_(OPEN_STATUSES),
                )
            )
        )
    return busy


def _profiles(session: Session, customer_ids: list[int]) -> dict[int, tuple[Any, str, str]]:
    """Features, segment and risk appetite for these customers, in two queries a chunk."""
    out: dict[int, tuple[Any, str, str]] = {}
    for start in range(0, len(customer_ids), CHUNK):
        part = customer_ids[start : start + CHUNK]
        features = {
            f.customer_id: f
            for f in session.scalars(
                select(CustomerFeatures).where(CustomerFeatures.customer_id.in_(part))
            )
        }
        segments = {
            s.customer_id: (s.segment, s.risk_appetite)
            for s in session.scalars(
                select(SegmentAssignment).where(SegmentAssignment.customer_id.in_(part))
            )
        }
        for cid, f in features.items():
            if cid in segments:
                out[cid] = (f, *segments[cid])
            else:
                a = assign(f)
                out[cid] = (f, a.segment, a.risk_appetite)
    return out


def route(session: Session, now: dt.datetime) -> dict[str, Any]:
    """Open opportunities -> outreach items, within the contact policy. Returns counts."""
    opportunities = _unrouted(session, now)
    stats: dict[str, Any] = {
        "opportunities": len(opportunities),
        "enqueued": 0,
        "by_channel": Counter(),
        "excluded": Counter(),
    }
    if not opportunities:
        return _plain(stats)
    busy = _busy(session, sorted({o.customer_id for o in opportunities}))
    profiles = _profiles(session, sorted({o.customer_id for o in opportunities}))
    catalogue = {o.code: o for o in session.scalars(select(Offer).where(Offer.active.is_(True)))}
    model = current_model(session)

    # One plan per customer: their best opportunity by expected value (newest on a tie).
    plans: dict[int, tuple[Opportunity, Rule, Choice]] = {}
    for o in opportunities:
        rule = rule_for(o.kind, o.figures)
        if rule is None:
            stats["excluded"]["no_rule"] += 1
            continue
        if o.customer_id in busy:
            stats["excluded"]["already_queued"] += 1
            continue
        f, segment, appetite = profiles.get(o.customer_id, (None, None, None))
        choice = choose_offer(rule, catalogue, f, segment, appetite, model)
        if not rule.channels_for(choice.offer_code):  # a message with nothing to offer
            stats["excluded"]["no_offer"] += 1
            continue
        current = plans.get(o.customer_id)
        if current is None or choice.expected_value > current[2].expected_value:
            if current is not None:
                stats["excluded"]["better_opportunity"] += 1
            plans[o.customer_id] = (o, rule, choice)
        else:
            stats["excluded"]["better_opportunity"] += 1

    # Channel by channel in preference order: who may be contacted there now.
    waiting = dict(plans)
    assigned: dict[int, str] = {}
    last_reason: dict[int, str] = {}
    channels = {
        cid: rule.channels_for(choice.offer_code) for cid, (_, rule, choice) in plans.items()
    }
    for rank in range(max((len(c) for c in channels.values()), default=0)):
        groups: dict[tuple[str, str | None], list[int]] = defaultdict(list)
        for cid, (_, _, choice) in waiting.items():
            if rank < len(channels[cid]):
                groups[(channels[cid][rank], choice.offer_code)].append(cid)
        for (channel, offer_code), ids in groups.items():
            refused = contact_policy.blocked(session, ids, channel, now, offer_code)
            for cid in ids:
                if cid in refused:
                    last_reason[cid] = refused[cid]
                else:
                    assigned[cid] = channel
        waiting = {
            cid: plan
            for cid, plan in waiting.items()
            if cid not in assigned and rank + 1 < len(channels[cid])
        }
    rows = []
    for cid, (o, rule, choice) in plans.items():
        channel = assigned.get(cid)
        if channel is None:  # the contact policy refused every channel
            stats["excluded"][last_reason[cid]] += 1
            continue
        expires = now + dt.timedelta(days=rule.valid_days)
        if o.expires_at is not None:
            expires = min(expires, o.expires_at)
        rows.append(
            {
                "customer_id": cid,
                "channel": channel,
                "source": "event",
                "opportunity_id": o.id,
                "offer_code": choice.offer_code,
                "reason": {"code": o.kind, "text": o.reason, "figures": dict(o.figures or {})},
                "expected_value": choice.expected_value,
                "created_at": now,
                "expires_at": expires,
                "dedupe_key": dedupe_key(o.kind, o.id),
            }
        )
        stats["by_channel"][channel] += 1
    stats["enqueued"] = outreach.enqueue(session, rows)
    return _plain(stats)


def _plain(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: dict(v) if isinstance(v, Counter) else v for k, v in stats.items()}


def scan_and_route(session: Session, now: dt.datetime) -> dict[str, Any]:
    """One round of the scheduler: find new moments, expire stale items, plan contacts.

    The caller commits (the loop commits once per round, so a crash plans nothing twice).
    """
    started = time.perf_counter()
    scanned = scan_all(session, now)
    expired = outreach.expire(session, now)
    routed = route(session, now)
    return {
        "found": scanned["found"],
        "expired": expired,
        **routed,
        "seconds": round(time.perf_counter() - started, 3),
    }
