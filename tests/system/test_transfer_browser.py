"""A transfer between teams in Chromium against the running product: the cards agent takes a
card question, finds it is really about leaving the bank and transfers it to retention with
a note; the customer is told in the assistant's words; the retention agent sees it in the
queue with the note, claims it and reads the whole earlier conversation."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.system.conftest import response_texts
from tests.system.console_support import SLOW, ask_for_a_person, claim, queue_item, say, stored

NOTE = "Card works again; now wants to close the account over the fees. Please talk retention."


def test_a_card_agent_transfers_to_retention_and_the_next_agent_picks_it_up(
    product, pages, customer
) -> None:
    alex = pages.agent("agent")  # cards + general
    bea = pages.agent("agent2")  # retention + complaints
    chat = pages.customer(customer)
    say(chat, "my card is not working")
    expect(chat.locator(".msg.bot").last).to_be_visible(timeout=SLOW)
    ask_for_a_person(chat)

    # Routed by the customer's topic: a card question for the cards desk.
    item = queue_item(alex, customer)
    expect(item).to_be_visible(timeout=SLOW)
    expect(item.locator(".badge.team")).to_have_text("Cards")
    expect(item.locator(".badge.team.my-team")).to_have_count(1)  # Alex's own team
    claim(alex, customer)
    reply = alex.get_by_label("Reply to the customer")
    reply.fill("Hello, this is Alex from the cards team.")
    reply.press("Enter")
    expect(chat.locator(".msg.bot").last).to_have_text("Hello, this is Alex from the cards team.")

    alex.get_by_label("Transfer to").select_option(label="Retention")
    alex.get_by_label("Transfer note").fill(NOTE)
    alex.get_by_role("button", name="Transfer", exact=True).click()
    expect(alex.locator("#notice")).to_contain_text("Transferred to Retention", timeout=SLOW)
    expect(alex.locator("#conversation[data-mine=yes]")).to_have_count(0)  # not Alex's now

    # The customer is told, in the assistant's words.
    told = response_texts("utter_agent_transferred")[0]
    expect(chat.locator(".msg.bot").last).to_have_text(told, timeout=SLOW)

    # Bea (retention) sees it first in her queue, with its team and Alex's note.
    waiting = queue_item(bea, customer)
    expect(waiting).to_be_visible(timeout=SLOW)
    expect(waiting.locator(".badge.team")).to_have_text("Retention")
    expect(waiting.locator(".transfer-note")).to_contain_text("Transferred by Alex Agent")
    expect(waiting.locator(".transfer-note")).to_contain_text(NOTE)
    expect(waiting.locator(".badge.team.my-team")).to_have_count(1)  # Bea's own team
    claim(bea, customer)

    # The whole earlier conversation travels with it, and the note in the history.
    transcript = bea.locator("#transcript")
    expect(
        transcript.locator(".line.customer").filter(has_text="my card is not working")
    ).to_have_count(1)
    expect(
        transcript.locator(".line.agent").filter(has_text="Alex from the cards team")
    ).to_have_count(1)
    expect(transcript.locator(".line.event").filter(has_text=NOTE)).to_have_count(1)
    expect(
        transcript.locator(".line.event").filter(has_text="Transferred by Alex Agent to Retention")
    ).to_have_count(1)

    bea.get_by_label("Reply to the customer").fill("Hello, Bea from retention here.")
    bea.get_by_label("Reply to the customer").press("Enter")
    expect(chat.locator(".msg.bot").last).to_have_text(
        "Hello, Bea from retention here.", timeout=SLOW
    )
    assert stored(
        product,
        "SELECT t.to_team, t.note FROM handoff_transfers t JOIN handoffs h ON h.id = t.handoff_id"
        " WHERE h.conversation_id = ?",
        f"customer-{customer}",
    ) == [("retention", NOTE)]
    bea.get_by_role("button", name="Hand back to bot").click()
    expect(bea.locator("#notice")).to_contain_text("Handed back", timeout=SLOW)
