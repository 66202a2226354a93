"""Domain responses a channel says itself, outside the dialogue: an apology when the
assistant could not answer, a link or unlink result, a refusal for a group chat, a
slow-down. The words stay in the domain; this picks the variation Rasa would, in the
customer's language: the language of the message being answered, else the conversation's
(its `language` slot), else English.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from core.language import EN, LANGUAGES, detect

log = logging.getLogger(__name__)

LANGUAGE_SLOT = "language"


async def conversation_language(agent: Any, sender: str) -> str | None:
    """The conversation's current language, or None if it has none (or cannot be read)."""
    try:
        tracker = await agent.tracker_store.retrieve(sender)
    except Exception as exc:  # the store being down must not cost the customer the apology
        log.warning("no tracker for the reply's language: %s", exc.__class__.__name__)
        return None
    language = tracker.get_slot(LANGUAGE_SLOT) if tracker else None
    return language if language in LANGUAGES else None


async def render(
    agent: Any, response_name: str, sender: str, channel: str, text: str = ""
) -> dict[str, Any] | None:
    """The response as Rasa's generator renders it (text, buttons...), or None."""
    if agent is None or agent.processor is None:
        return None
    language = detect(text, default="") or await conversation_language(agent, sender) or EN
    tracker = DialogueStateTracker(sender, agent.domain.slots)
    if LANGUAGE_SLOT in tracker.slots:
        tracker.update(SlotSet(LANGUAGE_SLOT, language))
    return await agent.processor.nlg.generate(response_name, tracker, channel)
