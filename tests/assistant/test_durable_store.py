"""Conversations are kept in the SQL tracker store or the message fails (assistant.durable_store):
never Rasa's silent in-memory fallback, at start or when the database fails mid-conversation."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from rasa.core.agent import Agent
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from assistant import durable_store, runtime_config
from assistant.durable_store import TrackerStoreUnavailable


@pytest.fixture(autouse=True)
def installed(monkeypatch: pytest.MonkeyPatch) -> None:
    # As `assistant.serve` does; undone after each test so other tests see Rasa as shipped.
    monkeypatch.setattr(Agent, "_create_tracker_store", Agent._create_tracker_store)
    durable_store.install()


def test_a_server_whose_sql_store_failed_to_build_refuses_to_start() -> None:
    # What `rasa run` hands the agent when the store's class failed: nothing, or memory.
    with pytest.raises(TrackerStoreUnavailable, match="refusing to start"):
        Agent(tracker_store=None)
    with pytest.raises(TrackerStoreUnavailable):
        Agent(tracker_store=InMemoryTrackerStore(Domain.empty()))


def test_a_database_failure_fails_the_turn_and_forgets_nothing(tmp_path) -> None:
    config = EndpointConfig.from_dict(runtime_config.tracker_store("", tmp_path))
    agent = Agent(tracker_store=TrackerStore.create(config))
    store = agent.tracker_store
    assert not isinstance(store, FailSafeTrackerStore)
    tracker = DialogueStateTracker.from_events("customer-9", [UserUttered("block my card")])
    asyncio.run(store.save(tracker))

    working = store.sessionmaker
    gone = sa.create_engine(f"sqlite:///{tmp_path}/no-such-dir/tracker.db")
    store.sessionmaker = sa.orm.sessionmaker(bind=gone)  # the database stops answering
    # Rasa's fail-safe store would answer None here: the customer on an empty conversation.
    with pytest.raises(sa.exc.OperationalError):
        asyncio.run(store.retrieve("customer-9"))
    tracker.update(UserUttered("the one ending 4821"))
    with pytest.raises(sa.exc.OperationalError):
        asyncio.run(store.save(tracker))  # not kept in this replica's memory instead

    store.sessionmaker = working  # back: the app resends the turn, nothing was lost
    restored = asyncio.run(store.retrieve("customer-9"))
    assert [e.text for e in restored.events if isinstance(e, UserUttered)] == ["block my card"]
    asyncio.run(store.save(tracker))
    restored = asyncio.run(store.retrieve("customer-9"))
    assert [e.text for e in restored.events if isinstance(e, UserUttered)] == [
        "block my card",
        "the one ending 4821",
    ]
