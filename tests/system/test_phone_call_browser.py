"""A phone call in the console, in headless Chromium against the running product: the app
shows a customer an offer; the customer calls; the agent looks them up by the number the
phone shows, sees that same offer to say (in the assistant's words), records "offer
accepted", and the closed loop counts the acceptance on the phone."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.system.conftest import crm, fresh_customer_with, show_offer_in_app
from tests.system.console_support import SLOW, stored


def phone_acceptances(product: dict[str, str], code: str) -> int:
    rows = crm(product, "analytics/response-rates?by=channel,offer").json()
    return sum(r["accepted"] for r in rows if r["channel"] == "phone" and r["offer_code"] == code)


def test_the_caller_hears_the_offer_the_app_showed_and_accepts_it(
    product, pages, new_customer
) -> None:
    customer = fresh_customer_with(
        product, new_customer, "customers/{customer}/offers?context=chat&limit=10",
        lambda body: len(body["offers"]) >= 2,  # the app's pick need not be the phone's first
    )  # fmt: skip
    offers = crm(product, f"customers/{customer}/offers?context=chat&limit=10").json()["offers"]
    offer = offers[-1]  # the app shows its choice, as the assistant records it in a chat
    show_offer_in_app(product, customer, offer["code"])
    accepted_before = phone_acceptances(product, offer["code"])
    # The pinned bank's history may hold earlier phone offers to this customer: only this
    # call's rows are looked at below.
    ((last_before,),) = stored(product, "SELECT COALESCE(MAX(id), 0) FROM offer_presentations")
    ((phone, name),) = stored(
        product, "SELECT phone, full_name FROM customers WHERE id = ?", customer
    )

    agent = pages.agent()
    agent.get_by_label("Caller's phone or customer number").fill(
        f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}"
    )
    agent.get_by_role("button", name="Look up caller").click()
    expect(agent.locator("#call-title")).to_have_text(
        f"Phone call: {name} (C{customer:06d})", timeout=SLOW
    )
    # the number is masked everywhere on the page
    expect(agent.locator("#call")).to_contain_text(f"****{phone[-4:]}")
    assert phone not in agent.content()
    # the copilot as in a chat, with the app's offer as the one to say
    expect(agent.locator("#copilot")).to_contain_text("Segment:")
    expect(agent.locator("#copilot")).to_contain_text("Risk appetite:")
    suggested = agent.locator("#copilot .offer.suggested")
    expect(suggested).to_have_count(1)
    expect(suggested).to_have_attribute("data-offer", offer["code"])
    expect(suggested).to_contain_text("Already seen: assistant in app")
    expect(agent.locator("#call")).to_contain_text(offer["name"])
    script = agent.locator("#call .call-script li")
    expect(script.first).to_be_visible()
    said = script.first.text_content()
    assert offer["name"] in said or any(n in said for n in offer["names"].values())
    expect(agent.locator("#call-offer")).to_have_value(offer["code"])

    agent.locator("#call-outcome").select_option("offer_accepted")
    agent.locator("#call-note").fill("Accepted on the phone")
    agent.get_by_role("button", name="Record call outcome").click()
    expect(agent.locator("#call-recorded")).to_have_text("Call recorded: Offer accepted.")

    rows = stored(
        product,
        "SELECT channel, presented_by, outcome FROM offer_presentations "
        "WHERE customer_id = ? AND offer_code = ? AND channel = 'phone' AND id > ?",
        customer, offer["code"], last_before,
    )  # fmt: skip
    assert rows == [("phone", "agent", "accepted")]
    (summary,) = stored(
        product,
        "SELECT summary FROM interactions WHERE customer_id = ? AND kind = 'phone_call'",
        customer,
    )[0]
    assert "Alex Agent" in summary and "Accepted on the phone" in summary
    assert phone_acceptances(product, offer["code"]) == accepted_before + 1
