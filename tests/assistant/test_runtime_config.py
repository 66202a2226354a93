"""DATABASE_URL and REDIS_URL switch Rasa's tracker store and lock store to the real servers."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest
from rasa.core.lock_store import LockStore
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from assistant import runtime_config


def test_default_tracker_store_is_a_sqlite_file_in_the_data_directory(tmp_path) -> None:
    store = runtime_config.tracker_store("", tmp_path)
    assert store["type"] == runtime_config.TRACKER_STORE
    assert (store["dialect"], store["db"]) == ("sqlite", str(tmp_path / "tracker.db"))
    assert runtime_config.lock_store("") == {"type": "in_memory"}


def test_unknown_database_scheme_stops_start_up_naming_the_variable(tmp_path) -> None:
    with pytest.raises(SystemExit, match="DATABASE_URL"):
        runtime_config.tracker_store("mysql://x/y", tmp_path)
    with pytest.raises(SystemExit, match="REDIS_URL"):
        runtime_config.lock_store("http://localhost:6379")


def test_endpoints_file_is_private_and_complete(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql://bank:s3cret@db.internal:5433/bank")
    monkeypatch.setenv("REDIS_URL", "redis://:pw@cache.internal:6380/2")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "runtime-test-action-token-0123")
    endpoints, _, _ = runtime_config.write_runtime_files()
    assert oct(endpoints.stat().st_mode & 0o777) == "0o600"
    config = runtime_config.endpoints()
    assert config["tracker_store"]["url"] == "db.internal"
    assert config["tracker_store"]["port"] == 5433
    assert config["lock_store"] == {
        "type": "redis", "url": "cache.internal", "port": 6380, "db": 2,
        "key_prefix": "bank", "use_ssl": False, "password": "pw",
    }  # fmt: skip


def test_telegram_channel_opens_only_with_its_token() -> None:
    assert list(runtime_config.credentials("")) == ["connectors.app_channel.AppChannel"]
    assert "connectors.telegram_channel.TelegramChannel" in runtime_config.credentials("123:abc")


def test_postgres_tracker_store_keeps_a_conversation(tmp_path) -> None:
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        pytest.skip("TEST_POSTGRES_URL not set (make test starts PostgreSQL)")
    config = runtime_config.tracker_store(url, tmp_path)
    domain = Domain.empty()
    store = TrackerStore.create(EndpointConfig.from_dict(config), domain)
    sender = f"customer-test-{uuid.uuid4().hex[:8]}"

    async def round_trip() -> DialogueStateTracker | None:
        tracker = DialogueStateTracker(sender, domain.slots)
        tracker.update(UserUttered("my card 4111 1111 1111 1111 is lost"))
        await store.save(tracker)
        return await store.retrieve(sender)

    restored = asyncio.run(round_trip())
    assert restored is not None
    assert restored.latest_message.text == "my card 4111 1111 1111 1111 is lost"
    assert type(store).__name__ == "BankSQLTrackerStore"


def test_redis_lock_store_is_shared_between_replicas() -> None:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL not set (make test starts redis-server)")
    config = EndpointConfig.from_dict(runtime_config.lock_store(url))
    first, second = LockStore.create(config), LockStore.create(config)  # two Rasa replicas
    assert type(first).__name__ == "RedisLockStore"
    conversation = f"customer-lock-{uuid.uuid4().hex[:8]}"

    async def scenario() -> tuple[bool, bool]:
        async with first.lock(conversation):
            while_held = second.is_someone_waiting(conversation)
        return while_held, second.is_someone_waiting(conversation)

    while_held, after = asyncio.run(scenario())
    assert while_held is True
    assert after is False
