"""Turn a real conversation into regression tests QA can keep.

Two forms: a Rasa test story (Rasa's own writer, `GET /conversations/{id}/story`), checked
by `rasa test core`, and an end-to-end conversation for `tests/e2e/` (tests/e2e/runner.py),
which replays the customer's messages through the in-app channel with every action run.
Customer texts are masked (card, ID and phone numbers) in both: an export is handed on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from core.pii import mask_pii


class NotReplayable(Exception):
    """The conversation has nothing an end-to-end test could replay."""


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def e2e_steps(events: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], bool]:
    """The bot's part of the conversation as e2e steps, and whether a person took over.

    Steps start after the last restart; they stop where the bot paused for an agent,
    because what a person wrote is not something a test can expect of the bot."""
    steps: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind == "restart":
            steps = []
        elif kind == "rewind" and steps:
            steps.pop()  # the fallback took the message back; Rasa logs it again next
        elif kind == "user":
            steps.append({"user": mask_pii(event.get("text") or ""), "bot": []})
        elif kind == "bot" and steps:
            metadata = event.get("metadata") or {}
            if str(metadata.get("author") or "").startswith("agent:"):
                continue
            steps[-1]["bot"].append(metadata.get("utter_action") or event.get("text") or "")
        elif kind == "pause" and steps:
            return steps, True
    return steps, False


def e2e_yaml(conversation_id: str, customer_id: int | None, events: list[dict]) -> str:
    """An end-to-end test conversation (tests/e2e format) replaying this conversation."""
    if customer_id is None:
        raise NotReplayable(
            "This conversation has no verified customer, and end-to-end tests chat as one; "
            "export it as a Rasa test story instead."
        )
    steps, handed_over = e2e_steps(events)
    if not steps:
        raise NotReplayable("The conversation has no customer messages to replay.")
    header = [
        f"# Exported from the agent console: conversation {conversation_id}, {_stamp()}.",
        "# Replays the customer's messages through the in-app channel and expects the same",
        "# replies (card, ID and phone numbers masked). Add `check:` steps for side effects",
        "# (see tests/e2e/runner.py) and save it under tests/e2e/ to keep it as a test.",
        f"# It was customer {customer_id}'s conversation: say under `given:` what it needs of",
        "# its customer (cards, offers ...), and the runner picks one from the synthetic bank.",
    ]
    if handed_over:
        header.append("# Stops where a person took over: their part is not the bot's to repeat.")
    document = {
        "conversations": [
            {
                "name": f"{conversation_id} as of {_stamp()}",
                "given": {},
                "steps": steps,
            }
        ]
    }
    return "\n".join(header) + "\n" + _dump(masked(document))


def masked(value: Any) -> Any:
    """Every string of an export masked, not only what the customer typed: slot values hold
    free text too (a complaint's or a dispute's description, a summary)."""
    if isinstance(value, str):
        return mask_pii(value)
    if isinstance(value, dict):
        return {masked(k): masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


def masked_story(conversation_id: str, story: str) -> str:
    """Rasa's test story for the conversation, every string in it masked."""
    document = masked(yaml.safe_load(story) or {})
    header = [
        f"# Exported from the agent console: conversation {conversation_id}, {_stamp()}.",
        "# A Rasa test story (card, ID and phone numbers masked); save it under tests/stories/",
        "# and `rasa test core --stories tests/stories` checks the assistant still follows it.",
    ]
    return "\n".join(header) + "\n" + _dump(document)
