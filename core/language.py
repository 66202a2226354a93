"""Which language a customer wrote in: zh-CN (Chinese) or English, per message.

By script, which is what decides on a bank chat's short messages (好的, ok, 谢谢, 尾号1234):
a message with Chinese characters is Chinese unless they are a stray few in a long English
sentence; one without is English. Stdlib only; both runtimes use it (the assistant's NLU
and channels, the console's display and suggestions).
"""

from __future__ import annotations

import re

ZH, EN = "zh", "en"
LANGUAGES = (EN, ZH)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def detect(text: str, default: str = EN) -> str:
    """`zh` or `en`; `default` when the message has no letters at all (a number, an emoji)."""
    han = len(_HAN.findall(text or ""))
    words = len(_LATIN_WORD.findall(text or ""))
    if han == 0 and words == 0:
        return default
    # Chinese customers mix in English words (app, PIN, Apple Pay); each Chinese character
    # is about half a word, so Chinese wins unless English clearly dominates.
    return ZH if han * 0.5 >= words * 0.34 else EN
