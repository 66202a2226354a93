"""BANKING77 dev-split accuracy, full training time and parse latency, against the targets.

Trains the assistant from scratch into a temporary folder (timed: that is "full training"),
then parses every held-out dev utterance (tests/nlu/banking77_dev.yml, never trained on)
with the trained model in this process, as the Rasa server does. Prints the figures beside
the targets and the confusion pairs that cost most. Accuracy is the classifier's intent;
how often the fallback (low or ambiguous confidence) asks "did you mean" is printed apart.

Run: .venvs/rasa/bin/python -m bench.nlu_bench [--model models/bank.tar.gz] (skips training)
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.nlu_eval import ROOT, parse_dev_split

TARGET_ACCURACY, TARGET_TRAIN_MIN, TARGET_P99_MS = 0.93, 15.0, 50.0


def train(out: Path) -> float:
    """Minutes of a full `rasa train` (NLU and dialogue) on this machine."""
    started = time.monotonic()
    subprocess.run(
        [
            str(Path(sys.executable).parent / "rasa"), "train", "--config", "config.yml",
            "--domain", "assistant/domain", "--data", "nlu_data", "assistant/data",
            "--out", str(out), "--fixed-model-name", "bench", "--force", "--quiet",
        ],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return (time.monotonic() - started) / 60


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="measure this model instead of training one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        minutes = None
        model = args.model
        if model is None:
            minutes = train(Path(tmp))
            model = Path(tmp) / "bench.tar.gz"
        dev = parse_dev_split(model)
    truth, predicted, fallback, latencies = dev.truth, dev.predicted, dev.fallback, dev.latencies_ms
    correct = sum(p == t for p, t in zip(predicted, truth, strict=True))
    accuracy = correct / len(truth)
    direct = sum(
        p == t and not f for p, t, f in zip(predicted, truth, fallback, strict=True)
    ) / len(truth)
    p50, p99 = statistics.median(latencies), percentile(latencies, 0.99)
    print(f"BANKING77 dev split: {len(truth)} utterances, {len(set(truth))} intents")
    print(
        f"  intent accuracy  {accuracy:7.2%}   target >= {TARGET_ACCURACY:.0%}   "
        f"{verdict(accuracy >= TARGET_ACCURACY)}"
    )
    print(
        f"  answered directly and right {direct:.2%}; the two-stage fallback asked "
        f'"did you mean" on {sum(fallback) / len(truth):.1%} of utterances'
    )
    if minutes is not None:
        print(
            f"  full training    {minutes:6.1f} min  target <= {TARGET_TRAIN_MIN:.0f} min  "
            f"{verdict(minutes <= TARGET_TRAIN_MIN)}"
        )
    print(
        f"  parse latency    p50 {p50:.1f} ms, p99 {p99:.1f} ms   target p99 <= "
        f"{TARGET_P99_MS:.0f} ms   {verdict(p99 <= TARGET_P99_MS)}"
    )
    pairs = Counter((t, p) for t, p in zip(truth, predicted, strict=True) if t != p)
    print("  confusion pairs that cost most (true -> predicted: count):")
    for (t, p), n in pairs.most_common(10):
        print(f"    {t} -> {p}: {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
