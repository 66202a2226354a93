"""`make nlu-report`: per-intent precision, recall and F1 on the held-out BANKING77 dev split
and on the Chinese dev split, the most confused pairs, the confusion matrix as an image
(results/nlu_confusion.png), and the robustness figures: typo-noised, plain and text-speak
copies of the dev split, out-of-scope recall and banking queries kept in scope (CLINC150
validation), language detection.

For conversation designers: after adding or moving examples, run `make train nlu-report`
and look at the intents whose F1 dropped and the pairs that swap most.

Run: .venvs/rasa/bin/python -m scripts.nlu_report [--model models/bank.tar.gz] [--out results]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from bench.nlu_bench import parse_all
from bench.nlu_eval import ROOT, DevParse


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


def robustness_lines(parsed: dict[str, DevParse]) -> list[str]:
    out = parsed["clinc_out"].predicted
    kept = [p != "out_of_scope" for p in parsed["clinc_in"].predicted]
    return [
        f"  BANKING77 dev clean {parsed['banking77'].accuracy:.2%}, typo-noised "
        f"{parsed['typos'].accuracy:.2%}, plain {parsed['plain'].accuracy:.2%}, text-speak "
        f"{parsed['text_speak'].accuracy:.2%}",
        f"  CLINC150 validation: out-of-scope recall {out.count('out_of_scope') / len(out):.2%}, "
        f"banking queries kept in scope {sum(kept) / len(kept):.2%}",
    ]


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
    parsed = parse_all(args.model)
    dev = parsed["banking77"]
    print("BANKING77 dev split")
    print("\n".join(report_lines(dev)))
    print("\nzh-CN dev split")
    print("\n".join(report_lines(parsed["zh"])))
    print("\nrobustness and scope")
    print("\n".join(robustness_lines(parsed)))
    image = args.out / "nlu_confusion.png"
    write_confusion_matrix(dev, image)
    print(f"\nconfusion matrix written to {image}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
