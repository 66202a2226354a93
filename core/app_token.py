"""The short-lived token the bank's app signs for its in-app chat: checked here, minted here.

The in-app channel (Rasa side) and the chat page's history and socket (platform side) check
it the same way; the demo's stand-in for the app's login and the tests mint it the same way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt

AUDIENCE = "bank-app-chat"


class InvalidToken(Exception):
    """The token is missing, malformed, wrongly signed or expired; the reason is safe to show."""


DEFAULT_MAX_LIFETIME = 24 * 3600


@dataclass(frozen=True)
class AppIdentity:
    customer_id: int
    expires_at: float  # epoch seconds: a live socket opened with it closes then


class AppTokenVerifier:
    """HS256 with a shared secret, or RS256/ES256 with the app's public key. A token must
    say when it was issued and expire within `max_lifetime` of that (a token signed to live
    for years is refused), and come from `issuer` when one is configured."""

    def __init__(
        self,
        key: str,
        algorithms: list[str],
        max_lifetime: int = DEFAULT_MAX_LIFETIME,
        issuer: str = "",
    ) -> None:
        self._key = key
        self._algorithms = algorithms
        self._max_lifetime = max_lifetime
        self._issuer = issuer

    @classmethod
    def from_keys(
        cls,
        secret: str,
        public_key: str,
        max_lifetime: int = DEFAULT_MAX_LIFETIME,
        issuer: str = "",
    ) -> AppTokenVerifier:
        """The public key when there is one (the app signs asymmetrically), else the secret.
        The settings have checked that one of them is usable (core.config)."""
        if public_key.strip():
            return cls(public_key.strip(), ["RS256", "ES256"], max_lifetime, issuer)
        return cls(secret, ["HS256"], max_lifetime, issuer)

    def verify(self, authorization: str | None) -> AppIdentity:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise InvalidToken("missing bearer token")
        required = ["sub", "exp", "iat"] + (["iss"] if self._issuer else [])
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=self._algorithms,
                audience=AUDIENCE,
                issuer=self._issuer or None,
                options={"require": required},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("token expired") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken("invalid token") from exc
        if float(claims["exp"]) - float(claims["iat"]) > self._max_lifetime:
            raise InvalidToken("token lifetime too long")
        try:
            return AppIdentity(customer_id=int(claims["sub"]), expires_at=float(claims["exp"]))
        except (TypeError, ValueError) as exc:
            raise InvalidToken("invalid token subject") from exc


def issue(customer_id: int, secret: str, ttl_seconds: int = 900) -> str:
    """What the bank's app signs after its own login (HS256): the demo and the tests."""
    now = int(time.time())
    claims = {"sub": str(customer_id), "iat": now, "exp": now + ttl_seconds, "aud": AUDIENCE}
    return jwt.encode(claims, secret, algorithm="HS256")
