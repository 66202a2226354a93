"""Agents must log in; sessions are HttpOnly cookies; logout needs CSRF; guessing locks out."""

from __future__ import annotations

import re

import pytest

from agent_console.seed_agents import seed

PASSWORD = "correct horse battery staple"


@pytest.fixture
def agents(db) -> None:
    seed(PASSWORD)


def _login(client, username: str, password: str):
    return client.post(
        "/console/login",
        data={"username": username, "password": password},
        follow_redirects=False,
    )


def test_console_redirects_to_login_without_a_session(client, agents) -> None:
    response = client.get("/console", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login"


def test_login_sets_an_httponly_strict_cookie_and_opens_the_console(client, agents) -> None:
    response = _login(client, "agent", PASSWORD)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    home = client.get("/console")
    assert home.status_code == 200
    assert "Alex Agent" in home.text


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client, agents) -> None:
    for username in ("agent", "nobody"):
        response = _login(client, username, "wrong password")
        assert response.status_code == 401
        assert "Wrong username or password." in response.text


def test_five_failures_lock_the_account_even_for_the_right_password(client, agents) -> None:
    for _ in range(5):
        _login(client, "agent2", "guess")
    response = _login(client, "agent2", PASSWORD)
    assert response.status_code == 401
    assert "locked" in response.text
    assert _login(client, "agent", PASSWORD).status_code == 303  # others unaffected


def test_logout_needs_the_csrf_token_and_ends_the_session(client, agents) -> None:
    _login(client, "agent", PASSWORD)
    home = client.get("/console").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)
    forged = client.post("/console/logout", data={}, follow_redirects=False)
    assert forged.status_code == 403
    assert client.get("/console", follow_redirects=False).status_code == 200
    response = client.post("/console/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    client.cookies.clear()
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_cross_site_login_post_is_refused(client, agents) -> None:
    response = client.post(
        "/console/login",
        data={"username": "agent", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert response.status_code == 403


def test_customer_lookup_masks_the_phone_number(client, agents, db) -> None:
    from tests.platform.test_customer_api import _customer_with_account

    customer = _customer_with_account(db)
    _login(client, "agent", PASSWORD)
    page = client.get("/console", params={"customer_no": customer.customer_no}).text
    assert customer.full_name in page
    assert "13800138000" not in page and "****8000" in page
    assert "****1234" in page and "6222020000001234" not in page
