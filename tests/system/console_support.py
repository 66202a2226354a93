"""Helpers for the agent console's browser tests: Chromium, signed-in agents, customers on
the chat page, and reading what the product stored."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from core import app_token

SLOW = 30_000  # ms; the first message of a conversation may wait for the model to warm up
# Every browser here runs on the clock of the bank's call centre and customers (the product's
# times are UTC; the console shows and takes them on the agent's clock).
BROWSER_ZONE = "Asia/Shanghai"


def chat_url(product: dict[str, str], customer_id: int) -> str:
    """The chat page signed in as the customer: through the demo's picker when the product
    runs in DEMO_MODE, else with the app's token in the fragment, as the bank's app opens it."""
    if product.get("DEMO_MODE") == "true":
        return f"{product['PUBLIC_URL']}/chat?customer={customer_id}"
    token = app_token.issue(customer_id, product["APP_JWT_SECRET"], 3600)
    return f"{product['PUBLIC_URL']}/chat#token={token}"


class Pages:
    """Browser contexts opened by a test (one per person), closed after it."""

    def __init__(self, browser: Browser, product: dict[str, str]) -> None:
        self.browser, self.product, self._contexts = browser, product, []

    def new(self) -> Page:
        context = self.browser.new_context(
            viewport={"width": 1400, "height": 900}, timezone_id=BROWSER_ZONE
        )
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
        """The customer's chat page, signed in and live."""
        page = self.new()
        page.goto(chat_url(self.product, customer_id))
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
    """Read the product's database (SQLite in its data directory, or its PostgreSQL);
    `?` marks the parameters."""
    import sqlalchemy as sa

    url = product.get("DATABASE_URL") or f"sqlite:///{Path(product['DATA_DIR']) / 'bank.db'}"
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    names = iter(range(len(params)))
    query = re.sub(r"\?", lambda _: f":p{next(names)}", sql)
    with sa.create_engine(url).connect() as conn:
        rows = conn.execute(sa.text(query), {f"p{i}": v for i, v in enumerate(params)})
        return [tuple(row) for row in rows]
