"""Helpers for the agent console's browser tests: Chromium, signed-in agents, customers on
the chat page, and reading what the product stored."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

SLOW = 30_000  # ms; the first message of a conversation may wait for the model to warm up


class Pages:
    """Browser contexts opened by a test (one per person), closed after it."""

    def __init__(self, browser: Browser, product: dict[str, str]) -> None:
        self.browser, self.product, self._contexts = browser, product, []

    def new(self) -> Page:
        context = self.browser.new_context(viewport={"width": 1400, "height": 900})
        self._contexts.append(context)
        return context.new_page()

    def agent(self, username: str = "agent") -> Page:
        """A signed-in agent on the workspace, with the live socket connected."""
        page = self.new()
        page.goto(f"{self.product['PUBLIC_URL']}/console")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(self.product["DEMO_AGENT_PASSWORD"])
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("body[data-live=on]")).to_be_attached(timeout=SLOW)
        return page

    def customer(self, customer_id: int) -> Page:
        """The customer's chat page, signed in (demo mode) and live."""
        page = self.new()
        page.goto(f"{self.product['PUBLIC_URL']}/chat?customer={customer_id}")
        expect(page.get_by_label("Message")).to_be_enabled(timeout=SLOW)
        expect(page.locator("body[data-live=on]")).to_be_attached(timeout=SLOW)
        return page

    def close(self) -> None:
        for context in self._contexts:
            context.close()


def say(chat: Page, text: str) -> None:
    box = chat.get_by_label("Message")
    expect(box).to_be_enabled(timeout=SLOW)
    box.fill(text)
    box.press("Enter")


def ask_for_a_person(chat: Page) -> None:
    say(chat, "I want to talk to a human")
    expect(chat.locator(".msg.bot").last).to_be_visible(timeout=SLOW)


def queue_item(agent: Page, customer_id: int, where: str = "#queue"):
    return agent.locator(f"{where} .queue-item[data-conversation=customer-{customer_id}]")


def claim(agent: Page, customer_id: int) -> None:
    item = queue_item(agent, customer_id)
    expect(item).to_be_visible(timeout=SLOW)
    item.get_by_role("button", name="Claim").click()
    expect(agent.locator("#conversation[data-mine=yes]")).to_be_attached(timeout=SLOW)
    expect(agent.locator("#conversation")).to_have_attribute(
        "data-conversation", f"customer-{customer_id}"
    )


def stored(product: dict[str, str], sql: str, *params: Any) -> list[tuple]:
    """Read the product's database (SQLite in the test product's data directory)."""
    with sqlite3.connect(Path(product["DATA_DIR"]) / "bank.db") as db:
        return db.execute(sql, params).fetchall()
