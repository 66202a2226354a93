"""An outbound call in the console, in headless Chromium against the running product: the
event scan has planned a call to a customer (written here into the product's database as
the scan writes it); the agent finds it in the "Outbound calls" list beside the queue,
opens it (why this customer, why now, the offer, the script in the assistant's words, the
best time to call), claims it (the number to dial appears), records "Accepted", and the
closed loop counts an outbound acceptance on the phone. A callback is typed and shown on the
agent's clock and kept in UTC."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from playwright.sync_api import expect

from crm.marketing.consent_models import MarketingConsent
from crm.marketing.outreach_models import OutreachItem
from tests.support.pinned import AS_OF
from tests.system.conftest import crm, fresh_customer_with
from tests.system.console_support import BROWSER_ZONE, SLOW, stored

REASON = "A deposit of 80000.00 CNY on 20 November, above the 6-month average balance."


def business_now() -> dt.datetime:
    """The product's clock: the pinned business date at the wall clock's time (crm.clock)."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return dt.datetime.combine(dt.date.fromisoformat(AS_OF), now.time())


def plan_call(product: dict[str, str], customer: int, offer_code: str) -> int:
    """Write a consenting customer's planned call into the product's database."""
    url = product.get("DATABASE_URL") or f"sqlite:///{Path(product['DATA_DIR']) / 'bank.db'}"
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    now = business_now()
    with engine.begin() as conn:
        conn.execute(
            sa.insert(MarketingConsent.__table__).values(
                customer_id=customer, channel="call", granted=True, source="onboarding",
                recorded_at=now,
            )
        )  # fmt: skip
        item_id = conn.execute(
            sa.insert(OutreachItem.__table__)
            .values(
                customer_id=customer, channel="call", source="event", offer_code=offer_code,
                reason={"code": "large_deposit", "text": REASON,
                        "figures": {"amount": "80000.00", "currency": "CNY"}},
                expected_value=99999.0, created_at=now, expires_at=now + dt.timedelta(days=3),
                status="pending", attempts=0, dedupe_key=f"browser-test:{customer}:{offer_code}",
            )
            .returning(OutreachItem.__table__.c.id)
        ).scalar_one()  # fmt: skip
    engine.dispose()
    return item_id


def test_an_agent_works_an_outbound_call_to_a_recorded_outcome(
    product, pages, new_customer
) -> None:
    customer = fresh_customer_with(
        product, new_customer, "customers/{customer}/offers?context=agent&limit=10",
        lambda body: body["offers"] and body["contact_policy"]["remaining_this_week"] > 0,
    )  # fmt: skip
    offer = crm(product, f"customers/{customer}/offers?context=agent&limit=10").json()
    offer = offer["offers"][0]
    item_id = plan_call(product, customer, offer["code"])
    ((phone, name),) = stored(
        product, "SELECT phone, full_name FROM customers WHERE id = ?", customer
    )

    agent = pages.agent()
    line = agent.locator(f"#outbound-list li[data-item='{item_id}']")
    expect(line).to_contain_text(name, timeout=SLOW)
    expect(line).to_contain_text(offer["name"])
    line.get_by_role("button", name="Open").click()

    expect(agent.locator("#outbound-title")).to_have_text(
        f"Outbound call: {name} (C{customer:06d})", timeout=SLOW
    )
    expect(agent.locator("#outbound-why")).to_have_text(REASON)
    expect(agent.locator("#outbound-offer")).to_contain_text(offer["name"])
    expect(agent.locator("#outbound-best-time")).to_be_visible()
    script = agent.locator("#outbound-script li")
    expect(script.first).to_be_visible()
    said = agent.locator("#outbound-script").text_content()
    assert offer["name"] in said or any(n in said for n in offer["names"].values())
    expect(agent.locator("#timeline-section")).to_be_visible()
    expect(agent.locator("#outbound-phone")).to_contain_text(f"****{phone[-4:]}")
    assert phone not in agent.content()  # masked until the call is this agent's

    agent.get_by_role("button", name="Claim and call").click()
    expect(agent.locator("#outbound-phone")).to_have_text(f"phone {phone}", timeout=SLOW)
    expect(
        agent.locator(f"#outbound-list li[data-item='{item_id}'][data-kind=mine]")
    ).to_be_visible()
    agent.locator("#outbound-note").fill("Keen on it")
    agent.locator("#outbound-outcome button[data-outcome=accepted]").click()
    expect(agent.locator("#outbound-recorded")).to_have_text(
        f"Call outcome recorded: Accepted (offer {offer['code']}).", timeout=SLOW
    )
    expect(agent.locator(f"#outbound-list li[data-item='{item_id}']")).to_have_count(0)

    ((status, outcome, presentation),) = stored(
        product,
        "SELECT status, outcome, presentation_id FROM outreach_items WHERE id = ?",
        item_id,
    )
    assert (status, outcome) == ("done", "accepted")
    rows = stored(
        product,
        "SELECT context, channel, presented_by, outcome FROM offer_presentations WHERE id = ?",
        presentation,
    )
    assert rows == [("outbound", "phone", "agent", "accepted")]
    ((summary,),) = stored(
        product,
        "SELECT summary FROM interactions WHERE customer_id = ? AND kind = 'outbound_call'",
        customer,
    )
    assert "Alex Agent" in summary and "Keen on it" in summary


def test_a_callback_is_typed_and_shown_on_the_agents_clock_and_kept_in_utc(
    product, pages, new_customer
) -> None:
    """An agent in Chengdu types 18:00 for "call back this evening": the list, the notice and
    the customer's history speak of 18:00; the database keeps 10:00 UTC, the clock every
    process schedules on."""
    customer = fresh_customer_with(
        product, new_customer, "customers/{customer}/offers?context=agent&limit=10",
        lambda body: body["offers"] and body["contact_policy"]["remaining_this_week"] > 0,
    )  # fmt: skip
    offer = crm(product, f"customers/{customer}/offers?context=agent&limit=10").json()
    item_id = plan_call(product, customer, offer["offers"][0]["code"])
    due = (business_now() + dt.timedelta(hours=2)).replace(second=0, microsecond=0)
    local = due.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(BROWSER_ZONE))
    assert local.hour != due.hour  # the two clocks differ: the test can tell them apart

    agent = pages.agent()
    line = agent.locator(f"#outbound-list li[data-item='{item_id}']")
    line.get_by_role("button", name="Open").click(timeout=SLOW)
    agent.get_by_role("button", name="Claim and call").click(timeout=SLOW)
    expect(agent.locator("#outbound-phone")).not_to_contain_text("****", timeout=SLOW)
    agent.locator("#outbound-callback-at").fill(local.strftime("%Y-%m-%dT%H:%M"))
    agent.locator("#outbound-outcome button[data-outcome=callback]").click()

    shown = local.strftime("%Y-%m-%d %H:%M")
    expect(agent.locator("#outbound-recorded")).to_contain_text(f"at {shown}", timeout=SLOW)
    ((stored_at,),) = stored(
        product, "SELECT callback_at FROM outreach_items WHERE id = ?", item_id
    )
    kept = stored_at if isinstance(stored_at, dt.datetime) else dt.datetime.fromisoformat(stored_at)
    assert kept.replace(tzinfo=None) == due
    ((summary,),) = stored(
        product,
        "SELECT summary FROM interactions WHERE customer_id = ? AND kind = 'outbound_call'",
        customer,
    )
    assert f"at {shown} (customer's local time)" in summary
    scheduled = agent.locator(f"#outbound-list li[data-item='{item_id}'][data-kind=scheduled]")
    expect(scheduled).to_contain_text(f"call back {shown}", timeout=SLOW)
