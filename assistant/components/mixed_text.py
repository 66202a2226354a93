"""Normalised text and words for messages that mix Chinese and English.

Customers write 我的信用卡丢了, "my card is lost" and 我的app登不上 alike, in Simplified or
Traditional characters, with full-width digits from a Chinese keyboard. The classifier's
n-grams and the tokenizer see one form of each: NFKC (full-width -> ASCII), lower case,
Traditional -> Simplified (OpenCC), and the common variant 帐 -> 账. Chinese has no spaces, so
runs of Han characters are segmented by jieba, with the bank's own words added so that
尾号, 借记卡 or 转人工 stay one word; other text splits into words as before.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# A word outside Chinese text: word characters; the classifier keeps those of two or more
# (scikit-learn's default), the tokenizer keeps all.
LATIN_WORD = re.compile(r"[^\W\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
BANK_WORDS = Path(__file__).with_name("bank_words_zh.txt")
VARIANTS = str.maketrans({"帐": "账"})

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _converter() -> Any:  # opencc has no type information
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _segmenter() -> Any:  # jieba has no type information
    """One jieba dictionary per process (about 0.7 s to build), with the bank's words."""
    import jieba

    jieba.setLogLevel(logging.WARNING)  # it prints "Building prefix dict..." to stderr
    with _lock:
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for line in BANK_WORDS.read_text(encoding="utf-8").splitlines():
            word = line.split("#", 1)[0].strip()
            if word:
                tokenizer.add_word(word)
    return tokenizer


def has_han(text: str) -> bool:
    return HAN_RUN.search(text) is not None


def normalise(text: str) -> str:
    """The form the classifier reads: NFKC, lower case, Simplified characters."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    if has_han(text):
        text = _converter().convert(text).translate(VARIANTS)
    return text


def spans(text: str) -> Iterator[tuple[str, int]]:
    """Words with their offsets in `text`: jieba's words in Han runs, word runs elsewhere."""
    position = 0
    for run in HAN_RUN.finditer(text):
        yield from _latin(text[position : run.start()], position)
        for word, start, _ in _segmenter().tokenize(run.group()):
            yield word, run.start() + start
        position = run.end()
    yield from _latin(text[position:], position)


def _latin(text: str, offset: int) -> Iterator[tuple[str, int]]:
    for match in LATIN_WORD.finditer(text):
        yield match.group(), offset + match.start()


def words(text: str) -> list[str]:
    """Words of already normalised text (the classifier's word view tokenizer): every
    Chinese word, other words of two or more characters."""
    return [word for word, _ in spans(text) if len(word) > 1 or has_han(word)]
