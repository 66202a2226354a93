"""Spelling normalisation against the training vocabulary: "blokc my crad" -> "block my card".

Customers type on phones; one slip in a word turns it into a token neither the sentence
encoder nor the word n-grams know. A word of 4+ letters that the training data never uses is
replaced by the most frequent training word one edit away (swap, drop, insert or change a
letter: Norvig's corrector), and left alone when there is none, so names and new words pass
through. The vocabulary is counted from the training examples and persists with the model
as JSON; correcting a message costs well under a millisecond.
"""

from __future__ import annotations

import re
from collections import Counter

LETTERS = "abcdefghijklmnopqrstuvwxyz"
WORD = re.compile(r"[A-Za-z]+")
MIN_LENGTH = 4  # shorter words have too many neighbours one edit away to guess safely


def vocabulary(texts: list[str]) -> dict[str, int]:
    """Lower-case word counts of the training texts."""
    return dict(Counter(w.lower() for text in texts for w in WORD.findall(text)))


def _edits(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    changes = {a + c + b[1:] for a, b in splits if b for c in LETTERS}
    inserts = {a + c + b for a, b in splits for c in LETTERS}
    return deletes | swaps | changes | inserts


class SpellingCorrector:
    """Replaces unknown words by their most frequent known neighbour one edit away."""

    def __init__(self, counts: dict[str, int]) -> None:
        self._counts = counts

    def word(self, word: str) -> str:
        lower = word.lower()
        if len(lower) < MIN_LENGTH or lower in self._counts:
            return word
        known = [w for w in _edits(lower) if w in self._counts]
        return max(known, key=lambda w: (self._counts[w], w)) if known else word

    def __call__(self, text: str) -> str:
        return WORD.sub(lambda m: self.word(m.group()), text)

    def to_json(self) -> dict[str, int]:
        return self._counts
