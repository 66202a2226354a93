"""Rasa's SQL tracker store, made fit for concurrent conversations.

Rasa 3.6's SQLTrackerStore runs its queries synchronously inside the event loop, so one
conversation's database round trip stalls every other conversation on that server. This
subclass keeps its schema and queries (the console and `rasa export` read the same `events`
table) but runs them on worker threads, and gives SQLite pooled connections with WAL
journaling and synchronous=NORMAL, so writers don't fsync on every commit and readers
don't wait.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from connectors import metrics

log = logging.getLogger(__name__)


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def sqlite_engine(url: str) -> sa.engine.Engine:
    """A pooled SQLite engine (SQLAlchemy 1.4 would open a new connection per transaction)."""
    engine = sa.create_engine(
        url,
        poolclass=sa.pool.QueuePool,
        pool_size=8,
        connect_args={"check_same_thread": False, "timeout": 15},
    )
    sa.event.listen(engine, "connect", sqlite_pragmas)
    return engine


class BankSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            url = self.engine.url
            self.engine.dispose()
            self.engine = sqlite_engine(str(url))
            self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)

    def _load(self, sender_id: str, all_sessions: bool) -> list[dict[str, Any]]:
        with self.session_scope() as session:
            rows = self._event_query(
                session, sender_id, fetch_events_from_all_sessions=all_sessions
            ).all()
            return [json.loads(row.data) for row in rows]

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        events = await asyncio.to_thread(self._load, sender_id, fetch_events_from_all_sessions)
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    def _store(self, tracker: DialogueStateTracker) -> list[Event]:
        """Insert the events the store does not hold yet; returns them."""
        stored_messages = []
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            for event in new_events:
                data = event.as_dict()
                if event.type_name == "user":
                    stored_messages.append(data)
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {})
                        .get("intent", {})
                        .get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
        for data in stored_messages:  # counted once stored, so a failed write is not counted
            metrics.count_user_message(data)
        return new_events

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the turn's new events, then stream them to the event broker.

        Rasa's `stream_events` reads the whole session back and replays it into a tracker
        only to learn which events are new: a second read of the conversation on every turn
        (with the replay, about a tenth of the Rasa server's CPU under load). The write
        learns that anyway, so the events it stored are the ones streamed. Streamed after
        the write, a turn whose write failed is never shown live as if it had happened."""
        new_events = await asyncio.to_thread(self._store, tracker)
        if self.event_broker is not None:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
