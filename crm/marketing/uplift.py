"""Uplift of a campaign: the target group's conversion rate minus the control group's, with
a 95 % confidence interval by Newcombe's hybrid score method (Newcombe 1998, method 10),
built from the two groups' Wilson score intervals.

Why Newcombe/Wilson and not the textbook Wald interval: campaign conversion rates are small
(a few per cent) and control groups are a tenth of the audience, where Wald's interval is
too narrow, can leave [-1, 1] and collapses to a point when a group converts nobody.
"""

from __future__ import annotations

import math
from typing import Any

Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion (0, 1 when there is no observation)."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def difference(x1: int, n1: int, x2: int, n2: int, z: float = Z95) -> dict[str, Any]:
    """Rate 1 minus rate 2 with Newcombe's interval; None figures when a group is empty."""
    if n1 <= 0 or n2 <= 0:
        return {"uplift": None, "low": None, "high": None, "method": "newcombe_wilson"}
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, z)
    l2, u2 = wilson(x2, n2, z)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return {
        "uplift": round(d, 6),
        "low": round(low, 6),
        "high": round(high, 6),
        "method": "newcombe_wilson",
    }
