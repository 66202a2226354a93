"""The NLU regression gate (scripts/nlu_gate.py) fails when understanding regresses, and the
held-out dev splits it measures on are not training data."""

from __future__ import annotations

import re

from bench.nlu_eval import BANK_DEV, DEV, ZH_DEV, DevParse, dev_examples
from scripts.nlu_gate import ROOT, figures, leaked, training_texts

NLU_DATA = ROOT / "nlu_data"

FLOORS = {"accuracy": {"bank_dev": 0.9}, "intent_f1": {"block_card": 0.9, "complaint": 0.9}}


def parse(pairs: list[tuple[str, str]]) -> DevParse:
    return DevParse([""] * len(pairs), [t for t, _ in pairs], [p for _, p in pairs], [], [])


def test_a_block_card_message_taken_for_something_else_fails_the_gate() -> None:
    good = parse([("block_card", "block_card")] * 9 + [("complaint", "complaint")] * 9)
    assert all(f.holds for f in figures({"bank_dev": good}, FLOORS))
    bad = parse(
        [("block_card", "block_card")] * 5
        + [("block_card", "freeze_card")] * 4
        + [("complaint", "complaint")] * 9
    )
    below = {f.name for f in figures({"bank_dev": bad}, FLOORS) if not f.holds}
    assert below == {"bank_dev accuracy", "block_card F1"}


def test_an_intent_that_steals_others_lowers_its_own_f1() -> None:
    stealing = parse([("complaint", "block_card")] * 3 + [("block_card", "block_card")] * 6
                     + [("complaint", "complaint")] * 6)  # fmt: skip
    f1 = {f.name: f.value for f in figures({"bank_dev": stealing}, FLOORS)}
    assert f1["bank_dev accuracy"] == 12 / 15
    assert f1["block_card F1"] == 2 * 6 / (2 * 6 + 3)  # every complaint it took counts


def test_the_dev_splits_hold_no_training_example() -> None:
    seen = training_texts()
    assert leaked(["Block My Card"], seen) == ["Block My Card"]  # the check itself works
    for split in (DEV, BANK_DEV, ZH_DEV):
        assert leaked([t for t, _ in dev_examples(split)], seen) == [], split.name


def test_no_training_example_is_a_lone_english_word() -> None:
    """"yes", "hello", "thanks": the stock phrasings every crowd writes, so the held-out
    BANKING77/CLINC150 test splits have them too, and the assistant must not train on them
    (it still reads them: `tests/stories` and the e2e conversations send them)."""
    from rasa.shared.nlu.training_data.loading import load_data

    alone = [
        m.get("text")
        for path in sorted(NLU_DATA.rglob("*.yml"))
        for m in load_data(str(path)).intent_examples
        # a lone word naming an entity is a form's answer ("fees" at the category step)
        if re.fullmatch(r"[a-z']+", m.get("text").strip(" .,!?").lower()) and not m.get("entities")
    ]
    assert alone == []
