"""The outreach scan: every OUTREACH_SCAN_SECONDS, find event moments, expire stale outreach
items and plan new calls and messages (crm.marketing.routing.scan_and_route).

Runs on one replica (the scheduler; OUTREACH_SCAN_SECONDS=0 elsewhere), like the SLA check.
It works from the database, so it resumes after a restart; even two scans at once store each
opportunity and item once (unique keys with ON CONFLICT DO NOTHING).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from core.loops import every
from crm.clock import business_now
from crm.db import session_scope
from crm.marketing.routing import scan_and_route
from crm.settings import get_settings

log = logging.getLogger(__name__)


def scan_once() -> dict[str, Any]:
    """One round in one transaction, on the business clock."""
    with session_scope() as session:
        return scan_and_route(session, business_now())


async def _scan_round() -> None:
    result = await asyncio.to_thread(scan_once)
    log.info(
        "outreach scan: %s new opportunities, %s items queued, %s expired",
        sum(result["found"].values()),
        result["enqueued"],
        result["expired"],
    )


async def run_forever() -> None:
    await every(get_settings().outreach_scan_seconds, _scan_round, "outreach scan")
