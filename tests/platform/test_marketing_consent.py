"""Marketing consent and the contact policy: what a customer said last counts, "stop" holds on
every channel, the app can only touch its own customer's consent, and the policy's limits
(quiet hours, the weekly limit shared by the assistant and every campaign, recent declines)
give the same answer one customer at a time and for a whole audience, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core import config
from crm import closed_loop
from crm.clock import business_today
from crm.marketing import consent, contact_policy
from crm.marketing.consent_models import CHANNELS, MarketingConsent
from crm.models import ChannelIdentity, Customer
from tests.platform.conftest import SERVICE_AUTH, app_token_for, reset_platform_caches
from tests.support.pinned import local_instant


def at(hour: int, minute: int = 0) -> dt.datetime:
    """hour:minute of the customers' local time on the pinned business day (the tests never
    depend on today), as the UTC instant the clocks hold."""
    return local_instant(business_today(), hour, minute)


def reachable(world, **identities: bool):
    """A customer with verified app (and optionally Telegram) identities."""
    customer = world.customer()
    for channel in ("app", *(["telegram"] if identities.get("telegram") else [])):
        world.db.add(
            ChannelIdentity(
                customer_id=customer.id,
                channel=channel,
                external_id=f"{channel}-{customer.id}",
                verified=True,
            )
        )
    world.db.flush()
    return customer


def test_latest_answer_wins_and_every_answer_is_kept(crm_world) -> None:
    db = crm_world.db
    customer = crm_world.customer()
    assert consent.current(db, customer.id) == {"app": False, "telegram": False, "call": False}

    consent.record(db, customer.id, "app", True, "onboarding")
    consent.record(db, customer.id, "call", True, "onboarding")
    consent.record(db, customer.id, "app", False, "chat")
    assert consent.current(db, customer.id) == {"app": False, "telegram": False, "call": True}

    consent.record(db, customer.id, "all", True, "console", by="agent")
    assert consent.current(db, customer.id) == {"app": True, "telegram": True, "call": True}
    rows = db.scalars(select(MarketingConsent).where(MarketingConsent.customer_id == customer.id))
    assert len(list(rows)) == 6  # append-only: nothing was overwritten
    latest = consent.current_with_source(db, customer.id)
    assert latest["app"]["source"] == "console"

    with pytest.raises(ValueError):
        consent.record(db, customer.id, "fax", True, "chat")
    with pytest.raises(ValueError):
        consent.record(db, customer.id, "app", True, "rumour")


def test_opt_out_everywhere_blocks_every_channel_at_once(crm_world) -> None:
    db = crm_world.db
    customer = reachable(crm_world, telegram=True)
    consent.record(db, customer.id, "all", True, "onboarding")
    assert contact_policy.check(db, customer.id, "telegram", at(12)) is None

    consent.opt_out_everywhere(db, customer.id, "chat")

    assert consent.current(db, customer.id) == {name: False for name in CHANNELS}
    for channel in CHANNELS:
        why = contact_policy.check(db, customer.id, channel, at(12))
        assert why is not None and why["code"] == "no_consent"
    assert contact_policy.blocked(db, [customer.id], "call", at(12)) == {customer.id: "no_consent"}


def test_the_app_changes_only_its_own_customers_consent(crm_world, client) -> None:
    db = crm_world.db
    me, other = crm_world.customer(), crm_world.customer()
    db.commit()
    path = f"/api/v1/customers/{me.id}/marketing-consent"

    assert client.get(path).status_code == 401  # nobody signed in
    assert client.get(path, headers={"Authorization": "Bearer forged"}).status_code == 401
    theirs = {"Authorization": f"Bearer {app_token_for(other.id)}"}
    assert client.get(path, headers=theirs).status_code == 403
    assert client.put(path, json={"channels": {"all": True}}, headers=theirs).status_code == 403
    assert consent.current(db, me.id)["app"] is False

    mine = {"Authorization": f"Bearer {app_token_for(me.id)}"}
    answer = client.get(path, headers=mine)
    assert answer.status_code == 200
    assert answer.json()["channels"]["call"] == {
        "granted": False, "source": None, "recorded_at": None
    }  # fmt: skip
    changed = client.put(
        path, json={"channels": {"app": True, "call": False}, "source": "console"}, headers=mine
    )
    assert changed.status_code == 200
    assert changed.json()["channels"]["app"]["granted"] is True
    assert changed.json()["channels"]["app"]["source"] == "app"  # the app cannot claim otherwise

    # The assistant (service token) records what the customer said in chat.
    said = client.put(
        path, json={"channels": {"all": False}, "source": "chat"}, headers=SERVICE_AUTH
    )
    assert said.status_code == 200
    assert {c["granted"] for c in said.json()["channels"].values()} == {False}
    assert said.json()["channels"]["telegram"]["source"] == "chat"
    missing = "/api/v1/customers/999999/marketing-consent"
    assert client.get(missing, headers=SERVICE_AUTH).status_code == 404
    bad = client.put(path, json={"channels": {"fax": True}}, headers=SERVICE_AUTH)
    assert bad.status_code == 422


def test_quiet_hours_follow_the_setting_on_a_pinned_clock(crm_world, monkeypatch) -> None:
    db = crm_world.db
    customer = reachable(crm_world)
    consent.record(db, customer.id, "all", True, "onboarding")

    night = contact_policy.check(db, customer.id, "call", at(22, 30))
    assert night is not None and night["code"] == "quiet_hours"
    assert night["figures"] == {"channel": "call", "quiet_hours": "21:00-09:00", "time": "22:30"}
    assert contact_policy.check(db, customer.id, "app", at(8, 59))["code"] == "quiet_hours"
    assert contact_policy.check(db, customer.id, "app", at(9, 0)) is None
    assert contact_policy.check(db, customer.id, "call", at(20, 59)) is None

    monkeypatch.setenv("MARKETING_QUIET_HOURS", "12:00-13:00")
    reset_platform_caches()
    assert contact_policy.check(db, customer.id, "call", at(22, 30)) is None
    assert contact_policy.check(db, customer.id, "call", at(12, 30))["code"] == "quiet_hours"


def test_quiet_hours_are_the_customers_local_time_not_utc(crm_world, monkeypatch) -> None:
    """14:30 UTC is 22:30 in Chengdu: no marketing call then; 02:00 UTC is 10:00 there."""
    db = crm_world.db
    customer = reachable(crm_world)
    consent.record(db, customer.id, "all", True, "onboarding")
    day = business_today()
    utc = lambda hour, minute=0: dt.datetime.combine(day, dt.time(hour, minute))  # noqa: E731

    evening = contact_policy.check(db, customer.id, "call", utc(14, 30))
    assert evening is not None and evening["figures"]["time"] == "22:30"
    assert contact_policy.check(db, customer.id, "call", utc(2, 0)) is None

    monkeypatch.setenv("BANK_TIMEZONE", "Europe/London")  # a bank elsewhere: its own evening
    reset_platform_caches()
    assert contact_policy.check(db, customer.id, "call", utc(14, 30)) is None
    assert contact_policy.check(db, customer.id, "call", utc(22, 30))["code"] == "quiet_hours"

    monkeypatch.setenv("BANK_TIMEZONE", "Mars/Olympus_Mons")
    reset_platform_caches()
    with pytest.raises(config.ConfigError, match="BANK_TIMEZONE"):
        contact_policy.check(db, customer.id, "call", utc(2, 0))
    monkeypatch.delenv("BANK_TIMEZONE")  # the world's own teardown reads the settings
    reset_platform_caches()


def test_no_channel_without_a_verified_identity(crm_world) -> None:
    db = crm_world.db
    customer = reachable(crm_world)  # the app, no Telegram
    consent.record(db, customer.id, "all", True, "onboarding")
    assert contact_policy.check(db, customer.id, "telegram", at(12))["code"] == "no_channel"
    assert contact_policy.check(db, customer.id, "call", at(12)) is None  # the phone on file


def test_weekly_limit_is_shared_by_the_assistant_and_every_campaign(crm_world) -> None:
    db = crm_world.db
    customer = reachable(crm_world)
    consent.record(db, customer.id, "all", True, "onboarding")
    # Two offers from the assistant in chat, one from a campaign call: the limit is 3.
    closed_loop.record_presentation(db, customer.id, "SAV_BONUS", "chat", "app", "bot", "c-1")
    closed_loop.record_presentation(db, customer.id, "TD_12M", "chat", "app", "bot", "c-2")
    assert contact_policy.check(db, customer.id, "app", at(12)) is None
    closed_loop.record_presentation(db, customer.id, "WM_MMF", "outbound", "phone", "agent", None)

    for channel in ("app", "call"):
        why = contact_policy.check(db, customer.id, channel, at(12))
        assert why["code"] == "weekly_limit"
        assert why["figures"]["presented_last_7_days"] == 3
        assert why["figures"]["weekly_limit"] == 3
    # A week later the offers no longer count.
    later = at(12) + dt.timedelta(days=8)
    assert contact_policy.check(db, customer.id, "app", later) is None


def test_a_declined_offer_is_not_offered_again_soon(crm_world) -> None:
    db = crm_world.db
    customer = reachable(crm_world)
    consent.record(db, customer.id, "all", True, "onboarding")
    shown = closed_loop.record_presentation(db, customer.id, "WM_MMF", "chat", "app", "bot", "c")
    closed_loop.record_outcome(db, shown, "declined")
    why = contact_policy.check(db, customer.id, "app", at(12), offer_code="WM_MMF")
    assert why["code"] == "declined_recently"
    assert contact_policy.check(db, customer.id, "app", at(12), offer_code="TD_12M") is None


def test_blocked_gives_what_check_gives_for_every_customer(crm_world, monkeypatch) -> None:
    db = crm_world.db
    everyone = []
    for n in range(12):
        customer = reachable(crm_world, telegram=n % 3 == 0)
        everyone.append(customer.id)
        if n % 4 != 1:  # a quarter never consented
            consent.record(db, customer.id, "all", True, "onboarding")
        if n % 5 == 2:  # withdrew calls later
            consent.record(db, customer.id, "call", False, "app")
        if n % 6 == 3:  # declined the money market fund
            shown = closed_loop.record_presentation(
                db, customer.id, "WM_MMF", "chat", "app", "bot", f"c{n}"
            )
            closed_loop.record_outcome(db, shown, "declined")
        if n % 7 == 4:  # three offers this week
            for code in ("SAV_BONUS", "TD_12M", "CC_REWARDS"):
                closed_loop.record_presentation(db, customer.id, code, "chat", "app", "bot", "x")
    db.commit()
    audience_ids = select(Customer.id).where(Customer.id.in_(everyone))

    seen_codes = set()
    for limit in ("3", "0"):
        monkeypatch.setenv("CRM_OFFERS_PER_WEEK", limit)
        reset_platform_caches()
        for channel in CHANNELS:
            for now in (at(12), at(23)):
                for offer in (None, "WM_MMF"):
                    expected = {}
                    for cid in everyone:
                        why = contact_policy.check(db, cid, channel, now, offer_code=offer)
                        if why is not None:
                            expected[cid] = why["code"]
                    seen_codes |= set(expected.values())
                    assert contact_policy.blocked(db, everyone, channel, now, offer) == expected
                    assert contact_policy.blocked(db, audience_ids, channel, now, offer) == expected
    assert seen_codes == set(contact_policy.ORDER)
    assert contact_policy.blocked(db, [], "app", at(12)) == {}


def test_the_synthetic_bank_writes_onboarding_consents(db) -> None:
    from sqlalchemy import func

    from crm.synthetic.__main__ import main
    from tests.support.pinned import AS_OF

    assert main(["--customers", "120", "--seed", "5", "--as-of", AS_OF, "--no-train"]) == 0
    db.expire_all()
    telegram = set(
        db.scalars(select(ChannelIdentity.customer_id).where(ChannelIdentity.channel == "telegram"))
    )
    consented = set(
        db.scalars(
            select(MarketingConsent.customer_id).where(MarketingConsent.channel == "telegram")
        )
    )
    assert consented == telegram  # asked about Telegram only where it is linked
    for cid in range(1, 11):  # the demo cast can be reached in the app and by phone
        assert consent.current(db, cid)["app"] and consent.current(db, cid)["call"]
    everyone = select(Customer.id)
    noon = at(12)
    declined = contact_policy.blocked(db, everyone, "call", noon)
    assert 0 < len(declined) < 60 and set(declined.values()) <= {"no_consent", "weekly_limit"}
    assert "no_consent" in declined.values()
    first = db.scalar(select(func.count()).select_from(MarketingConsent))
    sources = set(db.scalars(select(MarketingConsent.source).distinct()))
    assert sources <= {"onboarding", "app"} and "onboarding" in sources

    # Same seed, same answers.
    db.rollback()  # end this session's reads: the reset truncates the tables
    assert (
        main(["--customers", "120", "--seed", "5", "--as-of", AS_OF, "--no-train", "--reset"]) == 0
    )
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(MarketingConsent)) == first
    assert contact_policy.blocked(db, everyone, "call", noon) == declined


def test_the_agent_records_what_the_customer_asks_on_the_phone(client, users, crm_world, db):
    from agent_console.models import AuditEntry
    from tests.platform.console_helpers import handoff

    customer = reachable(crm_world)
    consent.record(db, customer.id, "all", True, "onboarding")
    crm_world.analyse(customer)
    conversation = f"customer-{customer.id}"
    created = handoff(client, conversation, customer.id)
    path = f"/console/api/conversations/{conversation}/marketing-consent"
    # Only the agent handling the conversation.
    assert users["agent2"].post(path, {"channel": "call", "granted": False}).status_code == 403
    assert users["agent"].post(f"/console/api/handoffs/{created['id']}/claim").status_code == 200
    shown = users["agent"].get(f"/console/api/conversations/{conversation}/customer").json()
    assert shown["profile"]["marketing_consent"]["call"]["granted"] is True
    assert (
        users["agent"].post(path, {"channel": "call", "granted": False}, csrf=False).status_code
        == 403
    )

    answer = users["agent"].post(path, {"channel": "call", "granted": False})
    assert answer.status_code == 200, answer.text
    call = answer.json()["marketing_consent"]["call"]
    assert call["granted"] is False and call["source"] == "console"
    db.expire_all()
    assert consent.history(db, customer.id, limit=1)[0]["recorded_by"] == "agent"
    assert contact_policy.check(db, customer.id, "call", at(12))["code"] == "no_consent"
    assert contact_policy.check(db, customer.id, "app", at(12)) is None
    entry = db.query(AuditEntry).filter_by(action="change_marketing_consent").one()
    assert entry.customer_id == customer.id and "call=no" in entry.detail
