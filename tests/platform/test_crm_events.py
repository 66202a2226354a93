"""Event-based marketing: a deposit above the previous 6-month average balance of the current
account creates a wealth opportunity with the figures; smaller ones do not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from crm.analytics.events import scan_deposit_events
from crm.clock import business_now
from crm.ledger import post, refresh_account_months
from crm.models import AccountMonth, Opportunity
from tests.platform.conftest import SERVICE_AUTH


def _customer_with_steady_balance(world, level: str = "20000"):
    customer = world.customer()
    account = world.account(customer)
    world.steady_history(account, level)
    return customer, account


def test_deposit_above_six_month_average_creates_a_wealth_opportunity(crm_world, client) -> None:
    customer, account = _customer_with_steady_balance(crm_world, "20000")
    post(
        crm_world.db,
        account,
        "80000",
        "deposit",
        "Cash deposit",
        business_now() - dt.timedelta(days=2),
    )
    crm_world.analyse(customer)

    result = scan_deposit_events(crm_world.db)
    crm_world.db.commit()

    assert result.opportunities == 1
    body = client.get(f"/api/v1/customers/{customer.id}/opportunities", headers=SERVICE_AUTH).json()
    (opportunity,) = body
    assert opportunity["kind"] == "large_deposit"
    assert opportunity["offer_category"] == "wealth"
    figures = opportunity["reason"]["figures"]
    assert figures["amount"] == "80000.00"
    assert Decimal("19000") < Decimal(figures["average_balance"]) < Decimal("21000")
    assert figures["ratio"] >= 3.8
    assert "80000.00" in opportunity["reason"]["text"]
    assert figures["average_balance"] in opportunity["reason"]["text"]


def test_deposit_below_six_month_average_does_not_fire(crm_world) -> None:
    customer, account = _customer_with_steady_balance(crm_world, "50000")
    post(
        crm_world.db,
        account,
        "15000",
        "deposit",
        "Cash deposit",
        business_now() - dt.timedelta(days=2),
    )
    crm_world.analyse(customer)

    assert scan_deposit_events(crm_world.db).opportunities == 0
    assert crm_world.db.query(Opportunity).count() == 0


def test_salary_and_old_deposits_are_not_events_and_a_rescan_adds_nothing(crm_world) -> None:
    customer, account = _customer_with_steady_balance(crm_world, "20000")
    now = business_now()
    post(crm_world.db, account, "90000", "salary", "Salary - Test Employer", now - dt.timedelta(1))
    post(crm_world.db, account, "90000", "deposit", "Cash deposit", now - dt.timedelta(days=5))
    crm_world.analyse(customer)

    first = scan_deposit_events(crm_world.db)
    second = scan_deposit_events(crm_world.db)
    assert (first.opportunities, second.opportunities) == (1, 0)
    stored = crm_world.db.query(Opportunity).one()
    assert stored.figures["amount"] == "90000.00"


def test_a_new_account_has_no_average_to_beat_yet(crm_world) -> None:
    customer = crm_world.customer()
    account = crm_world.account(customer)
    crm_world.steady_history(account, "5000", months=1)
    post(
        crm_world.db,
        account,
        "50000",
        "deposit",
        "Cash deposit",
        business_now() - dt.timedelta(days=1),
    )
    crm_world.analyse(customer)

    assert scan_deposit_events(crm_world.db).opportunities == 0


def test_monthly_average_balance_is_time_weighted(crm_world) -> None:
    customer = crm_world.customer()
    account = crm_world.account(customer)
    start = dt.datetime(2026, 3, 1, 9)
    post(crm_world.db, account, "3000", "deposit", "Cash deposit", start)
    post(crm_world.db, account, "3100", "deposit", "Cash deposit", dt.datetime(2026, 3, 11, 9))
    refresh_account_months(crm_world.db, [account.id], as_of=dt.datetime(2026, 4, 30))
    march = crm_world.db.get(AccountMonth, (account.id, 2026 * 12 + 2))
    april = crm_world.db.get(AccountMonth, (account.id, 2026 * 12 + 3))
    # 10 days at 3000 and 21 days at 6100 -> (30000 + 128100) / 31
    assert march.avg_balance == Decimal("5100.00")
    assert (april.avg_balance, april.end_balance, april.days) == (
        Decimal("6100.00"),
        Decimal("6100.00"),
        30,
    )
