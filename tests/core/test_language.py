"""The language of a message is told by its script, even for the shortest messages."""

from __future__ import annotations

import pytest

from core.language import detect


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("好的", "zh"), ("ok", "en"), ("谢谢", "zh"), ("thanks", "en"), ("嗯", "zh"),
        ("我的卡丢了", "zh"), ("my card is lost", "en"), ("我的app打不开", "zh"),
        ("Apple Pay怎么绑卡", "zh"), ("帮我冻结尾号1234的卡", "zh"), ("尾号1234", "zh"),
        ("block card 1234", "en"), ("轉帳失敗了", "zh"), ("I paid at 美团 yesterday", "en"),
        ("can you help me with my 信用卡 bill please", "en"), ("PIN码忘了", "zh"),
    ],
)  # fmt: skip
def test_short_and_mixed_messages(text: str, language: str) -> None:
    assert detect(text) == language


def test_no_letters_keep_the_conversations_language() -> None:
    assert detect("1234", default="zh") == "zh"
    assert detect("👍", default="en") == "en"
