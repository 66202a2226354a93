"""What the per-turn savings of the Rasa server must not change (bench/host_throughput.py
measures the savings): every event of a turn is stored once and shown live once, a failed
write shows nothing, and a malformed action server reply is refused as Rasa refuses it."""

from __future__ import annotations

import asyncio
from typing import Any

import jsonschema
import pytest
import sqlalchemy as sa
from rasa.core.actions.action import RemoteAction
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from assistant import action_result_check, runtime_config


class RecordingBroker(EventBroker):
    """Rasa's broker interface, keeping what it was given (the product's broker forwards it
    to the platform's live view; its own path is tested in the system suite)."""

    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    def publish(self, event: dict[str, Any]) -> None:
        self.published.append(event)


def sqlite_store(tmp_path, broker: EventBroker) -> TrackerStore:
    config = EndpointConfig.from_dict(runtime_config.tracker_store("", tmp_path))
    return TrackerStore.create(config, event_broker=broker)


def texts(events: list[dict[str, Any]]) -> list[str]:
    return [e["text"] for e in events if e["event"] in ("user", "bot")]


def test_each_event_of_a_turn_is_stored_once_and_shown_live_once(tmp_path) -> None:
    broker = RecordingBroker()
    store = sqlite_store(tmp_path, broker)
    tracker = DialogueStateTracker.from_events(
        "customer-5", [ActionExecuted("action_listen"), UserUttered("hello"), BotUttered("Hi!")]
    )

    async def two_turns() -> DialogueStateTracker | None:
        await store.save(tracker)
        tracker.update(UserUttered("what's the balance on my account?"))
        tracker.update(ActionExecuted("action_check_balance"))
        tracker.update(BotUttered("Your current account holds CNY 1,200.00."))
        await store.save(tracker)
        await store.save(tracker)  # saved again with nothing new: nothing is repeated
        return await store.retrieve("customer-5")

    stored = asyncio.run(two_turns())
    shown = texts(broker.published)
    assert shown == [
        "hello",
        "Hi!",
        "what's the balance on my account?",
        "Your current account holds CNY 1,200.00.",
    ]
    assert [e.as_dict()["event"] for e in stored.events] == [e["event"] for e in broker.published]
    assert all(e["sender_id"] == "customer-5" for e in broker.published)


def test_a_turn_whose_write_failed_is_not_shown_live(tmp_path) -> None:
    broker = RecordingBroker()
    store = sqlite_store(tmp_path, broker)
    tracker = DialogueStateTracker.from_events("customer-6", [UserUttered("block my card")])
    asyncio.run(store.save(tracker))
    shown_before = list(broker.published)

    store.sessionmaker = sa.orm.sessionmaker(
        bind=sa.create_engine(f"sqlite:///{tmp_path}/no-such-dir/tracker.db")
    )  # the database stops answering
    tracker.update(UserUttered("the one ending 4821"))
    with pytest.raises(sa.exc.OperationalError):
        asyncio.run(store.save(tracker))
    assert broker.published == shown_before


GOOD_REPLIES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "card_id", "value": 3}], "responses": [{"text": "ok"}]},
    {"events": [SlotSet("language", "zh").as_dict()], "responses": [{"response": "utter_x"}]},
]
BAD_REPLIES = [
    {"events": "not a list", "responses": []},
    {"events": [{"name": "card_id"}], "responses": []},  # an event without its type
    {"events": [{"event": "no_such_event"}], "responses": []},
]


@pytest.mark.parametrize("reply", GOOD_REPLIES + BAD_REPLIES)
def test_an_action_reply_is_accepted_or_refused_as_rasa_decides(reply: dict) -> None:
    def rasa_verdict() -> bool:
        try:
            jsonschema.validate(reply, RemoteAction.action_response_format_spec())
        except jsonschema.ValidationError:
            return False
        return True

    action = RemoteAction("action_check_balance", None)
    if rasa_verdict():
        assert action_result_check.validate_action_result(action, reply) is True
    else:
        with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server"):
            action_result_check.validate_action_result(action, reply)
    assert (reply in GOOD_REPLIES) == rasa_verdict()


def test_the_server_checks_action_replies_with_the_kept_validator(monkeypatch) -> None:
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    action_result_check.install()
    with pytest.raises(jsonschema.ValidationError):
        RemoteAction("action_check_balance", None)._validate_action_result({"events": 1})
