"""The running product for system tests: migrated SQLite, a small synthetic bank, demo users,
and the real Rasa server, action server and platform started as `make demo` starts them."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from playwright.sync_api import Browser, sync_playwright

from core import app_token as core_app_token
from core import rasa_auth
from scripts.stack import ROOT, Stack
from tests.support.bot_api_server import BotApiServer
from tests.support.product import on_postgres_and_redis, prepare, product_env
from tests.system.console_support import Pages

TELEGRAM_TOKEN = "4242:system-test-bot-token"
TELEGRAM_SECRET = "system-test-telegram-webhook-secret"


CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu",
    "--disable-background-networking", "--disable-component-update",
]  # fmt: skip


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium (Debian's package, driven by Playwright) for every browser test:
    one thread can drive only one sync Playwright."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium is not installed (.ci/run installs Debian's chromium package)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def bot_api() -> Iterator[BotApiServer]:
    """The local Telegram Bot API server the connector's python-telegram-bot client talks to."""
    with BotApiServer(TELEGRAM_TOKEN) as server:
        yield server


@pytest.fixture(scope="session")
def running_stack(tmp_path_factory, bot_api: BotApiServer) -> Iterator[Stack]:
    data = tmp_path_factory.mktemp("product")
    # SYSTEM_STORES=postgres: the same suite on PostgreSQL and Redis, as deployed.
    on_postgres = os.environ.get("SYSTEM_STORES") == "postgres"
    env = product_env(
        data,
        **(on_postgres_and_redis("system") if on_postgres else {}),
        TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN,
        TELEGRAM_API_BASE_URL=bot_api.base_url,
        TELEGRAM_MODE="webhook",
        TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET,
    )
    env["TELEGRAM_WEBHOOK_URL"] = f"{env['RASA_URL']}/webhooks/telegram/webhook"
    prepare(env)
    stack = Stack.from_env(env, data / "logs")
    stack.start(timeout=300)
    _STACKS.append(stack)
    try:
        yield stack
    finally:
        _STACKS.remove(stack)
        stack.stop()


_STACKS: list[Stack] = []  # the running product, for the logs of a failing test
LOG_LINES_ON_FAILURE = 60
_LOG_START = pytest.StashKey[dict[Path, int]]()


def _log_sizes() -> dict[Path, int]:
    return {
        s.log_path: s.log_path.stat().st_size
        for stack in _STACKS
        for s in stack.services
        if s.log_path is not None and s.log_path.exists()
    }


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Remember where the product's logs stood when the test began."""
    item.stash[_LOG_START] = _log_sizes()
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """A failing test's report carries what each service logged while it ran: a failure in CI
    is then explained by the run itself, not only by a rerun."""
    outcome = yield
    report = outcome.get_result()
    if call.when != "call" or not report.failed:
        return
    for path, start in item.stash.get(_LOG_START, {}).items():
        with path.open("rb") as log:
            log.seek(start)
            lines = log.read().decode(errors="replace").splitlines()[-LOG_LINES_ON_FAILURE:]
        if lines:
            report.sections.append((f"product log {path.name}", "\n".join(lines)))


@pytest.fixture(scope="session")
def customer_pool() -> Iterator[int]:
    """The running product's customers, handed out once each: no two tests of a run talk as
    the same customer, whatever order they run in (a conversation left paused or mid-form
    by one test never meets another). The demo cast (1-5) is left to the demo."""
    return itertools.count(6)


@pytest.fixture
def customer(customer_pool: Iterator[int]) -> int:
    """A customer of the running product that no other test of this run uses."""
    return next(customer_pool)


@pytest.fixture
def new_customer(customer_pool: Iterator[int]):
    """For a test that needs several customers: call it for each."""
    return lambda: next(customer_pool)


def fresh_customer_with(product: dict[str, str], new_customer, path: str, test) -> int:
    """A fresh customer whose record (GET `path`, `{customer}` filled in) passes `test`:
    the fact a test needs is read from the data, not hoped for of a fixed id."""
    for _ in range(20):
        customer = new_customer()
        if test(crm(product, path.format(customer=customer)).json()):
            return customer
    raise AssertionError(f"no fresh customer of the synthetic bank passes the test on {path}")


@pytest.fixture(scope="session")
def product(running_stack: Stack) -> dict[str, str]:
    """The environment the product runs with: URLs, ports, secrets, data directory."""
    return running_stack.env


def tracker_database(product: dict[str, str]):
    """The Rasa side's database (tracker store, replay guard), SQLite or PostgreSQL."""
    import sqlalchemy as sa

    url = product.get("DATABASE_URL") or f"sqlite:///{Path(product['DATA_DIR']) / 'tracker.db'}"
    return sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


def stored_events_text(product: dict[str, str], sender: str) -> str:
    """Everything the tracker store holds for a conversation, as stored (SQLite or PostgreSQL)."""
    import sqlalchemy as sa

    with tracker_database(product).connect() as conn:
        rows = conn.execute(sa.text("SELECT data FROM events WHERE sender_id = :s"), {"s": sender})
        return "\n".join(row[0] for row in rows)


# connectors.replay_guard's lease on a message being processed (its runtime is not this one)
REPLAY_LEASE_SECONDS = 20


def leave_claim_of_a_dead_replica(product: dict[str, str], key: str, claimed_ago: float) -> None:
    """What a replica killed mid-turn leaves in the replay guard: the message's key still
    "processing", last renewed `claimed_ago` seconds ago."""
    import time

    import sqlalchemy as sa

    with tracker_database(product).begin() as conn:
        conn.execute(sa.text("DELETE FROM channel_replays WHERE key = :k"), {"k": key})
        conn.execute(
            sa.text("INSERT INTO channel_replays (key, reply, created_at) VALUES (:k, :r, :t)"),
            {"k": key, "r": "__processing__", "t": time.time() - claimed_ago},
        )


def log_text(product: dict[str, str]) -> str:
    logs = Path(product["DATA_DIR"]) / "logs"
    return "\n".join(p.read_text(errors="replace") for p in sorted(logs.glob("*.log")))


def app_token(product: dict[str, str], customer_id: int, ttl: int = 600) -> str:
    """What the bank's app would sign after its own login."""
    return core_app_token.issue(customer_id, product["APP_JWT_SECRET"], ttl)


def rasa_headers(product: dict[str, str]) -> dict[str, str]:
    """Rasa's HTTP API as the platform calls it: a JWT in the header, never a URL token."""
    return rasa_auth.auth_headers(product["RASA_API_TOKEN"])


def send(product: dict[str, str], token: str | None, body, **kwargs) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = f"{product['RASA_URL']}/webhooks/app/webhook"
    if isinstance(body, dict):
        return httpx.post(url, json=body, headers=headers, timeout=30, **kwargs)
    return httpx.post(url, content=body, headers=headers, timeout=30, **kwargs)


def crm(product: dict[str, str], path: str, body: dict | None = None) -> httpx.Response:
    """Call the customer API as a service would (GET, or POST when a body is given)."""
    headers = {"Authorization": f"Bearer {product['CRM_SERVICE_TOKEN']}"}
    url = f"{product['CRM_API_URL']}/{path}"
    if body is None:
        return httpx.get(url, headers=headers, timeout=10)
    return httpx.post(url, json=body, headers=headers, timeout=10)


def show_offer_in_app(product: dict[str, str], customer: int, offer_code: str) -> None:
    """Record the offer as shown in the app's chat, as the assistant records it."""
    shown = crm(
        product,
        f"customers/{customer}/offer-presentations",
        {"offer_code": offer_code, "context": "chat", "channel": "app",
         "presented_by": "assistant", "conversation_id": f"customer-{customer}"},
    )  # fmt: skip
    assert shown.status_code in (200, 201), shown.text


def response_texts(name: str, channel: str | None = None, language: str = "en") -> list[str]:
    """The texts a domain response can produce on a channel in a language, read from the
    domain the designers edit (variants for another channel, or for any channel when one is
    named and has its own, are left out, as Rasa does; so are those for another language)."""

    def in_language(variant: dict) -> bool:
        said = [c.get("value") for c in variant.get("condition") or []
                if c.get("name") == "language"]  # fmt: skip
        return not said or said == [language]

    for path in (ROOT / "assistant" / "domain").glob("*.yml"):
        responses = (yaml.safe_load(path.read_text()) or {}).get("responses") or {}
        if name in responses:
            variants = [v for v in responses[name] if in_language(v)]
            own = [v["text"] for v in variants if channel and v.get("channel") == channel]
            return own or [v["text"] for v in variants if not v.get("channel")]
    raise KeyError(name)


@pytest.fixture
def pages(browser: Browser, product: dict[str, str]) -> Iterator[Pages]:
    """Browser windows for the people in a test (agents, customers), closed after it."""
    opened = Pages(browser, product)
    yield opened
    opened.close()
