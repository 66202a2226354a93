"""Money helpers: amounts are Decimal with two places; on the wire they are JSON strings.

Strings, not numbers, so no client ever sees a binary-float rounding of a balance.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import PlainSerializer

CENT = Decimal("0.01")


def to_money(value: Decimal | float | int | str | None) -> Decimal:
    """Any number as a two-place Decimal (None counts as zero)."""
    if value is None:
        return Decimal("0.00")
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money_str(value: Decimal | float | int | str | None) -> str:
    """The wire form: '1520.55'."""
    return f"{to_money(value):.2f}"


# Pydantic field type: a Decimal inside, a two-decimal string in JSON.
MoneyStr = Annotated[Decimal, PlainSerializer(money_str, return_type=str, when_used="json")]
