"""Every live event, one dataclass each, and the topic it travels on.

Three topics: `queue` (every signed-in agent), `conversation:<id>` (the agents watching
that conversation) and `customer:<id>` (the customer's open chat page). Every payload says
what it is in `type`; a conversation's lines travel inside a `line` event with the line
itself (its own `kind`: customer, bot, agent, queue ...) in `line`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

QUEUE = "queue"


def conversation_topic(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"


def customer_topic(conversation_id: str) -> str:
    return f"customer:{conversation_id}"


@dataclass(frozen=True)
class LiveEvent:
    type: ClassVar[str]

    @property
    def topic(self) -> str:
        raise NotImplementedError

    def payload(self) -> dict[str, Any]:
        return {"type": self.type, **dataclasses.asdict(self)}


# --- to every agent (the queue) ---------------------------------------------------------


@dataclass(frozen=True)
class QueueEvent(LiveEvent):
    @property
    def topic(self) -> str:
        return QUEUE


@dataclass(frozen=True)
class HandoffCreated(QueueEvent):
    type: ClassVar[str] = "handoff.created"
    handoff: dict[str, Any]


@dataclass(frozen=True)
class HandoffClaimed(QueueEvent):
    type: ClassVar[str] = "handoff.claimed"
    handoff_id: int
    agent_id: int
    conversation_id: str
    agent: str


@dataclass(frozen=True)
class HandoffClosed(QueueEvent):
    type: ClassVar[str] = "handoff.closed"
    conversation_id: str


@dataclass(frozen=True)
class HandoffTimedOut(QueueEvent):
    type: ClassVar[str] = "handoff.timeout"
    handoff_id: int


@dataclass(frozen=True)
class CallbackBooked(QueueEvent):
    type: ClassVar[str] = "handoff.callback"


@dataclass(frozen=True)
class CustomerWrote(QueueEvent):
    """Something was said in a waiting or open conversation (not what: that needs access)."""

    type: ClassVar[str] = "customer.message"
    conversation_id: str
    received: float


# --- to the agents watching one conversation ----------------------------------------------


@dataclass(frozen=True)
class ConversationLine(LiveEvent):
    """One line of the conversation's history, as the history endpoint returns it."""

    type: ClassVar[str] = "line"
    conversation_id: str
    line: dict[str, Any] = field(default_factory=dict)
    received: float | None = None

    @property
    def topic(self) -> str:
        return conversation_topic(self.conversation_id)


# --- to the customer's chat page ---------------------------------------------------------


@dataclass(frozen=True)
class CustomerEvent(LiveEvent):
    conversation_id: str

    @property
    def topic(self) -> str:
        return customer_topic(self.conversation_id)

    def payload(self) -> dict[str, Any]:
        body = super().payload()
        body.pop("conversation_id")  # the page knows whose it is
        return body


@dataclass(frozen=True)
class Delivery(CustomerEvent):
    """A message sent outside the customer's own request (an agent's reply, a hand-back)."""

    type: ClassVar[str] = "message"
    message: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Typing(CustomerEvent):
    type: ClassVar[str] = "typing"
    on: bool = False


@dataclass(frozen=True)
class HandoffStatus(CustomerEvent):
    """Whether a person or the bot has the conversation now (`open` or `bot`)."""

    type: ClassVar[str] = "handoff"
    status: str = "bot"
