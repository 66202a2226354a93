"""The synthetic bank every test suite starts from: same seed, same business date, any day.

`BANK_AS_OF` (see crm.clock) makes the generator end its history on AS_OF and the platform
judge the data on that day, so customers, cards and offers are the same whenever the tests
run. `TEST_AS_OF` moves the pin, to show a suite holds for other dates too. Stdlib only:
both runtimes' tests import it.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

AS_OF = os.environ.get("TEST_AS_OF") or "2026-11-23"
SEED = 42
BANK_ZONE = ZoneInfo("Asia/Shanghai")  # BANK_TIMEZONE's default: the customers' wall clock


def local_instant(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """hour:minute on the customers' clock that day, as the naive UTC instant the product's
    clocks and database hold (22:30 in Chengdu is 14:30 UTC)."""
    local = dt.datetime.combine(day, dt.time(hour, minute), BANK_ZONE)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def generator_args(customers: int) -> list[str]:
    """`python -m crm.synthetic` arguments for a pinned bank of `customers` customers."""
    return ["-m", "crm.synthetic", "--customers", str(customers), "--seed", str(SEED),
            "--as-of", AS_OF]  # fmt: skip
