"""The in-app channel trusts only unexpired tokens the bank's app signed for it."""

from __future__ import annotations

import time

import jwt
import pytest

from core.app_token import AUDIENCE, AppTokenVerifier, InvalidToken

SECRET = "unit-test-app-secret-0123456789abcdef"


def _token(secret: str = SECRET, **claims) -> str:
    now = int(time.time())
    body = {"sub": "42", "iat": now, "exp": now + 60, "aud": AUDIENCE} | claims
    return "Bearer " + jwt.encode(body, secret, algorithm="HS256")


def test_a_valid_token_names_the_customer() -> None:
    assert AppTokenVerifier(SECRET, ["HS256"]).verify(_token()).customer_id == 42


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        (None, "missing"),
        ("Basic abc", "missing"),
        (_token(secret="another-secret-0123456789abcdefghij"), "invalid"),
        (_token(exp=int(time.time()) - 5), "expired"),
        (_token(aud="someone-else"), "invalid"),
        (_token(sub="not-a-number"), "subject"),
        ("Bearer " + jwt.encode({"sub": "42", "aud": AUDIENCE}, SECRET), "invalid"),
    ],
)
def test_bad_tokens_are_refused_with_a_reason(authorization, reason) -> None:
    with pytest.raises(InvalidToken, match=reason):
        AppTokenVerifier(SECRET, ["HS256"]).verify(authorization)


def test_an_unsigned_token_is_refused() -> None:
    unsigned = jwt.encode(
        {"sub": "42", "exp": int(time.time()) + 60, "aud": AUDIENCE}, None, "none"
    )
    with pytest.raises(InvalidToken):
        AppTokenVerifier(SECRET, ["HS256"]).verify("Bearer " + unsigned)


def test_a_token_signed_to_live_for_years_is_refused() -> None:
    now = int(time.time())
    forever = _token(iat=now, exp=now + 31 * 365 * 86_400)
    with pytest.raises(InvalidToken, match="lifetime"):
        AppTokenVerifier(SECRET, ["HS256"], max_lifetime=86_400).verify(forever)
    no_issue_time = "Bearer " + jwt.encode(
        {"sub": "42", "exp": now + 60, "aud": AUDIENCE}, SECRET, algorithm="HS256"
    )
    with pytest.raises(InvalidToken):
        AppTokenVerifier(SECRET, ["HS256"]).verify(no_issue_time)


def test_the_issuer_is_checked_when_one_is_configured() -> None:
    strict = AppTokenVerifier(SECRET, ["HS256"], issuer="bank-app")
    assert strict.verify(_token(iss="bank-app")).customer_id == 42
    for token in (_token(), _token(iss="someone-else")):
        with pytest.raises(InvalidToken):
            strict.verify(token)
