"""NLU regression gate (`make test`): the trained model may not understand customers worse
than the floors kept in tests/nlu/floors.yml.

Parses the held-out dev splits (BANKING77's categories, the bank's own intents, and every
intent in Chinese; never trained on) with the trained model, as the Rasa server would, and
checks: accuracy of each split, and F1 of the intents that matter most when misunderstood (a
lost card answered as something else costs a customer money). Test stories carry no user
text, so without this gate a change to the training data could quietly break understanding.
Prints every figure beside its floor; exits 1 if any is below. Raise a floor when the model
gets better.

Run: .venvs/rasa/bin/python -m scripts.nlu_gate [--model models/bank.tar.gz]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.nlu_eval import BANK_DEV, DEV, ROOT, ZH_DEV, DevParse, dev_examples, parse_dev_splits

FLOORS = ROOT / "tests" / "nlu" / "floors.yml"
SPLITS = {"banking77_dev": DEV, "bank_dev": BANK_DEV, "zh_dev": ZH_DEV}


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    floor: float

    @property
    def holds(self) -> bool:
        return self.value >= self.floor


def intent_f1(parses: list[DevParse]) -> dict[str, float]:
    """F1 per intent over all splits together (precision counts every split's mistakes)."""
    truth = [t for p in parses for t in p.truth]
    predicted = [x for p in parses for x in p.predicted]
    f1 = {}
    for intent in set(truth):
        tp = sum(t == intent and p == intent for t, p in zip(truth, predicted, strict=True))
        fp = sum(t != intent and p == intent for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == intent and p != intent for t, p in zip(truth, predicted, strict=True))
        f1[intent] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return f1


def figures(parses: dict[str, DevParse], floors: dict) -> list[Figure]:
    out = [
        Figure(f"{split} accuracy", parses[split].accuracy, float(floor))
        for split, floor in floors["accuracy"].items()
    ]
    f1 = intent_f1(list(parses.values()))
    for intent, floor in floors["intent_f1"].items():
        if intent not in f1:
            raise SystemExit(f"{FLOORS}: intent {intent} has no examples in the dev splits")
        out.append(Figure(f"{intent} F1", f1[intent], float(floor)))
    return out


def leaked(dev_texts: list[str], training_texts: set[str]) -> list[str]:
    """Dev utterances that are also training examples (a floor measured on them would lie)."""
    return [t for t in dev_texts if t.strip().lower() in training_texts]


def training_texts() -> set[str]:
    from rasa.shared.nlu.training_data.loading import load_data

    texts = set()
    for path in sorted((ROOT / "nlu_data").rglob("*.yml")):
        texts |= {m.get("text").strip().lower() for m in load_data(str(path)).intent_examples}
    return texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "bank.tar.gz")
    args = parser.parse_args()
    floors = yaml.safe_load(FLOORS.read_text())
    seen = training_texts()
    for split, path in SPLITS.items():
        overlap = leaked([t for t, _ in dev_examples(path)], seen)
        if overlap:
            print(f"{split}: {len(overlap)} dev utterances are training data, e.g. {overlap[:3]}")
            return 1
    parsed = dict(zip(SPLITS, parse_dev_splits(args.model, list(SPLITS.values())), strict=True))
    results = figures(parsed, floors)
    width = max(len(f.name) for f in results)
    print(f"{'figure':<{width}}  measured   floor")
    for f in results:
        mark = "" if f.holds else "   BELOW FLOOR"
        print(f"{f.name:<{width}}  {f.value:8.2%}  {f.floor:6.2%}{mark}")
    below = [f.name for f in results if not f.holds]
    if below:
        print(f"NLU regression: {', '.join(below)} below the floor in {FLOORS.name}")
        return 1
    print("every figure at or above its floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
