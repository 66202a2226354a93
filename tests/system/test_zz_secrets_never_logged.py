"""No secret in any log: run every door of the product once more, then read every log line
every process of this test run wrote (the product's, and the extra Rasa and platform
processes other tests started) for each secret's value.

Named to run last, so the logs hold everything the whole system suite did as well.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from core.config import ACTION_TOKEN_HEADER
from tests.support.product import SECRETS
from tests.system.conftest import (
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    app_token,
    crm,
    rasa_headers,
    send,
)
from tests.system.console_support import SLOW, ask_for_a_person, claim
from tests.system.test_telegram import message_update, post_update, wait_sent_to

SECRET_VALUES = {**SECRETS, "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
                 "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET}  # fmt: skip


def every_log(product: dict[str, str], base: Path) -> dict[Path, str]:
    paths = set((Path(product["DATA_DIR"]) / "logs").glob("*.log")) | set(base.rglob("*.log"))
    return {p: p.read_text(errors="replace") for p in sorted(paths)}


def test_the_action_server_refuses_callers_without_its_token(product) -> None:
    url = product["ACTION_SERVER_URL"]
    call = {"next_action": "action_check_balance", "sender_id": "customer-1",
            "tracker": {"sender_id": "customer-1", "latest_message": {
                "metadata": {"customer_id": 1, "verified": True}}}, "domain": {}}  # fmt: skip
    refused = httpx.post(url, json=call, timeout=10)
    assert refused.status_code == 401
    assert "balance" not in refused.text
    wrong = httpx.post(url, json=call, headers={ACTION_TOKEN_HEADER: "guess" * 8}, timeout=10)
    assert wrong.status_code == 401


def test_no_secret_value_is_in_any_log(
    product, pages, bot_api, new_customer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    customer, linked = new_customer(), new_customer()
    # The in-app channel and the chat page's history.
    said = send(product, app_token(product, customer), {"message": "what's my balance?"})
    assert said.status_code == 200
    signed_in = {"Authorization": f"Bearer {app_token(product, customer)}"}
    history = httpx.get(f"{product['PUBLIC_URL']}/chat/history", headers=signed_in)
    assert history.status_code == 200
    # Telegram: an anonymous chat, then one linked to a customer.
    post_update(product, message_update(710900, "hello"))
    wait_sent_to(bot_api, 710900, 1)
    code = crm(product, f"customers/{linked}/link-codes", {"channel": "telegram"}).json()["code"]
    post_update(product, message_update(710901, f"/start {code}"))
    wait_sent_to(bot_api, 710901, 1)
    # Rasa's HTTP API as the platform calls it, and the console: sign in, claim, read, answer.
    tracker = httpx.get(f"{product['RASA_URL']}/conversations/customer-{customer}/tracker",
                        headers=rasa_headers(product), timeout=10)  # fmt: skip
    assert tracker.status_code == 200
    agent, chat = pages.agent(), pages.customer(customer)
    ask_for_a_person(chat)
    claim(agent, customer)
    agent.get_by_label("Reply to the customer").fill("Hello from the console")
    agent.get_by_label("Reply to the customer").press("Enter")
    chat.locator(".msg.bot").filter(has_text="Hello from the console").wait_for(timeout=SLOW)
    agent.get_by_role("button", name="Hand back to bot").click()

    logs = every_log(product, tmp_path_factory.getbasetemp())
    assert sum(len(text) for text in logs.values()) > 10_000, "the processes did log"
    for name, value in SECRET_VALUES.items():
        leaks = [str(path) for path, text in logs.items() if value in text]
        assert leaks == [], f"{name} is written in {leaks}"
