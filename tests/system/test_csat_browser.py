"""Customer satisfaction end to end, in Chromium with the whole product (Rasa too): an agent
closes a conversation, the customer's chat asks for a rating in the assistant's words, the
customer taps 4 and adds a comment, and the supervisor's dashboard shows it for that agent."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.system.conftest import response_texts
from tests.system.console_support import SLOW, ask_for_a_person, claim, say, stored


def test_a_customer_rates_the_agent_who_closed_the_conversation(product, pages, customer) -> None:
    agent = pages.agent()
    chat = pages.customer(customer)
    ask_for_a_person(chat)
    claim(agent, customer)
    agent.get_by_label("Reply to the customer").fill("Your card is unblocked now.")
    agent.get_by_label("Reply to the customer").press("Enter")
    expect(chat.locator(".msg.bot").last).to_have_text("Your card is unblocked now.", timeout=SLOW)

    agent.get_by_role("button", name="Close conversation").click()
    expect(agent.locator("#notice")).to_have_text("Conversation closed.", timeout=SLOW)
    question = chat.locator(".msg.bot").filter(has_text=response_texts("utter_ask_csat")[0])
    expect(question).to_have_count(1, timeout=SLOW)
    chat.locator(".buttons").last.get_by_role("button", name="4", exact=True).click()
    comment_question = response_texts("utter_ask_csat_comment")[0]
    expect(chat.locator(".msg.bot").last).to_have_text(comment_question, timeout=SLOW)
    say(chat, "Quick and friendly, thank you")
    expect(chat.locator(".msg.bot").last).to_have_text(
        response_texts("utter_csat_thanks")[0], timeout=SLOW
    )

    conversation = f"customer-{customer}"
    rows = stored(
        product,
        "SELECT r.rating, r.comment, a.display_name, r.team, r.handoff_id = h.id "
        "FROM satisfaction_ratings r JOIN agents a ON a.id = r.agent_id "
        "JOIN handoffs h ON h.conversation_id = r.conversation_id WHERE r.conversation_id = ?",
        conversation,
    )
    assert len(rows) == 1
    rating, comment, agent_name, team, same_handoff = rows[0]
    assert (rating, comment, agent_name, bool(same_handoff)) == (
        4, "Quick and friendly, thank you", "Alex Agent", True,
    )  # fmt: skip
    assert team  # the team the handoff was routed to

    [(average, count)] = stored(
        product,
        "SELECT AVG(r.rating), COUNT(*) FROM satisfaction_ratings r JOIN agents a "
        "ON a.id = r.agent_id WHERE a.username = 'agent'",
    )
    boss = pages.agent("supervisor")
    boss.get_by_role("link", name="Dashboard").click()
    expect(boss.locator("body[data-loaded=yes]")).to_be_attached(timeout=SLOW)
    alex = boss.locator("#agent-table tr[data-agent='Alex Agent']")
    expect(alex.locator("td").last).to_have_text(f"{float(average):.2f} ({count})")
    expect(boss.locator("#m-csat")).to_have_text(re.compile(r"^[1-5]\.\d\d$"))
    four = boss.locator("#chart-csat rect[data-part='4']")
    expect(four).to_have_count(1)
    assert int(four.get_attribute("data-value")) >= 1
