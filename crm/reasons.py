"""Reasons: a stable machine code, agent-facing English with figures, and the figures.

The assistant chooses its own (localized) words by `code` and fills them from `figures`;
the console shows `text`. Money figures are two-decimal strings, counts are integers.
"""

from __future__ import annotations

from typing import Any, TypedDict


class Reason(TypedDict):
    code: str
    text: str
    figures: dict[str, Any]


def reason(code: str, text: str, **figures: Any) -> Reason:
    return {"code": code, "text": text, "figures": figures}
