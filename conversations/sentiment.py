"""The customer's mood, from what they wrote: a small offline lexicon for English and Chinese.

Why a lexicon: the summary must run inside the product (no external service, no model to
download), on every handoff, in microseconds, and an agent must be able to see why a
message counted as negative (`Mood.cues`). It handles the two things that most often flip
a naive word count in a bank's chat: negation ("not happy", "不满意", "no problem") and
intensifiers ("really angry", "太过分"). Measured by bench/sentiment_eval.py on the
labelled examples in tests/platform/data/sentiment_labelled.yml (words and thresholds
chosen on the development set, figures reported on a held-out set written afterwards).

English is split into words; Chinese (no spaces, no segmenter installed) is matched by the
longest lexicon entry at each character, which is what a dictionary segmenter would do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# Chosen on the development examples (bench/sentiment_eval.py --tune), then frozen.
NEGATIVE_BELOW = -0.75
POSITIVE_ABOVE = 0.5

NEGATION_WINDOW = 3  # words after "not" whose polarity flips
ZH_NEGATION_REACH = 1  # characters between a Chinese negator and the word it flips
NEGATED = -0.8  # "not happy" is weaker than "unhappy"; "not bad" mildly positive
INTENSIFIED = 1.6
EXCLAIMED = 1.2  # a message ending in "!" or "?!" says it louder

EN_WORDS: dict[str, float] = {
    # anger, frustration, contempt
    "angry": -2.5, "furious": -3, "annoyed": -2, "annoying": -2, "frustrated": -2.5,
    "frustrating": -2.5, "upset": -2, "fed": -0.5, "sick": -1, "hate": -3, "ridiculous": -2.5,
    "useless": -2.5, "hopeless": -2.5, "terrible": -3, "horrible": -3, "awful": -3,
    "worst": -3, "bad": -1.5, "rude": -2.5, "unacceptable": -3, "disgrace": -3,
    "disgraceful": -3, "unfair": -2, "nightmare": -2.5, "silly": -1.5, "stupid": -2.5,
    "pathetic": -3, "joke": -1.5, "lie": -2, "lied": -2, "liar": -2.5, "scam": -3,
    "rip": -1, "wasting": -2, "waste": -2, "nonsense": -2, "seriously": -1, "again": -0.5,
    "still": -0.5, "disappointed": -2.5, "disappointing": -2.5, "unhappy": -2.5,
    "embarrassing": -2, "ignored": -2, "rubbish": -2.5, "crap": -2.5, "sucks": -2.5,
    "overcharged": -2, "nobody": -1, "done": -0.3,
    # worry, harm done
    "worried": -2, "worry": -1.5, "scared": -2, "afraid": -2, "panicking": -2.5,
    "panic": -2.5, "anxious": -2, "stolen": -2, "stole": -2, "fraud": -2.5,
    "fraudulent": -2.5, "cloned": -2, "unauthorised": -2, "unauthorized": -2,
    "authorise": 0, "never": -0.5, "disappeared": -2, "strange": -1, "crashing": -1.5,
    "crashes": -1.5, "failed": -1.5, "fails": -1.5, "broken": -1.5, "swallowed": -1.5,
    "urgently": -0.5, "locked": -1, "declined": -1, "trust": 1, "twice": -1,
    "problem": -1, "wrong": -1.5, "mess": -2, "hard": -0.8, "help": 0,
    # satisfaction, thanks, relief
    "thanks": 2, "thank": 2, "thx": 2, "cheers": 1.5, "appreciate": 2.5,
    "appreciated": 2.5, "great": 2.5, "good": 1.5, "nice": 1.5, "perfect": 2.5,
    "excellent": 3, "brilliant": 3, "wonderful": 3, "fantastic": 3, "awesome": 3,
    "amazing": 3, "lovely": 2.5, "love": 2.5, "helpful": 2, "happy": 2, "glad": 2,
    "pleased": 2, "satisfied": 2, "relieved": 2.5, "kind": 1.5, "generous": 2,
    "best": 2, "easy": 1, "quick": 1, "fast": 1, "solved": 1.5, "resolved": 1,
    "fixed": 1, "works": 0.8, "worked": 1, "better": 1, "super": 1.5, "sounds": 0.3,
    "okay": 0.3, "worries": -1, "made": 0.2,
    # round 2: a broader general vocabulary
    "disgusted": -3, "disgusting": -3, "cheated": -2.5, "cheating": -2.5, "robbed": -3,
    "stressed": -2, "stress": -1.5, "stressful": -2, "nervous": -1.5, "desperate": -2.5,
    "losing": -1, "lost": -0.3, "error": -1.5, "mistake": -1.5, "mistakes": -1.5,
    "incompetent": -3, "hidden": -1, "ignoring": -2, "ignore": -1.5, "bounced": -2,
    "circles": -1, "impossible": -1.5, "outrageous": -3, "shocking": -2.5, "shocked": -2,
    "appalling": -3, "dreadful": -3, "poor": -1.5, "slow": -1, "delay": -1, "delayed": -1.5,
    "unreliable": -2, "nobody's": -1, "complaint": -0.5, "complain": -1, "confusing": -1.5,
    "confused": -1, "sad": -2, "miserable": -2.5, "insane": -2, "crazy": -1.5,
    "greedy": -2.5, "unbelievable": -2, "lousy": -2.5, "mad": -2, "hell": -2,
    "damn": -2, "wtf": -3, "fuming": -3, "livid": -3, "irritated": -2, "irritating": -2,
    "tired": -1.5, "enough": -0.5, "threatening": -1.5, "lawyer": -1.5, "ombudsman": -1.5,
    "delighted": 3, "thrilled": 3, "grateful": 2.5, "impressed": 2, "impressive": 2,
    "smooth": 1.5, "cool": 1.5, "superb": 3, "outstanding": 3, "friendly": 2,
    "patient": 1, "patience": 0.5, "saved": 1.5, "sorted": 1.5,
    "satisfying": 2, "recommend": 2, "legend": 2, "star": 1.5, "yay": 2, "phew": 1.5,
}  # fmt: skip
# Several words that mean something else together; matched before the single words.
EN_PHRASES: dict[tuple[str, ...], float] = {
    ("no", "thanks"): 0, ("no", "thank", "you"): 0, ("no", "problem"): 1,
    ("no", "worries"): 1, ("not", "a", "problem"): 1, ("can't", "believe"): -1.5,
    ("cannot", "believe"): -1.5, ("can't", "wait"): 1.5, ("hung", "up"): -1.5,
    ("on", "hold"): -1, ("in", "circles"): -2, ("fed", "up"): -2.5,
    ("losing", "patience"): -2.5, ("lost", "patience"): -2.5, ("sick", "of"): -2.5,
    ("had", "enough"): -2.5, ("waste", "of", "time"): -2.5, ("rip", "off"): -2.5,
    ("thanks", "a", "million"): 3, ("well", "done"): 2, ("nice", "one"): 2,
    ("happy", "days"): 2, ("good", "stuff"): 2, ("great", "stuff"): 2.5,
    ("let", "down"): -2, ("messed", "up"): -2.5, ("screwed", "up"): -2.5,
}  # fmt: skip
EN_PHRASE_LONGEST = max(len(p) for p in EN_PHRASES)

EN_NEGATORS = frozenset(
    ("not", "no", "never", "dont", "don't", "didn't", "doesn't", "isn't", "wasn't", "aren't",
     "can't", "cannot", "won't", "couldn't", "wouldn't", "haven't", "hasn't", "nothing",
     "without", "nt")
)  # fmt: skip
EN_INTENSIFIERS = frozenset(
    ("very", "really", "so", "extremely", "totally", "absolutely", "too", "completely",
     "utterly", "super", "such", "incredibly", "truly", "most")
)  # fmt: skip

ZH_WORDS: dict[str, float] = {
    # 愤怒、不满
    "生气": -2.5, "气死": -3, "恼火": -2.5, "烦": -2, "烦死": -3, "烦透": -3, "受够": -2.5,
    "过分": -2.5, "离谱": -2.5, "太差": -3, "差劲": -3, "糟糕": -3, "烂": -2.5, "垃圾": -2.5,
    "没用": -2.5, "失望": -2.5, "不满": -2.5, "不公平": -2, "不能接受": -3, "骗": -2.5,
    "诈骗": -3, "骗人": -3, "粗鲁": -2.5, "荒唐": -2.5, "噩梦": -2.5, "浪费": -2,
    "丢人": -2, "不敢相信": -2, "凭什么": -2, "没人理": -2, "没人管": -2, "没人能": -1.5,
    "听不懂": -1.5, "又": -0.5, "还是没": -1.5, "真的假的": -1, "再也不": -1.5,
    "不信任": -2.5, "最差": -3, "闪退": -1.5, "踢出": -1.5, "用不了": -1.5, "多扣": -2,
    "扣了我两次": -2, "两次": -0.5, "吞了": -1.5, "不好": -1.5, "不好用": -2,
    "不满意": -2.5,
    # 担心、受损
    "担心": -2, "怕": -1.5, "慌": -2.5, "着急": -2, "紧急": -1, "被偷": -2, "盗刷": -2.5,
    "盗用": -2.5, "被盗": -2.5, "复制": -1, "没做过": -2, "没授权": -2, "不见了": -2,
    "奇怪": -1, "失败": -1.5, "弄丢": -2, "没收到": -1.5, "没回复": -1.5, "被拒": -1,
    "锁了": -1, "太高": -1.5, "赶紧": -1,
    # 感谢、满意、放心
    "谢谢": 2, "感谢": 2.5, "多谢": 2, "谢啦": 2, "感激": 2.5, "太好了": 3, "好消息": 2.5,
    "满意": 2, "完美": 3, "太棒": 3, "很棒": 2.5, "最棒": 3, "不错": 2, "很好": 2,
    "非常好": 3, "喜欢": 2, "开心": 2.5, "高兴": 2.5, "放心": 2, "松了口气": 2.5,
    "贴心": 2.5, "方便": 1.5, "划算": 1.5, "帮了我大忙": 3, "大忙": 2, "有用": 1.5,
    "点赞": 2.5, "真好": 2.5, "快": 0.5, "解决了": 1.5, "成功": 1.5, "好的": 0.3,
    "愉快": 2, "心情好": 2, "没问题": 1, "没关系": 1, "可以了": 1,
    "一如既往": 0.5,
    # 第二轮：更广的常用词
    "恶心": -3, "坑": -2.5, "被坑": -2.5, "坑人": -3, "失误": -2, "错误": -1.5, "搞错": -2,
    "一团糟": -3, "乱七八糟": -3, "认可": 1.5, "压力": -1.5, "崩溃": -3, "无视": -2.5,
    "不理": -2, "挂断": -2, "挂了": -1, "兜圈子": -2, "绕圈子": -2, "隐藏": -1.5,
    "拖": -1.5, "拖延": -2, "耗光": -2.5, "耐心": 0.5, "没耐心": -2, "无语": -2.5,
    "郁闷": -2.5, "难受": -2, "伤心": -2.5, "委屈": -2.5, "愤怒": -3, "火大": -3,
    "投诉你们": -2, "曝光": -2, "黑心": -3, "坑爹": -3, "扯": -1.5,
    "莫名其妙": -2.5, "乱扣": -2.5, "乱收费": -2.5, "退钱": -1.5, "敷衍": -2.5,
    "推卸": -2.5, "踢皮球": -2.5, "慢": -1, "太慢": -2, "等了": -1, "难以置信": -2.5,
    "怎么可能": -1.5, "开玩笑": -1.5, "付不了": -1.5, "被刷": -2, "转走": -1.5,
    "不靠谱": -2.5, "靠谱": 1.5, "讨厌": -2.5, "后悔": -2, "丢脸": -2,
    "周到": 2.5, "厉害": 2, "漂亮": 2, "棒": 2.5, "谢了": 2, "赞": 2, "给力": 2.5,
    "辛苦": 1.5, "麻烦了": 0, "麻烦": -1.5, "感恩": 2.5, "救了我": 2.5, "安心": 2,
    "好评": 2.5, "专业": 1.5, "热情": 2, "顺利": 1.5, "省心": 2, "惊喜": 2.5,
    "好啊": 1, "好极了": 3, "优秀": 2.5, "信任": 1.5, "帮助": 1,
}  # fmt: skip

ZH_NEGATORS = ("没有", "不是", "不", "没", "别", "未", "无")
ZH_INTENSIFIERS = ("非常", "特别", "极其", "十分", "真的", "实在", "太", "很", "真", "超", "好")
ZH_LONGEST = max(len(w) for w in (*ZH_WORDS, *ZH_NEGATORS, *ZH_INTENSIFIERS))
# Entries that already contain their negation: the negator before them must not flip them.
ZH_SELF_NEGATED = frozenset(w for w in ZH_WORDS if w[0] in "不没无未别" or w.startswith("再也"))

EN_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?")
HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Mood:
    """A message's (or a conversation's) mood: its label, score and the words behind it."""

    label: str  # negative | neutral | positive
    score: float
    cues: tuple[str, ...] = field(default=())


def label_of(score: float) -> str:
    if score <= NEGATIVE_BELOW:
        return "negative"
    if score >= POSITIVE_ABOVE:
        return "positive"
    return "neutral"


def _phrase(tokens: list[str], at: int) -> tuple[int, float] | None:
    """The longest phrase starting at `at`: (its length in words, its weight)."""
    for size in range(min(EN_PHRASE_LONGEST, len(tokens) - at), 1, -1):
        weight = EN_PHRASES.get(tuple(tokens[at : at + size]))
        if weight is not None:
            return size, weight
    return None


def _english(text: str) -> tuple[float, list[str]]:
    score, cues = 0.0, []
    negate_left, boost = 0, 1.0
    tokens = EN_TOKEN.findall(text.lower().replace("\u2019", "'"))
    at = 0
    while at < len(tokens):
        token, size = tokens[at], 1
        phrase = _phrase(tokens, at)
        if phrase is not None:  # a phrase carries its own negation ("no thanks")
            size, weight = phrase
            token, negate_left = " ".join(tokens[at : at + size]), 0
        elif token in EN_NEGATORS or token.endswith("n't"):
            negate_left, at = NEGATION_WINDOW, at + 1
            continue
        elif token in EN_INTENSIFIERS:
            boost, at = INTENSIFIED, at + 1
            continue
        else:
            weight = EN_WORDS.get(token, 0.0)
        at += size
        if weight:
            weight *= boost * (NEGATED if negate_left else 1.0)
            score += weight
            cues.append(("not " if negate_left else "") + token)
            negate_left, boost = 0, 1.0
        else:
            negate_left = max(0, negate_left - 1)
    return score, cues


def _chinese(text: str) -> tuple[float, list[str]]:
    """Longest match at each character. A negator flips only a word within ZH_NEGATION_REACH
    characters after it ("不再信任", not "别再给我发这些垃圾"); "烦不烦" (A-not-A, a
    rhetorical question) counts its word once, unflipped."""
    score, cues = 0.0, []
    negated_at, boost, last = -99, 1.0, ("", -99)  # negator's end; last word and its end
    i = 0
    while i < len(text):
        for size in range(min(ZH_LONGEST, len(text) - i), 0, -1):
            piece = text[i : i + size]
            if piece in ZH_WORDS:
                a_not_a = piece == last[0] and negated_at == i and last[1] == i - 1
                negated = i - negated_at <= ZH_NEGATION_REACH and piece not in ZH_SELF_NEGATED
                if not a_not_a:
                    score += ZH_WORDS[piece] * boost * (NEGATED if negated else 1.0)
                    cues.append(("不" if negated else "") + piece)
                negated_at, boost, last = -99, 1.0, (piece, i + size)
                break
            if piece in ZH_NEGATORS:
                negated_at = i + size
                break
            if piece in ZH_INTENSIFIERS:
                boost = INTENSIFIED
                break
        else:
            size = 1
            if not HAN.match(text[i]):  # punctuation ends an intensifier's reach
                negated_at, boost = -99, 1.0
        i += size
    return score, cues


def score_text(text: str) -> Mood:
    """One message's mood (English words and Chinese characters may be mixed)."""
    en_score, en_cues = _english(text)
    zh_score, zh_cues = _chinese(text) if HAN.search(text) else (0.0, [])
    score = en_score + zh_score
    if text.rstrip().endswith(("!", "！", "?!", "？！")):
        score *= EXCLAIMED
    return Mood(label_of(score), round(score, 2), tuple(en_cues + zh_cues))


def conversation_mood(messages: Iterable[str], recent: int = 3) -> Mood:
    """The customer's mood now: the latest messages count most (a thank-you after a fix
    outweighs the anger before it); weights 1, 0.6, 0.36 ... from the last message back.
    Negative dominates a tie: an agent had better expect an upset customer."""
    moods = [score_text(m) for m in messages if m and m.strip()][-recent:]
    if not moods:
        return Mood("neutral", 0.0)
    total, weight, cues = 0.0, 1.0, []
    for mood in reversed(moods):
        total += mood.score * weight
        weight *= 0.6
        cues.extend(mood.cues)
    total = round(total, 2)
    return Mood(label_of(total), total, tuple(dict.fromkeys(cues))[:6])
