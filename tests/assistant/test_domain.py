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
                intent = re.match(r"/([^{]+)", button["payload"]).group(1)
                assert intent in intents, f"{name}: {button['payload']}"
