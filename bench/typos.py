"""Seeded noise that turns clean dev utterances into what customers type on a phone.

Three copies of a split are measured (`make bench`, `make nlu-report`):
- `typos`: one keyboard slip (swap two letters, drop one, double one, or hit a neighbouring
  key) in about 1 of 4 words of 4+ letters;
- `plain`: lower case without punctuation;
- `text_speak`: chat abbreviations (u, pls, thx, acct...) and no apostrophes.
The same seed gives the same noise, so figures are comparable from one run to the next.
Stdlib only.
"""

from __future__ import annotations

import random
import re

# QWERTY neighbours of each letter (same row and the rows above and below).
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
NEIGHBOURS: dict[str, str] = {}
for r, row in enumerate(_ROWS):
    for c, letter in enumerate(row):
        near = {row[i] for i in (c - 1, c + 1) if 0 <= i < len(row)}
        for other in (r - 1, r + 1):
            if 0 <= other < len(_ROWS):
                near |= {_ROWS[other][i] for i in (c - 1, c, c + 1) if 0 <= i < len(_ROWS[other])}
        NEIGHBOURS[letter] = "".join(sorted(near))

TEXT_SPEAK = {
    "you": "u", "your": "ur", "you're": "ur", "are": "r", "please": "pls", "thanks": "thx",
    "thank you": "ty", "because": "cuz", "tomorrow": "tmrw", "today": "2day", "before": "b4",
    "account": "acct", "message": "msg", "people": "ppl", "what": "wat", "why": "y",
    "okay": "ok", "i don't know": "idk", "to be honest": "tbh", "as soon as possible": "asap",
    "for": "4", "great": "gr8", "information": "info", "transaction": "txn",
}  # fmt: skip
_SPEAK = re.compile(
    r"\b(" + "|".join(re.escape(k) for k in sorted(TEXT_SPEAK, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z]{4,}")


def slip(word: str, rng: random.Random) -> str:
    """One keyboard slip inside a word (first letter kept, as people rarely miss it)."""
    i = rng.randrange(1, len(word))
    kind = rng.choice(("swap", "drop", "double", "neighbour"))
    if kind == "swap" and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    near = NEIGHBOURS.get(word[i].lower())
    if not near:
        return word[:i] + word[i + 1 :]
    key = rng.choice(near)
    return word[:i] + (key.upper() if word[i].isupper() else key) + word[i + 1 :]


def typos(text: str, rng: random.Random, rate: float = 0.25) -> str:
    """About `rate` of the words of 4+ letters get one slip."""
    return _WORD.sub(lambda m: slip(m.group(), rng) if rng.random() < rate else m.group(), text)


def plain(text: str) -> str:
    """Lower case, no punctuation (apostrophes dropped inside words: don't -> dont)."""
    text = re.sub(r"(\w)'(\w)", r"\1\2", text.lower())
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def text_speak(text: str) -> str:
    """Chat abbreviations for common words, lower case, no apostrophes."""
    return plain(_SPEAK.sub(lambda m: TEXT_SPEAK[m.group().lower()], text.lower()))


def noisy_copies(texts: list[str], seed: int = 14) -> dict[str, list[str]]:
    """The three noisy copies of a split; the typo copy's noise is fixed by `seed`."""
    rng = random.Random(seed)
    return {
        "typos": [typos(t, rng) for t in texts],
        "plain": [plain(t) for t in texts],
        "text_speak": [text_speak(t) for t in texts],
    }
