"""Amounts as customers write them in Chinese, as digits: 三千 -> 3000, 两千五 -> 2500,
1.5万 -> 15000, 一万二 -> 12000, 1,200 -> 1200. Stdlib only; None when it is no number."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

DIGITS = {"零": 0, "\u3007": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
          "七": 7, "八": 8, "九": 9}  # fmt: skip
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
LARGE_UNITS = {"万": 10_000, "亿": 100_000_000}
ARABIC = re.compile(r"^(\d+(?:\.\d+)?)([十百千万亿]*)$")


def _chinese(text: str) -> int | None:
    """Chinese numerals, with the colloquial elided unit: 两千五 is 2500, 三百五 is 350."""
    total = section = number = 0
    last_unit = 1
    for char in text:
        if char in DIGITS:
            number = DIGITS[char]
        elif char in SMALL_UNITS:
            section += (number or 1) * SMALL_UNITS[char]
            number, last_unit = 0, SMALL_UNITS[char]
        elif char in LARGE_UNITS:
            total += (section + number) * LARGE_UNITS[char]
            section = number = 0
            last_unit = LARGE_UNITS[char]
        else:
            return None
    elided = len(text) > 1 and text[-2] in SMALL_UNITS.keys() | LARGE_UNITS.keys()
    if number and elided:
        number *= last_unit // 10  # 两千五: the 五 means five hundred
    return total + section + number


def to_digits(text: str) -> str | None:
    """The amount as a plain decimal string, or None."""
    text = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    match = ARABIC.match(text)
    try:
        if match:
            value = Decimal(match.group(1))
            for unit in match.group(2):
                value *= SMALL_UNITS.get(unit) or LARGE_UNITS[unit]
        else:
            number = _chinese(text)
            if number is None:
                return None
            value = Decimal(number)
    except InvalidOperation:
        return None
    return format(value.normalize(), "f")
