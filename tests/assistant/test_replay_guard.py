"""A retried message id is answered from the stored reply, on SQL and on Redis."""

from __future__ import annotations

import asyncio
import os
import time
import uuid

import pytest

from connectors.replay_guard import TTL_SECONDS, RedisReplayGuard, ReplayGuard, SqlReplayGuard


@pytest.fixture(params=["sqlite", "redis"])
def guard(request, tmp_path) -> ReplayGuard:
    if request.param == "sqlite":
        return SqlReplayGuard(f"sqlite:///{tmp_path / 'tracker.db'}")
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL not set (make test starts redis-server)")
    return RedisReplayGuard(url)


def test_second_claim_waits_for_and_gets_the_first_reply(guard: ReplayGuard) -> None:
    key = f"app:1:{uuid.uuid4().hex}"

    async def scenario():
        assert await guard.claim(key) is True
        assert await guard.claim(key) is False
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

    assert asyncio.run(scenario()) is True


def test_sql_guard_survives_a_restart(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    key = "app:2:m-1"
    asyncio.run(SqlReplayGuard(url).claim(key))
    asyncio.run(SqlReplayGuard(url).finish(key, {"messages": []}))
    restarted = SqlReplayGuard(url)
    assert asyncio.run(restarted.claim(key)) is False
    assert asyncio.run(restarted.wait_reply(key, timeout=1)) == {"messages": []}


def test_sql_guard_forgets_keys_after_a_day(tmp_path) -> None:
    """Kept 24 hours (a retry comes within seconds); older keys are swept out now and then."""
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    first = SqlReplayGuard(url)
    with first._engine.begin() as conn:  # a message answered two days ago
        conn.execute(
            first._table.insert().values(
                key="app:3:old", reply="{}", created_at=time.time() - 2 * TTL_SECONDS
            )
        )
    assert asyncio.run(SqlReplayGuard(url).claim("app:3:new")) is True  # a fresh process sweeps
    assert asyncio.run(first.claim("app:3:old")) is True


def test_a_claim_left_by_a_killed_replica_lapses_but_a_reply_does_not(
    guard: ReplayGuard, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connectors import replay_guard

    monkeypatch.setattr(replay_guard, "LEASE_SECONDS", 1)
    crashed, answered = f"app:3:{uuid.uuid4().hex}", f"app:3:{uuid.uuid4().hex}"

    async def scenario() -> tuple[bool, bool, bool, object, bool]:
        assert await guard.claim(crashed)  # the replica dies before finishing
        assert await guard.claim(answered)
        await guard.finish(answered, {"messages": [{"text": "Done."}]})
        still_in_progress = await guard.claim(crashed)
        await asyncio.sleep(1.3)
        retried, again = await guard.claim(crashed), await guard.claim(crashed)
        reply = await guard.wait_reply(answered, timeout=1)
        return still_in_progress, retried, again, reply, await guard.claim(answered)

    still_in_progress, retried, again, reply, answered_again = asyncio.run(scenario())
    assert still_in_progress is False, "a live turn is not processed twice"
    assert retried is True, "the app's retry is processed once the lease lapsed"
    assert again is False, "by one retry only"
    assert reply == {"messages": [{"text": "Done."}]}
    assert answered_again is False, "an answered message keeps its reply past the lease"
