"""The bank's two clocks: when something happens, and the day the bank's data is judged on.

`utcnow()` is the wall clock (naive UTC, as the database stores it): when a message, an
offer presentation or a login happened.

`local_time(instant)` is that instant on the customers' wall clock (`BANK_TIMEZONE`,
Asia/Shanghai by default): what "21:00" means in the quiet hours or an agent's calling hours.
A naive UTC 14:30 is 22:30 in Chengdu, where the customer is asleep.

`business_now()` is the instant the bank's data is evaluated at: opportunity expiry, the
contact policy's windows, ages and tenure, the synthetic bank's last day of history. It is
the wall clock unless `BANK_AS_OF=YYYY-MM-DD` pins the business date; then it is that day at
the wall clock's time of day. Tests pin it, so a product started from generated data sees
the same customers, cards and offers on any day it runs (the data and the day it is judged
on move together); the demo leaves it unset and lives in today.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def pinned_business_date() -> dt.date | None:
    from crm.settings import get_database_settings

    return get_database_settings().bank_as_of


def business_today() -> dt.date:
    return pinned_business_date() or utcnow().date()


def business_now() -> dt.datetime:
    now = utcnow()
    pinned = pinned_business_date()
    return dt.datetime.combine(pinned, now.time()) if pinned else now


def local_time(instant: dt.datetime) -> dt.datetime:
    """A naive UTC instant as the customers' naive local time (BANK_TIMEZONE)."""
    from crm.settings import get_database_settings

    zone = ZoneInfo(get_database_settings().bank_timezone)
    return instant.replace(tzinfo=dt.UTC).astimezone(zone).replace(tzinfo=None)
