"""Signed-in console users for API tests: each holds its own login cookie and CSRF token, so
several agents can share one TestClient (and one app) in a test (fixture `users`, conftest)."""

from __future__ import annotations

import re
from typing import Any

from agent_console.auth import COOKIE_NAME
from agent_console.seed_agents import seed
from tests.platform.conftest import SERVICE_AUTH

PASSWORD = "correct horse battery staple"


def seed_users() -> None:
    seed(PASSWORD)


class ConsoleUser:
    def __init__(self, client, username: str) -> None:
        self.client = client
        response = client.post(
            "/console/login",
            data={"username": username, "password": PASSWORD},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        self.cookie = response.cookies[COOKIE_NAME]
        client.cookies.clear()  # requests carry this user's cookie explicitly
        page = client.get("/console", headers=self.headers(), follow_redirects=False)
        if page.status_code == 303:  # a designer's home is the review page
            page = client.get(page.headers["location"], headers=self.headers())
        match = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
        self.csrf = match.group(1) if match else ""

    def headers(self, csrf: bool = False) -> dict[str, str]:
        headers = {"Cookie": f"{COOKIE_NAME}={self.cookie}"}
        if csrf:
            headers["X-CSRF-Token"] = self.csrf
        return headers

    def get(self, path: str, **kwargs: Any):
        return self.client.get(path, headers=self.headers(), **kwargs)

    def post(self, path: str, body: dict | None = None, csrf: bool = True, **kwargs: Any):
        headers = self.headers(csrf) | kwargs.pop("headers", {})
        return self.client.post(path, json=body or {}, headers=headers, **kwargs)


def handoff(client, conversation_id: str, customer_id: int | None, **fields: Any) -> dict:
    """Queue a handoff as the assistant's action does (service token)."""
    body = {
        "conversation_id": conversation_id,
        "customer_id": customer_id,
        "channel": "app",
        "reason": "customer_request",
        "priority": "normal",
        "summary": "Customer asked for a person.",
    } | fields
    response = client.post("/api/v1/handoffs", json=body, headers=SERVICE_AUTH)
    assert response.status_code == 201, response.text
    return response.json()
