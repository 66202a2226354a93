"""Who is writing: only a channel connector can say, through the message metadata.

The in-app channel verifies a signed token; the Telegram channel looks up a linked chat.
Nothing the customer types can make them verified.
"""

from __future__ import annotations

from dataclasses import dataclass

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from core.vocabulary import Channel


@dataclass(frozen=True)
class Identity:
    customer_id: int | None
    verified: bool
    channel: str | None

    @property
    def known(self) -> bool:
        return self.verified and self.customer_id is not None

    @property
    def via(self) -> str:
        """The channel to record (offers, cases, signals): the app when the connector said none."""
        return self.channel or Channel.APP


def identity_of(tracker: Tracker) -> Identity:
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    customer_id = metadata.get("customer_id")
    try:
        customer_id = int(customer_id) if customer_id is not None else None
    except (TypeError, ValueError):
        customer_id = None
    return Identity(
        customer_id=customer_id,
        verified=metadata.get("verified") is True,
        channel=metadata.get("channel"),
    )


def verified_customer(
    tracker: Tracker,
    dispatcher: CollectingDispatcher,
    tell: tuple[str, ...] = ("utter_verify_identity",),
) -> Identity | None:
    """The verified customer behind this message, or None once they were told (`tell`) how
    to verify. Every action that touches account data starts here, so the rule that no
    account data reaches an unverified identity lives in one place."""
    who = identity_of(tracker)
    if who.known:
        return who
    for response in tell:
        dispatcher.utter_message(response=response)
    return None
