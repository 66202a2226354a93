"""Free text from callers: bounded, and free of NUL bytes (which PostgreSQL rejects)."""

from __future__ import annotations

from typing import Annotated

from fastapi import HTTPException, status
from pydantic import AfterValidator


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def reject_nul(value: str, name: str) -> str:
    """For path parameters, where a pydantic validator does not reach."""
    if "\x00" in value:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, detail=f"{name} must not contain NUL characters."
        )
    return value


CleanStr = Annotated[str, AfterValidator(_no_nul)]
