"""Who a conversation belongs to: one Rasa sender id per customer, whatever the channel.

A verified customer is `customer-<id>` on every channel (the app, a linked Telegram chat),
so the tracker store holds one history per customer. An unlinked Telegram chat is
`telegram-<chat id>`: anonymous, its own conversation.
"""

from __future__ import annotations

CUSTOMER_PREFIX = "customer-"
TELEGRAM_PREFIX = "telegram-"
# What a conversation id may look like anywhere it arrives from outside (an API, a path):
# the channels make only these, and nothing else reaches a URL, a log line or a file name.
SENDER_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"


def customer_sender_id(customer_id: int) -> str:
    return f"{CUSTOMER_PREFIX}{customer_id}"


def telegram_sender_id(chat_id: int) -> str:
    return f"{TELEGRAM_PREFIX}{chat_id}"


def customer_id_of(sender_id: str) -> int | None:
    """The customer a conversation belongs to, or None for an anonymous one."""
    if not sender_id.startswith(CUSTOMER_PREFIX):
        return None
    try:
        return int(sender_id.removeprefix(CUSTOMER_PREFIX))
    except ValueError:
        return None


def telegram_chat_of(sender_id: str) -> int | None:
    if not sender_id.startswith(TELEGRAM_PREFIX):
        return None
    try:
        return int(sender_id.removeprefix(TELEGRAM_PREFIX))
    except ValueError:
        return None
