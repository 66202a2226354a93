"""The dialogue's coverage, read from the files designers edit: every BANKING77 topic has an
answer and a "did you mean" question, and every response an action can send exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from actions.topics import FEE_COMPLAINTS, PERSONAL_TOPICS
from core.card_states import ALLOWED_FROM
from tests.assistant.action_runner import DOMAIN

ROOT = Path(__file__).resolve().parents[2]
SHARED_CATEGORIES = Path("/work/shared/data/banking77/categories.json")


def banking77_categories() -> list[str]:
    """The 77 topics, as the NLU data names them (the imported BANKING77 train split)."""
    nlu = ROOT / "nlu_data" / "banking77.yml"
    if nlu.exists():
        return [b["intent"] for b in (yaml.safe_load(nlu.read_text()) or {}).get("nlu") or []]
    return json.loads(SHARED_CATEGORIES.read_text())


CATEGORIES = banking77_categories()


def key(intent: str) -> str:
    return intent.lower().rstrip("?")


def dialogue_steps() -> list[list[dict]]:
    blocks = []
    for path in (ROOT / "assistant" / "data").glob("*.yml"):
        data = yaml.safe_load(path.read_text()) or {}
        blocks += [b["steps"] for b in (data.get("rules") or []) + (data.get("stories") or [])]
    return blocks


def test_every_banking77_topic_is_answered_by_a_rule() -> None:
    first_reply = {}
    for steps in dialogue_steps():
        if len(steps) > 1 and "intent" in steps[0] and "action" in steps[1]:
            first_reply.setdefault(steps[0]["intent"], steps[1]["action"])
    missing = [c for c in CATEGORIES if c not in first_reply]
    assert not missing
    for category in CATEGORIES:
        assert first_reply[category] in DOMAIN["responses"], category
        assert f"utter_did_you_mean_{key(category)}" in DOMAIN["responses"], category


def test_personal_topics_and_fee_complaints_are_banking77_topics() -> None:
    assert set(PERSONAL_TOPICS) <= set(CATEGORIES)
    assert set(FEE_COMPLAINTS) <= set(PERSONAL_TOPICS)
    assert set(ALLOWED_FROM) == set(DOMAIN["slots"]["card_operation"]["values"])


def test_every_response_an_action_sends_exists_in_the_domain() -> None:
    names: set[str] = set()
    prefixes: set[str] = set()
    for path in (ROOT / "actions").glob("*.py"):
        source = path.read_text()
        names |= set(re.findall(r'"(utter_[a-z0-9_]+)"', source))
        prefixes |= set(re.findall(r'f"(utter_[a-z0-9_]+)\{', source))
    assert not names - set(DOMAIN["responses"])
    for prefix in prefixes:
        assert any(r.startswith(prefix) for r in DOMAIN["responses"]), prefix


def test_responses_with_buttons_name_real_intents() -> None:
    intents = set(DOMAIN["intents"])
    for name, variations in DOMAIN["responses"].items():
        for variation in variations:
            for button in variation.get("buttons") or []:
                if button["payload"].startswith("/{"):
                    continue  # filled by the action with an intent the classifier predicted
                intent = re.match(r"/([^{]+)", button["payload"]).group(1)
                assert intent in intents, f"{name}: {button['payload']}"


HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_response_answers_in_the_language_of_the_customer() -> None:
    """Rasa's own response generator, on the real domain: with the `language` slot at zh
    every response (each card operation, each channel) is Chinese; at en it is English."""
    import asyncio

    from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(str(ROOT / "assistant" / "domain"))
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    card_operation = next(s for s in domain.slots if s.name == "card_operation")
    operations = [v for v in card_operation.values if v != "__other__"]  # Rasa's own extra

    async def say(name: str, language: str, operation: str, channel: str) -> str:
        tracker = DialogueStateTracker("test", domain.slots)
        tracker.update(SlotSet("language", language))
        tracker.update(SlotSet("card_operation", operation))
        values = {
            v: "1" for r in domain.responses[name] for v in re.findall(r"\{(\w+)\}", r["text"])
        }
        rendered = await nlg.generate(name, tracker, channel, **values)
        return rendered["text"]

    async def check() -> list[str]:
        wrong = []
        for name, variations in domain.responses.items():
            if not re.search(r"[A-Za-z]", re.sub(r"\{\w+\}", "", variations[0]["text"])):
                continue  # no words, only values (a transaction line)
            for operation in operations:
                for channel in ("app", "telegram"):
                    if not HAN.search(await say(name, "zh", operation, channel)):
                        wrong.append(f"{name} zh {operation} {channel}")
                    if HAN.search(await say(name, "en", operation, channel)):
                        wrong.append(f"{name} en {operation} {channel}")
        return wrong

    assert asyncio.run(check()) == []


def test_chinese_variations_carry_the_same_values_and_buttons_as_the_english() -> None:
    placeholder = re.compile(r"\{(\w+)\}")
    for name, variations in DOMAIN["responses"].items():

        def language(v: dict) -> str:
            return next(
                (c["value"] for c in v.get("condition") or [] if c["name"] == "language"), "en"
            )

        def shape(v: dict) -> tuple:
            others = sorted(
                (c["name"], c["value"]) for c in v.get("condition") or [] if c["name"] != "language"
            )
            return (v.get("channel"), tuple(others))

        english = {shape(v): v for v in variations if language(v) == "en"}
        chinese = {shape(v): v for v in variations if language(v) == "zh"}
        # the English default (no condition) is matched by the zh variation naming the value
        # the default stands for (card_operation block); compare texts' values and buttons
        assert len(english) == len(chinese), name
        for en, zh in zip(english.values(), chinese.values(), strict=True):
            assert set(placeholder.findall(en["text"])) == set(placeholder.findall(zh["text"])), (
                name
            )
            assert [b["payload"] for b in en.get("buttons") or []] == [
                b["payload"] for b in zh.get("buttons") or []
            ], name
