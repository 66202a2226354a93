"""The platform's hand on Rasa's tracker store, for one purpose only: deleting conversations
(retention and erasure). Rasa's HTTP API can replace a conversation's events but not delete
them from its SQL store, so the platform deletes the rows of Rasa's `events` table itself,
and the replies the channels keep for retried messages (`channel_replays`).

The tracker store is where the Rasa server puts it (assistant.runtime_config): the same
PostgreSQL database as the platform, or `tracker.db` beside the platform's SQLite file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa

from crm.settings import get_database_settings


def tracker_url() -> str:
    settings = get_database_settings()
    url = settings.sqlalchemy_url
    if not url.startswith("sqlite"):
        return url
    bank_db = Path(url.removeprefix("sqlite:///"))
    return f"sqlite:///{bank_db.with_name('tracker.db')}"


@lru_cache(maxsize=1)
def _engine() -> sa.Engine:
    return sa.create_engine(tracker_url(), pool_pre_ping=True)


def _tables(conn: sa.Connection) -> set[str]:
    return set(sa.inspect(conn).get_table_names())


def delete_conversations(sender_ids: list[str], replay_prefixes: list[str]) -> int:
    """Every event of these conversations, and their stored replies; how many events."""
    if not sender_ids:
        return 0
    with _engine().begin() as conn:
        tables = _tables(conn)
        if "events" not in tables:
            return 0
        events = sa.table("events", sa.column("sender_id"))
        deleted = conn.execute(events.delete().where(events.c.sender_id.in_(sender_ids)))
        if "channel_replays" in tables and replay_prefixes:
            replays = sa.table("channel_replays", sa.column("key"))
            for prefix in replay_prefixes:
                conn.execute(replays.delete().where(replays.c.key.startswith(prefix)))
        return deleted.rowcount or 0


def delete_events_before(timestamp: float) -> int:
    """Every event older than `timestamp` (epoch seconds), whatever the conversation."""
    with _engine().begin() as conn:
        if "events" not in _tables(conn):
            return 0
        events = sa.table("events", sa.column("timestamp"))
        return conn.execute(events.delete().where(events.c.timestamp < timestamp)).rowcount or 0


def reset() -> None:
    """Forget the engine (tests that switch databases)."""
    if _engine.cache_info().currsize:
        _engine().dispose()
    _engine.cache_clear()
