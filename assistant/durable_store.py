"""Conversations live in the SQL tracker store or nowhere: Rasa's memory fallbacks are off.

Rasa 3.6 quietly swaps in an in-memory tracker store in two places: at start, when the
configured store's class fails to import or build (the server then runs, forgetting every
conversation at the next restart and sharing none with the other replicas), and on every
read or write that fails (`FailSafeTrackerStore`: a failed read starts the customer on an
empty conversation, a failed write keeps the turn in this replica's memory only). Both lose
history without a sign. Here a store that cannot be built stops start-up, and a failing
read or write fails the message: the channel answers "please retry" and the app resends
with the same message_id once the database is back. `assistant.serve` installs it.
"""

from __future__ import annotations

from typing import Any

from rasa.core.agent import Agent
from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain


class TrackerStoreUnavailable(RuntimeError):
    """The configured tracker store could not be built; the server must not start."""


def durable_tracker_store(store: TrackerStore | None, domain: Domain) -> TrackerStore:
    """Agent._create_tracker_store without the in-memory fallback and the fail-safe wrapper."""
    inner: Any = getattr(store, "_tracker_store", store)  # an AwaitableTrackerStore's store
    if store is None or isinstance(inner, InMemoryTrackerStore):
        raise TrackerStoreUnavailable(
            "The SQL tracker store could not be created (see the error above); refusing to "
            "start with conversations kept only in memory."
        )
    store.domain = domain
    return store


def install() -> None:
    Agent._create_tracker_store = staticmethod(durable_tracker_store)  # type: ignore[method-assign]
