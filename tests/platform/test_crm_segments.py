"""Segments and risk appetite from holdings, channel use, contribution and cost to serve,
each shown in the customer profile with reasons in words and figures."""

from __future__ import annotations

from tests.platform.conftest import SERVICE_AUTH


def _profile(client, customer_id: int) -> dict:
    response = client.get(f"/api/v1/customers/{customer_id}", headers=SERVICE_AUTH)
    assert response.status_code == 200
    return response.json()


def test_loyal_customer_with_broad_holdings_is_high_loyalty_high_potential(crm_world, client):
    c = crm_world.customer(age=50, tenure_years=12)
    crm_world.steady_history(crm_world.account(c), "80000", salary="30000")
    crm_world.account(c, "savings", "SAV", "300000")
    crm_world.account(c, "time_deposit", "TD12", "200000")
    crm_world.account(c, "insurance", "INS_LIFE", "0")
    crm_world.analyse(c)

    profile = _profile(client, c.id)
    assert profile["segment"]["code"] == "high_loyalty_high_potential"
    verdict = profile["segment"]["reasons"][0]
    assert verdict["code"] == "segment_high_loyalty_high_potential"
    assert "12 years" in verdict["text"] and "4 product types" in verdict["text"]
    codes = {r["code"] for r in profile["segment"]["reasons"]}
    assert {"holdings", "channel_usage", "contribution", "cost_to_serve"} <= codes
    assert profile["figures"]["product_count"] == 4
    assert float(profile["figures"]["contribution_12m"]) > 2000


def test_high_earner_with_few_products_is_high_potential_low_contribution(crm_world, client):
    c = crm_world.customer(age=29, tenure_years=1)
    crm_world.steady_history(crm_world.account(c), "8000", salary="35000")
    crm_world.analyse(c)

    profile = _profile(client, c.id)
    assert profile["segment"]["code"] == "high_potential_low_contribution"
    verdict = profile["segment"]["reasons"][0]
    assert "35000.00 CNY a month" in verdict["text"]
    assert float(verdict["figures"]["potential_12m"]) > 2 * float(
        verdict["figures"]["contribution_12m"]
    )


def test_low_income_single_product_customer_is_low_value(crm_world, client):
    c = crm_world.customer(age=60, tenure_years=2)
    crm_world.steady_history(crm_world.account(c), "1500", salary="3000")
    crm_world.analyse(c)

    assert _profile(client, c.id)["segment"]["code"] == "low_value"


def test_risk_appetite_follows_what_the_customer_invests_in(crm_world, client):
    saver, balanced, aggressive = (crm_world.customer() for _ in range(3))
    for c in (saver, balanced, aggressive):
        crm_world.account(c, "savings", "SAV", "100000")
    crm_world.account(balanced, "wealth", "WM_MMF", "20000")
    crm_world.account(balanced, "wealth", "WM_BAL", "20000")
    crm_world.account(aggressive, "wealth", "WM_EQ", "150000")
    crm_world.analyse(saver, balanced, aggressive)

    assert _profile(client, saver.id)["risk_appetite"]["code"] == "conservative_saver"
    assert _profile(client, balanced.id)["risk_appetite"]["code"] == "balanced"
    bold = _profile(client, aggressive.id)["risk_appetite"]
    assert bold["code"] == "aggressive"
    (why,) = bold["reasons"]
    assert why["figures"]["risky_share"] == 0.6
    assert "60%" in why["text"]


def test_profile_of_a_customer_never_analysed_is_computed_on_the_spot(crm_world, client):
    c = crm_world.customer()
    crm_world.account(c, balance="100")
    crm_world.db.commit()

    profile = _profile(client, c.id)
    assert profile["segment"]["code"] == "low_value"
    assert profile["risk_appetite"]["code"] == "conservative_saver"
