"""Verifies the short-lived token the bank's app signs for its in-app chat."""

from __future__ import annotations

import os
from dataclasses import dataclass

import jwt

AUDIENCE = "bank-app-chat"


class InvalidToken(Exception):
    """The token is missing, malformed, wrongly signed or expired; the reason is safe to show."""


@dataclass(frozen=True)
class AppIdentity:
    customer_id: int


class AppTokenVerifier:
    """HS256 with a shared secret, or RS256/ES256 with the app's public key."""

    def __init__(self, key: str, algorithms: list[str]) -> None:
        self._key = key
        self._algorithms = algorithms

    @classmethod
    def from_environment(cls) -> AppTokenVerifier:
        public_key = os.environ.get("APP_JWT_PUBLIC_KEY", "").strip()
        if public_key:
            return cls(public_key, ["RS256", "ES256"])
        secret = os.environ.get("APP_JWT_SECRET", "")
        if len(secret) < 32:
            raise SystemExit(
                "Configuration error (see .env.example):\n"
                "  APP_JWT_SECRET: must be set (at least 32 characters), "
                "or set APP_JWT_PUBLIC_KEY"
            )
        return cls(secret, ["HS256"])

    def verify(self, authorization: str | None) -> AppIdentity:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise InvalidToken("missing bearer token")
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=self._algorithms,
                audience=AUDIENCE,
                options={"require": ["sub", "exp"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("token expired") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken("invalid token") from exc
        try:
            return AppIdentity(customer_id=int(claims["sub"]))
        except (TypeError, ValueError) as exc:
            raise InvalidToken("invalid token subject") from exc
