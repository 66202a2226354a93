"""The platform's settings (environment variables only, documented in .env.example).

`DatabaseSettings` is what the tools need (migrations, the synthetic bank): where the data
lives and the offer engine's contact policy, no secrets. `PlatformSettings` is the platform
process's whole configuration: the database's, the secrets, the addresses, the console's
knobs. Both are built by the one loader in `core.config`; in the platform process the code
that asks for the database settings gets the same object.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core import config

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = ("127.0.0.1", "localhost", "::1")
QUIET_HOURS = re.compile(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d")


@dataclass(frozen=True, kw_only=True)
class DatabaseSettings:
    data_dir: Path = config.setting(PROJECT_ROOT / "data")
    database_url: str = config.setting("", secret=True)  # may hold a password
    # Contact policy of the offer engine (not secrets; tune per bank).
    crm_offers_per_week: int = config.setting(3, ge=0, le=50)
    crm_decline_cooldown_days: int = config.setting(30, ge=0, le=365)
    # Marketing contact (crm.marketing.contact_policy): no campaign call or proactive message
    # in this window of the business clock, "HH:MM-HH:MM" (may wrap midnight; equal = none).
    marketing_quiet_hours: str = config.setting("21:00-09:00")
    # The customers' time zone (IANA name): quiet hours and calling hours are their local
    # time; the database and the business clock stay in UTC.
    bank_timezone: str = config.setting("Asia/Shanghai")
    # The bank's business date (see crm.clock): unset, today; set, the synthetic bank's
    # history ends on it and the platform evaluates the data on it (tests pin it).
    bank_as_of: dt.date | None = config.setting(None)

    def problems(self) -> list[str]:
        if self.database_url and not self.database_url.startswith(("sqlite", "postgresql")):
            return ["DATABASE_URL: must be a sqlite:/// or postgresql:// URL"]
        if not QUIET_HOURS.fullmatch(self.marketing_quiet_hours):
            return ["MARKETING_QUIET_HOURS: must look like 21:00-09:00"]
        try:
            ZoneInfo(self.bank_timezone)
        except (ValueError, ZoneInfoNotFoundError):
            return [f"BANK_TIMEZONE: {self.bank_timezone!r} is not a known time zone"]
        return []

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL with the driver this runtime ships (psycopg 3 for PostgreSQL)."""
        url = self.database_url or f"sqlite:///{self.data_dir / 'bank.db'}"
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url


@dataclass(frozen=True, kw_only=True)
class PlatformSettings(DatabaseSettings):
    redis_url: str = config.setting("", secret=True)
    crm_service_token: str = config.service_token()
    app_jwt_secret: str = config.app_jwt_secret()
    app_jwt_public_key: str = config.app_jwt_public_key()
    app_jwt_issuer: str = config.app_jwt_issuer()
    app_token_max_seconds: int = config.app_token_max_seconds()
    rasa_url: str = config.setting("http://127.0.0.1:5005")
    rasa_public_url: str = config.setting("http://127.0.0.1:5005")
    rasa_api_token: str = config.setting(min_length=16, secret=True)
    public_url: str = config.setting("http://127.0.0.1:8000")
    demo_mode: bool = config.setting(False)
    # The OpenAPI document and its pages (/docs, /redoc, /openapi.json): off unless asked for.
    api_docs: bool = config.setting(False)
    log_format: str = config.setting("text", choices=("text", "json"), lower=True)
    log_level: str = config.setting("INFO")
    # A handoff nobody claims within this many seconds: the customer is told and offered a
    # callback (once per handoff).
    handoff_timeout_seconds: int = config.setting(180, ge=1, le=86_400)
    # How often the platform looks for such handoffs; 0 switches the check off (e.g. on
    # replicas that should leave it to another one).
    handoff_check_seconds: float = config.setting(5.0, ge=0, le=3600)
    # SLA (conversations.sla): how often the first-response clocks and complaint due dates
    # are checked (0: not on this replica); the share of a target after which it warns; and
    # targets that override the sla_targets table, "team/priority=seconds,..." ("*" matches
    # any team or priority; e.g. a test's fast clock "*/*=4").
    sla_check_seconds: float = config.setting(5.0, ge=0, le=3600)
    sla_warning_ratio: float = config.setting(0.8, ge=0.05, le=1)
    sla_targets: str = config.setting("")
    # Event-triggered outreach (crm.marketing.outreach_loop): how often to scan for events and
    # plan calls and messages; 0 (the default): not on this replica (the scheduler runs it).
    outreach_scan_seconds: float = config.setting(0.0, ge=0, le=86_400)
    # Proactive messages (conversations.proactive): how often to send due app/Telegram items
    # through the assistant; 0 (the default): not on this replica (the scheduler runs it).
    proactive_send_seconds: float = config.setting(0.0, ge=0, le=86_400)
    # Console sign-in attempts allowed per agent and per address in 15 minutes (refused ones
    # count too); a little above what a real person needs.
    console_logins_per_agent: int = config.setting(10, ge=1, le=10_000)
    console_logins_per_address: int = config.setting(30, ge=1, le=10_000)
    # After closing or handing back, the agent keeps access this long (notes, a last look).
    wrap_up_seconds: int = config.setting(120, ge=0, le=3600)
    # How long the assistant's responses (Rasa GET /domain) are cached for suggestions.
    rasa_domain_cache_seconds: int = config.setting(60, ge=0, le=86_400)
    # Customer messages the assistant answered with less confidence than this (or fell back
    # on) go to the designers' review list.
    review_confidence_threshold: float = config.setting(0.5, ge=0, le=1)
    # The Rasa project the review page adds examples to (config.yml, assistant/, nlu_data/),
    # and the Rasa executable that validates it first.
    training_data_dir: Path = config.setting(PROJECT_ROOT)
    # Conversations and audit entries older than this are deleted (server.privacy), checked
    # every RETENTION_CHECK_SECONDS on this replica (0: leave it to another one).
    retention_days: int = config.setting(365, ge=1, le=3650)
    retention_check_seconds: float = config.setting(3600.0, ge=0, le=86_400)
    rasa_bin: Path = config.setting(PROJECT_ROOT / ".venvs" / "rasa" / "bin" / "rasa")

    def problems(self) -> list[str]:
        found = super().problems()
        if self.redis_url and not self.redis_url.startswith(("redis://", "rediss://", "unix://")):
            found.append("REDIS_URL: must be a redis:// or rediss:// URL")
        found += config.app_token_problems(self.app_jwt_secret, self.app_jwt_public_key)
        if self.demo_mode and len(self.app_jwt_secret) < 32:
            found.append("APP_JWT_SECRET: DEMO_MODE signs demo customers' tokens with it")
        if self.demo_mode and self.database_url.startswith("postgresql"):
            found.append("DEMO_MODE: not with a PostgreSQL DATABASE_URL (a real bank's data)")
        if self.demo_mode and urlsplit(self.public_url).hostname not in LOOPBACK:
            found.append("DEMO_MODE: only on a loopback PUBLIC_URL (it hands out app tokens)")
        return found


def get_settings() -> PlatformSettings:
    return config.get(PlatformSettings)


def get_database_settings() -> DatabaseSettings:
    return config.get(DatabaseSettings)
