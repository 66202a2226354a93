"""The synthetic bank: deterministic, varied enough for every segment and factor, idempotent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from crm.analytics.churn import churn_risk
from crm.ledger import refresh_account_months
from crm.models import (
    Account,
    AccountMonth,
    Customer,
    CustomerFeatures,
    ModelArtifact,
    Opportunity,
    SegmentAssignment,
    Transaction,
)
from crm.synthetic.__main__ import main
from tests.support.pinned import AS_OF

TODAY = dt.date.fromisoformat(AS_OF)  # the platform tests' business date (conftest.TEST_ENV)


def test_generator_fills_every_segment_appetite_event_and_churn_factor(db, capsys) -> None:
    assert main(["--customers", "300", "--seed", "7", "--as-of", AS_OF]) == 0
    out = capsys.readouterr().out
    assert "demo customers:" in out and "holdout AUC" in out

    segments = dict(
        db.execute(
            select(SegmentAssignment.segment, func.count()).group_by(SegmentAssignment.segment)
        ).all()
    )
    appetites = dict(
        db.execute(
            select(SegmentAssignment.risk_appetite, func.count()).group_by(
                SegmentAssignment.risk_appetite
            )
        ).all()
    )
    assert set(segments) == {
        "low_value",
        "high_loyalty_high_potential",
        "high_potential_low_contribution",
    }
    assert set(appetites) == {"conservative_saver", "balanced", "aggressive"}
    assert db.scalar(select(func.count()).select_from(Opportunity)) > 0
    factors = {
        f["code"]
        for row in db.scalars(select(CustomerFeatures))
        for f in churn_risk(row, 5).factors
    }
    assert factors >= {"fees", "falling_balance", "salary_stopped", "complaints", "wish_to_close"}
    assert db.scalar(select(func.count()).select_from(ModelArtifact)) == 1
    # Two years of history per customer.
    first = db.scalar(select(func.min(Transaction.posted_at)).where(Transaction.customer_id == 1))
    assert first.date() <= TODAY - dt.timedelta(days=725)

    # The demo cast: 1 has a deposit event, 2 is at high churn risk.
    assert (
        db.scalar(select(func.count()).select_from(Opportunity).where(Opportunity.customer_id == 1))
        == 1
    )
    assert churn_risk(db.get(CustomerFeatures, 2)).level == "high"


def test_generator_months_match_the_ledger_definition(db) -> None:
    assert main(["--customers", "20", "--as-of", AS_OF, "--no-train"]) == 0
    before = {(m.account_id, m.month): m.avg_balance for m in db.scalars(select(AccountMonth))}
    current = [a.id for a in db.scalars(select(Account).where(Account.kind == "current").limit(5))]
    refresh_account_months(db, current, as_of=dt.datetime.combine(TODAY, dt.time()))
    db.expire_all()
    after = {
        (m.account_id, m.month): m.avg_balance
        for m in db.scalars(select(AccountMonth).where(AccountMonth.account_id.in_(current)))
    }
    assert after
    for key, value in after.items():
        assert abs(value - before[key]) <= 0.01, key


def test_seeding_twice_changes_nothing(db, capsys) -> None:
    assert main(["--customers", "12", "--as-of", AS_OF, "--no-train"]) == 0
    names = list(db.scalars(select(Customer.full_name).order_by(Customer.id)))
    capsys.readouterr()
    db.commit()
    assert main(["--customers", "50"]) == 0
    assert "already present (12 customers)" in capsys.readouterr().out
    db.expire_all()
    assert list(db.scalars(select(Customer.full_name).order_by(Customer.id))) == names


def test_same_seed_same_bank_and_reset_regenerates(db) -> None:
    assert main(["--customers", "15", "--seed", "3", "--as-of", AS_OF, "--no-train"]) == 0
    first = db.execute(
        select(Transaction.amount, Transaction.description).order_by(Transaction.id).limit(200)
    ).all()
    db.commit()  # the reset must not wait on this test's open transaction
    assert (
        main(["--customers", "15", "--seed", "3", "--as-of", AS_OF, "--no-train", "--reset"]) == 0
    )
    db.expire_all()
    again = db.execute(
        select(Transaction.amount, Transaction.description).order_by(Transaction.id).limit(200)
    ).all()
    assert first == again


def test_generated_bank_ranks_offers_with_the_trained_model(db, client) -> None:
    from tests.platform.conftest import SERVICE_AUTH

    assert main(["--customers", "300", "--as-of", AS_OF]) == 0
    body = client.get("/api/v1/customers/1/offers", params={"context": "event"},
                      headers=SERVICE_AUTH).json()  # fmt: skip
    assert body["model"]["kind"] == "logistic_regression"
    assert body["offers"], "customer 1's large deposit makes a wealth offer"
    assert body["offers"][0]["reasons"][0]["code"] == "large_deposit"
    chat = client.get("/api/v1/customers/1/offers", headers=SERVICE_AUTH).json()["offers"]
    assert len({o["propensity"] for o in chat}) == len(chat)
