"""Prometheus metrics on every process, read from the running product as Prometheus would."""

from __future__ import annotations

import time
import uuid

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.system.conftest import app_token, rasa_headers, send


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = httpx.get(f"{url}/metrics", timeout=10)
    assert response.status_code == 200, url
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def total(samples: dict, name: str, **labels: str) -> float:
    return sum(
        value
        for (sample, sample_labels), value in samples.items()
        if sample == name and labels.items() <= dict(sample_labels).items()
    )


def urls(product: dict[str, str]) -> dict[str, str]:
    return {
        "rasa": product["RASA_URL"],
        "actions": product["ACTION_SERVER_URL"].removesuffix("/webhook"),
        "platform": product["PUBLIC_URL"],
    }


def test_a_customer_message_moves_the_metrics_of_every_process(product, customer) -> None:
    where = urls(product)
    before = {name: scrape(url) for name, url in where.items()}
    reply = send(
        product,
        app_token(product, customer),
        {"message": "what's my balance?", "message_id": "m-1"},
    )
    assert reply.status_code == 200
    tracker = httpx.get(
        f"{product['RASA_URL']}/conversations/customer-{customer}/tracker",
        headers=rasa_headers(product),
        timeout=10,
    ).json()
    intent = tracker["latest_message"]["intent"]["name"]
    deadline = time.monotonic() + 10
    while True:  # the live events reach the platform just after the reply
        after = {name: scrape(url) for name, url in where.items()}
        sent = total(after["rasa"], "bank_live_events_sent_total")
        if (
            sent > total(before["rasa"], "bank_live_events_sent_total")
            or time.monotonic() > deadline
        ):
            break
        time.sleep(0.2)

    def grew(process: str, name: str, **labels: str) -> float:
        return total(after[process], name, **labels) - total(before[process], name, **labels)

    assert grew("rasa", "bank_customer_messages_total", channel="app", intent=intent) == 1
    assert (
        grew("rasa", "bank_http_requests_total", route="/webhooks/app/webhook", status="200") == 1
    )
    assert grew("rasa", "bank_http_request_seconds_count", route="/webhooks/app/webhook") == 1
    assert grew("rasa", "bank_live_events_sent_total") > 0
    for policy in ("TEDPolicy", "RulePolicy"):  # each asked its memo for the next action
        assert grew("rasa", "bank_dialogue_memo_total", policy=policy) >= 1
    assert grew("actions", "bank_actions_total", status="ok") >= 1
    assert grew("platform", "http_requests_total") >= 1, "the actions called the customer API"
    assert ("bank_handoff_oldest_wait_seconds", ()) in after["platform"]
    assert "bank_live_event_queue_depth" in {name for name, _ in after["rasa"]}


def test_metrics_hold_no_raw_path_or_customer_data(product, customer) -> None:
    probe = f"no-such-page-{uuid.uuid4().hex}"
    for url in urls(product).values():
        httpx.get(f"{url}/{probe}", timeout=10)
    token = app_token(product, customer)
    card = "5500 0000 0000 0004"  # another test owns 4111…: it looks for its own in the logs
    send(product, token, {"message": f"my card {card} was stolen"})
    for url in urls(product).values():
        text = httpx.get(f"{url}/metrics", timeout=10).text
        assert probe not in text, "an unknown path became a label"
        assert card not in text and card.replace(" ", "") not in text
        assert f"customer-{customer}" not in text


def test_the_action_server_still_refuses_calls_without_its_token(product) -> None:
    url = urls(product)["actions"]
    assert httpx.get(f"{url}/metrics", timeout=10).status_code == 200
    refused = httpx.post(f"{url}/webhook", json={"next_action": "action_show_balance"}, timeout=10)
    assert refused.status_code == 401
