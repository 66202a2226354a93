"""A new dialogue session keeps a paused conversation paused (assistant.session_hold)."""

from __future__ import annotations

import asyncio

from rasa.core.actions.action import ActionSessionStart
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ConversationPaused,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from assistant import session_hold

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
slots:
  customer_verified: {type: bool, mappings: [{type: custom}]}
session_config: {session_expiration_time: 60, carry_over_slots_to_new_session: true}
"""
)


def start_new_session(paused: bool) -> list:
    session_hold.install()
    tracker = DialogueStateTracker.from_events(
        "customer-7",
        [
            SessionStarted(),
            ActionExecuted("action_listen"),
            UserUttered("I want a person"),
            SlotSet("customer_verified", True),
            *([ConversationPaused()] if paused else []),
        ],
        DOMAIN.slots,
    )
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    run = ActionSessionStart().run(CollectingOutputChannel(), nlg, tracker, DOMAIN)
    return asyncio.run(run)


def test_a_paused_conversation_stays_paused_in_the_new_session() -> None:
    events = start_new_session(paused=True)
    assert isinstance(events[0], SessionStarted)
    assert SlotSet("customer_verified", True) in events
    assert [type(e) for e in events[-2:]] == [ConversationPaused, ActionExecuted]
    replayed = DialogueStateTracker.from_events("customer-7", events, DOMAIN.slots)
    assert replayed.is_paused()


def test_a_conversation_without_an_agent_starts_as_rasa_starts_it() -> None:
    events = start_new_session(paused=False)
    assert not any(isinstance(e, ConversationPaused) for e in events)
    assert isinstance(events[-1], ActionExecuted)
