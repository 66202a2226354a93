"""Proactive messages: the sender sends a due app/Telegram item through the assistant once,
only when the contact policy allows it at send time (consent, quiet hours on a pinned
clock, the weekly limit), records it in the closed loop, and an opted-out customer never
hears from the bank. Rasa is a stand-in here (no Rasa beside the platform tests; the
end-to-end conversation in tests/e2e/proactive.yml talks to the real one)."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from typing import Any

import pytest
from sqlalchemy import select

from tests.platform.conftest import SERVICE_AUTH, CrmWorld
from tests.platform.rasa_stand_in import RasaStandIn
from tests.support.pinned import local_instant


def said(conversation: str) -> dict[str, Any]:
    """The tracker after `execute`, as the real assistant leaves it once it has said the
    message: it holds the presentation the platform recorded (read from the database, as
    action_proactive_offer reads it through the customer API)."""
    from crm.db import session_scope
    from crm.marketing.proactive import message_for

    with session_scope() as session:
        message = message_for(session, int(conversation.removeprefix("customer-")))
    return {"offer_presentation_id": message and message["presentation_id"]}


@pytest.fixture
def rasa():
    stand_in = RasaStandIn(slots=said)
    yield stand_in
    stand_in.close()


def at(hour: int, minute: int = 0) -> dt.datetime:
    """hour:minute of the customers' local time on the pinned day, as the UTC instant."""
    from crm.clock import business_today

    return local_instant(business_today(), hour, minute)


@pytest.fixture
def clock(monkeypatch):
    """The business clock, pinned; moved by the test (quiet hours depend on the time of day)."""
    now = {"value": at(10)}

    def business_now() -> dt.datetime:
        return now["value"]

    for module in ("conversations.proactive", "crm.closed_loop", "crm.marketing.proactive"):
        monkeypatch.setattr(f"{module}.business_now", business_now)
    return now


def send(rasa: RasaStandIn) -> int:
    from conversations.proactive import send_once
    from conversations.rasa_client import RasaClient

    async def once() -> int:
        client = RasaClient(rasa.url, "test-rasa-token-0123456789")
        try:
            return await send_once(client)
        finally:
            await client.close()

    return asyncio.run(once())


class Bank:
    """A consenting customer with a verified app identity, and message items for them."""

    def __init__(self, db) -> None:
        from crm.models import Offer

        self.db = db
        self.world = CrmWorld(db)
        self.offers = list(db.scalars(select(Offer.code).where(Offer.active).order_by(Offer.code)))

    def customer(self, consent: bool = True, language: str = "en") -> int:
        from crm.marketing import consent as consents
        from crm.models import ChannelIdentity

        customer = self.world.customer(language=language)
        for channel in ("app", "telegram"):
            self.db.add(
                ChannelIdentity(
                    customer_id=customer.id, channel=channel,
                    external_id=f"{channel}-{customer.id}", verified=True,
                )
            )  # fmt: skip
        consents.record(self.db, customer.id, "all", consent, "onboarding")
        self.db.commit()
        return customer.id

    def item(self, customer: int, channel: str = "app", key: str = "", **extra) -> int:
        from crm.marketing.outreach import enqueue
        from crm.marketing.outreach_models import OutreachItem

        row = {
            "customer_id": customer,
            "channel": channel,
            "source": "campaign",
            "offer_code": self.offers[0],
            "reason": {"code": "segment", "text": "Fits the segment.", "figures": {}},
            "expires_at": at(10) + dt.timedelta(days=7),
            "dedupe_key": key or f"test:{customer}:{channel}:{len(self.offers)}",
        } | extra
        enqueue(self.db, [row])
        self.db.commit()
        return self.db.scalar(
            select(OutreachItem.id).where(OutreachItem.dedupe_key == row["dedupe_key"])
        )

    def state(self, item_id: int):
        from crm.marketing.outreach_models import OutreachItem

        self.db.expire_all()
        return self.db.get(OutreachItem, item_id)

    def presentations(self, customer: int) -> list:
        from crm.models import OfferPresentation

        self.db.expire_all()
        return list(
            self.db.scalars(
                select(OfferPresentation).where(OfferPresentation.customer_id == customer)
            )
        )


@pytest.fixture
def bank(db) -> Bank:
    return Bank(db)


def test_a_due_message_is_said_by_the_assistant_once_and_recorded(bank, rasa, clock) -> None:
    customer = bank.customer(language="zh")
    item = bank.item(customer, channel="telegram")

    assert send(rasa) == 1
    assert rasa.executed() == [(f"customer-{customer}", "action_proactive_offer", "telegram")]
    # the conversation speaks the customer's language before the assistant says anything
    slot = [b for c, w, _, b in rasa.calls if w == "events"]
    assert slot == [[{"event": "slot", "name": "language", "value": "zh"}]]
    state = bank.state(item)
    assert (state.status, state.attempts) == ("sent", 1)
    [shown] = bank.presentations(customer)
    assert (shown.id, shown.context, shown.channel, shown.presented_by) == (
        state.presentation_id, "proactive", "telegram", "assistant",
    )  # fmt: skip
    assert shown.conversation_id == f"customer-{customer}"

    assert send(rasa) == 0  # sent is sent: the next round finds nothing
    assert len(rasa.executed()) == 1


def test_quiet_hours_hold_a_message_until_they_end(bank, rasa, clock) -> None:
    customer = bank.customer()
    item = bank.item(customer)
    clock["value"] = at(22, 30)  # inside 21:00-09:00 on the customer's clock

    assert send(rasa) == 0
    assert rasa.executed() == []
    assert bank.state(item).status == "pending"  # waits, not dropped
    assert bank.presentations(customer) == []

    clock["value"] = at(9, 5)
    assert send(rasa) == 1
    assert bank.state(item).status == "sent"


def test_the_weekly_limit_counts_every_offer_the_customer_was_shown(bank, rasa, clock) -> None:
    from crm.closed_loop import record_presentation
    from crm.settings import get_database_settings

    customer = bank.customer()
    for n in range(get_database_settings().crm_offers_per_week):
        record_presentation(
            bank.db,
            customer,
            bank.offers[1 + n],
            "chat",
            "app",
            "assistant",
            f"customer-{customer}",
        )
    bank.db.commit()
    item = bank.item(customer)

    assert send(rasa) == 0
    assert rasa.executed() == []
    assert bank.state(item).status == "pending"
    assert len(bank.presentations(customer)) == get_database_settings().crm_offers_per_week


def test_an_opted_out_customer_is_never_sent_a_message(bank, rasa, clock, client) -> None:
    customer = bank.customer()
    planned = bank.item(customer, key="before")
    answer = client.post(
        f"/api/v1/customers/{customer}/marketing-opt-out", json={"source": "chat"},
        headers=SERVICE_AUTH,
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert answer.json()["suppressed"] == 1
    late = bank.item(customer, key="after")  # planned after the "stop" (e.g. an old rule)
    never_asked = bank.item(bank.customer(consent=False), key="never")

    assert send(rasa) == 0
    assert rasa.executed() == []
    assert bank.state(planned).status == "suppressed"
    assert (bank.state(late).status, bank.state(late).outcome) == ("suppressed", "no_consent")
    assert (bank.state(never_asked).status, bank.state(never_asked).outcome) == (
        "suppressed", "no_consent",
    )  # fmt: skip
    from crm.marketing.consent import current

    bank.db.expire_all()
    assert current(bank.db, customer) == {"app": False, "telegram": False, "call": False}


def test_two_senders_at_once_send_a_message_once(bank, rasa, clock) -> None:
    from conversations.proactive import send_once
    from conversations.rasa_client import RasaClient
    from crm.db import session_scope
    from crm.marketing.proactive import claim

    customers = [bank.customer() for _ in range(3)]
    items = [bank.item(c) for c in customers]

    async def two_replicas() -> list[int]:
        clients = [RasaClient(rasa.url, "test-rasa-token-0123456789") for _ in range(2)]
        try:
            return await asyncio.gather(*(send_once(c) for c in clients))
        finally:
            for c in clients:
                await c.close()

    assert sum(asyncio.run(two_replicas())) == 3
    assert sorted(c for c, _, _ in rasa.executed()) == sorted(f"customer-{c}" for c in customers)
    assert [bank.state(i).status for i in items] == ["sent"] * 3
    with session_scope() as session:  # a late claim of a sent item takes nothing
        assert not claim(session, items[0], at(10))


def test_the_customers_answer_closes_the_item(bank, rasa, clock, client) -> None:
    customer = bank.customer()
    item = bank.item(customer)
    assert send(rasa) == 1
    presentation = bank.state(item).presentation_id

    answer = client.post(
        f"/api/v1/offer-presentations/{presentation}/outcome", json={"outcome": "accepted"},
        headers=SERVICE_AUTH,
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    state = bank.state(item)
    assert (state.status, state.outcome) == ("done", "accepted")


def test_the_assistant_reads_the_message_under_way(bank, rasa, clock, client) -> None:
    customer = bank.customer()
    path = f"/api/v1/customers/{customer}/proactive-message"
    assert client.get(path, headers=SERVICE_AUTH).status_code == 404  # nothing under way
    bank.item(customer)
    from crm.db import session_scope
    from crm.marketing.proactive import due, take

    with session_scope() as session:
        [(item_id, _)] = due(session, at(10))
        taken = take(session, item_id, at(10))
    message = client.get(path, headers=SERVICE_AUTH).json()
    assert message["presentation_id"] == taken.presentation_id
    assert message["offer"]["code"] == bank.offers[0]
    assert message["offer"]["reasons"] == [
        {"code": "segment", "text": "Fits the segment.", "figures": {}}
    ]


def test_an_unreachable_assistant_leaves_no_presentation_behind(bank, clock) -> None:
    down = RasaStandIn(fail=True)
    try:
        customer = bank.customer()
        item = bank.item(customer)
        assert send(down) == 0
        state = bank.state(item)
        assert (state.status, state.presentation_id, state.attempts) == ("pending", None, 1)
        assert bank.presentations(customer) == []  # no contact counted that never happened
    finally:
        down.close()


def test_two_replicas_claiming_one_item_at_the_same_moment_one_wins(bank) -> None:
    from crm.db import session_scope
    from crm.marketing.proactive import claim

    item = bank.item(bank.customer())
    start = threading.Barrier(2)
    wins: list[bool] = []

    def replica() -> None:
        with session_scope() as session:
            start.wait()
            wins.append(claim(session, item, at(10)))

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(wins) == [False, True]
    assert (bank.state(item).status, bank.state(item).attempts) == ("claimed", 1)
