"""A retried message id is answered from the stored reply, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import time
import uuid

import pytest

from connectors.replay_guard import TTL_SECONDS, Claim, ReplayGuard


@pytest.fixture(params=["sqlite", "postgresql"])
def guard(request, tmp_path) -> ReplayGuard:
    if request.param == "sqlite":
        return ReplayGuard(f"sqlite:///{tmp_path / 'tracker.db'}")
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        pytest.skip("TEST_POSTGRES_URL not set (make test starts PostgreSQL)")
    return ReplayGuard(url)  # shared by every replica, as deployed


def test_second_claim_waits_for_and_gets_the_first_reply(guard: ReplayGuard) -> None:
    key = f"app:1:{uuid.uuid4().hex}"

    async def scenario():
        assert await guard.claim(key) is Claim.NEW
        assert await guard.claim(key) is Claim.HELD
        waiting = asyncio.create_task(guard.wait_reply(key, timeout=5))
        await asyncio.sleep(0.2)
        await guard.finish(key, {"messages": [{"text": "Hello!"}]})
        return await waiting

    assert asyncio.run(scenario()) == {"messages": [{"text": "Hello!"}]}


def test_released_key_can_be_processed_again(guard: ReplayGuard) -> None:
    key = f"telegram:1:{uuid.uuid4().hex}"

    async def scenario():
        assert await guard.claim(key)
        await guard.release(key)
        return await guard.claim(key)

    assert asyncio.run(scenario()) is Claim.NEW


def test_sql_guard_survives_a_restart(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    key = "app:2:m-1"
    asyncio.run(ReplayGuard(url).claim(key))
    asyncio.run(ReplayGuard(url).finish(key, {"messages": []}))
    restarted = ReplayGuard(url)
    assert asyncio.run(restarted.claim(key)) is Claim.HELD
    assert asyncio.run(restarted.wait_reply(key, timeout=1)) == {"messages": []}


def test_sql_guard_forgets_keys_after_a_day(tmp_path) -> None:
    """Kept 24 hours (a retry comes within seconds); older keys are swept out now and then."""
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    first = ReplayGuard(url)
    with first._engine.begin() as conn:  # a message answered two days ago
        conn.execute(
            first._table.insert().values(
                key="app:3:old", reply="{}", created_at=time.time() - 2 * TTL_SECONDS
            )
        )
    assert asyncio.run(ReplayGuard(url).claim("app:3:new")) is Claim.NEW  # a fresh process sweeps
    assert asyncio.run(first.claim("app:3:old")) is Claim.NEW


def test_a_claim_left_by_a_killed_replica_lapses_but_a_reply_does_not(
    guard: ReplayGuard, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connectors import replay_guard

    monkeypatch.setattr(replay_guard, "LEASE_SECONDS", 1)
    crashed, answered = f"app:3:{uuid.uuid4().hex}", f"app:3:{uuid.uuid4().hex}"

    async def scenario() -> tuple[Claim, Claim, Claim, object, Claim]:
        assert await guard.claim(crashed)  # the replica dies before finishing
        assert await guard.claim(answered)
        await guard.finish(answered, {"messages": [{"text": "Done."}]})
        still_in_progress = await guard.claim(crashed)
        await asyncio.sleep(1.3)
        retried, again = await guard.claim(crashed), await guard.claim(crashed)
        reply = await guard.wait_reply(answered, timeout=1)
        return still_in_progress, retried, again, reply, await guard.claim(answered)

    still_in_progress, retried, again, reply, answered_again = asyncio.run(scenario())
    assert still_in_progress is Claim.HELD, "a live turn is not processed twice"
    assert retried is Claim.TAKEN_OVER, "the app's retry is processed once the lease lapsed"
    assert again is Claim.HELD, "by one retry only"
    assert reply == {"messages": [{"text": "Done."}]}
    assert answered_again is Claim.HELD, "an answered message keeps its reply past the lease"


def test_a_resend_waiting_on_a_dead_replica_takes_the_message_on_when_the_lease_lapses(
    guard: ReplayGuard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not 15 s of waiting and a 409 followed by yet another resend: the wait ends when the
    lease lapses, and the waiting resend's claim takes the message over."""
    from connectors import replay_guard

    monkeypatch.setattr(replay_guard, "LEASE_SECONDS", 1)
    key = f"app:5:{uuid.uuid4().hex}"

    async def scenario() -> tuple[Claim, object, float, Claim]:
        assert await guard.claim(key)  # the replica processing it dies; nothing renews it
        first = await guard.claim(key)
        started = time.monotonic()
        reply = await guard.wait_reply(key, timeout=10)
        return first, reply, time.monotonic() - started, await guard.claim(key)

    first, reply, waited, then = asyncio.run(scenario())
    assert first is Claim.HELD
    assert reply is None
    assert waited < 3, f"waited {waited:.1f} s for a replica that died"
    assert then is Claim.TAKEN_OVER


def test_a_slow_turn_keeps_its_claim_while_it_is_processed(
    guard: ReplayGuard, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connectors import replay_guard

    monkeypatch.setattr(replay_guard, "LEASE_SECONDS", 1)
    monkeypatch.setattr(replay_guard, "RENEW_SECONDS", 0.3)
    key = f"app:4:{uuid.uuid4().hex}"

    async def scenario() -> tuple[Claim, object]:
        assert await guard.claim(key)
        async with guard.held(key):
            await asyncio.sleep(2.5)  # a turn far slower than the lease
            retried_meanwhile = await guard.claim(key)
        await guard.finish(key, {"messages": [{"text": "Blocked."}]})
        await asyncio.sleep(1.5)  # past the lease: the reply stays
        return retried_meanwhile, await guard.wait_reply(key, timeout=1)

    retried_meanwhile, reply = asyncio.run(scenario())
    assert retried_meanwhile is Claim.HELD, "a retry during a slow turn is not processed again"
    assert reply == {"messages": [{"text": "Blocked."}]}


def test_a_turn_stored_by_a_replica_that_died_is_answered_from_the_store(tmp_path) -> None:
    """The retry that takes over a lapsed claim finds the turn in the tracker store (by its
    message_id) and gets that answer instead of blocking a second card."""
    from rasa.core.agent import Agent
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    from assistant import runtime_config
    from connectors.stored_turns import stored_turn

    config = EndpointConfig.from_dict(runtime_config.tracker_store("", tmp_path))
    store = TrackerStore.create(config)
    key = "app:9:m-7"
    tracker = DialogueStateTracker.from_events(
        "customer-9",
        [
            UserUttered("hello", message_id="app:9:m-6"),
            BotUttered("Hello!"),
            UserUttered("yes, block it", message_id=key),
            ActionExecuted("action_block_card"),
            BotUttered("Done: the card ending 4821 is blocked.", data={"buttons": []}),
            BotUttered("Anything else?", data={"buttons": [{"title": "No", "payload": "/deny"}]}),
            ActionExecuted("action_listen"),
        ],
    )
    asyncio.run(store.save(tracker))
    agent = Agent(tracker_store=store)

    answer = asyncio.run(stored_turn(agent, "customer-9", key))
    assert answer == {
        "conversation_id": "customer-9",
        "messages": [
            {"text": "Done: the card ending 4821 is blocked."},
            {"text": "Anything else?", "buttons": [{"title": "No", "payload": "/deny"}]},
        ],
        "with_agent": False,
    }
    assert asyncio.run(stored_turn(agent, "customer-9", "app:9:never-sent")) is None
