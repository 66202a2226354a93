"""Configuration that cannot be unsafe by accident, and the platform's own protections."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from core import config
from crm.settings import PlatformSettings
from tests.platform.conftest import SERVICE_AUTH, TEST_ENV


def app_with(monkeypatch: pytest.MonkeyPatch, **env: str) -> TestClient:
    from server.app import create_app

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    config.reset()
    return TestClient(create_app(), raise_server_exceptions=False)


def test_the_demos_routes_exist_only_in_demo_mode(db, database_url, monkeypatch) -> None:
    with app_with(monkeypatch) as off:
        assert off.post("/api/v1/demo/customers/1/app-token").status_code == 404
        assert off.get("/api/v1/demo/customers").status_code == 404
    if database_url.startswith("postgresql"):
        return  # the demo refuses PostgreSQL (next test)
    with app_with(monkeypatch, DEMO_MODE="true") as on:
        assert on.get("/api/v1/demo/customers").status_code == 200


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DATABASE_URL", "postgresql://bank:pw@db:5432/bank"), ("PUBLIC_URL", "https://bank.example")],
)
def test_demo_mode_refuses_a_real_database_or_a_public_address(variable, value) -> None:
    env = TEST_ENV | {"DEMO_MODE": "true", variable: value}
    with pytest.raises(config.ConfigError, match="DEMO_MODE"):
        config.load(PlatformSettings, env)
    config.load(PlatformSettings, env | {"DEMO_MODE": "false"})  # fine without the demo


def test_api_docs_are_off_unless_asked_for(db, monkeypatch) -> None:
    with app_with(monkeypatch) as plain:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert plain.get(path).status_code == 404
    with app_with(monkeypatch, API_DOCS="true") as documented:
        assert documented.get("/openapi.json").status_code == 200


def test_the_chat_page_gets_the_strict_policy_the_console_has(client) -> None:
    chat, login = client.get("/chat"), client.get("/console/login")
    for page in (chat, login):
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert chat.headers["x-frame-options"] == "DENY"


def test_a_huge_body_is_refused_before_it_is_read(client) -> None:
    huge = b"[" + b'{"event": "user", "sender_id": "x"},' * 40_000 + b"{}]"
    response = client.post("/api/v1/rasa-events", content=huge,
                           headers=SERVICE_AUTH | {"content-type": "application/json"})  # fmt: skip
    assert response.status_code == 413


def test_only_a_trusted_caller_labels_log_lines_with_a_conversation() -> None:
    from server.security import trusted_conversation_id

    token = TEST_ENV["CRM_SERVICE_TOKEN"]
    trusted = {"authorization": f"Bearer {token}", "x-conversation-id": "customer-7"}
    assert trusted_conversation_id(trusted, token) == "customer-7"
    assert trusted_conversation_id({"x-conversation-id": "customer-7"}, token) is None
    forged = trusted | {"authorization": "Bearer guess-guess-guess-guess"}
    assert trusted_conversation_id(forged, token) is None
    newline = trusted | {"x-conversation-id": "customer-7\nERROR fake line"}
    assert trusted_conversation_id(newline, token) is None
