"""The platform's hand on Rasa's tracker store: deleting conversations (retention and
erasure), and reading one conversation's events for its handoff summary (a plain query,
so the summary does not wait on Rasa or add to its load). Rasa's HTTP API can replace a
conversation's events but not delete them from its SQL store, so the platform deletes the
rows of Rasa's `events` table itself, and the replies the channels keep for retried
messages (`channel_replays`).

The tracker store is where the Rasa server puts it (assistant.runtime_config): the same
PostgreSQL database as the platform, or `tracker.db` beside the platform's SQLite file.
"""

from __future__ import annotations

import json
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


_events_seen: set[str] = set()  # stores known to have the table: it is never dropped


def _has_events(conn: sa.Connection) -> bool:
    """Whether Rasa has created its table yet (looked up once it has, not on every read)."""
    url = tracker_url()
    if url not in _events_seen and "events" in _tables(conn):
        _events_seen.add(url)
    return url in _events_seen


def load_events(sender_id: str, limit: int = 2000) -> list[dict]:
    """The conversation's latest `limit` events, oldest first, as Rasa stored them."""
    with _engine().connect() as conn:
        if not _has_events(conn):
            return []
        events = sa.table("events", sa.column("id"), sa.column("sender_id"), sa.column("data"))
        rows = conn.execute(
            sa.select(events.c.data)
            .where(events.c.sender_id == sender_id)
            .order_by(events.c.id.desc())
            .limit(limit)
        ).all()
    return [json.loads(row.data) for row in reversed(rows) if row.data]


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
    _events_seen.clear()


def first_intents_since(timestamp: float) -> list[tuple[str, str, float]]:
    """(conversation, intent, first time) for every intent customers asked since `timestamp`
    (epoch seconds): what the dashboard's containment by intent is counted from."""
    with _engine().connect() as conn:
        if "events" not in _tables(conn):
            return []
        events = sa.table(
            "events", sa.column("sender_id"), sa.column("type_name"),
            sa.column("intent_name"), sa.column("timestamp"),
        )  # fmt: skip
        rows = conn.execute(
            sa.select(events.c.sender_id, events.c.intent_name, sa.func.min(events.c.timestamp))
            .where(
                events.c.type_name == "user",
                events.c.timestamp >= timestamp,
                events.c.intent_name.is_not(None),
            )
            .group_by(events.c.sender_id, events.c.intent_name)
        ).all()
    return [(row[0], row[1], float(row[2])) for row in rows]
