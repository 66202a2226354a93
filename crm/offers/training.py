"""Train the propensity model on the closed-loop history and measure it on a holdout.

The holdout is whole customers (every fifth id), so the model is judged on people it has
never seen; the rules-only estimate is scored on the same rows as the baseline.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.analytics.features import FEATURE_COLUMNS
from crm.clock import business_now
from crm.models import (
    CustomerFeatures,
    ModelArtifact,
    Offer,
    OfferPresentation,
    SegmentAssignment,
)
from crm.offers.propensity import MODEL_NAME, customer_vector, design_row, layout, rules_propensity
from crm.offers.reasons import offer_reasons, specific_count

MIN_ROWS = 200
MAX_ROWS = 60_000
HOLDOUT_EVERY = 5


@dataclass(frozen=True)
class TrainingResult:
    auc: float
    baseline_auc: float
    train_rows: int
    holdout_rows: int
    seconds: float
    artifact_id: int


def train_propensity(
    session: Session, max_rows: int = MAX_ROWS, as_of: dt.datetime | None = None
) -> TrainingResult | None:
    """Fit, evaluate and store a model; None when the history is too thin to learn from."""
    started = time.perf_counter()
    p = OfferPresentation
    labelled = p.outcome.is_not(None)
    total = session.scalar(select(func.count()).select_from(p).where(labelled)) or 0
    if total < MIN_ROWS:
        return None
    step = max(1, math.ceil(total / max_rows))
    offers = {o.code: o for o in session.scalars(select(Offer))}
    feature_cols = [getattr(CustomerFeatures, c) for c in FEATURE_COLUMNS]
    query = (
        select(
            p.customer_id,
            p.offer_code,
            p.context,
            p.outcome,
            SegmentAssignment.segment,
            SegmentAssignment.risk_appetite,
            *feature_cols,
        )
        .join(CustomerFeatures, CustomerFeatures.customer_id == p.customer_id)
        .join(SegmentAssignment, SegmentAssignment.customer_id == p.customer_id)
        .where(labelled, (p.id % step) == 0)
    )
    xs, ys, base, holdout = [], [], [], []
    # the history's "event" context is the deposit event (crm.offers.reasons words only that)
    stub = SimpleNamespace(kind="large_deposit", figures={}, reason="", id=None)
    for row in session.execute(query):
        customer_id, code, context, outcome, segment, appetite = row[:6]
        offer = offers.get(code)
        if offer is None:
            continue
        f = dict(zip(FEATURE_COLUMNS, row[6:], strict=True))
        event = context == "event"
        vector = customer_vector(f, segment, appetite, event)
        xs.append(design_row(vector, code, offer.category, context))
        ys.append(1 if outcome == "accepted" else 0)
        reasons = offer_reasons(
            offer, SimpleNamespace(**f), segment, appetite, stub if event else None
        )
        base.append(rules_propensity(offer, specific_count(reasons)))
        holdout.append(customer_id % HOLDOUT_EVERY == 0)
    x, y, b, test = np.array(xs), np.array(ys), np.array(base), np.array(holdout)
    if len(set(y[~test])) < 2 or len(set(y[test])) < 2:
        return None
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(x[~test], y[~test])
    auc = float(roc_auc_score(y[test], model.predict_proba(x[test])[:, 1]))
    baseline = float(roc_auc_score(y[test], b[test]))
    metrics: dict[str, Any] = {
        "auc": round(auc, 4),
        "baseline_auc": round(baseline, 4),
        "train_rows": int((~test).sum()),
        "holdout_rows": int(test.sum()),
        "acceptance_rate": round(float(y.mean()), 4),
    }
    artifact = ModelArtifact(
        name=MODEL_NAME,
        trained_at=as_of or business_now(),
        metrics=metrics,
        params={
            "layout": layout(),
            "coef": [round(float(c), 6) for c in model.coef_[0]],
            "intercept": float(model.intercept_[0]),
        },
    )
    session.add(artifact)
    session.flush()
    return TrainingResult(
        auc,
        baseline,
        metrics["train_rows"],
        metrics["holdout_rows"],
        time.perf_counter() - started,
        artifact.id,
    )
