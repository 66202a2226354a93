"""The separate asks in one message: "my card was stolen yesterday, can you block it and tell
me if anything was taken?" -> "my card was stolen yesterday" / "can you block it" / "tell
me if anything was taken". Splits at sentence ends, commas and the words that join requests
(and, also, then; 还有, 另外, 顺便, 并且); a piece of one or two words is no ask of its own
and stays with its neighbour."""

from __future__ import annotations

import re

JOINS = re.compile(
    r"[.?!;；。？！]+\s*|,\s*|，\s*|\s+(?:and also|and then|and|also|plus|then)\s+"
    r"|还有|另外|顺便|并且|然后|再帮我|也帮我",
    re.IGNORECASE,
)
# A second request is joined by a word; sentences and commas alone are mostly context
# ("I was abroad last week. My card got declined."), not a second ask.
REQUEST_JOIN = re.compile(
    r"\b(?:and|also|plus|then)\b|还有|另外|顺便|并且|然后|再帮我|也帮我", re.IGNORECASE
)
HAN = re.compile(r"[\u3400-\u9fff]")
MIN_WORDS, MIN_HAN = 3, 4


def substantial(piece: str) -> bool:
    return len(piece.split()) >= MIN_WORDS or len(HAN.findall(piece)) >= MIN_HAN


def length_in_words(text: str) -> float:
    """Words, a Han character counting as half of one (a Chinese word is one to three)."""
    han = len(HAN.findall(text or ""))
    return len(HAN.sub(" ", text or "").split()) + han / 2


def clauses(text: str) -> list[str]:
    """The message's asks in order; one element when it asks one thing."""
    if not REQUEST_JOIN.search(text or ""):
        return [text]
    pieces = [p.strip() for p in JOINS.split(text or "") if p and p.strip()]
    merged: list[str] = []
    for piece in pieces:
        if merged and not substantial(merged[-1]):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    if len(merged) > 1 and not substantial(merged[-1]):
        last = merged.pop()
        merged[-1] = f"{merged[-1]} {last}"
    return merged
