"""A new Rasa replica answers its first customer as fast as its hundredth.

Measured in the soak: the first message a freshly started server handled took 13-19 s (the
TensorFlow graphs of the classifier and the policies are built on first use), so every
customer who met a new replica after a deploy, a scale-out or a crash waited that long.
The server now runs one English and one Chinese message through understanding and the
policies on a tracker that lives only in memory (nothing is stored, no action runs) before
it accepts traffic; the health endpoint answers only after that, so the orchestrator sends
no customer to a cold replica. `assistant.serve` installs it.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import rasa.core.run
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

log = logging.getLogger(__name__)
MESSAGES = ("hello, what's my balance?", "你好，我的卡丢了")


async def warm_up(agent: Any) -> float:
    """Parse and predict once per language; returns the seconds it took."""
    started = time.perf_counter()
    if agent is None or not agent.is_ready():
        return 0.0
    for text in MESSAGES:
        parsed = await agent.processor.parse_message(UserMessage(text, sender_id="warm-up"))
        tracker = DialogueStateTracker.from_events(
            "warm-up",
            [ActionExecuted("action_listen"), UserUttered(text, parsed["intent"],
                                                          parsed["entities"], parsed)],
            agent.domain.slots,
        )  # fmt: skip
        agent.processor.predict_next_with_tracker(tracker)
    return time.perf_counter() - started


def install() -> None:
    load = rasa.core.run.load_agent_on_start

    async def load_and_warm_up(*args: Any, **kwargs: Any) -> Any:
        agent = await load(*args, **kwargs)
        log.info("warmed up in %.1f s", await warm_up(agent))
        return agent

    rasa.core.run.load_agent_on_start = load_and_warm_up
