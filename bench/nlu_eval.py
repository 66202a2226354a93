"""Parse the held-out BANKING77 dev split with a trained model, as the Rasa server would.

Shared by `make bench` (bench.nlu_bench: accuracy, latency) and `make nlu-report`
(scripts.nlu_report: per-intent precision/recall/F1, confusion matrix). Rasa runtime only.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "nlu" / "banking77_dev.yml"
FALLBACK = "nlu_fallback"


@dataclass
class DevParse:
    texts: list[str]
    truth: list[str]
    predicted: list[str]  # the classifier's intent (the fallback's "did you mean" aside)
    fallback: list[bool]  # the fallback took over (low or ambiguous confidence)
    latencies_ms: list[float]


def dev_examples() -> list[tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    return [(m.get("text"), m.get("intent")) for m in load_data(str(DEV)).intent_examples]


async def _parse(model: Path, examples: list[tuple[str, str]]) -> DevParse:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # as `rasa run` logs by default: no per-message lines
    logging.getLogger().setLevel(logging.WARNING)
    agent = Agent.load(str(model))
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


def parse_dev_split(model: Path) -> DevParse:
    return asyncio.run(_parse(model, dev_examples()))
