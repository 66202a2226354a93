"""A turn the tracker store already holds, found by its message_id.

A replica can die after Rasa stored a turn but before the channel recorded it as done (the
replay guard's claim then lapses and a retry takes it over). Processing that retry again would
act twice (block two cards, file two complaints), so every channel looks here first.
"""

from __future__ import annotations

from typing import Any

from rasa.shared.core.events import BotUttered, UserUttered


async def stored_turn(agent: Any, sender: str, message_id: str) -> dict[str, Any] | None:
    """The stored turn's answer, `{conversation_id, messages, with_agent}` (the bot's messages
    after that user message, up to the next one), or None when the store does not hold it."""
    tracker = await agent.tracker_store.retrieve(sender) if agent is not None else None
    if tracker is None:
        return None
    events = list(tracker.events)
    at = next(
        (
            i
            for i, e in enumerate(events)
            if isinstance(e, UserUttered) and e.message_id == message_id
        ),
        None,
    )
    if at is None:
        return None
    messages = []
    for event in events[at + 1 :]:
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered):
            extra = {k: v for k, v in (event.data or {}).items() if v}
            messages.append({"text": event.text, **extra})
    return {"conversation_id": sender, "messages": messages, "with_agent": tracker.is_paused()}
