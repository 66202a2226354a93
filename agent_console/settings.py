"""Console settings, read only from environment variables (documented in .env.example).

Kept beside the platform's `crm.settings` (same loader, same error messages) so the
console's knobs live with the console.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from crm.settings import PROJECT_ROOT, _load


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    # A handoff nobody claims within this many seconds: the customer is told and offered a
    # callback (once per handoff).
    handoff_timeout_seconds: int = Field(default=180, ge=1, le=86_400)
    # How often the platform looks for such handoffs; 0 switches the check off (e.g. on
    # replicas that should leave it to another one).
    handoff_check_seconds: float = Field(default=5, ge=0, le=3600)
    # How long the assistant's responses (Rasa GET /domain) are cached for suggestions.
    rasa_domain_cache_seconds: int = Field(default=60, ge=0, le=86_400)
    # Customer messages the assistant answered with less confidence than this (or fell back
    # on) go to the designers' review list.
    review_confidence_threshold: float = Field(default=0.5, ge=0, le=1)
    # The Rasa project the review page adds examples to (config.yml, assistant/, nlu_data/),
    # and the Rasa executable that validates it first.
    training_data_dir: Path = Field(default=PROJECT_ROOT)
    rasa_bin: Path = Field(default=PROJECT_ROOT / ".venvs" / "rasa" / "bin" / "rasa")


@lru_cache(maxsize=1)
def get_console_settings() -> ConsoleSettings:
    return _load(ConsoleSettings)  # type: ignore[return-value]
