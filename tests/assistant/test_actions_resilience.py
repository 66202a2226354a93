"""A dead or slow customer API: the customer gets a polite apology, no action raises."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator

import pytest

from actions.topics import PERSONAL_TOPICS
from core import config
from tests.assistant.action_runner import app_metadata, run_action, said, slots_set, tracker

CUSTOMER = app_metadata(3)
APOLOGY = "utter_service_unavailable"

# (action, intent, tracker options) of every action that needs the customer API.
CALLS = [
    ("action_check_balance", "check_balance", {}),
    ("action_recent_transactions", "recent_transactions", {}),
    ("action_present_offer", "product_deposit", {}),
    ("validate_card_form", "freeze_card", {"slots": {"card_operation": "freeze"}}),
    ("validate_dispute_form", "dispute_transaction", {}),
    (
        "action_submit_card_form",
        "affirm",
        {"slots": {"card_operation": "freeze", "card_id": 1, "card_last4": "1234",
                   "card_confirmed": True}},
    ),
    (
        "action_submit_dispute",
        "affirm",
        {"slots": {"dispute_transaction": "1", "dispute_summary": "x",
                   "dispute_description": "not me", "dispute_confirmed": True}},
    ),
    (
        "action_submit_complaint",
        "affirm",
        {"slots": {"complaint_category": "service", "complaint_description": "rude",
                   "complaint_confirmed": True}},
    ),
    *[("action_topic_followup", intent, {}) for intent in sorted(PERSONAL_TOPICS)],
]  # fmt: skip


@pytest.mark.parametrize(
    ("action", "intent", "options"), CALLS, ids=[f"{a}-{i}" for a, i, _ in CALLS]
)
def test_dead_customer_api_gives_an_apology(
    action: str, intent: str, options: dict, dead_crm: str
) -> None:
    result = run_action(action, tracker(CUSTOMER, intent, **options))
    assert APOLOGY in said(result)


def test_retention_without_the_api_still_offers_a_colleague(dead_crm: str) -> None:
    result = run_action("action_retention", tracker(CUSTOMER, "terminate_account"))
    assert said(result) == ["utter_retention_human_question"]
    assert slots_set(result)["pending_question"] == "handoff_offer"


def test_handoff_without_the_platform_apologises_and_does_not_pause(dead_crm: str) -> None:
    result = run_action("action_handoff", tracker(CUSTOMER, "human_handoff"))
    assert said(result) == ["utter_handoff_failed"]
    assert not [e for e in result["events"] if e.get("event") == "pause"]


class _SlowHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        time.sleep(5)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"[]")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_crm(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("CRM_API_URL", f"http://127.0.0.1:{server.server_port}/api/v1")
    monkeypatch.setenv("CRM_SERVICE_TOKEN", "slow-test-service-token-0123456789")
    monkeypatch.setenv("CRM_TIMEOUT_SECONDS", "2")
    config.reset()
    yield
    server.shutdown()
    config.reset()


def test_slow_customer_api_is_cut_off_after_two_seconds(slow_crm: None) -> None:
    started = time.monotonic()
    result = run_action("action_check_balance", tracker(CUSTOMER, "check_balance"))
    elapsed = time.monotonic() - started
    assert said(result) == [APOLOGY]
    assert 1.5 < elapsed < 3.5
