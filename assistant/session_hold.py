"""A new dialogue session keeps a person's hold on the conversation.

Rasa starts a new session after `session_expiration_time` of silence, and the SessionStarted
event un-pauses the tracker: a customer who writes again after waiting an hour for an agent
(or a callback) would get the bot back while a person still has the case. Rasa offers no
hook for this but replacing `action_session_start` on the action server, which would make
every new conversation depend on that server (when it is down the policies then loop on
the fallback). So the built-in action is extended in the Rasa process: if the conversation
was paused, the new session is paused too. `assistant.serve` installs it before Rasa starts.
"""

from __future__ import annotations

from typing import Any

from rasa.core.actions.action import ActionSessionStart
from rasa.shared.core.events import ActionExecuted, ConversationPaused, Event

_original_run = ActionSessionStart.run


async def _run_keeping_the_hold(self: ActionSessionStart, *args: Any, **kwargs: Any) -> list[Event]:
    tracker = kwargs.get("tracker") or args[2]
    paused = tracker.is_paused()
    events = await _original_run(self, *args, **kwargs)
    if not paused:
        return events
    # After SessionStarted and the carried-over slots, before the closing action_listen.
    listen_at = max(i for i, e in enumerate(events) if isinstance(e, ActionExecuted))
    return [*events[:listen_at], ConversationPaused(), *events[listen_at:]]


def install() -> None:
    if ActionSessionStart.run is not _run_keeping_the_hold:
        ActionSessionStart.run = _run_keeping_the_hold  # type: ignore[method-assign]
