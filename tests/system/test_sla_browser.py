"""SLA in the browser: a waiting customer's queue item counts down to the first-response
target, the supervisor's console gets a warning and then a breach alert, and the dashboard
counts the breach; the agent's first reply stops the clock.

The bank's targets are minutes; this test sets them to seconds in the product's database
(table sla_targets, as a bank tunes them) while it runs and puts them back afterwards. The
product checks every second (SLA_CHECK_SECONDS, tests.support.product).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.system.console_support import SLOW, ask_for_a_person, claim, queue_item, stored

TARGET_SECONDS = 12  # warning at 80 %: after 9.6 s


def _write(product: dict[str, str], sql: str, **params) -> None:
    url = product.get("DATABASE_URL") or f"sqlite:///{Path(product['DATA_DIR']) / 'bank.db'}"
    with sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1)).begin() as c:
        c.execute(sa.text(sql), params)


@pytest.fixture
def fast_targets(product) -> Iterator[None]:
    saved = stored(product, "SELECT team, priority, first_response_seconds FROM sla_targets")
    _write(product, "UPDATE sla_targets SET first_response_seconds = :s", s=TARGET_SECONDS)
    try:
        yield
    finally:
        for team, priority, seconds in saved:
            _write(
                product,
                "UPDATE sla_targets SET first_response_seconds = :s "
                "WHERE team = :t AND priority = :p",
                s=seconds, t=team, p=priority,
            )  # fmt: skip


def test_a_waiting_customer_breaches_and_the_supervisor_is_alerted(
    product, pages, customer, fast_targets
) -> None:
    conversation = f"customer-{customer}"
    supervisor = pages.agent("supervisor")
    agent = pages.agent()
    chat = pages.customer(customer)
    ask_for_a_person(chat)

    # The queue item counts down to the first-response target, then runs overdue.
    timer = queue_item(agent, customer).locator(".sla-timer")
    expect(timer).to_have_text(re.compile(r"^SLA 0:\d\d left$"), timeout=SLOW)
    expect(timer).to_have_attribute("data-state", "breached", timeout=SLOW)
    expect(timer).to_have_text(re.compile(r"^SLA overdue 0:\d\d$"))

    # The supervisor hears it twice: the warning before, the breach at the due time.
    alerts = supervisor.locator(f"#sla-alerts .sla-alert[data-conversation={conversation}]")
    expect(alerts.filter(has_text="SLA warning")).to_have_count(1, timeout=SLOW)
    expect(alerts.filter(has_text="SLA breached")).to_have_count(1, timeout=SLOW)
    expect(alerts.first).to_have_attribute("data-state", "breached")  # newest on top
    expect(agent.locator(f".sla-alert[data-conversation={conversation}]")).to_have_count(0)
    ((state,),) = stored(
        product, "SELECT sla_state FROM handoffs WHERE conversation_id = ?", conversation
    )
    assert state == "breached"

    # The dashboard counts it with every other breach of the period.
    (breaches,) = stored(product, "SELECT count(*) FROM handoffs WHERE sla_state = 'breached'")[0]
    supervisor.get_by_role("link", name="Dashboard").click()
    expect(supervisor.locator("body[data-loaded=yes]")).to_be_attached(timeout=SLOW)
    expect(supervisor.locator("#m-sla-breaches")).to_have_text(str(breaches))
    assert breaches >= 1

    # The agent takes it late; the first reply stops the clock (and says it was late).
    claim(agent, customer)
    expect(agent.locator("#conversation-sla .sla-timer")).to_have_attribute(
        "data-state", "breached"
    )
    agent.get_by_label("Reply to the customer").fill("Sorry for the wait, I am here now.")
    agent.get_by_role("button", name="Send").click()
    expect(chat.locator(".msg").filter(has_text="Sorry for the wait")).to_be_visible(timeout=SLOW)
    # (recorded once Rasa has taken the reply, which may be a moment after the chat shows it)
    answered = (
        "SELECT count(*) FROM handoffs WHERE conversation_id = ? AND first_response_at IS NOT NULL"
    )
    deadline = time.monotonic() + SLOW / 1000
    while stored(product, answered, conversation) != [(1,)] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert stored(product, answered, conversation) == [(1,)]
    agent.reload()
    expect(agent.locator("body[data-live=on]")).to_be_attached(timeout=SLOW)
    queue_item(agent, customer, "#mine").get_by_role("button", name="Open").click()
    expect(agent.locator("#conversation-sla .sla-timer")).to_have_text("SLA answered late")
