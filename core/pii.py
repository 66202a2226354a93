"""Mask card numbers, ID numbers and phone numbers before text reaches a log or a person.

Runs in both runtimes (Rasa's spaCy 3.4 and the platform's spaCy 3.8), so it uses only a
blank tokenizer and the rule-based Matcher: nothing is downloaded, no model is loaded.
"""

from __future__ import annotations

import re
from functools import lru_cache

import spacy
from spacy.matcher import Matcher

# A line needs at least this many digits before it is worth tokenizing.
_ENOUGH_DIGITS = re.compile(r"(?:\d\D{0,3}){6}")

_CARD_WHOLE = r"^\d{13,19}$|^\d{4}(?:-\d{4}){3}$"
_ID_CN = r"^\d{17}[\dXx]$|^\d{15}$"
_ID_UK_NINO = r"^[A-CEGHJ-PR-TW-Za-ceghj-pr-tw-z]{2}\d{6}[A-Da-d]$"
_PHONE_WHOLE = r"^(?:\+?\d{1,3})?1[3-9]\d{9}$|^\+\d{10,15}$|^0\d{9,10}$"


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit() or ch in "Xx")


@lru_cache(maxsize=1)
def _pipeline() -> tuple[spacy.language.Language, Matcher]:
    nlp = spacy.blank("en")
    matcher = Matcher(nlp.vocab)
    four = {"TEXT": {"REGEX": r"^\d{4}$"}}
    matcher.add("ID", [[{"TEXT": {"REGEX": _ID_CN}}], [{"TEXT": {"REGEX": _ID_UK_NINO}}]])
    matcher.add(
        "CARD",
        [
            [{"TEXT": {"REGEX": _CARD_WHOLE}}],
            [four, four, four, four],
            [four, {"TEXT": {"REGEX": r"^\d{6}$"}}, {"TEXT": {"REGEX": r"^\d{5}$"}}],
        ],
    )
    group = {"TEXT": {"REGEX": r"^\(?\d{2,6}\)?$"}}
    matcher.add(
        "PHONE",
        [
            [{"TEXT": {"REGEX": _PHONE_WHOLE}}],
            [{"TEXT": {"REGEX": r"^\+\d{1,3}$"}}, group, group, {**group, "OP": "?"}],
            [{"TEXT": {"REGEX": r"^0\d{2,4}$"}}, group, {**group, "OP": "?"}],
            [{"TEXT": {"REGEX": r"^\+\d{1,3}$"}}, {"TEXT": {"REGEX": r"^1[3-9]\d{9}$"}}],
        ],
        greedy="LONGEST",
    )
    return nlp, matcher


def _mask(label: str, text: str) -> str | None:
    digits = _digits(text)
    if label == "PHONE" and not 9 <= len(digits) <= 15:
        return None
    return f"[{label} ****{digits[-4:]}]"


def mask_pii(text: str) -> str:
    """Return `text` with every card, ID and phone number replaced by a tag keeping 4 digits."""
    if not text or not _ENOUGH_DIGITS.search(text):
        return text
    nlp, matcher = _pipeline()
    doc = nlp.make_doc(text)
    spans = []
    for match_id, start, end in matcher(doc):
        span = doc[start:end]
        label = nlp.vocab.strings[match_id]
        spans.append((span.start_char, span.end_char, label, span.text))
    # Longest span first wins; overlapping shorter matches are dropped.
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    out, cursor = [], 0
    for start, end, label, original in spans:
        if start < cursor:
            continue
        replacement = _mask(label, original)
        if replacement is None:
            continue
        out.append(text[cursor:start])
        out.append(replacement)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)
