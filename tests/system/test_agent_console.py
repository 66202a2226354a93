"""The agent console in headless Chromium against the running product: login, the live
queue, claiming (and losing a claim), live chat both ways with the customer's chat page,
presenting an offer and recording the outcome, handing back to the bot, the dashboard."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from tests.system.conftest import (
    app_token,
    crm,
    fresh_customer_with,
    response_texts,
    send,
    show_offer_in_app,
)
from tests.system.console_support import (
    SLOW,
    ask_for_a_person,
    claim,
    queue_item,
    say,
    stored,
)


def test_agent_signs_in_and_out_and_a_wrong_password_is_refused(product, pages) -> None:
    page = pages.new()
    page.goto(f"{product['PUBLIC_URL']}/console")
    page.get_by_label("Username").fill("agent")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong username or password.")
    page.get_by_label("Username").fill("agent")
    page.get_by_label("Password").fill(product["DEMO_AGENT_PASSWORD"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Alex Agent · agent")).to_be_visible()
    expect(page.locator("#live-state")).to_have_text("Live", timeout=SLOW)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Agent sign-in")).to_be_visible()
    page.goto(f"{product['PUBLIC_URL']}/console")
    expect(page.get_by_role("heading", name="Agent sign-in")).to_be_visible()


def test_a_new_handoff_appears_in_the_queue_without_reloading(product, pages, customer) -> None:
    agent = pages.agent()
    agent.evaluate("window.__sameDocument = true")
    chat = pages.customer(customer)
    ask_for_a_person(chat)
    item = queue_item(agent, customer)
    expect(item).to_be_visible(timeout=SLOW)
    assert agent.evaluate("window.__sameDocument") is True  # updated live, not reloaded
    expect(item.locator(".reason")).to_have_text("Asked for a person")
    expect(item.locator(".channel")).to_have_text("app")
    segment = crm(product, f"customers/{customer}").json()["segment"]["label"]
    expect(item.locator(".segment")).to_have_text(segment)
    expect(item.locator(".wait")).to_have_text(re.compile(r"^\d+ (s|min \d+ s)$"))
    claim(agent, customer)  # and nobody is left waiting
    agent.get_by_role("button", name="Hand back to bot").click()
    expect(agent.locator("#notice")).to_contain_text("Handed back", timeout=SLOW)


def test_two_agents_claim_at_once_one_wins_and_the_other_is_told(product, pages, customer) -> None:
    alex, bea = pages.agent("agent"), pages.agent("agent2")
    chat = pages.customer(customer)
    ask_for_a_person(chat)
    for agent in (alex, bea):
        expect(queue_item(agent, customer)).to_be_visible(timeout=SLOW)
    # Both click at the same instant; each page holds its button before the other's claim
    # can refresh its queue.
    at = int(time.time() * 1000) + 600
    script = """([selector, at]) => {
        const button = document.querySelector(selector);
        setTimeout(() => button.click(), Math.max(0, at - Date.now()));
    }"""
    selector = f"#queue .queue-item[data-conversation=customer-{customer}] button.claim"
    for agent in (alex, bea):
        agent.evaluate(script, [selector, at])
    settled = "#conversation[data-mine=yes], #notice[data-kind=lost]:not([hidden])"
    for agent in (alex, bea):
        expect(agent.locator(settled).first).to_be_attached(timeout=SLOW)
    won = {name: page.locator("#conversation[data-mine=yes]").count() == 1
           for name, page in (("Alex Agent", alex), ("Bea Agent", bea))}  # fmt: skip
    assert sorted(won.values()) == [False, True], won
    winner = next(name for name, yes in won.items() if yes)
    winner_page, loser_page = (alex, bea) if winner == "Alex Agent" else (bea, alex)
    expect(loser_page.locator("#notice")).to_have_text(
        f"Not yours: {winner} claimed this conversation first."
    )
    expect(queue_item(loser_page, customer)).to_have_count(0, timeout=SLOW)
    owners = stored(
        product,
        "SELECT a.display_name FROM handoffs h JOIN agents a ON a.id = h.claimed_by "
        "WHERE h.conversation_id = ? AND h.status = 'claimed'",
        f"customer-{customer}",
    )
    assert owners == [(winner,)]
    winner_page.get_by_role("button", name="Hand back to bot").click()
    expect(winner_page.locator("#notice")).to_contain_text("Handed back", timeout=SLOW)


def test_live_chat_both_ways_between_the_chat_page_and_the_agent(
    product, pages, new_customer
) -> None:
    customer = fresh_customer_with(
        product, new_customer, "customers/{customer}/cards",
        lambda cards: any(c["status"] == "active" for c in cards),  # a card to freeze
    )  # fmt: skip
    agent = pages.agent()
    chat = pages.customer(customer)
    say(chat, "I want to freeze my card")  # a form starts, then the customer wants a person
    expect(chat.locator(".msg.bot").last).to_be_visible(timeout=SLOW)
    ask_for_a_person(chat)
    claim(agent, customer)
    transcript = agent.locator("#transcript")
    events = transcript.locator(".line.event")
    expect(events.filter(has_text="Form started: card_form")).to_have_count(1)
    expect(events.filter(has_text="Form asks for: card_")).not_to_have_count(0)
    # The history so far, with the channel and what the assistant understood.
    asked = transcript.locator(".line.customer").filter(has_text="I want to talk to a human")
    expect(asked.locator(".intent")).to_contain_text("human_handoff")
    expect(asked.locator(".channel")).to_have_text("app")
    expect(transcript.locator(".line.bot").last).to_contain_text(
        response_texts("utter_handoff_created")[0]
    )
    expect(transcript.locator(".line.event").filter(has_text="Bot paused")).to_have_count(1)

    reply = agent.get_by_label("Reply to the customer")
    reply.fill("Hello, this is Alex from the bank.")
    expect(chat.locator(".msg.typing")).to_be_visible(timeout=SLOW)  # the agent is typing
    reply.press("Enter")
    expect(chat.locator(".msg.bot").last).to_have_text("Hello, this is Alex from the bank.")
    expect(chat.locator(".msg.typing")).to_have_count(0)
    expect(transcript.locator(".line.agent").last).to_contain_text("Hello, this is Alex")

    payload = '<img src=x onerror="window.__owned=1"><b>my card</b> is broken'
    say(chat, payload)
    said = transcript.locator(".line.customer .text").last
    expect(said).to_have_text(payload, timeout=SLOW)  # shown as text, live
    assert agent.evaluate("window.__owned") is None
    assert transcript.locator("img, b").count() == 0

    # Suggested replies to a card question: the customer's own cards, in the bot's words.
    say(chat, "my card is not working")
    cards = crm(product, f"customers/{customer}/cards").json()
    suggestion = agent.locator("#suggestions .suggestion").filter(
        has_text=f"ending {cards[0]['last4']}"
    )
    expect(suggestion).to_have_count(1, timeout=SLOW)
    suggested = suggestion.text_content()
    suggestion.click()
    expect(reply).to_have_value(suggested)  # in the reply box, for the agent to edit
    reply.press("End")
    reply.type(" Let me check why.")
    reply.press("Enter")
    edited = f"{suggested} Let me check why."
    expect(chat.locator(".msg.bot").last).to_have_text(edited, timeout=SLOW)

    agent.get_by_label("Notes").fill("Card question answered.")
    agent.get_by_role("button", name="Close conversation").click()
    expect(transcript.locator(".line.event").last).to_contain_text(
        "Closed by Alex Agent (resolved)", timeout=SLOW
    )
    assert stored(
        product,
        "SELECT disposition, notes FROM handoffs WHERE conversation_id = ?",
        f"customer-{customer}",
    ) == [("resolved", "Card question answered.")]


def test_presenting_an_offer_and_recording_the_outcome(product, pages, new_customer) -> None:
    customer = fresh_customer_with(
        product, new_customer, "customers/{customer}/offers?context=agent",
        lambda body: body["offers"],  # an offer the agent may present
    )  # fmt: skip
    agent = pages.agent()
    chat = pages.customer(customer)
    ask_for_a_person(chat)
    claim(agent, customer)
    offer = agent.locator("#copilot .offer").first
    expect(offer).to_be_visible(timeout=SLOW)
    expect(offer.locator(".reasons li").first).to_be_visible()
    expect(offer).to_contain_text("Expected value")
    name = offer.locator("strong").first.text_content()
    offer.get_by_role("button", name="Present to customer").click()

    intro = response_texts("utter_offer_intro")[0].replace("{offer_name}", name)
    expect(chat.locator(".msg.bot").filter(has_text=intro)).to_have_count(1, timeout=SLOW)
    chat.get_by_role("button", name="Yes, I'm interested").click()
    expect(agent.locator("#transcript .line.customer .intent").last).to_contain_text("affirm")
    agent.locator("#copilot .awaiting .outcome.accepted").click()
    expect(agent.locator("#notice")).to_have_text("Outcome recorded: accepted.")
    rows = stored(
        product,
        "SELECT presented_by, context, channel, outcome FROM offer_presentations "
        "WHERE conversation_id = ?",
        f"customer-{customer}",
    )
    assert len(rows) == 1
    presented_by, context, channel, outcome = rows[0]
    assert (presented_by, channel, outcome) == ("agent", "app", "accepted")
    assert context in ("agent", "retention")  # next-best or retention offer
    agent.get_by_role("button", name="Hand back to bot").click()
    expect(agent.locator("#notice")).to_contain_text("Handed back", timeout=SLOW)


def test_handing_back_to_the_bot(product, pages, customer) -> None:
    agent = pages.agent()
    chat = pages.customer(customer)
    ask_for_a_person(chat)
    claim(agent, customer)
    agent.get_by_role("button", name="Hand back to bot").click()
    expect(agent.locator("#notice")).to_have_text("Handed back to the bot.", timeout=SLOW)
    handed_back = response_texts("utter_agent_handed_back")[0]
    expect(chat.locator(".msg.bot").filter(has_text=handed_back)).to_have_count(1, timeout=SLOW)
    # then the customer is asked to rate the colleague's help (tests/system/test_csat_browser.py)
    expect(chat.locator(".msg.bot").last).to_have_text(
        response_texts("utter_ask_csat")[0], timeout=SLOW
    )
    expect(agent.locator("#conversation")).to_have_attribute("data-mine", "no")
    expect(agent.locator("#conversation-status")).to_have_text("resolved")
    say(chat, "hello")  # the bot answers again
    expect(chat.locator(".msg.bot").last).to_have_text(
        response_texts("utter_greet")[0], timeout=SLOW
    )


def test_supervisor_dashboard_shows_figures_and_charts(product, pages, new_customer) -> None:
    # An offer shown in this period (the pinned bank's own offers are older than a week), so
    # the offers chart has a bar whatever ran before.
    customer = fresh_customer_with(
        product, new_customer, "customers/{customer}/offers?context=chat&limit=1",
        lambda body: bool(body["offers"]),
    )  # fmt: skip
    (offer,) = crm(product, f"customers/{customer}/offers?context=chat&limit=1").json()["offers"]
    show_offer_in_app(product, customer, offer["code"])
    # ...and a conversation in this period, so the containment rate has something to count.
    said = send(product, app_token(product, customer), {"message": "what's my balance?"})
    assert said.status_code == 200, said.text
    page: Page = pages.agent("supervisor")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("body[data-loaded=yes]")).to_be_attached(timeout=SLOW)
    expect(page.locator("#m-containment")).to_have_text(re.compile(r"%$"))
    expect(page.locator("#chart-queue svg rect")).to_have_count(3)
    expect(page.locator("#chart-offers svg rect").first).to_be_attached()
    agent = pages.agent("agent")
    agent.goto(f"{product['PUBLIC_URL']}/console/dashboard")
    expect(agent.get_by_role("heading", name="Not available for your role")).to_be_visible()
