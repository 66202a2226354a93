"""The churn view for marketing staff: churn risk by segment, product held and region, the
factors behind it, and the customers whose risk rose over the last month.

Scores come from the churn model (crm.analytics.churn) applied to the stored feature rows of
the last nightly batch. There is no stored history of scores, so "a month ago" is honest
arithmetic: the same model on features recomputed from the data as of 30 days before that
batch (transactions, month balances, complaints and stated wishes up to that day). Only
customers whose risk now is high enough to have risen by RISE are recomputed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.pii import mask_pii
from crm.analytics.churn import churn_risk
from crm.analytics.features import compute_features
from crm.analytics.segments import SEGMENT_LABELS
from crm.clock import business_today
from crm.models import Customer, CustomerFeatures, Offer, Product, SegmentAssignment

MONTH = dt.timedelta(days=30)
RISE = 0.10  # a rise of at least this much over the month puts a customer on the list
RISING_SHOWN = 200
IDS_AT_ONCE = 5000  # beyond this, recompute everyone (one pass) rather than a long id list
LEVELS = ("low", "medium", "high")
FACTOR_LABELS = {
    "wish_to_close": "Said they want to close the account",
    "fees": "Fees paid and fee complaints",
    "falling_balance": "Falling balances",
    "salary_stopped": "Salary stopped arriving",
    "complaints": "Recent complaints",
}
FEATURE_FIELDS = (
    "customer_id",
    "as_of",
    "wish_to_close_90d",
    "fees_90d",
    "fee_count_90d",
    "fee_complaints_180d",
    "avg_balance_prev_3m",
    "avg_balance_3m",
    "salary_months_prev_6m",
    "salary_months_6m",
    "complaints_180d",
    "products",
)


def _bucket() -> dict[str, Any]:
    return {"low": 0, "medium": 0, "high": 0, "total": 0, "score_sum": 0.0}


def _rows(groups: dict[str, dict[str, Any]], labels: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for key, b in groups.items():
        total = b["total"]
        out.append(
            {
                "key": key,
                "label": labels.get(key, key.replace("_", " ")),
                "low": b["low"],
                "medium": b["medium"],
                "high": b["high"],
                "total": total,
                "at_risk_share": round((b["medium"] + b["high"]) / total, 4) if total else 0.0,
                "mean_score": round(b["score_sum"] / total, 4) if total else 0.0,
            }
        )
    out.sort(key=lambda r: (-r["at_risk_share"], -r["total"], r["key"]))
    return out


def _add(bucket: dict[str, Any], level: str, score: float) -> None:
    bucket[level] += 1
    bucket["total"] += 1
    bucket["score_sum"] += score


def _scores_before(session: Session, ids: list[int], as_of: dt.datetime) -> dict[int, float]:
    if not ids:
        return {}
    subset = ids if len(ids) <= IDS_AT_ONCE else None
    wanted = set(ids)
    return {
        row["customer_id"]: churn_risk(row).score
        for row in compute_features(session, subset, as_of)
        if row["customer_id"] in wanted
    }


def overview(session: Session) -> dict[str, Any]:
    """Everything the churn page shows, computed from the data (no cached figures)."""
    cols = [getattr(CustomerFeatures, name) for name in FEATURE_FIELDS]
    features = session.execute(select(*cols)).all()
    as_of = session.scalar(select(func.max(CustomerFeatures.as_of)))
    people = {
        cid: (segment, city)
        for cid, segment, city in session.execute(
            select(Customer.id, SegmentAssignment.segment, Customer.city).outerjoin(
                SegmentAssignment, SegmentAssignment.customer_id == Customer.id
            )
        )
    }
    overall = _bucket()
    by_segment: dict[str, dict[str, Any]] = defaultdict(_bucket)
    by_product: dict[str, dict[str, Any]] = defaultdict(_bucket)
    by_region: dict[str, dict[str, Any]] = defaultdict(_bucket)
    factors: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"customers": 0, "at_risk_customers": 0, "weight_sum": 0.0}
    )
    now_scores: dict[int, Any] = {}
    for f in features:
        risk = churn_risk(f, top=len(FACTOR_LABELS))
        now_scores[f.customer_id] = risk
        segment, city = people.get(f.customer_id, (None, None))
        _add(overall, risk.level, risk.score)
        _add(by_segment[segment or "unsegmented"], risk.level, risk.score)
        _add(by_region[city or "unknown"], risk.level, risk.score)
        for product in f.products or ():
            _add(by_product[product], risk.level, risk.score)
        for factor in risk.factors:
            entry = factors[factor["code"]]
            entry["customers"] += 1
            entry["at_risk_customers"] += risk.level != "low"
            entry["weight_sum"] += factor["weight"]
    at_risk = overall["medium"] + overall["high"]
    product_names = dict(session.execute(select(Product.code, Product.name)).all())
    top_factors = sorted(
        (
            {
                "code": code,
                "label": FACTOR_LABELS.get(code, code),
                "customers": e["customers"],
                "at_risk_customers": e["at_risk_customers"],
                "share_of_at_risk": round(e["at_risk_customers"] / at_risk, 4) if at_risk else 0.0,
                "mean_weight": round(e["weight_sum"] / e["customers"], 4),
            }
            for code, e in factors.items()
        ),
        key=lambda x: (-x["at_risk_customers"], -x["customers"], x["code"]),
    )
    rising, compared_with = _rising(session, now_scores, people, as_of)
    return {
        "as_of": as_of.isoformat(timespec="seconds") if as_of else None,
        "compared_with": compared_with,
        "customers": overall["total"],
        "levels": {level: overall[level] for level in LEVELS},
        "mean_score": round(overall["score_sum"] / overall["total"], 4) if overall["total"] else 0,
        "by_segment": _rows(by_segment, SEGMENT_LABELS),
        "by_product": _rows(by_product, product_names),
        "by_region": _rows(by_region, {}),
        "factors": top_factors,
        "rise_threshold": RISE,
        **rising,
        # what a proactive-care campaign made from a selection can offer, and from when
        "retention_offers": [
            {"code": code, "title": title}
            for code, title in session.execute(
                select(Offer.code, Offer.title)
                .where(Offer.purpose == "retention", Offer.active.is_(True))
                .order_by(Offer.code)
            )
        ],
        "today": business_today().isoformat(),
    }


def _rising(
    session: Session,
    now_scores: dict[int, Any],
    people: dict[int, tuple[str | None, str | None]],
    as_of: dt.datetime | None,
) -> tuple[dict[str, Any], str | None]:
    if as_of is None:
        return {"rising_total": 0, "rising": []}, None
    then = as_of - MONTH
    candidates = [cid for cid, risk in now_scores.items() if risk.score >= RISE]
    before = _scores_before(session, candidates, then)
    risen = [
        (cid, before.get(cid, 0.0))
        for cid in candidates
        if now_scores[cid].score - before.get(cid, 0.0) >= RISE - 1e-9
    ]
    risen.sort(key=lambda x: (-(now_scores[x[0]].score - x[1]), x[0]))
    shown = risen[:RISING_SHOWN]
    names = _customers(session, [cid for cid, _ in shown])
    rows = []
    for cid, score_before in shown:
        risk = now_scores[cid]
        customer = names.get(cid)
        if customer is None:
            continue
        segment, city = people.get(cid, (None, None))
        top = risk.factors[0] if risk.factors else None
        rows.append(
            {
                "customer_id": cid,
                "customer_no": customer.customer_no,
                "full_name": customer.full_name,
                "phone": mask_pii(customer.phone),
                "segment": segment,
                "city": city,
                "score_before": round(score_before, 3),
                "score_now": risk.score,
                "rise": round(risk.score - score_before, 3),
                "level": risk.level,
                "top_factor": top["text"] if top else None,
            }
        )
    rising = {"rising_total": len(risen), "rising": rows}
    return rising, then.isoformat(timespec="seconds")


def _customers(session: Session, ids: Iterable[int]) -> dict[int, Customer]:
    ids = list(ids)
    if not ids:
        return {}
    return {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(ids)))}
