"""The mood lexicon on clear cases, in English and Chinese, negation and intensifiers included
(its measured accuracy is bench/sentiment_eval.py's business)."""

from __future__ import annotations

import pytest

from conversations.sentiment import conversation_mood, score_text


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("This is ridiculous, I'm really angry", "negative"),
        ("Someone stole my card, this is awful!", "negative"),
        ("I'm not happy with this at all", "negative"),
        ("What is my balance right now?", "neutral"),
        ("I lost my card", "neutral"),
        ("Thanks a lot, that was quick", "positive"),
        ("Not bad at all, thanks", "positive"),
        ("太过分了，我很生气", "negative"),
        ("我对这个结果不满意", "negative"),
        ("我的卡丢了", "neutral"),
        ("请帮我挂失借记卡", "neutral"),
        ("太好了，谢谢你", "positive"),
        ("还不错，没问题", "positive"),
    ],
)
def test_clear_messages_get_the_mood_a_person_would_give_them(text: str, label: str) -> None:
    assert score_text(text).label == label


def test_an_intensifier_says_it_louder_and_the_cues_say_why() -> None:
    plain, loud = score_text("I am angry"), score_text("I am extremely angry")
    assert loud.score < plain.score < 0
    assert loud.cues == ("angry",)


def test_the_latest_messages_decide_the_conversations_mood() -> None:
    calmed = conversation_mood(["This is useless, I'm furious", "ok", "thank you, that's great"])
    upset = conversation_mood(["thank you", "ok", "this is useless, I'm furious"])
    assert (calmed.label, upset.label) == ("positive", "negative")
    assert conversation_mood([]).label == "neutral"
