"""Exactly-once answers for retried messages: a replayed `message_id` gets the stored reply.

Apps retry on flaky networks and Telegram redelivers webhooks it did not see acknowledged;
either must not make the bank act twice (block two cards, file two complaints). Keys live
in Redis when REDIS_URL is set (shared by every Rasa replica), otherwise in a table next to
Rasa's tracker store, so a restart does not forget them.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import sqlalchemy as sa

from assistant.runtime_config import tracker_database_url
from assistant.settings import get_store_settings
from connectors.tracker_store import sqlite_engine

TTL_SECONDS = 24 * 3600
PROCESSING = "__processing__"
# A claim being processed lapses after this long: a replica killed mid-turn must not leave
# the message refused as "in progress" for a day. Far above any turn (actions time out at
# CRM_TIMEOUT_SECONDS each), so a live turn is never processed twice.
LEASE_SECONDS = 60
CLEANUP_EVERY = 1000


class ReplayGuard:
    """`claim` a key before processing; `finish` with the reply; `wait_reply` for replays."""

    async def claim(self, key: str) -> bool:
        raise NotImplementedError

    async def finish(self, key: str, reply: Any) -> None:
        raise NotImplementedError

    async def release(self, key: str) -> None:
        """Processing failed: let a retry try again."""
        raise NotImplementedError

    async def _get(self, key: str) -> str | None:
        raise NotImplementedError

    async def wait_reply(self, key: str, timeout: float = 15) -> Any | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = await self._get(key)
            if value is None:
                return None
            if value != PROCESSING:
                return json.loads(value)
            await asyncio.sleep(0.1)
        return None


class RedisReplayGuard(ReplayGuard):
    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(url)

    async def claim(self, key: str) -> bool:
        # The claim expires with its lease; `finish` keeps the reply for TTL_SECONDS.
        return bool(
            await self._redis.set(f"bank:replay:{key}", PROCESSING, nx=True, ex=LEASE_SECONDS)
        )

    async def finish(self, key: str, reply: Any) -> None:
        await self._redis.set(f"bank:replay:{key}", json.dumps(reply), ex=TTL_SECONDS)

    async def release(self, key: str) -> None:
        await self._redis.delete(f"bank:replay:{key}")

    async def _get(self, key: str) -> str | None:
        value = await self._redis.get(f"bank:replay:{key}")
        return value.decode() if value is not None else None


class SqlReplayGuard(ReplayGuard):
    def __init__(self, url: str) -> None:
        if url.startswith("sqlite"):
            self._engine = sqlite_engine(url)
        else:
            self._engine = sa.create_engine(url, pool_size=8, pool_pre_ping=True)
        self._claims = 0
        self._table = sa.Table(
            "channel_replays",
            sa.MetaData(),
            sa.Column("key", sa.String(160), primary_key=True),
            sa.Column("reply", sa.Text, nullable=False),
            sa.Column("created_at", sa.Float, nullable=False, index=True),
        )
        self._table.metadata.create_all(self._engine)

    def _claim(self, key: str) -> bool:
        self._claims += 1
        if self._claims % CLEANUP_EVERY == 1:  # expired keys go now and then, not per message
            with self._engine.begin() as conn:
                conn.execute(
                    self._table.delete().where(self._table.c.created_at < time.time() - TTL_SECONDS)
                )
        now = time.time()
        try:
            with self._engine.begin() as conn:
                conn.execute(self._table.insert().values(key=key, reply=PROCESSING, created_at=now))
            return True
        except sa.exc.IntegrityError:
            return self._take_over_lapsed(key, now)

    def _take_over_lapsed(self, key: str, now: float) -> bool:
        """A claim whose replica died mid-turn (still processing after its lease) goes to
        this retry. One conditional UPDATE decides, so of several retries arriving together
        on different replicas exactly one takes it over."""
        with self._engine.begin() as conn:
            taken = conn.execute(
                self._table.update()
                .where(
                    self._table.c.key == key,
                    self._table.c.reply == PROCESSING,
                    self._table.c.created_at < now - LEASE_SECONDS,
                )
                .values(created_at=now)
            )
        return taken.rowcount == 1

    async def claim(self, key: str) -> bool:
        return await asyncio.to_thread(self._claim, key)

    def _execute(self, statement: Any) -> None:
        with self._engine.begin() as conn:
            conn.execute(statement)

    def _scalar(self, statement: Any) -> Any:
        with self._engine.begin() as conn:
            return conn.execute(statement).scalar()

    async def finish(self, key: str, reply: Any) -> None:
        statement = (
            self._table.update().where(self._table.c.key == key).values(reply=json.dumps(reply))
        )
        await asyncio.to_thread(self._execute, statement)

    async def release(self, key: str) -> None:
        await asyncio.to_thread(self._execute, self._table.delete().where(self._table.c.key == key))

    async def _get(self, key: str) -> str | None:
        statement = sa.select(self._table.c.reply).where(self._table.c.key == key)
        return await asyncio.to_thread(self._scalar, statement)


def guard_from_environment() -> ReplayGuard:
    redis_url = get_store_settings().redis_url
    if redis_url:
        return RedisReplayGuard(redis_url)
    return SqlReplayGuard(tracker_database_url())
