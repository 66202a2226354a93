"""The test's own view of the customer API (what the bank's records say), to compare the
assistant's answers against."""

from __future__ import annotations

from typing import Any

import httpx

from tests.assistant.conftest import SERVICE_TOKEN

AUTH = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


def get(platform: str, path: str, **params: Any) -> Any:
    response = httpx.get(f"{platform}/{path}", headers=AUTH, params=params, timeout=10)
    response.raise_for_status()
    return response.json()


def post(platform: str, path: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{platform}/{path}", headers=AUTH, json=body, timeout=10)


def find_customer(predicate: Any, count: int = 40) -> int:
    """The first synthetic customer whose record satisfies `predicate(customer_id)`."""
    for customer_id in range(1, count + 1):
        if predicate(customer_id):
            return customer_id
    raise AssertionError("no synthetic customer matches; seed more customers")


def cards(platform: str, customer_id: int) -> list[dict[str, Any]]:
    return get(platform, f"customers/{customer_id}/cards")


def transactions(platform: str, customer_id: int, limit: int = 50) -> list[dict[str, Any]]:
    return get(platform, f"customers/{customer_id}/transactions", limit=limit)


def pending_handoffs(platform: str) -> list[dict[str, Any]]:
    return get(platform, "handoffs", status="pending")
