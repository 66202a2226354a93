"""A handoff nobody claims in time: the customer is told on their channel and offered a
callback; their "yes" puts a callback in the agents' queue.

The product under test waits minutes before that (HANDOFF_TIMEOUT_SECONDS' default), so
this module starts a second platform process on the same database with a one-second
timeout, after the handoff already exists: the check works from the database, so it also
covers a platform that was restarted while the customer waited.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from scripts.stack import Stack, free_ports
from tests.system.conftest import response_texts
from tests.system.console_support import (
    SLOW,
    ask_for_a_person,
    queue_item,
    stored,
)


@pytest.fixture
def impatient_platform(product, tmp_path) -> Iterator[None]:
    (port,) = free_ports(1)
    env = product | {
        "PLATFORM_PORT": str(port),
        "HANDOFF_TIMEOUT_SECONDS": "1",
        "HANDOFF_CHECK_SECONDS": "0.5",
    }
    stack = Stack.from_env(env, tmp_path / "logs")
    stack.services = [s for s in stack.services if s.name == "platform"]
    stack.start(timeout=120)
    try:
        yield
    finally:
        stack.stop()


def test_an_unclaimed_customer_is_offered_a_callback_that_an_agent_takes(
    product, pages, request, customer
) -> None:
    agent = pages.agent()
    chat = pages.customer(customer)
    ask_for_a_person(chat)
    expect(queue_item(agent, customer)).to_be_visible(timeout=SLOW)

    request.getfixturevalue("impatient_platform")  # (re)started while the customer waits
    offer = response_texts("utter_handoff_timeout")[0]
    expect(chat.locator(".msg.bot").last).to_have_text(offer, timeout=SLOW)
    chat.get_by_role("button", name="Yes, call me back").click()
    expect(chat.locator(".msg.bot").last).to_have_text(
        response_texts("utter_handoff_callback_booked")[0], timeout=SLOW
    )
    item = queue_item(agent, customer)
    expect(item.locator(".reason")).to_have_text("Callback", timeout=SLOW)
    assert stored(
        product,
        "SELECT reason, status, timeout_notified, callback_offer FROM handoffs "
        "WHERE conversation_id = ?",
        f"customer-{customer}",
    ) == [("callback", "pending", 1, "accepted")]
    expect(chat.locator(".msg.bot").filter(has_text=offer)).to_have_count(1)  # told once

    # The agent who takes the callback sees the number to call (nobody else does).
    item.get_by_role("button", name="Claim").click()
    expect(agent.locator("#conversation[data-mine=yes]")).to_be_attached(timeout=SLOW)
    (phone,) = stored(product, "SELECT phone FROM customers WHERE id = ?", customer)[0]
    expect(agent.locator("#copilot")).to_contain_text(f"phone {phone}", timeout=SLOW)
    agent.get_by_label("Disposition").select_option("callback_requested")
    agent.get_by_role("button", name="Close conversation").click()
    expect(agent.locator("#notice")).to_have_text("Conversation closed.", timeout=SLOW)
