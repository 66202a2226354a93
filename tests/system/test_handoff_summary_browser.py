"""The handoff summary in headless Chromium against the running product: a customer reports a
lost card in the chat page, is worried and asks for a person; the agent reads why they came,
what the assistant did about the card, their mood and their question, in the queue preview
and at the top of the conversation, before reading a line of the transcript."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.system.console_support import SLOW, claim, queue_item, say

WORRIED = "I'm really worried and this is terrible, I want to talk to a human now"


def test_the_agent_sees_why_the_customer_came_what_was_done_and_the_mood(
    product, pages, customer
) -> None:
    agent = pages.agent()
    chat = pages.customer(customer)
    say(chat, "I lost my card")
    expect(chat.locator(".msg.bot")).not_to_have_count(0, timeout=SLOW)
    say(chat, WORRIED)

    item = queue_item(agent, customer)
    expect(item).to_be_visible(timeout=SLOW)
    preview = item.locator(".summary")
    expect(preview).to_contain_text("Came for: “I lost my card”", timeout=SLOW)
    expect(preview).to_contain_text(re.compile(r"Did: (Started to block a card|Blocked the card)"))
    expect(preview).to_contain_text("Mood: negative")

    claim(agent, customer)
    summary = agent.locator("#handoff-summary")
    expect(summary).to_be_visible(timeout=SLOW)
    # At the top of the conversation: before the transcript's first line.
    assert (
        agent.evaluate("document.querySelector('#handoff-summary').nextElementSibling.id")
        == "transcript"
    )
    expect(summary.locator(".summary-why")).to_contain_text("Asked for a person")
    expect(summary.locator(".came-for")).to_contain_text("I lost my card")
    expect(summary.locator(".summary-done")).to_contain_text(
        re.compile(r"(Started to block a card|Blocked the card)")
    )
    expect(summary.locator(".summary-understood")).to_contain_text("lost_or_stolen_card")
    expect(summary.locator(".summary-mood .badge")).to_have_text("negative")
    # The open question is the lost card, not the bare request for a person that followed it.
    expect(summary.locator(".summary-open")).to_have_text("“I lost my card”")

    # The agent answers: the question is no longer open.
    agent.get_by_label("Reply to the customer").fill("I can block it for you right away.")
    agent.get_by_role("button", name="Send").click()
    expect(summary.locator(".summary-open")).to_contain_text("a person has answered", timeout=SLOW)
    agent.get_by_role("button", name="Hand back to bot").click()
    expect(agent.locator("#notice")).to_contain_text("Handed back", timeout=SLOW)
