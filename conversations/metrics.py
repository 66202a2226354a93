"""Prometheus counters of the contact centre: handoffs opened and agent replies sent.

Counted where they happen in this process; the queue's state (waiting, oldest wait) is read
from the database at scrape time (server.metrics). Labels never hold a customer's data.
"""

from __future__ import annotations

from prometheus_client import Counter

HANDOFFS_OPENED = Counter(
    "bank_handoffs_opened_total", "Requests for a person", ["channel", "reason"]
)
AGENT_REPLIES = Counter("bank_agent_replies_total", "Messages agents sent to customers", ["kind"])
