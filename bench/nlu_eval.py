"""Parse held-out dev splits with a trained model, as the Rasa server would.

Shared by `make bench` (bench.nlu_bench: accuracy, latency), `make nlu-report`
(scripts.nlu_report: per-intent precision/recall/F1, confusion matrix) and the regression
gate in `make test` (scripts.nlu_gate). Rasa runtime only.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "nlu" / "banking77_dev.yml"  # BANKING77's categories
BANK_DEV = ROOT / "tests" / "nlu" / "bank_dev.yml"  # the bank's own intents
ZH_DEV = ROOT / "tests" / "nlu" / "zh_dev.yml"  # every intent, in Chinese
FALLBACK = "nlu_fallback"


@dataclass
class DevParse:
    texts: list[str]
    truth: list[str]
    predicted: list[str]  # the classifier's intent (the fallback's "did you mean" aside)
    fallback: list[bool]  # the fallback took over (low or ambiguous confidence)
    latencies_ms: list[float]

    @property
    def accuracy(self) -> float:
        correct = sum(p == t for p, t in zip(self.predicted, self.truth, strict=True))
        return correct / len(self.truth) if self.truth else 0.0


def dev_examples(path: Path = DEV) -> list[tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    return [(m.get("text"), m.get("intent")) for m in load_data(str(path)).intent_examples]


def load_agent(model: Path) -> Any:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # as `rasa run` logs by default: no per-message lines
    logging.getLogger().setLevel(logging.WARNING)
    return Agent.load(str(model))


async def parse_texts(agent: Any, texts: list[str], truth: list[str]) -> DevParse:
    return await parse_examples(agent, list(zip(texts, truth, strict=True)))


async def parse_examples(agent: Any, examples: list[tuple[str, str]]) -> DevParse:
    for text, _ in examples[:20]:  # warm-up: traced graphs, caches
        await agent.parse_message(text)
    result = DevParse([t for t, _ in examples], [i for _, i in examples], [], [], [])
    for text, _ in examples:
        started = time.perf_counter()
        parsed = await agent.parse_message(text)
        result.latencies_ms.append((time.perf_counter() - started) * 1000)
        ranking = [r["name"] for r in parsed["intent_ranking"] if r["name"] != FALLBACK]
        result.predicted.append(ranking[0])
        result.fallback.append(parsed["intent"]["name"] == FALLBACK)
    return result


def parse_dev_splits(model: Path, paths: list[Path]) -> list[DevParse]:
    """Each split parsed by one loaded model (loading costs more than parsing a split)."""

    async def parse_all() -> list[DevParse]:
        agent = load_agent(model)
        return [await parse_examples(agent, dev_examples(path)) for path in paths]

    return asyncio.run(parse_all())


def parse_dev_split(model: Path, path: Path = DEV) -> DevParse:
    return parse_dev_splits(model, [path])[0]
