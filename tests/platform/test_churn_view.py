"""The churn view for marketing: its figures are the churn model's on the bank's data, the
rising-risk list holds exactly the customers whose risk went up this month, phones are
masked, and only marketing staff and supervisors see it."""

from __future__ import annotations

import datetime as dt

from crm.clock import business_now
from crm.models import ChurnSignal
from crm.service import cases
from tests.platform.console_helpers import ConsoleUser


def _world(crm_world):
    """Four customers: one said last week they want to leave (risk rose this month), one said
    so two months ago (high, but not new), two without signals, one of them in Shanghai."""
    db = crm_world.db
    now = business_now()
    rising, steady, calm, shanghai = (crm_world.customer() for _ in range(4))
    shanghai.city = "Shanghai"
    for who, days_ago in ((rising, 10), (steady, 50)):
        db.add(
            ChurnSignal(
                customer_id=who.id,
                signal="wish_to_close",
                channel="app",
                created_at=now - dt.timedelta(days=days_ago),
            )
        )
    for customer in (rising, steady, calm, shanghai):
        crm_world.account(customer, balance="1000")
    db.flush()
    crm_world.analyse(rising, steady, calm, shanghai)
    return rising, steady, calm, shanghai


def test_figures_are_the_churn_models_on_the_data(crm_world, client, users) -> None:
    rising, steady, calm, shanghai = _world(crm_world)
    db = crm_world.db
    marketer = ConsoleUser(client, "marketer")
    response = marketer.get("/console/api/churn")
    assert response.status_code == 200, response.text
    m = response.json()

    risks = {c.id: cases.churn_risk(db, c.id) for c in (rising, steady, calm, shanghai)}
    levels = {"low": 0, "medium": 0, "high": 0}
    for risk in risks.values():
        levels[risk.level] += 1
    assert m["customers"] == 4
    assert m["levels"] == levels
    assert levels["high"] == 2  # both who said they want to close

    regions = {r["key"]: r for r in m["by_region"]}
    assert regions["Shanghai"]["total"] == 1 and regions["Shanghai"]["low"] == 1
    assert regions["Beijing"]["total"] == 3 and regions["Beijing"]["high"] == 2
    assert sum(r["total"] for r in m["by_segment"]) == 4
    products = {r["key"]: r for r in m["by_product"]}
    assert products["CUR"]["total"] == 4  # everyone holds a current account
    factors = {f["code"]: f for f in m["factors"]}
    assert factors["wish_to_close"]["customers"] == 2
    assert factors["wish_to_close"]["at_risk_customers"] == 2

    # Only the customer who spoke up this month is on the rising list.
    assert m["rising_total"] == 1
    [row] = m["rising"]
    assert row["customer_id"] == rising.id
    assert row["score_before"] == 0.0
    assert row["score_now"] == risks[rising.id].score
    assert row["level"] == "high"
    assert rising.phone not in response.text and rising.phone[-4:] in row["phone"]
    assert row["full_name"] == rising.full_name
    assert {o["code"] for o in m["retention_offers"]} >= {"RET_FEE_WAIVER"}


def test_only_marketing_staff_and_supervisors_see_it(client, users) -> None:
    marketer = ConsoleUser(client, "marketer")
    assert users["agent"].get("/console/api/churn").status_code == 403
    assert users["agent"].get("/console/churn").status_code == 403
    assert marketer.get("/console/api/churn").status_code == 200
    page = marketer.get("/console/churn")
    assert page.status_code == 200 and "/static/churn.js" in page.text
    assert users["supervisor"].get("/console/api/churn").status_code == 200
    client.cookies.clear()
    assert client.get("/console/api/churn").status_code == 401
    empty = marketer.get("/console/api/churn").json()
    assert empty["customers"] == 0 and empty["rising"] == []
