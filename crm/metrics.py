"""Prometheus counters of the closed loop: offers shown and the answers they got, by channel.

Counted in this process when recorded (`crm.closed_loop`); the response-rate reports read
the database, these show the flow live. Labels are offer codes and channels, never customers.
"""

from __future__ import annotations

from prometheus_client import Counter

OFFERS_PRESENTED = Counter(
    "bank_offers_presented_total", "Offers shown to customers", ["offer", "channel", "context"]
)
OFFER_OUTCOMES = Counter(
    "bank_offer_outcomes_total", "Answers to offers shown", ["offer", "channel", "outcome"]
)
