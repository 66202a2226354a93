"""Marketing consents the synthetic bank's customers gave when they joined (and a few later
changes), so campaigns and outbound lists have exclusions to show.

Drawn from its own random stream (seed, 2, chunk): adding consents leaves every other table
of a seeded bank exactly as it was. The demo cast (ids 1-10) consents to app and calls.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from crm.synthetic.load import Batch

DECLINE = {"app": 0.10, "call": 0.15, "telegram": 0.20}  # share that said no at onboarding
WITHDRAW_CALLS = 0.04  # share that later withdrew call consent in the app
DEMO_CAST = 10
COLUMNS = ["customer_id", "channel", "granted", "source", "recorded_by", "recorded_at"]


def write_consents(batch: Batch, rng: np.random.Generator, pop, lo: int, hi: int, now) -> int:
    """Append onboarding consents (app, call; Telegram where linked) for customers lo..hi-1."""
    rows = []
    size = hi - lo
    said_no = {channel: rng.random(size) < share for channel, share in DECLINE.items()}
    withdrew = rng.random(size) < WITHDRAW_CALLS
    days_ago = rng.uniform(5, 200, size)
    for k, i in enumerate(range(lo, hi)):
        cid = i + 1
        joined = dt.datetime.combine(pop.joined[i], dt.time(10))
        channels = ["app", "call"] + (["telegram"] if pop.telegram[i] and cid > DEMO_CAST else [])
        for channel in channels:
            granted = cid <= DEMO_CAST or not bool(said_no[channel][k])
            rows.append((cid, channel, granted, "onboarding", None, joined))
        if cid > DEMO_CAST and withdrew[k] and not said_no["call"][k]:
            when = max(joined, now - dt.timedelta(days=float(days_ago[k])))
            rows.append((cid, "call", False, "app", None, when))
    batch.rows("marketing_consents", COLUMNS, rows)
    return len(rows)
