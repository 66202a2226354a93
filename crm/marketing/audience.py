"""Who a campaign reaches: the spec's filters, the offer's eligibility, the contact policy.

Set-based where it matters at 100,000 customers: one query reads the precomputed features
and segments of the candidates (the nightly batch's rows, never the raw history); churn
bands, eligibility rules and propensity are column arithmetic on them (crm.marketing.frame,
numpy); the contact policy answers per channel for the whole audience in a few queries
(`crm.marketing.contact_policy.blocked`). The propensity model is reduced once per offer to
a weight per customer feature, so scoring is one matrix-vector product.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from crm.analytics.segments import RISK_APPETITES, SEGMENTS
from crm.marketing import contact_policy, frame
from crm.marketing.outreach_models import OPEN_STATUSES, OutreachItem
from crm.models import CustomerFeatures, Offer, OfferPresentation, Opportunity, SegmentAssignment
from crm.offers.propensity import (
    CUSTOMER_FEATURES,
    current_model,
    design_row,
    rules_propensity,
)
from crm.offers.reasons import offer_reasons, specific_count
from crm.settings import get_database_settings

CHANNELS = ("app", "telegram", "call")
CHURN_BANDS = ("low", "medium", "high")
CHANNEL_PREFERENCES = ("digital", "assisted")
HOLDING_KINDS = (
    "current",
    "savings",
    "time_deposit",
    "credit_card",
    "loan",
    "mortgage",
    "wealth",
    "insurance",
)
WEEK = dt.timedelta(days=7)
ROW_NAMES = [c.key for c in frame.COLUMNS]  # the features' names, for the rules fallback
CHUNK = 5_000  # ids per IN (...): well under SQLite's and PostgreSQL's bind limits
# Contact-policy codes that rule a customer out on a channel, most telling first (the one
# shown when every channel refuses). Quiet hours only delay a contact: the sender waits.
DELAY_ONLY = {"quiet_hours"}
EXCLUSION_ORDER = ("declined_recently", "weekly_limit", "no_consent", "no_channel")
EXCLUSION_TEXT = {
    "ineligible": "Not eligible for the offer (the catalogue's rules).",
    "declined_recently": "Declined this offer recently (cool-down).",
    "weekly_limit": "Weekly contact limit reached or already planned (every campaign, the "
    "outbound lists and the assistant count).",
    "no_consent": "Opted out or no marketing consent on any of the campaign's channels.",
    "no_channel": "No verified identity on the campaign's channels.",
}


@dataclass(frozen=True)
class Member:
    customer_id: int
    segment: str
    channel: str
    propensity: float


@dataclass
class Audience:
    """The spec's matches, split into eligible members and exclusions with their reasons."""

    matched: int = 0
    members: list[Member] = field(default_factory=list)
    excluded: Counter[str] = field(default_factory=Counter)
    ineligible_rules: Counter[str] = field(default_factory=Counter)
    model: str = "rules"


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def context_for(offer: Offer) -> str:
    """The propensity model's context for an outbound contact: retention offers as retention,
    the rest as an assisted ('agent') offer, the closest the training history has."""
    return "retention" if offer.purpose == "retention" else "agent"


def _features_query(spec: dict[str, Any]) -> Any:
    f, s = CustomerFeatures, SegmentAssignment
    query = select(*frame.COLUMNS).join(s, s.customer_id == f.customer_id)
    if spec.get("segments"):
        query = query.where(s.segment.in_(spec["segments"]))
    if spec.get("risk_appetites"):
        query = query.where(s.risk_appetite.in_(spec["risk_appetites"]))
    return query


def _rows(session: Session, spec: dict[str, Any]) -> list[Any]:
    query = _features_query(spec)
    ids = spec.get("customer_ids")
    if not ids:
        return list(session.execute(query).tuples())
    rows: list[Any] = []
    for part in chunks(sorted(set(ids))):
        rows += session.execute(query.where(CustomerFeatures.customer_id.in_(part))).tuples()
    return rows


def _matches(f: frame.Frame, spec: dict[str, Any], bands: np.ndarray) -> np.ndarray:
    """The filters that are not plain columns: churn band, holdings, channel preference."""
    keep = np.ones(len(f), dtype=bool)
    if spec.get("churn_bands"):
        keep &= np.isin(bands, spec["churn_bands"])
    for kind in spec.get("holdings_require") or ():
        keep &= f.holds(kind)
    if spec.get("holdings_exclude"):
        keep &= ~f.any_of(spec["holdings_exclude"])
    preference = spec.get("channel_preference")
    if preference:
        digital = f.num["digital_interactions_12m"]
        assisted = f.num["assisted_interactions_12m"] + f.num["branch_visits_12m"]
        prefers = np.where((digital >= assisted) & (digital > 0), "digital", "assisted")
        keep &= prefers == preference
    return keep


def _scores(
    session: Session,
    offer: Offer,
    f: frame.Frame,
    rows: list[Any],
    churn: np.ndarray,
    events: np.ndarray,
) -> tuple[np.ndarray, str]:
    """Propensity of each customer of the frame for this offer, and which estimate it is.

    The trained model is reduced once to a weight per customer feature (the offer and
    context terms fold into the intercept), so scoring is one matrix-vector product."""
    model = current_model(session)
    if model is None:  # the rules-only estimate: reasons per customer (the slower fallback)
        out = np.empty(len(f))
        for k, row in enumerate(rows):
            named = SimpleNamespace(**dict(zip(ROW_NAMES, row, strict=True)))
            reasons = offer_reasons(offer, named, row[1], row[2], None)
            out[k] = rules_propensity(offer, specific_count(reasons))
        return out, "rules"
    context = context_for(offer)
    n = len(CUSTOMER_FEATURES)

    def linear(vector: list[float]) -> float:
        design = design_row(vector, offer.code, offer.category, context)
        return sum(w * x for w, x in zip(model.coef, design, strict=True))

    base = linear([0.0] * n)
    weights = np.array([linear([float(j == i) for j in range(n)]) - base for i in range(n)])
    z = model.intercept + base + frame.customer_matrix(f, churn, events) @ weights
    return 1 / (1 + np.exp(-np.clip(z, -30.0, 30.0))), "logistic_regression"


def _open_events(session: Session, now: dt.datetime) -> set[int]:
    o = Opportunity
    return set(
        session.scalars(
            select(o.customer_id)
            .where(o.status == "open", or_(o.expires_at.is_(None), o.expires_at > now))
            .distinct()
        )
    )


def _over_weekly_budget(session: Session, candidates: Iterable[int], now: dt.datetime) -> set[int]:
    """Customers whose contacts already planned (open outreach items of other campaigns and
    events, not yet presented) plus this week's presentations fill the weekly limit: another
    campaign launched the same day must not plan one more contact than the policy allows."""
    i = OutreachItem
    planned = dict(
        session.execute(
            select(i.customer_id, func.count())
            .where(i.status.in_(OPEN_STATUSES), i.expires_at > now)
            .group_by(i.customer_id)
        ).all()
    )
    wanted = set(candidates) & set(planned)
    if not wanted:
        return set()
    p = OfferPresentation
    presented = dict(
        session.execute(
            select(p.customer_id, func.count())
            .where(p.presented_at > now - WEEK)
            .group_by(p.customer_id)
        ).all()
    )
    limit = get_database_settings().crm_offers_per_week
    return {c for c in wanted if planned[c] + presented.get(c, 0) >= limit}


def _first_allowed_channel(
    session: Session, ids: list[int], channels: Sequence[str], now: dt.datetime, offer_code: str
) -> tuple[dict[int, str], dict[int, str]]:
    """(customer -> first channel the policy allows, customer -> why every channel refuses)."""
    assigned: dict[int, str] = {}
    refusals: dict[int, list[str]] = {}
    remaining = list(ids)
    for channel in channels:
        if not remaining:
            break
        # One call for the whole audience: the policy binds the ids as one array parameter.
        blocked = contact_policy.blocked(session, remaining, channel, now, offer_code)
        still = []
        for cid in remaining:
            code = blocked.get(cid)
            if code is None or code in DELAY_ONLY:
                assigned[cid] = channel
            else:
                refusals.setdefault(cid, []).append(code)
                still.append(cid)
        remaining = still
    why = {}
    for cid in remaining:
        codes = refusals.get(cid) or ["no_channel"]
        why[cid] = min(
            codes, key=lambda c: EXCLUSION_ORDER.index(c) if c in EXCLUSION_ORDER else 99
        )
    return assigned, why


def evaluate(
    session: Session,
    spec: dict[str, Any],
    offer: Offer,
    channels: Sequence[str],
    now: dt.datetime,
) -> Audience:
    """Everyone the spec selects, then eligible members on their channel, or why not."""
    audience = Audience()
    rows = _rows(session, spec)
    f = frame.build(rows)
    churn = frame.churn_scores(f)
    matched = _matches(f, spec, frame.churn_bands(churn))
    audience.matched = int(matched.sum())
    failed = frame.ineligible(offer.rules or {}, f)
    for code in failed[matched & (failed != "")]:
        audience.ineligible_rules[str(code)] += 1
    if audience.ineligible_rules:
        audience.excluded["ineligible"] = sum(audience.ineligible_rules.values())
    keep = matched & (failed == "")
    picked = np.flatnonzero(keep)
    sub = frame.build([rows[k] for k in picked])
    events = np.isin(sub.ids, list(_open_events(session, now)))
    scores, audience.model = _scores(
        session, offer, sub, [rows[k] for k in picked], churn[picked], events
    )
    candidates = {
        int(cid): (str(seg), float(p))
        for cid, seg, p in zip(sub.ids, sub.segment, scores, strict=True)
    }
    over = _over_weekly_budget(session, candidates, now)
    if over:
        audience.excluded["weekly_limit"] += len(over)
    assigned, refused = _first_allowed_channel(
        session, sorted(set(candidates) - over), channels, now, offer.code
    )
    audience.excluded.update(Counter(refused.values()))
    audience.members = [
        Member(cid, candidates[cid][0], channel, candidates[cid][1])
        for cid, channel in sorted(assigned.items())
    ]
    return audience


def _draw(seed: int, customer_id: int) -> bytes:
    return hashlib.sha256(f"campaign:{seed}:{customer_id}".encode()).digest()


def split(members: Sequence[Member], share: float, seed: int) -> tuple[list[Member], list[Member]]:
    """(target, control): the control group is the round(share x n) members first in a seeded
    hash order, so the draw is random across customers yet the same on every run."""
    ordered = sorted(members, key=lambda m: _draw(seed, m.customer_id))
    k = round(share * len(ordered))
    control = sorted(ordered[:k], key=lambda m: m.customer_id)
    target = sorted(ordered[k:], key=lambda m: m.customer_id)
    return target, control


def check_spec(spec: dict[str, Any]) -> list[str]:
    """What is wrong with a spec, in words (empty when it is fine)."""
    problems = []
    allowed = {
        "segments": SEGMENTS,
        "risk_appetites": RISK_APPETITES,
        "churn_bands": CHURN_BANDS,
        "holdings_require": HOLDING_KINDS,
        "holdings_exclude": HOLDING_KINDS,
    }
    for key, values in allowed.items():
        unknown = set(spec.get(key) or ()) - set(values)
        if unknown:
            problems.append(f"Unknown {key.replace('_', ' ')}: {', '.join(sorted(unknown))}.")
    preference = spec.get("channel_preference")
    if preference and preference not in CHANNEL_PREFERENCES:
        problems.append(f"Unknown channel preference: {preference}.")
    return problems
