"""Plan one proactive message for a customer of a running product, as a campaign launch or
the event scan would: consent for the channel (the customer said yes in the app) and a due
outreach item. The product's own sender (PROACTIVE_SEND_SECONDS) then sends it.

Run with the product's environment (its database): `python -m tests.e2e.outreach CUSTOMER
CHANNEL OFFER [REASON_CODE]`; prints the item's id.
"""

from __future__ import annotations

import datetime as dt
import sys
import time

from sqlalchemy import select

from crm import models  # noqa: F401  (the tables an outreach item refers to)
from crm.clock import business_now
from crm.db import session_scope
from crm.marketing import consent, outreach
from crm.marketing.outreach_models import OutreachItem


def plan(customer: int, channel: str, offer: str, reason_code: str = "segment") -> int:
    key = f"e2e:{customer}:{channel}:{offer}:{time.time_ns()}"
    with session_scope() as session:
        consent.record(session, customer, channel, True, "app")
        outreach.enqueue(
            session,
            [
                {
                    "customer_id": customer,
                    "channel": channel,
                    "source": "campaign",
                    "offer_code": offer,
                    "reason": {"code": reason_code, "text": "End-to-end test.", "figures": {}},
                    "expires_at": business_now() + dt.timedelta(days=3),
                    "dedupe_key": key,
                }
            ],
        )
        return session.scalar(select(OutreachItem.id).where(OutreachItem.dedupe_key == key))


if __name__ == "__main__":
    print(plan(int(sys.argv[1]), sys.argv[2], sys.argv[3], *sys.argv[4:5]))
