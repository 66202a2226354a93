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
class HandoffSummarised(QueueEvent):
    """The handoff's summary line changed (conversations.summary_refresh): queues re-read it."""

    type: ClassVar[str] = "handoff.summary"
    conversation_id: str


@dataclass(frozen=True)
class HandoffTransferred(QueueEvent):
    """Moved to another team's queue (to_agent_id None) or straight to another agent."""

    type: ClassVar[str] = "handoff.transferred"
    handoff_id: int
    conversation_id: str
    team: str | None
    to_agent_id: int | None
    by_agent_id: int
    by: str


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


# --- to one agent (their own console, every tab) -------------------------------------------


def agent_topic(agent_id: int) -> str:
    return f"agent:{agent_id}"


@dataclass(frozen=True)
class AgentEvent(LiveEvent):
    agent_id: int  # who it is for

    @property
    def topic(self) -> str:
        return agent_topic(self.agent_id)


@dataclass(frozen=True)
class Whisper(AgentEvent):
    """A supervisor's private note to the agent who owns the conversation (never to the
    customer: it travels only on the agent's own topic)."""

    type: ClassVar[str] = "whisper"
    conversation_id: str = ""
    note: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ConversationMoved(AgentEvent):
    """A supervisor took the agent's conversation over, or gave them / took from them one."""

    type: ClassVar[str] = "conversation.moved"
    conversation_id: str = ""
    how: str = ""  # taken_over | reassigned_away | assigned
    by: str = ""  # the supervisor
    to: str = ""  # who has it now


# --- to the supervisors (every signed-in supervisor's console) ----------------------------

SUPERVISORS = "supervisors"


@dataclass(frozen=True)
class SupervisorEvent(LiveEvent):
    @property
    def topic(self) -> str:
        return SUPERVISORS


@dataclass(frozen=True)
class SlaAlert(SupervisorEvent):
    """A handoff's first-response clock reached its warning time or its due time
    (conversations.sla); `state` is warning or breached."""

    type: ClassVar[str] = "sla.handoff"
    handoff_id: int
    conversation_id: str
    team: str
    priority: str
    state: str
    due_at: str


@dataclass(frozen=True)
class ComplaintsDue(SupervisorEvent):
    """Open complaints that just became due soon (warning) or overdue (breached): a few
    named, all counted."""

    type: ClassVar[str] = "sla.complaints"
    warning: int
    breached: int
    complaints: list[dict[str, Any]] = field(default_factory=list)
