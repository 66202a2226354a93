"""Event-triggered outreach: each event kind is found in the data, becomes one opportunity with
its figures, and is planned as a call or a proactive message for customers the contact policy
allows; a second scan adds nothing, stale items expire, an opt-out stops pending items."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select

from crm.clock import business_today
from crm.ledger import post
from crm.marketing import consent, outreach
from crm.marketing.outreach_models import OutreachItem
from crm.marketing.routing import scan_and_route
from crm.models import Card, ChannelIdentity, Opportunity
from tests.support.pinned import local_instant

DAY = dt.timedelta(days=1)
RETENTION = ("RET_LOYALTY_RATE", "RET_FEE_WAIVER")


@pytest.fixture
def now() -> dt.datetime:
    """The bank's pinned day (tests.support.pinned), 11:00 UTC (19:00 in Shanghai): outside
    quiet hours."""
    return dt.datetime.combine(business_today(), dt.time(11, 0))


def _reachable(world, customer, channels=("app", "call")) -> None:
    """Consent on the given channels, and a verified app login to send messages to."""
    for channel in channels:
        consent.record(world.db, customer.id, channel, True, "onboarding")
    world.db.add(
        ChannelIdentity(customer_id=customer.id, channel="app", external_id=f"app-{customer.id}")
    )
    world.db.flush()


def _salaried(world, now, amounts: list[str], last_days_ago: int, fees: bool = True):
    """A customer paid `amounts` monthly (oldest first), the last one `last_days_ago` days ago."""
    customer = world.customer(tenure_years=6)
    account = world.account(customer, balance="0")
    post(world.db, account, "20000", "deposit", "Opening deposit", now - 300 * DAY)
    for i, amount in enumerate(reversed(amounts)):
        post(world.db, account, amount, "salary", "Salary - Test Employer",
             now - (last_days_ago + 30 * i) * DAY)  # fmt: skip
    if fees:
        post(world.db, account, "-10", "fee", "Account management fee", now - 40 * DAY)
    world.analyse(customer)
    return customer, account


def _items(db, customer) -> list[OutreachItem]:
    return list(db.scalars(select(OutreachItem).where(OutreachItem.customer_id == customer.id)))


def _opportunities(db, customer, kind: str) -> list[Opportunity]:
    query = select(Opportunity).where(
        Opportunity.customer_id == customer.id, Opportunity.kind == kind
    )
    return list(db.scalars(query))


def test_salary_stopped_is_a_retention_call_and_a_second_scan_adds_nothing(crm_world, now) -> None:
    db = crm_world.db
    customer, _ = _salaried(crm_world, now, ["8000"] * 5, last_days_ago=60)
    _reachable(crm_world, customer)

    first = scan_and_route(db, now)
    db.commit()

    (opportunity,) = _opportunities(db, customer, "salary_change")
    assert opportunity.figures["change"] == "stopped"
    assert opportunity.figures["days_without_salary"] == 60
    assert opportunity.figures["average_salary"] == "8000.00"
    assert "60 days" in opportunity.reason and "8000.00" in opportunity.reason
    (item,) = _items(db, customer)
    assert (item.channel, item.source, item.status) == ("call", "event", "pending")
    assert item.offer_code in RETENTION
    assert item.expected_value > 0
    assert item.reason["code"] == "salary_change"
    assert item.reason["figures"]["change"] == "stopped"
    assert item.dedupe_key == f"event:salary_change:{opportunity.id}"
    assert first["found"]["salary_change"] == 1 and first["enqueued"] == 1

    second = scan_and_route(db, now + dt.timedelta(hours=1))
    db.commit()
    assert second["found"]["salary_change"] == 0 and second["enqueued"] == 0
    assert len(_opportunities(db, customer, "salary_change")) == 1
    assert len(_items(db, customer)) == 1


def test_a_salary_that_rose_markedly_is_a_proactive_wealth_message(crm_world, now) -> None:
    db = crm_world.db
    customer, _ = _salaried(crm_world, now, ["5000", "5000", "5000", "5000", "9000"], 10)
    steady, _ = _salaried(crm_world, now, ["5000", "5000", "5000", "5000", "5200"], 10)
    _reachable(crm_world, customer)
    _reachable(crm_world, steady)

    scan_and_route(db, now)
    db.commit()

    (opportunity,) = _opportunities(db, customer, "salary_change")
    assert opportunity.figures["change"] == "rose"
    assert opportunity.figures["percent"] == 80
    assert opportunity.offer_category == "wealth"
    (item,) = _items(db, customer)
    assert item.channel == "app"
    assert item.offer_code in ("WM_MMF", "WM_BALANCED", "TD_12M")
    assert _opportunities(db, steady, "salary_change") == []


def test_a_large_transfer_to_another_bank_is_a_churn_signal(crm_world, now) -> None:
    db = crm_world.db
    leaving = crm_world.customer(tenure_years=6)
    account = crm_world.account(leaving)
    post(db, account, "50000", "deposit", "Opening deposit", now - 200 * DAY)
    moved = post(db, account, "-20000", "transfer_out", "Transfer to account at another bank",
                 now - 3 * DAY)  # fmt: skip
    family = crm_world.customer()
    other = crm_world.account(family)
    post(db, other, "50000", "deposit", "Opening deposit", now - 200 * DAY)
    post(db, other, "-20000", "transfer_out", "Transfer to Wang Fang", now - 3 * DAY)
    small = crm_world.customer()
    third = crm_world.account(small)
    post(db, third, "500000", "deposit", "Opening deposit", now - 200 * DAY)
    post(db, third, "-20000", "transfer_out", "Transfer to account at another bank", now - DAY)
    crm_world.analyse(leaving, family, small)
    for c in (leaving, family, small):
        _reachable(crm_world, c)

    result = scan_and_route(db, now)
    db.commit()

    assert result["found"]["large_transfer_out"] == 1
    (opportunity,) = _opportunities(db, leaving, "large_transfer_out")
    assert opportunity.transaction_id == moved.id
    assert opportunity.figures["amount"] == "20000.00"
    assert opportunity.figures["balance_before"] == "50000.00"
    assert opportunity.figures["share_percent"] == 40
    (item,) = _items(db, leaving)
    assert item.channel == "call" and item.offer_code in RETENTION
    assert _items(db, family) == [] and _items(db, small) == []


def _card(db, account, last4: str, expires_on: dt.date, kind="debit", status="active") -> Card:
    card = Card(customer_id=account.customer_id, account_id=account.id, kind=kind, last4=last4,
                status=status, expires_on=expires_on)  # fmt: skip
    db.add(card)
    db.flush()
    return card


def test_a_card_expiring_soon_is_the_moment_for_a_better_card(crm_world, now) -> None:
    db = crm_world.db
    today = now.date()
    customer, account = _salaried(crm_world, now, ["6000"] * 6, last_days_ago=5)
    soon = _card(db, account, "4321", today + 20 * DAY)
    _card(db, account, "9999", today + 100 * DAY)
    _card(db, account, "1111", today + 10 * DAY, kind="credit", status="frozen")
    unknown = crm_world.customer()  # not analysed yet: eligibility cannot be checked
    _card(db, crm_world.account(unknown), "5555", today + 5 * DAY)
    for c in (customer, unknown):
        _reachable(crm_world, c)

    result = scan_and_route(db, now)
    db.commit()

    assert result["found"]["card_expiring"] == 2
    (opportunity,) = _opportunities(db, customer, "card_expiring")
    assert opportunity.figures == {
        "card_kind": "debit",
        "last4": "4321",
        "expires_on": (today + 20 * DAY).isoformat(),
        "days_left": 20,
    }
    assert opportunity.source_key == f"card:{soon.id}:{(today + 20 * DAY).isoformat()}"
    assert "4321" in opportunity.reason and "20 days" in opportunity.reason
    (item,) = _items(db, customer)
    assert (item.channel, item.offer_code) == ("app", "CC_REWARDS")
    # A proactive message is an offer: with none to make, nothing is planned.
    assert _items(db, unknown) == [] and result["excluded"] == {"no_offer": 1}
    assert scan_and_route(db, now + dt.timedelta(hours=2))["found"]["card_expiring"] == 0


def test_a_time_deposit_reaching_the_end_of_its_term_is_found(crm_world, now) -> None:
    db = crm_world.db
    today = now.date()
    due = today + 10 * DAY
    maturing = crm_world.customer(tenure_years=6)
    deposit = crm_world.account(maturing, kind="time_deposit", product="TD12", balance="100000")
    deposit.opened_on = due.replace(year=due.year - 2)
    not_yet = crm_world.customer(tenure_years=6)
    young = crm_world.account(not_yet, kind="time_deposit", product="TD12", balance="50000")
    young.opened_on = (today + 100 * DAY).replace(year=today.year - 1)
    phone_only = crm_world.customer(tenure_years=6)
    other = crm_world.account(phone_only, kind="time_deposit", product="TD12", balance="80000")
    other.opened_on = due.replace(year=due.year - 1)  # the end of its first term
    db.flush()
    crm_world.analyse(maturing, not_yet, phone_only)
    _reachable(crm_world, maturing)
    consent.record(db, phone_only.id, "call", True, "onboarding")  # no app login to message

    scan_and_route(db, now)
    db.commit()

    (opportunity,) = _opportunities(db, maturing, "time_deposit_maturing")
    assert opportunity.figures["maturity_date"] == due.isoformat()
    assert opportunity.figures["days_left"] == 10
    assert opportunity.figures["amount"] == "100000.00"
    assert opportunity.figures["term_months"] == 12
    assert _opportunities(db, not_yet, "time_deposit_maturing") == []
    (item,) = _items(db, maturing)
    assert item.channel == "app"
    assert item.offer_code in ("TD_12M", "WM_MMF", "WM_BALANCED")  # best of renew or invest
    (fallback,) = _items(db, phone_only)  # a message first; a call when there is no app
    assert fallback.channel == "call"


def test_routing_leaves_out_customers_without_consent_and_counts_why(crm_world, now) -> None:
    db = crm_world.db
    silent, _ = _salaried(crm_world, now, ["8000"] * 5, last_days_ago=60)  # never consented
    opted_out, _ = _salaried(crm_world, now, ["8000"] * 5, last_days_ago=60)
    _reachable(crm_world, opted_out)
    consent.opt_out_everywhere(db, opted_out.id, "chat")
    db.flush()

    result = scan_and_route(db, now)
    db.commit()

    assert result["found"]["salary_change"] == 2
    assert result["enqueued"] == 0
    assert result["excluded"] == {"no_consent": 2}
    assert _items(db, silent) == [] and _items(db, opted_out) == []


def test_quiet_hours_hold_the_contact_until_a_later_scan(crm_world, now) -> None:
    db = crm_world.db
    customer, _ = _salaried(crm_world, now, ["8000"] * 5, last_days_ago=60)
    _reachable(crm_world, customer)

    night = scan_and_route(db, local_instant(now.date(), 22))  # the customer's evening
    db.commit()
    assert night["excluded"] == {"quiet_hours": 1} and _items(db, customer) == []

    morning = scan_and_route(db, local_instant(now.date() + DAY, 10))
    db.commit()
    assert morning["enqueued"] == 1 and len(_items(db, customer)) == 1


def test_stale_items_expire_and_an_opt_out_suppresses_pending_ones(crm_world, now) -> None:
    db = crm_world.db
    customer, _ = _salaried(crm_world, now, ["8000"] * 5, last_days_ago=60)
    other, _ = _salaried(crm_world, now, ["8000"] * 5, last_days_ago=60)
    for c in (customer, other):
        _reachable(crm_world, c)
    scan_and_route(db, now)
    db.commit()
    (item,) = _items(db, customer)
    assert item.expires_at == now + 7 * DAY  # a churn call is worth making within a week

    consent.opt_out_everywhere(db, other.id, "chat")
    assert outreach.suppress_customer(db, other.id) == 1
    assert outreach.suppress_customer(db, other.id) == 0
    db.commit()

    later = scan_and_route(db, now + 8 * DAY)
    db.commit()
    assert later["expired"] == 1
    db.expire_all()
    assert [i.status for i in _items(db, customer)] == ["expired"]
    assert [i.status for i in _items(db, other)] == ["suppressed"]
    assert later["enqueued"] == 0  # the moment's own 30 days are not over: no second call


def test_enqueue_is_idempotent_and_skips_repeated_keys(crm_world, now) -> None:
    db = crm_world.db
    customer = crm_world.customer()
    row = {
        "customer_id": customer.id,
        "channel": "call",
        "source": "campaign",
        "campaign_id": 5,
        "offer_code": "TD_12M",
        "reason": {"code": "campaign", "text": "Campaign 5", "figures": {"campaign_id": 5}},
        "expected_value": 21.0,
        "expires_at": now + 5 * DAY,
        "dedupe_key": f"campaign:5:{customer.id}",
    }
    twin = dict(row, channel="app")

    assert outreach.enqueue(db, [row, twin]) == 1
    assert outreach.enqueue(db, [row]) == 0
    db.commit()

    (item,) = _items(db, customer)
    assert (item.channel, item.status, item.attempts) == ("call", "pending", 0)
    assert item.reason["figures"] == {"campaign_id": 5}
    assert item.expected_value == pytest.approx(21.0)
    with pytest.raises(ValueError, match="dedupe_key"):
        outreach.enqueue(db, [dict(row, dedupe_key=None)])
    assert outreach.expire(db, now + 6 * DAY) == 1


def test_the_scheduler_loop_scans_routes_and_commits(crm_world, now, monkeypatch) -> None:
    """What the platform-scheduler runs every OUTREACH_SCAN_SECONDS, on the business clock."""
    from crm.marketing import outreach_loop
    from tests.platform.conftest import reset_platform_caches

    monkeypatch.setenv("MARKETING_QUIET_HOURS", "00:00-00:00")  # whatever the wall clock says
    reset_platform_caches()
    customer, _ = _salaried(crm_world, now, ["8000"] * 5, last_days_ago=60)
    _reachable(crm_world, customer)
    crm_world.db.commit()

    assert asyncio.run(asyncio.wait_for(outreach_loop.run_forever(), 1)) is None  # off: 0
    result = outreach_loop.scan_once()

    assert result["found"]["salary_change"] == 1 and result["enqueued"] == 1
    crm_world.db.expire_all()
    (item,) = _items(crm_world.db, customer)
    assert item.channel == "call"
