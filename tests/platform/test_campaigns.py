"""Campaigns: preview counts and exclusions, an idempotent launch with a control group that is
never contacted, the contact policy across campaigns, results with uplift, the console API."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm.catalogue import seed_catalogue
from crm.clock import business_now
from crm.marketing import campaigns, consent
from crm.marketing.campaign_models import CampaignMember
from crm.marketing.outreach_models import OutreachItem
from crm.marketing.uplift import difference, wilson
from crm.models import (
    Account,
    ChannelIdentity,
    Customer,
    CustomerFeatures,
    OfferPresentation,
    SegmentAssignment,
)

OFFER = "SAV_BONUS"  # rules: no savings account yet, deposits of at least 2,000


def person(
    db,
    segment: str = "low_value",
    *,
    deposits: str = "5000",
    consents: tuple[str, ...] = ("app", "call"),
    app: bool = True,
    presented_this_week: int = 0,
    appetite: str = "balanced",
    **features,
) -> int:
    """A customer as the nightly batch leaves them: features, segment, consent, identities."""
    now = business_now()
    n = db.scalar(select(func.count()).select_from(Customer)) + 1
    c = Customer(
        customer_no=f"C{n:06d}",
        full_name=f"Campaign Customer {n}",
        phone=f"1380000{n:04d}",
        id_number=f"11010519800101{n:04d}",
        birth_date=dt.date(1985, 1, 1),
        city="Beijing",
        joined_on=dt.date(2018, 1, 1),
    )
    db.add(c)
    db.flush()
    zero = Decimal(0)
    row = CustomerFeatures(
            customer_id=c.id, as_of=now, age=40, tenure_years=5, monthly_income=Decimal(8000),
            monthly_card_spend=zero, fees_90d=zero, fee_count_90d=0, fees_12m=zero,
            salary_months_6m=6, salary_months_prev_6m=6, avg_balance_3m=Decimal(deposits),
            avg_balance_prev_3m=Decimal(deposits), deposit_balance=Decimal(deposits),
            wealth_balance=zero, risky_wealth_balance=zero, loan_balance=zero, card_debt=zero,
            holdings=["current"], products=["CUR"], max_days_past_due=0,
            digital_interactions_12m=10, assisted_interactions_12m=1, branch_visits_12m=0,
            complaints_180d=0, fee_complaints_180d=0, wish_to_close_90d=0,
    )  # fmt: skip
    for name, value in features.items():
        setattr(row, name, value)
    db.add(row)
    db.add(SegmentAssignment(customer_id=c.id, segment=segment, risk_appetite=appetite))
    if app:
        db.add(ChannelIdentity(customer_id=c.id, channel="app", external_id=f"app-{c.id}"))
    for channel in ("app", "telegram", "call"):
        consent.record(db, c.id, channel, channel in consents, "onboarding")
    for k in range(presented_this_week):
        db.add(
            OfferPresentation(
                customer_id=c.id, offer_code="TD_12M", context="chat", channel="app",
                presented_by="bot", conversation_id=None, segment=segment,
                presented_at=now - dt.timedelta(days=1, minutes=k),
            )
        )  # fmt: skip
    db.flush()
    return c.id


@pytest.fixture
def bank(db) -> dict[str, list[int]]:
    """Six reachable in the app, two by phone only, one ineligible, one opted out, one at the
    weekly limit, and one in another segment (not in the audience at all)."""
    seed_catalogue(db)
    people = {
        "app": [person(db) for _ in range(6)],
        "call": [person(db, app=False) for _ in range(2)],
        "ineligible": [person(db, deposits="100")],
        "opted_out": [person(db, consents=())],
        "busy": [person(db, presented_this_week=3)],
        "other_segment": [person(db, "high_loyalty_high_potential")],
    }
    db.commit()
    return people


def draft(db, name: str = "Savings push", share: float = 0.25, **spec) -> int:
    today = business_now().date()
    campaign = campaigns.create(
        db,
        name=name,
        spec={"segments": ["low_value"], **spec},
        offer_code=OFFER,
        channels=["app", "call"],
        starts_on=today,
        ends_on=today + dt.timedelta(days=14),
        control_share=share,
        cost_per_contact={"app": "0.10", "call": "4.00"},
        now=business_now(),
    )
    db.commit()
    return campaign.id


def test_preview_counts_the_audience_and_says_why_customers_are_left_out(db, bank) -> None:
    result = campaigns.preview(
        db, {"segments": ["low_value"]}, business_now(),
        offer_code=OFFER, channels=["app", "call"], control_share=0.25,
    )  # fmt: skip
    assert result["matched"] == 11  # everyone in the segment; the other segment is not counted
    assert result["eligible"] == 8
    assert (result["target"], result["control"]) == (6, 2)
    assert sum(c["target"] for c in result["by_channel"]) == 6
    assert result["by_segment"] == [{"segment": "low_value", "target": 6, "control": 2}]
    excluded = {e["code"]: e for e in result["excluded"]}
    assert {code: e["count"] for code, e in excluded.items()} == {
        "ineligible": 1,
        "no_consent": 1,
        "weekly_limit": 1,
    }
    assert excluded["ineligible"]["rules"] == {"min_balance": 1}
    assert result["excluded_total"] == 3
    assert 0 < result["expected_responses"] <= 6


def test_customers_without_the_first_channel_get_the_next_one(db, bank) -> None:
    result = campaigns.preview(
        db, {"customer_ids": bank["call"] + bank["app"][:1]}, business_now(),
        offer_code=OFFER, channels=["app", "call"], control_share=0,
    )  # fmt: skip
    assert result["by_channel"] == [
        {"channel": "app", "target": 1},
        {"channel": "call", "target": 2},
    ]


def test_launch_is_idempotent_and_the_control_group_is_never_contacted(db, bank) -> None:
    campaign_id = draft(db)
    first = campaigns.launch(db, campaign_id, business_now())
    db.commit()
    again = campaigns.launch(db, campaign_id, business_now())
    db.commit()
    assert first["launched_now"] is True and again["launched_now"] is False
    assert {k: v for k, v in first.items() if k != "launched_now"} == {
        k: v for k, v in again.items() if k != "launched_now"
    }
    members = db.scalars(
        select(CampaignMember).where(CampaignMember.campaign_id == campaign_id)
    ).all()
    assert len(members) == 8
    control = {m.customer_id for m in members if m.grp == "control"}
    target = {m.customer_id: m for m in members if m.grp == "target"}
    assert len(control) == 2 and len(target) == 6
    everyone = [m.customer_id for m in members]
    assert campaigns.control_group(db, everyone, OFFER) == control  # other planners' guard
    assert campaigns.control_group(db, everyone, "TD_12M") == set()
    items = db.scalars(select(OutreachItem).where(OutreachItem.campaign_id == campaign_id)).all()
    assert {i.customer_id for i in items} == set(target)
    assert not control & {i.customer_id for i in db.scalars(select(OutreachItem))}
    ends = db.get(campaigns.Campaign, campaign_id).ends_on + dt.timedelta(days=1)
    for item in items:
        member = target[item.customer_id]
        assert member.outreach_item_id == item.id
        assert item.channel == member.channel
        assert item.dedupe_key == f"campaign:{campaign_id}:{item.customer_id}"
        assert item.reason["code"] == "campaign" and item.offer_code == OFFER
        assert item.expires_at == dt.datetime.combine(ends, dt.time())
        assert item.expected_value > 0
    assert all(
        m.channel is None and m.outreach_item_id is None for m in members if m.grp == "control"
    )


def test_the_draw_is_seeded_and_the_preview_of_a_draft_matches_its_launch(db, bank) -> None:
    campaign_id = draft(db, share=0.5)
    preview = campaigns.preview(
        db, {"segments": ["low_value"]}, business_now(),
        offer_code=OFFER, channels=["app", "call"], control_share=0.5, seed=campaign_id,
    )  # fmt: skip
    result = campaigns.launch(db, campaign_id, business_now())
    db.commit()
    for key in ("eligible", "target", "control", "by_segment", "by_channel", "excluded"):
        assert preview[key] == result[key]


def test_two_concurrent_launches_assign_each_customer_once(db, bank) -> None:
    from crm.db import get_sessionmaker

    campaign_id = draft(db)
    barrier = threading.Barrier(2)
    answers: list[dict] = []
    errors: list[BaseException] = []

    def launch() -> None:
        session = get_sessionmaker()()
        try:
            barrier.wait()
            answers.append(campaigns.launch(session, campaign_id, business_now()))
            session.commit()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            session.close()

    threads = [threading.Thread(target=launch) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sorted(a["launched_now"] for a in answers) == [False, True]
    assert answers[0]["target"] == answers[1]["target"] == 6
    count = db.scalar(
        select(func.count())
        .select_from(CampaignMember)
        .where(CampaignMember.campaign_id == campaign_id)
    )
    items = db.scalar(
        select(func.count())
        .select_from(OutreachItem)
        .where(OutreachItem.campaign_id == campaign_id)
    )
    assert (count, items) == (8, 6)


def test_the_weekly_limit_holds_across_two_campaigns_for_the_same_customers(db, bank) -> None:
    # Two offers already this week: one more planned contact reaches the limit of three.
    for cid in bank["app"]:
        for k in range(2):
            db.add(
                OfferPresentation(
                    customer_id=cid, offer_code="TD_12M", context="chat", channel="app",
                    presented_by="bot", conversation_id=None, segment="low_value",
                    presented_at=business_now() - dt.timedelta(days=2, minutes=k),
                )
            )  # fmt: skip
    db.commit()
    first = draft(db, "First", share=0)
    campaigns.launch(db, first, business_now())
    db.commit()
    second = draft(db, "Second", share=0)
    result = campaigns.launch(db, second, business_now())
    db.commit()
    planned_first = set(
        db.scalars(select(OutreachItem.customer_id).where(OutreachItem.campaign_id == first))
    )
    planned_second = set(
        db.scalars(select(OutreachItem.customer_id).where(OutreachItem.campaign_id == second))
    )
    assert set(bank["app"]) <= planned_first
    assert not planned_second & set(bank["app"])
    assert planned_second == set(bank["call"])  # nothing planned for them yet this week
    excluded = {e["code"]: e["count"] for e in result["excluded"]}
    assert excluded["weekly_limit"] == len(bank["app"]) + len(bank["busy"])


def contact(db, item: OutreachItem, outcome: str | None, at: dt.datetime) -> None:
    """What the call list / proactive messenger does: a presentation, its outcome, the item."""
    p = OfferPresentation(
        customer_id=item.customer_id, offer_code=item.offer_code, context="outbound",
        channel="phone" if item.channel == "call" else item.channel, presented_by="agent",
        conversation_id=None, presented_at=at,
        outcome=outcome if outcome in ("accepted", "declined") else None,
        outcome_at=at if outcome in ("accepted", "declined") else None,
    )  # fmt: skip
    db.add(p)
    db.flush()
    item.presentation_id, item.status, item.outcome, item.outcome_at = p.id, "done", outcome, at


def test_results_count_contacts_and_measure_uplift_against_the_control_group(db, bank) -> None:
    campaign_id = draft(db, share=0.25)
    launched = business_now() - dt.timedelta(hours=1)
    campaigns.launch(db, campaign_id, launched)
    db.commit()
    items = db.scalars(
        select(OutreachItem)
        .where(OutreachItem.campaign_id == campaign_id)
        .order_by(OutreachItem.customer_id)
    ).all()
    later = launched + dt.timedelta(minutes=10)
    outcomes = ["accepted", "accepted", "declined", "no_answer", "reached"]
    for item, outcome in zip(items, outcomes, strict=False):
        contact(db, item, outcome, later)
    # One control customer accepts the same offer from the assistant: the control converts too.
    control = db.scalars(
        select(CampaignMember.customer_id).where(
            CampaignMember.campaign_id == campaign_id, CampaignMember.grp == "control"
        )
    ).all()
    db.add(
        OfferPresentation(
            customer_id=control[0], offer_code=OFFER, context="chat", channel="app",
            presented_by="bot", conversation_id=None, presented_at=later, outcome="accepted",
            outcome_at=later,
        )
    )  # fmt: skip
    # A target customer who opens the product in a branch converts without accepting a contact.
    sixth = items[5].customer_id
    db.add(
        Account(
            customer_id=sixth, product_code="SAV", kind="savings", number=f"SAV{sixth:08d}",
            balance=Decimal("100"), opened_on=later.date(),
        )
    )  # fmt: skip
    db.commit()
    r = campaigns.results(db, campaign_id)
    t = r["totals"]
    assert (t["contacted"], t["reached"], t["accepted"], t["declined"], t["no_answer"]) == (
        5, 4, 2, 1, 1,
    )  # fmt: skip
    assert (r["conversion"]["target"]["converted"], r["conversion"]["target"]["members"]) == (3, 6)
    assert (r["conversion"]["control"]["converted"], r["conversion"]["control"]["members"]) == (
        1,
        2,
    )
    expected = difference(3, 6, 1, 2)
    assert r["uplift"]["uplift"] == pytest.approx(0.0)
    assert (r["uplift"]["low"], r["uplift"]["high"]) == (expected["low"], expected["high"])
    costs = {"app": Decimal("0.10"), "call": Decimal("4.00")}
    contacted = {i.customer_id: i.channel for i in items[:5]}
    cost = sum(costs[ch] for ch in contacted.values())
    assert Decimal(t["cost"]) == cost
    assert Decimal(t["cost_per_acceptance"]) == (cost / 2).quantize(Decimal("0.01"))
    table = list(csv.reader(io.StringIO(campaigns.results_csv(r))))
    assert table[0][:3] == ["group", "segment", "channel"]
    assert any(row and row[0].startswith("uplift") for row in table)


def test_uplift_interval_is_newcombes_hybrid_score_interval() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 against 48/80.
    u = difference(56, 70, 48, 80)
    assert u["uplift"] == pytest.approx(0.2)
    assert (round(u["low"], 4), round(u["high"], 4)) == (0.0524, 0.3339)
    # Wilson for 0 of 10 is not the degenerate Wald interval [0, 0].
    low, high = wilson(0, 10)
    assert low == 0 and high == pytest.approx(0.2775, abs=1e-4)
    assert difference(1, 10, 0, 0)["uplift"] is None


def body(**extra) -> dict:
    today = business_now().date()
    return {
        "name": "Savings push",
        "offer_code": OFFER,
        "spec": {"segments": ["low_value"]},
        "channels": ["app", "call"],
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=14)).isoformat(),
        "control_share": 0.25,
        "cost_per_contact": {"app": "0.10", "call": "4.00"},
    } | extra


def test_marketers_create_preview_launch_and_export_in_the_console(users, bank, client) -> None:
    from tests.platform.console_helpers import ConsoleUser

    marketer = ConsoleUser(client, "marketer")
    agent = users["agent"]
    assert marketer.get("/console/campaigns").status_code == 200
    assert agent.get("/console/campaigns").status_code == 403
    assert agent.get("/console/api/campaigns").status_code == 403
    assert agent.post("/console/api/campaigns", body()).status_code == 403
    assert marketer.post("/console/api/campaigns", body(), csrf=False).status_code == 403
    assert marketer.post("/console/api/campaigns", body(offer_code="NOPE")).status_code == 422
    bad_segment = body(spec={"segments": ["whales"]})
    assert marketer.post("/console/api/campaigns", bad_segment).status_code == 422

    created = marketer.post("/console/api/campaigns", body())
    assert created.status_code == 201, created.text
    campaign = created.json()
    assert campaign["status"] == "draft"
    preview = marketer.post(
        "/console/api/campaigns/preview",
        {k: campaign[k] for k in ("spec", "offer_code", "channels", "control_share")},
    )
    assert preview.status_code == 200, preview.text
    assert (preview.json()["target"], preview.json()["control"]) == (6, 2)
    launch_path = f"/console/api/campaigns/{campaign['id']}/launch"
    assert marketer.post(launch_path, csrf=False).status_code == 403
    launched = marketer.post(launch_path)
    assert launched.status_code == 200, launched.text
    assert launched.json()["launched_now"] is True
    assert marketer.post(launch_path).json()["launched_now"] is False
    results = marketer.get(f"/console/api/campaigns/{campaign['id']}/results")
    assert results.status_code == 200 and results.json()["launched"] is True
    assert (
        users["supervisor"].get(f"/console/api/campaigns/{campaign['id']}/results").status_code
        == 200
    )
    assert agent.get(f"/console/api/campaigns/{campaign['id']}/results").status_code == 403
    exported = marketer.get(f"/console/api/campaigns/{campaign['id']}/results.csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "Campaign Customer" not in exported.text  # aggregates only, no customer's name
    listed = marketer.get("/console/api/campaigns").json()["campaigns"]
    assert [c["status"] for c in listed] == ["launched"]
    assert marketer.get("/console/api/campaigns/999999").status_code == 404


def test_a_spec_of_chosen_customers_is_what_the_churn_view_posts(users, bank, client) -> None:
    from tests.platform.console_helpers import ConsoleUser

    marketer = ConsoleUser(client, "marketer")
    chosen = bank["app"][:3] + bank["opted_out"]
    created = marketer.post(
        "/console/api/campaigns",
        {"name": "Proactive care", "offer_code": OFFER, "spec": {"customer_ids": chosen}},
    )
    assert created.status_code == 201, created.text
    campaign = created.json()
    assert campaign["channels"] == ["app", "telegram", "call"]  # the defaults
    result = marketer.post(f"/console/api/campaigns/{campaign['id']}/launch").json()
    assert result["eligible"] == 3
    assert {e["code"]: e["count"] for e in result["excluded"]} == {"no_consent": 1}


def test_expected_responses_come_from_the_trained_propensity_model(db, bank) -> None:
    import random

    from crm.models import ModelArtifact
    from crm.offers.propensity import current_model, customer_vector, design_row, layout

    rng = random.Random(7)
    first = db.get(CustomerFeatures, bank["app"][0])
    vector = customer_vector(first, "low_value", "balanced", False)
    width = len(design_row(vector, OFFER, "deposit", "agent"))
    db.add(
        ModelArtifact(
            name="propensity",
            metrics={"auc": 0.7},
            params={
                "layout": layout(),
                "coef": [rng.uniform(-1, 1) for _ in range(width)],
                "intercept": -2.0,
            },
        )
    )
    db.commit()
    result = campaigns.preview(
        db, {"customer_ids": bank["app"]}, business_now(),
        offer_code=OFFER, channels=["app"], control_share=0,
    )  # fmt: skip
    model = current_model(db)
    expected = sum(
        model.score(
            design_row(
                customer_vector(db.get(CustomerFeatures, cid), "low_value", "balanced", False),
                OFFER, "deposit", "agent",
            )
        )
        for cid in bank["app"]
    )  # fmt: skip
    assert result["model"] == "logistic_regression"
    assert result["expected_responses"] == round(expected, 1)


def test_the_column_versions_agree_with_the_per_customer_rules(db) -> None:
    """Churn band, eligibility for every offer and the model's input, customer by customer."""
    import random

    import numpy as np

    from crm.analytics.churn import churn_risk
    from crm.analytics.segments import RISK_APPETITES, SEGMENTS
    from crm.marketing import frame
    from crm.marketing.audience import _rows
    from crm.models import Offer
    from crm.offers.eligibility import ineligibility
    from crm.offers.propensity import customer_vector

    seed_catalogue(db)
    rng = random.Random(16)
    kinds = ["current", "savings", "credit_card", "loan", "mortgage", "wealth", "insurance"]
    codes = ["CUR", "SAV", "CC_PLAT", "WM_MMF", "INS_LIFE", "INS_HEALTH", "LOAN_PERS"]
    money = lambda top: Decimal(rng.choice([0, rng.randint(0, top)]))  # noqa: E731
    for _ in range(80):
        prev = rng.randint(0, 6)
        person(
            db, rng.choice(SEGMENTS), appetite=rng.choice(RISK_APPETITES),
            deposits=str(rng.choice([0, 1999, 2000, 20000, 250000])),
            age=rng.randint(18, 80), tenure_years=rng.randint(0, 20),
            monthly_income=money(30000), monthly_card_spend=money(5000), fees_90d=money(400),
            fees_12m=money(900), fee_complaints_180d=rng.randint(0, 2),
            salary_months_6m=rng.randint(0, prev), salary_months_prev_6m=prev,
            avg_balance_3m=money(50000), avg_balance_prev_3m=money(50000),
            wealth_balance=money(90000), loan_balance=money(90000), card_debt=money(60000),
            holdings=rng.sample(kinds, rng.randint(0, 4)), products=rng.sample(codes, 2),
            max_days_past_due=rng.choice([0, 0, 29, 30, 60]),
            digital_interactions_12m=rng.randint(0, 30), branch_visits_12m=rng.randint(0, 3),
            assisted_interactions_12m=rng.randint(0, 5), complaints_180d=rng.randint(0, 3),
            wish_to_close_90d=rng.choice([0, 0, 1]),
        )  # fmt: skip
    db.commit()
    rows = _rows(db, {})
    f = frame.build(rows)
    churn = frame.churn_scores(f)
    bands = frame.churn_bands(churn)
    matrix = frame.customer_matrix(f, churn, np.zeros(len(f), dtype=bool))
    offers = db.query(Offer).all()
    failed = {o.code: frame.ineligible(o.rules or {}, f) for o in offers}
    for k, cid in enumerate(f.ids):
        features = db.get(CustomerFeatures, int(cid))
        segment, appetite = f.segment[k], f.appetite[k]
        risk = churn_risk(features)
        assert (churn[k], bands[k]) == (risk.score, risk.level), cid
        vector = customer_vector(features, segment, appetite, False)
        assert matrix[k] == pytest.approx(vector, abs=1e-9), cid
        for offer in offers:
            expected = ineligibility(offer, features, segment, appetite)
            assert failed[offer.code][k] == (expected[0] if expected else ""), (cid, offer.code)
