"""How well the handoff summary's mood (conversations.sentiment) reads customers.

The labelled examples (tests/platform/data/sentiment_labelled.yml) come in two parts: the
development sets, read while the lexicon was written and used by `--tune` to choose the
two thresholds, and the held-out set, written after both were frozen. The default run
scores the held-out set with the module's thresholds (the measurement: a figure you tuned
on is not one), and the development set beside it for comparison.

    .venvs/platform/bin/python -m bench.sentiment_eval [--tune]
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Callable
from pathlib import Path

import yaml

from conversations import sentiment

DATA = Path(__file__).resolve().parent.parent / "tests/platform/data/sentiment_labelled.yml"
LABELS = ("negative", "neutral", "positive")
Example = tuple[str, str, str]  # language, label, text


def examples(part: str) -> list[Example]:
    """part: "development" (every development round) or "held_out"."""
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return [
        (language, label, text)
        for name, languages in data.items()
        if name == part or (part == "development" and name.startswith("development"))
        for language, by_label in languages.items()
        for label, texts in by_label.items()
        for text in texts
    ]


def predict(text: str, neg: float, pos: float) -> str:
    score = sentiment.score_text(text).score
    return "negative" if score <= neg else "positive" if score >= pos else "neutral"


def figures(rows: list[Example], guess: Callable[[str], str]) -> dict[str, float]:
    """Accuracy, recall per label and macro recall (the labels are not balanced)."""
    hits = {label: [0, 0] for label in LABELS}
    for _, label, text in rows:
        hits[label][0] += guess(text) == label
        hits[label][1] += 1
    recall = {label: ok / max(1, n) for label, (ok, n) in hits.items()}
    return {
        "n": len(rows),
        "accuracy": sum(ok for ok, _ in hits.values()) / max(1, len(rows)),
        **{f"recall_{label}": value for label, value in recall.items()},
        "macro_recall": sum(recall.values()) / len(LABELS),
    }


def tune(rows: list[Example]) -> tuple[float, float, dict[str, float]]:
    """The thresholds with the best macro recall on `rows` (ties: the narrower neutral band)."""
    grid = [x / 4 for x in range(1, 13)]  # 0.25 .. 3.0
    best = None
    for neg, pos in itertools.product(grid, grid):
        result = figures(rows, lambda t, n=-neg, p=pos: predict(t, n, p))
        key = (round(result["macro_recall"], 4), -(neg + pos))
        if best is None or key > best[0]:
            best = (key, -neg, pos, result)
    assert best is not None
    return best[1], best[2], best[3]


def show(title: str, result: dict[str, float]) -> None:
    per_label = "  ".join(f"{label} {result[f'recall_{label}']:.3f}" for label in LABELS)
    print(f"{title:<34} n={result['n']:<4} accuracy {result['accuracy']:.3f}  "
          f"macro recall {result['macro_recall']:.3f}  recall: {per_label}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true", help="choose thresholds (development)")
    args = parser.parse_args()
    development = examples("development")
    if args.tune:
        neg, pos, result = tune(development)
        print(f"best on the development set: NEGATIVE_BELOW = {neg}, POSITIVE_ABOVE = {pos}")
        show("development (tuned on)", result)
        return
    held_out = examples("held_out")
    neg, pos = sentiment.NEGATIVE_BELOW, sentiment.POSITIVE_ABOVE
    print(f"mood lexicon, thresholds {neg} / {pos} (chosen on the development set)")
    for language in ("en", "zh"):
        rows = [row for row in held_out if row[0] == language]
        show(f"held-out, {language}", figures(rows, lambda t: predict(t, neg, pos)))
    show("held-out, all (the measurement)", figures(held_out, lambda t: predict(t, neg, pos)))
    show("held-out, always neutral (baseline)", figures(held_out, lambda t: "neutral"))
    show(
        "development (tuned on; not a measure)",
        figures(development, lambda t: predict(t, neg, pos)),
    )


if __name__ == "__main__":
    main()
