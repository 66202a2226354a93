"""What a Chinese-writing customer depends on, component by component, on the real NLU data:
their message's language is seen, Traditional and full-width text reads as Simplified, card
endings, kinds and amounts written the Chinese way are understood, and a Chinese message is
scored by the Chinese classifier (an English one beside it is untouched)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.entity_synonyms import EntitySynonymMapper
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from assistant.components.chinese_numbers import to_digits
from assistant.components.intent_classifier import EncoderIntentClassifier
from assistant.components.language_detector import LanguageDetector
from assistant.components.mixed_text import normalise, words
from assistant.components.pattern_entities import PatternEntityExtractor

ROOT = Path(__file__).resolve().parents[2]
ENTITY_FILES = [ROOT / "nlu_data" / "entities.yml", ROOT / "nlu_data" / "zh" / "entities.yml"]
PIPELINE_CONFIG = {  # as config.yml configures the extractor
    "priority": ["transaction", "card", "amount", "currency", "period", "account_type",
                 "product", "complaint_category"],
    "intent_priority": {"product_": ["product"], "check_balance": ["account_type"],
                        "complaint": ["complaint_category"]},
    "only_in_intents": {"complaint_category": ["complaint", "inform"]},
    "numeric": ["amount"],
}  # fmt: skip


def test_traditional_full_width_and_variant_characters_read_as_simplified() -> None:
    assert normalise("請問我的信用卡帳戶餘額") == "请问我的信用卡账户余额"
    assert normalise("ＡＰＰ登不上，尾号１２３４") == "app登不上,尾号1234"


def test_chinese_is_segmented_into_the_banks_words() -> None:
    assert words(normalise("我的借记卡被盗刷了，要转人工")) == [
        "我", "的", "借记卡", "被盗刷", "了", "要", "转人工",
    ]  # fmt: skip
    assert words("my card 丢了") == ["my", "card", "丢", "了"]


@pytest.mark.parametrize(
    ("written", "digits"),
    [("三千", "3000"), ("两千五", "2500"), ("1.5万", "15000"), ("一万二", "12000"),
     ("1,200", "1200"), ("十五", "15"), ("一百零五", "105"), ("块", None)],
)  # fmt: skip
def test_amounts_written_in_chinese_become_digits(written: str, digits: str | None) -> None:
    assert to_digits(written) == digits


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> LocalModelStorage:
    return LocalModelStorage(tmp_path_factory.mktemp("model"))


def context() -> ExecutionContext:
    return ExecutionContext(graph_schema=None, model_id="test")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def extractors(storage: LocalModelStorage) -> tuple[PatternEntityExtractor, EntitySynonymMapper]:
    data = TrainingData().merge(*(load_data(str(path)) for path in ENTITY_FILES))
    # the extractor keeps the patterns of entities the data uses; the entity files list them
    named = [
        Message(
            {
                TEXT: e,
                INTENT: "inform",
                ENTITIES: [{"entity": e, "start": 0, "end": len(e), "value": e}],
            }
        )
        for e in PIPELINE_CONFIG["priority"]
    ]
    data = data.merge(TrainingData(named))
    extractor = PatternEntityExtractor.create(
        PIPELINE_CONFIG, storage, Resource("patterns"), context()
    )
    extractor.train(data)
    synonyms = EntitySynonymMapper.create(
        {}, storage, Resource("synonyms"), context(), data.entity_synonyms
    )
    return extractor, synonyms


def entities(extractors, text: str, intent: str = "inform") -> dict[str, str]:
    extractor, synonyms = extractors
    message = Message({TEXT: text, INTENT: {"name": intent, "confidence": 1.0}})
    synonyms.process(extractor.process([message]))
    return {e["entity"]: e["value"] for e in message.get(ENTITIES, [])}


def test_card_endings_and_kinds_written_in_chinese(extractors) -> None:
    assert entities(extractors, "尾号4821的那张")["card"] == "4821"
    assert entities(extractors, "卡号后四位是1234")["card"] == "1234"
    assert entities(extractors, "6688结尾的卡")["card"] == "6688"
    assert entities(extractors, "我的信用卡丢了", "lost_or_stolen_card")["card"] == "credit_card"
    assert entities(extractors, "工资卡", "inform")["card"] == "debit_card"
    # English card words still need their word boundaries
    assert "card" not in entities(extractors, "I want to discard this", "inform")


def test_amounts_currencies_and_dates_written_in_chinese(extractors) -> None:
    assert entities(extractors, "昨天被扣了三千元", "dispute_transaction") == {
        "amount": "3000", "period": "昨天",
    }  # fmt: skip
    assert entities(extractors, "转了1.5万", "failed_transfer")["amount"] == "15000"
    assert entities(extractors, "退了500块", "request_refund")["amount"] == "500"
    assert entities(extractors, "换100美元", "exchange_rate")["currency"] == "USD"
    assert entities(extractors, "上周五那笔", "dispute_transaction")["period"] == "上周五"


def test_complaint_categories_and_account_kinds_in_chinese(extractors) -> None:
    assert entities(extractors, "你们乱收费", "complaint")["complaint_category"] == "fees"
    assert entities(extractors, "手机银行老是闪退", "complaint")["complaint_category"] == "digital"
    assert entities(extractors, "其他", "inform")["complaint_category"] == "other"
    assert entities(extractors, "我的活期还剩多少", "check_balance")["account_type"] == "current"
    assert entities(extractors, "定期存款利率多少", "product_deposit")["product"] == "time_deposit"


def test_each_message_gets_its_language_and_a_number_keeps_the_last(storage) -> None:
    detector = LanguageDetector.create({}, storage, Resource("language"), context())
    messages = [Message({TEXT: t}) for t in ("好的", "ok", "谢谢", "my app 登不上", "4821")]
    detector.process(messages)
    found = [
        [e["value"] for e in m.get(ENTITIES, []) if e["entity"] == "language"] for m in messages
    ]
    assert found == [["zh"], ["en"], ["zh"], ["zh"], []]


def test_a_chinese_message_is_scored_by_the_chinese_classifier(storage) -> None:
    examples = {
        "lost_or_stolen_card": ["I lost my card", "my card was stolen", "can't find my card",
                                "我的卡丢了", "卡被偷了", "银行卡找不到了"],
        "check_balance": ["what's my balance", "how much money do I have", "show my balance",
                          "我还有多少钱", "查一下余额", "账户余额是多少"],
        "greet": ["hello", "hi there", "good morning", "你好", "在吗", "早上好"],
    }  # fmt: skip
    data = TrainingData(
        [
            Message({TEXT: text, INTENT: intent})
            for intent, texts in examples.items()
            for text in texts
        ]
    )
    config = {
        "languages": {
            "en": {"spelling": True, "embedding_weight": 3.0, "C": 0.3},
            "zh": {"embedding_weight": 0.0, "C": 1.0, "views": {
                "word": {"kind": "word", "ngram_range": [1, 2], "min_df": 1},
                "char": {"kind": "char", "ngram_range": [1, 2], "min_df": 1},
            }},
        }
    }  # fmt: skip
    resource = Resource("classifier")
    EncoderIntentClassifier.create(config, storage, resource, context()).train(data)
    loaded = EncoderIntentClassifier.load(config, storage, resource, context())
    assert set(loaded._heads) == {"en", "zh"}
    messages = [Message({TEXT: t}) for t in ("卡丢了怎么办", "查余额", "I lost my crad", "hello")]
    loaded.process(messages)
    assert [m.get(INTENT)["name"] for m in messages] == [
        "lost_or_stolen_card", "check_balance", "lost_or_stolen_card", "greet",
    ]  # fmt: skip


def test_a_second_ask_is_carried_and_one_ask_told_in_two_clauses_is_not(storage) -> None:
    examples = {
        "lost_or_stolen_card": ["I lost my card", "my card was stolen", "can't find my card",
                                "someone stole my card", "my card is gone", "我的卡丢了",
                                "卡被偷了", "银行卡找不到了"],
        "recent_transactions": ["show my recent transactions", "what did I spend lately",
                                "list my last payments", "was anything taken from my account",
                                "最近的交易", "查一下最近的交易", "最近花了什么钱"],
        "card_payment_wrong_exchange_rate": [
            "the exchange rate on my card payment was wrong",
            "I paid abroad and got a bad exchange rate", "wrong rate applied to my purchase",
            "卡消费汇率不对", "境外刷卡汇率算错了"],
        "greet": ["hello", "hi there", "good morning", "你好", "在吗", "早上好"],
    }  # fmt: skip
    data = TrainingData(
        [Message({TEXT: t, INTENT: i}) for i, texts in examples.items() for t in texts]
    )
    config = {
        "languages": {"en": {"embedding_weight": 3.0, "C": 0.3},
                      "zh": {"embedding_weight": 1.5, "C": 1.0}},
        "asks": ["recent_transactions", "lost_or_stolen_card"],
        "other_ask_confidence": 0.5,
    }  # fmt: skip
    resource = Resource("asks")
    EncoderIntentClassifier.create(config, storage, resource, context()).train(data)
    loaded = EncoderIntentClassifier.load(config, storage, resource, context())
    texts = [
        "my card was stolen and also show me my recent transactions",
        "我的卡被偷了，另外查一下最近的交易",
        "I paid for something abroad and the exchange rate was wrong",
        # the same two asks at the end of a long story: a story is read as one request
        # (its clauses are not scored, which would cost a second pass of the encoder)
        "yesterday evening after work I went to the supermarket near my flat to buy some "
        "food for the weekend and at the till I found that my card was stolen and also "
        "show me what went through my account lately",
    ]
    messages = [Message({TEXT: t}) for t in texts]
    loaded.process(messages)
    asks = [[m.get(INTENT)["name"], *(a["name"] for a in m.get("other_asks") or [])]
            for m in messages]  # fmt: skip
    # Both asks are kept, whichever the whole message leans to (it is the one acted on).
    assert sorted(asks[0]) == sorted(asks[1]) == ["lost_or_stolen_card", "recent_transactions"]
    assert asks[2] == ["card_payment_wrong_exchange_rate"]  # context, then the ask: one ask
    assert len(asks[3]) == 1
