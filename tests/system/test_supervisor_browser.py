"""Supervisor monitoring in headless Chromium against the running product (Rasa too): the
monitor shows the agent's open conversation, the supervisor reads along live and whispers
to the agent, whose console shows it at once, while the customer's chat page and Rasa's
tracker store never get a trace of it; then the supervisor takes the conversation over and
the agent is told. Also: the agent's notes panel and the relationship timeline."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.system.conftest import stored_events_text
from tests.system.console_support import SLOW, ask_for_a_person, claim, say


def test_a_supervisor_whispers_to_the_agent_and_the_customer_never_sees_it(
    product, pages, customer
) -> None:
    supervisor = pages.agent("supervisor")
    supervisor.goto(f"{product['PUBLIC_URL']}/console/monitor")
    expect(supervisor.locator("body[data-live=on]")).to_be_attached(timeout=SLOW)
    alex = pages.agent("agent")
    chat = pages.customer(customer)
    ask_for_a_person(chat)
    conversation = f"customer-{customer}"
    row = supervisor.locator(f"#monitor-rows tr[data-conversation={conversation}]")
    expect(row).to_be_visible(timeout=SLOW)  # live: it appeared while waiting
    claim(alex, customer)
    expect(row.locator(".agent")).to_have_text("Alex Agent", timeout=SLOW)
    alex.get_by_label("Reply to the customer").fill("Hello, this is Alex from the bank.")
    alex.get_by_label("Reply to the customer").press("Enter")
    expect(chat.locator(".msg.bot").last).to_have_text("Hello, this is Alex from the bank.")

    # Reading along: the history so far, then live, read-only.
    row.get_by_role("button", name="Read along").click()
    transcript = supervisor.locator("#monitor-transcript")
    expect(transcript.locator(".line.customer").first).to_contain_text("talk to a human")
    expect(transcript.locator(".line.agent").last).to_contain_text("Hello, this is Alex")
    say(chat, "Can you waive the monthly fee?")
    expect(transcript.locator(".line.customer .text").last).to_have_text(
        "Can you waive the monthly fee?", timeout=SLOW
    )
    assert supervisor.get_by_label("Reply to the customer").count() == 0

    # The whisper: on Alex's console at once, never on the customer's page or in Rasa.
    secret = f"Whisper {customer}: offer the fee waiver, not the upgrade."
    supervisor.get_by_label("Whisper to the agent").fill(secret)
    supervisor.get_by_role("button", name="Whisper", exact=True).click()
    expect(supervisor.locator("#monitor-notes .note.whisper")).to_contain_text(secret)
    expect(alex.locator("#whispers .toast.whisper")).to_contain_text(secret, timeout=SLOW)
    expect(alex.locator("#notes-list .note.whisper")).to_contain_text("Whisper from Sam Supervisor")
    expect(alex.locator("#notes-list .note.whisper .text")).to_have_text(secret)
    alex.get_by_label("Reply to the customer").fill("Good news: I can waive the fee.")
    alex.get_by_label("Reply to the customer").press("Enter")
    expect(chat.locator(".msg.bot").last).to_have_text("Good news: I can waive the fee.")
    chat.reload()  # the history the page loads holds nothing of it either
    expect(chat.locator(".msg.bot").last).to_have_text(
        "Good news: I can waive the fee.", timeout=SLOW
    )
    assert "Whisper" not in chat.locator("body").inner_text()
    assert "fee waiver" not in chat.locator("body").inner_text()
    assert "fee waiver" not in stored_events_text(product, conversation)

    # An internal note for the next agent, and the customer's whole relationship.
    alex.get_by_label("Internal note").fill("Fee waived once; do not repeat this year.")
    alex.get_by_role("button", name="Add note").click()
    expect(alex.locator("#notes-list .note[data-kind=note]")).to_contain_text("Fee waived once")
    expect(supervisor.locator("#monitor-notes .note[data-kind=note]")).to_contain_text(
        "Fee waived once", timeout=SLOW
    )  # live to whoever reads along
    expect(alex.locator("#timeline .timeline-entry").first).to_be_visible(timeout=SLOW)
    assert "Fee waived once" not in stored_events_text(product, conversation)

    # Take over: the supervisor owns it now, and Alex is told in his console.
    supervisor.get_by_role("button", name="Take over").click()
    expect(row.locator(".agent")).to_have_text("Sam Supervisor", timeout=SLOW)
    expect(alex.locator("#whispers .toast.moved")).to_contain_text(
        "Sam Supervisor took over", timeout=SLOW
    )
    expect(alex.locator("#conversation")).to_be_hidden(timeout=SLOW)  # no longer his to read
    assert "Whisper" not in chat.locator("body").inner_text()
