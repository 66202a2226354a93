"""How the platform (and QA's tools) prove themselves to Rasa's HTTP API: a short-lived JWT
in the Authorization header, signed with RASA_API_TOKEN.

Rasa runs with `--jwt-secret` and no `--auth-token`, so it accepts no token in a query
string: a URL (which proxies, access logs and HTTP client logs keep) never carries a secret.
"""

from __future__ import annotations

import time

import jwt

ALGORITHM = "HS256"


def admin_token(secret: str, ttl_seconds: int = 300, username: str = "platform") -> str:
    """Rasa reads `user.role`; an admin may read and write every conversation."""
    now = int(time.time())
    claims = {"user": {"username": username, "role": "admin"}, "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def auth_headers(secret: str, ttl_seconds: int = 300) -> dict[str, str]:
    return {"Authorization": f"Bearer {admin_token(secret, ttl_seconds)}"}
