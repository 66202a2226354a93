"""The synthetic bank every test suite starts from: same seed, same business date, any day.

`BANK_AS_OF` (see crm.clock) makes the generator end its history on AS_OF and the platform
judge the data on that day, so customers, cards and offers are the same whenever the tests
run. `TEST_AS_OF` moves the pin, to show a suite holds for other dates too. Stdlib only:
both runtimes' tests import it.
"""

from __future__ import annotations

import os

AS_OF = os.environ.get("TEST_AS_OF") or "2026-11-23"
SEED = 42


def generator_args(customers: int) -> list[str]:
    """`python -m crm.synthetic` arguments for a pinned bank of `customers` customers."""
    return ["-m", "crm.synthetic", "--customers", str(customers), "--seed", str(SEED),
            "--as-of", AS_OF]  # fmt: skip
