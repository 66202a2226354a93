"""The customer chat page and the agent console in real headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.system.conftest import app_token, crm, rasa_headers, response_texts, send
from tests.system.console_support import SLOW, chat_url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_customer_types_in_the_chat_page_and_sees_the_answer(product, page: Page, customer) -> None:
    page.goto(chat_url(product, customer))
    message = page.get_by_label("Message")
    expect(message).to_be_enabled(timeout=15_000)
    message.fill("hello")
    message.press("Enter")
    expect(page.locator(".msg.user")).to_have_text(["hello"])
    expect(page.locator(".msg.bot").first).to_have_text(
        response_texts("utter_greet")[0], timeout=SLOW
    )


def test_agent_logs_in_to_the_console(product, page: Page) -> None:
    page.goto(f"{product['PUBLIC_URL']}/console")
    page.get_by_label("Username").fill("agent")
    page.get_by_label("Password").fill(product["DEMO_AGENT_PASSWORD"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Alex Agent")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Agent sign-in")).to_be_visible()


def test_chat_page_shows_the_conversation_so_far(product, page: Page, customer) -> None:
    send(product, app_token(product, customer), {"message": "hello", "message_id": "history-1"})
    page.goto(chat_url(product, customer))
    expect(page.locator(".msg.user").first).to_have_text("hello")
    expect(page.locator(".msg.bot").first).to_have_text(response_texts("utter_greet")[0])


def test_message_sent_later_arrives_live_in_the_chat_page(product, page: Page, customer) -> None:
    page.goto(chat_url(product, customer))
    expect(page.locator("body[data-live=on]")).to_be_attached(timeout=15_000)
    delivered = crm(
        product,
        "deliveries",
        {"conversation_id": f"customer-{customer}", "message": {"text": "<b>Alex</b> here"}},
    )
    assert delivered.status_code == 202
    expect(page.locator(".msg.bot").last).to_have_text("<b>Alex</b> here")  # shown, not parsed


def test_agent_message_reaches_a_customer_who_last_wrote_in_the_app(
    product, page: Page, customer
) -> None:
    page.goto(chat_url(product, customer))
    message = page.get_by_label("Message")
    expect(message).to_be_enabled(timeout=15_000)
    expect(page.locator("body[data-live=on]")).to_be_attached(timeout=15_000)
    message.fill("hello")
    message.press("Enter")
    expect(page.locator(".msg.bot")).to_have_count(1, timeout=SLOW)
    appended = httpx.post(
        f"{product['RASA_URL']}/conversations/customer-{customer}/tracker/events",
        params={"execute_side_effects": "true", "output_channel": "latest"},
        headers=rasa_headers(product),
        json=[{"event": "bot", "text": "Alex here, how can I help?"}],
        timeout=30,
    )
    assert appended.status_code == 200
    expect(page.locator(".msg.bot").last).to_have_text("Alex here, how can I help?")
