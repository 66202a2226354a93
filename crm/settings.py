"""Platform configuration, read only from environment variables (documented in .env.example)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(SystemExit):
    """Stops start-up with a message that names each missing or invalid variable."""


class DatabaseSettings(BaseSettings):
    """Just where the data lives: enough for migrations and the generator, no secrets needed."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    data_dir: Path = Field(default=PROJECT_ROOT / "data")
    database_url: str = ""
    # Contact policy of the offer engine (not secrets; tune per bank).
    crm_offers_per_week: int = Field(default=3, ge=0, le=50)
    crm_decline_cooldown_days: int = Field(default=30, ge=0, le=365)
    # The bank's business date (see crm.clock): unset, today; set, the synthetic bank's
    # history ends on it and the platform evaluates the data on it (tests pin it).
    bank_as_of: dt.date | None = None

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL with the driver this runtime ships (psycopg 3 for PostgreSQL)."""
        url = self.database_url or f"sqlite:///{self.data_dir / 'bank.db'}"
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url


class Settings(DatabaseSettings):
    """Everything the platform process needs; secrets have no defaults."""

    redis_url: str = ""
    crm_service_token: str = Field(min_length=16)
    app_jwt_secret: str = Field(min_length=32)
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_public_url: str = "http://127.0.0.1:5005"
    rasa_api_token: str = Field(min_length=16)
    public_url: str = "http://127.0.0.1:8000"
    demo_mode: bool = False
    log_format: str = "text"
    log_level: str = "INFO"

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis:// or rediss:// URL")
        return value

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        if value.lower() not in {"text", "json"}:
            raise ValueError("must be 'text' or 'json'")
        return value.lower()


def _load(cls: type[BaseSettings]) -> BaseSettings:
    """Build settings, turning a validation failure into a message naming each variable."""
    try:
        return cls()
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "?"
            lines.append(f"  {name}: {error['msg']}")
        raise ConfigError("Configuration error (see .env.example):\n" + "\n".join(lines)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return _load(Settings)  # type: ignore[return-value]


@lru_cache(maxsize=1)
def get_database_settings() -> DatabaseSettings:
    return _load(DatabaseSettings)  # type: ignore[return-value]
