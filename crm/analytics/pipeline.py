"""The nightly batch: features, segments, the deposit-event scan, churn scores and the
propensity model, in that order (each step reads what the previous one stored)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crm.analytics.churn import churn_risk
from crm.analytics.events import scan_deposit_events
from crm.analytics.features import refresh_features
from crm.analytics.segments import refresh_segments
from crm.models import OfferPresentation, SegmentAssignment


@dataclass
class BatchSummary:
    segments: dict[str, int]
    events: int
    deposits_checked: int
    churn_levels: dict[str, int]
    model: dict[str, Any] | None
    seconds: dict[str, float] = field(default_factory=dict)


def run_batch(
    session: Session,
    as_of: dt.datetime | None = None,
    train: bool = True,
    progress: Callable[[str], None] | None = None,
) -> BatchSummary:
    timings: dict[str, float] = {}

    def step(name: str, started: float) -> None:
        timings[name] = round(time.perf_counter() - started, 2)
        if progress:
            progress(f"{name}: {timings[name]} s")

    t = time.perf_counter()
    features = refresh_features(session, None, as_of)
    step("features", t)
    t = time.perf_counter()
    segments = refresh_segments(session, None, features=features, as_of=as_of)
    session.execute(
        update(OfferPresentation)
        .where(OfferPresentation.segment.is_(None))
        .values(
            segment=select(SegmentAssignment.segment)
            .where(SegmentAssignment.customer_id == OfferPresentation.customer_id)
            .scalar_subquery()
        )
    )
    step("segments", t)
    t = time.perf_counter()
    scan = scan_deposit_events(session, as_of, days=30)
    step("event scan", t)
    levels: dict[str, int] = {"low": 0, "medium": 0, "high": 0}
    for row in features:
        levels[churn_risk(row).level] += 1
    model = None
    if train:
        from crm.offers.training import train_propensity  # scikit-learn only when training

        t = time.perf_counter()
        result = train_propensity(session, as_of=as_of)
        step("propensity model", t)
        if result is not None:
            model = {
                "auc": result.auc,
                "baseline_auc": result.baseline_auc,
                "train_rows": result.train_rows,
                "holdout_rows": result.holdout_rows,
            }
    return BatchSummary(segments, scan.opportunities, scan.deposits_checked, levels, model, timings)
