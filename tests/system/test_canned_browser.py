"""Canned responses in headless Chromium against the running product: an agent types a
shortcut in the reply box, picks the reply, sees it filled with the customer's first name
in the conversation's language, edits and sends it, and the customer's chat shows it; a
supervisor adds a reply in the library, and one naming an unknown variable is refused."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.system.conftest import crm
from tests.system.console_support import SLOW, ask_for_a_person, claim


def test_an_agent_inserts_a_canned_reply_by_shortcut_and_the_customer_receives_it(
    product, pages, customer
) -> None:
    agent = pages.agent()
    chat = pages.customer(customer)
    ask_for_a_person(chat)  # in English: the conversation's language, whatever the record says
    claim(agent, customer)
    first_name = crm(product, f"customers/{customer}").json()["full_name"].split()[0]

    reply = agent.get_by_label("Reply to the customer")
    reply.press_sequentially("/fe")
    menu = agent.get_by_role("listbox", name="Canned responses")
    option = menu.get_by_role("option").filter(has_text="/fees")
    expect(option).to_have_count(1, timeout=SLOW)
    expect(menu.get_by_role("option")).to_have_count(1)  # only the shortcuts starting /fe
    expect(option).to_contain_text("Fees explained")
    reply.press("Enter")  # picks the highlighted reply; it does not send "/fe"
    expect(reply).to_have_value(re.compile(rf"^Hello {first_name}, the fees on your account"))
    expect(menu).to_be_hidden()
    filled = reply.input_value()
    assert "{" not in filled

    reply.press("End")
    reply.type(" Shall I check the last one?")  # the agent edits before sending
    reply.press("Enter")
    sent = f"{filled} Shall I check the last one?"
    expect(chat.locator(".msg.bot").last).to_have_text(sent, timeout=SLOW)
    expect(agent.locator("#transcript .line.agent").last).to_contain_text(f"Hello {first_name}")

    agent.get_by_role("button", name="Hand back to bot").click()
    expect(agent.locator("#notice")).to_contain_text("Handed back", timeout=SLOW)


def test_a_supervisor_adds_a_reply_and_an_unknown_variable_is_refused(product, pages) -> None:
    boss = pages.agent("supervisor")
    boss.get_by_text("Canned responses", exact=True).click()
    library = boss.locator("#canned-library")
    expect(library.locator(".canned-list li[data-shortcut='/fees']")).to_be_visible(timeout=SLOW)
    library.get_by_role("button", name="New canned response").click()
    form = library.get_by_role("form", name="New canned response")
    form.get_by_label("Shortcut").fill("/lost-card")
    form.get_by_label("Title").fill("Lost card")
    form.get_by_label("English text").fill(
        "{first_name}, your card is blocked until {unblock_day}."
    )
    form.get_by_label("Chinese text").fill("{first_name}，您的卡已冻结。")
    form.get_by_label("Intents").fill("lost_or_stolen_card")
    form.get_by_role("button", name="Add response").click()
    expect(form.get_by_role("alert")).to_contain_text(
        "Unknown variable(s) in the English text: {unblock_day}"
    )
    form.get_by_label("English text").fill(
        "{first_name}, your card ending {card_last4} is blocked."
    )
    form.get_by_role("button", name="Add response").click()
    expect(library.locator(".canned-list li[data-shortcut='/lost-card']")).to_be_visible()
    expect(boss.locator("#notice")).to_contain_text("Canned response /lost-card saved.")
