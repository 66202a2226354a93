"""Exactly-once answers for retried messages: a replayed `message_id` gets the stored reply.

Apps retry on flaky networks and Telegram redelivers webhooks it did not see acknowledged;
either must not make the bank act twice (block two cards, file two complaints). The keys
live in a table beside Rasa's tracker store (its database: SQLite on one host, PostgreSQL
shared by every replica), so they last exactly as long as the conversations do: a Redis
restart (the soak stops Redis for 10 s; without persistence its keys are gone) must not
let a retried message be processed twice, and neither must a restart of a Rasa replica.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import sqlalchemy as sa

from assistant.runtime_config import tracker_database_url
from connectors.tracker_store import sqlite_engine

TTL_SECONDS = 24 * 3600
PROCESSING = "__processing__"
# A claim being processed lapses after this long unless the replica processing it renews it
# (every RENEW_SECONDS, see `held`): a replica killed mid-turn leaves the message refused as
# "in progress" for at most this long, then the app's retry is processed; a live turn,
# however slow, keeps its claim and is never processed twice.
LEASE_SECONDS = 20
RENEW_SECONDS = 5
CLEANUP_EVERY = 1000


class Claim(enum.Enum):
    """What `claim` got. Falsy when someone else has the message."""

    HELD = "held"  # another replica is processing it, or has answered it
    NEW = "new"
    # Its replica died mid-turn: the turn may be in the tracker store already, so look there
    # before processing it again.
    TAKEN_OVER = "taken_over"

    def __bool__(self) -> bool:
        return self is not Claim.HELD


class ReplayGuard:
    """`claim` a key before processing; `finish` with the reply; `wait_reply` for replays."""

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
        try:
            self._table.metadata.create_all(self._engine)
        except (sa.exc.IntegrityError, sa.exc.ProgrammingError):
            # Replicas starting together race to create it; the loser finds it made.
            self._table.metadata.create_all(self._engine)

    def _claim(self, key: str) -> Claim:
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
            return Claim.NEW
        except sa.exc.IntegrityError:
            return Claim.TAKEN_OVER if self._take_over_lapsed(key, now) else Claim.HELD

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

    async def claim(self, key: str) -> Claim:
        return await asyncio.to_thread(self._claim, key)

    def _execute(self, statement: Any) -> None:
        with self._engine.begin() as conn:
            conn.execute(statement)

    async def finish(self, key: str, reply: Any) -> None:
        statement = (
            self._table.update().where(self._table.c.key == key).values(reply=json.dumps(reply))
        )
        await asyncio.to_thread(self._execute, statement)

    async def release(self, key: str) -> None:
        """Processing failed: let a retry try again."""
        await asyncio.to_thread(self._execute, self._table.delete().where(self._table.c.key == key))

    async def renew(self, key: str) -> None:
        """Still processing: extend the claim's lease."""
        statement = (
            self._table.update()
            .where(self._table.c.key == key, self._table.c.reply == PROCESSING)
            .values(created_at=time.time())
        )
        await asyncio.to_thread(self._execute, statement)

    async def _get(self, key: str) -> tuple[str, float] | None:
        statement = sa.select(self._table.c.reply, self._table.c.created_at).where(
            self._table.c.key == key
        )
        row = await asyncio.to_thread(self._first, statement)
        return (row[0], row[1]) if row is not None else None

    def _first(self, statement: Any) -> Any:
        with self._engine.begin() as conn:
            return conn.execute(statement).first()

    async def wait_reply(self, key: str, timeout: float = 15) -> Any | None:
        """The reply once the replica processing `key` stores it. None when it did not within
        `timeout`, when processing failed (the key was released), or when the claim's lease
        lapsed (its replica died): in the last two cases a `claim` now takes the message on,
        so a resend waits at most for the lease, not for one more resend."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = await self._get(key)
            if row is None:
                return None
            reply, claimed_at = row
            if reply != PROCESSING:
                return json.loads(reply)
            if claimed_at < time.time() - LEASE_SECONDS:
                return None
            await asyncio.sleep(0.1)
        return None

    @contextlib.asynccontextmanager
    async def held(self, key: str | None) -> AsyncIterator[None]:
        """Keep the claim alive while this replica processes the message. The renewals stop
        (and are awaited) before the caller finishes or releases the key, so a renewal never
        lands on the stored reply."""

        async def keep_alive() -> None:
            while True:
                await asyncio.sleep(RENEW_SECONDS)
                with contextlib.suppress(Exception):  # a missed renewal: the next one may land
                    await self.renew(key)

        task = asyncio.create_task(keep_alive()) if key else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task


def guard_from_environment() -> ReplayGuard:
    return ReplayGuard(tracker_database_url())
