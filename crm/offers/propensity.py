"""Propensity: the chance a customer accepts an offer in a context.

A scikit-learn logistic regression trained on the closed-loop history (every presentation
and its outcome), with per-category interactions so e.g. card spend matters for cards and
balances for wealth products. Stored as plain coefficients in `model_artifacts` (no pickle),
scored with a dot product so ranking stays well inside the latency budget. Without a model,
the rules-only estimate is used: the offer's base rate, raised for each reason that applies.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import desc, select
from sqlalchemy.orm import Session

from crm.analytics.churn import churn_risk
from crm.catalogue import OFFERS
from crm.models import CustomerFeatures, ModelArtifact, Offer

MODEL_NAME = "propensity"
CONTEXTS = ("chat", "agent", "retention", "event")
CATEGORIES = sorted({o["category"] for o in OFFERS})
CUSTOMER_FEATURES = (
    "bias",
    "age",
    "tenure",
    "income",
    "card_spend",
    "deposits",
    "wealth",
    "loans",
    "product_count",
    "digital_share",
    "has_credit_card",
    "has_savings",
    "has_wealth",
    "has_insurance",
    "has_loan",
    "seg_loyal",
    "seg_potential",
    "risk_conservative",
    "risk_aggressive",
    "churn",
    "fees",
    "open_event",
)


def customer_vector(
    f: CustomerFeatures | dict[str, Any], segment: str, appetite: str, open_event: bool
) -> list[float]:
    """The customer half of the model's input, scaled to roughly 0..1."""
    g = (lambda k: f[k]) if isinstance(f, dict) else (lambda k: getattr(f, k))
    holdings = set(g("holdings") or ())
    touches = (
        g("digital_interactions_12m") + g("assisted_interactions_12m") + g("branch_visits_12m")
    )
    return [
        1.0,
        g("age") / 100,
        min(g("tenure_years"), 30) / 30,
        math.log1p(float(g("monthly_income"))) / 12,
        math.log1p(float(g("monthly_card_spend"))) / 10,
        math.log1p(float(g("deposit_balance"))) / 14,
        math.log1p(float(g("wealth_balance"))) / 14,
        math.log1p(float(g("loan_balance"))) / 14,
        len(holdings) / 8,
        g("digital_interactions_12m") / touches if touches else 0.0,
        float("credit_card" in holdings),
        float("savings" in holdings),
        float("wealth" in holdings),
        float("insurance" in holdings),
        float(bool(holdings & {"loan", "mortgage"})),
        float(segment == "high_loyalty_high_potential"),
        float(segment == "high_potential_low_contribution"),
        float(appetite == "conservative_saver"),
        float(appetite == "aggressive"),
        churn_risk(f).score,
        math.log1p(float(g("fees_12m"))) / 8,
        float(open_event),
    ]


def design_row(
    customer: Sequence[float], offer_code: str, category: str, context: str
) -> list[float]:
    """Offer and context indicators, then the customer vector interacted with the category."""
    offers = [float(offer_code == o["code"]) for o in OFFERS]
    contexts = [float(context == c) for c in CONTEXTS]
    crossed = [v if category == c else 0.0 for c in CATEGORIES for v in customer]
    return offers + contexts + crossed


@dataclass(frozen=True)
class Model:
    id: int
    coef: list[float]
    intercept: float
    metrics: dict[str, Any]

    def score(self, row: Sequence[float]) -> float:
        z = self.intercept + sum(w * x for w, x in zip(self.coef, row, strict=True))
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


_cache: dict[tuple[str, int], Model] = {}


def current_model(session: Session) -> Model | None:
    """The newest trained model for this database (parameters cached by artifact id)."""
    artifact_id = session.scalar(
        select(ModelArtifact.id)
        .where(ModelArtifact.name == MODEL_NAME)
        .order_by(desc(ModelArtifact.id))
        .limit(1)
    )
    if artifact_id is None:
        return None
    key = (str(session.get_bind().url), artifact_id)
    if key not in _cache:
        artifact = session.get(ModelArtifact, artifact_id)
        assert artifact is not None
        params = artifact.params
        if params.get("layout") != layout():
            return None  # trained for another catalogue: fall back to rules until retrained
        _cache[key] = Model(artifact_id, params["coef"], params["intercept"], artifact.metrics)
    return _cache[key]


def layout() -> dict[str, Any]:
    return {
        "offers": [o["code"] for o in OFFERS],
        "contexts": list(CONTEXTS),
        "categories": CATEGORIES,
        "customer": list(CUSTOMER_FEATURES),
    }


def rules_propensity(offer: Offer, specific_reasons: int) -> float:
    """The rules-only estimate (and the baseline the model must beat)."""
    return min(0.95, offer.base_rate * (1 + 0.5 * specific_reasons))
