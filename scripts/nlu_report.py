"""`make nlu-report`: per-intent precision, recall and F1 on the held-out BANKING77 dev split,
the most confused pairs, and the confusion matrix as an image (results/nlu_confusion.png).

For conversation designers: after adding or moving examples, run `make train nlu-report`
and look at the intents whose F1 dropped and the pairs that swap most.

Run: .venvs/rasa/bin/python -m scripts.nlu_report [--model models/bank.tar.gz] [--out results]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from bench.nlu_eval import ROOT, DevParse, parse_dev_split


def report_lines(dev: DevParse, top_pairs: int = 15) -> list[str]:
    from sklearn.metrics import precision_recall_fscore_support

    labels = sorted(set(dev.truth))
    precision, recall, f1, support = precision_recall_fscore_support(
        dev.truth, dev.predicted, labels=labels, zero_division=0
    )
    width = max(len(label) for label in labels)
    lines = [f"{'intent':<{width}}  precision  recall     f1  support"]
    by_f1 = sorted(zip(labels, precision, recall, f1, support, strict=True), key=lambda r: r[3])
    for label, p, r, f, n in by_f1:
        lines.append(f"{label:<{width}}  {p:9.2f}  {r:6.2f}  {f:5.2f}  {n:7d}")
    correct = sum(p == t for p, t in zip(dev.predicted, dev.truth, strict=True))
    lines.append(f"accuracy {correct / len(dev.truth):.2%} on {len(dev.truth)} dev utterances")
    lines.append("")
    lines.append("most confused pairs (true -> predicted: count):")
    pairs = Counter(
        (t, p) for t, p in zip(dev.truth, dev.predicted, strict=True) if t != p
    ).most_common(top_pairs)
    lines += [f"  {t} -> {p}: {n}" for (t, p), n in pairs]
    return lines


def write_confusion_matrix(dev: DevParse, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    labels = sorted(set(dev.truth) | set(dev.predicted))
    matrix = confusion_matrix(dev.truth, dev.predicted, labels=labels)
    figure, axes = plt.subplots(figsize=(22, 22))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=90, fontsize=6)
    axes.set_yticks(range(len(labels)), labels, fontsize=6)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title("BANKING77 dev split: confusion matrix")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "bank.tar.gz")
    parser.add_argument("--out", type=Path, default=ROOT / "results")
    args = parser.parse_args()
    if not args.model.exists():
        print(f"{args.model} not found: run `make train` first", file=sys.stderr)
        return 1
    dev = parse_dev_split(args.model)
    print("\n".join(report_lines(dev)))
    image = args.out / "nlu_confusion.png"
    write_confusion_matrix(dev, image)
    print(f"\nconfusion matrix written to {image}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
