"""Moving the local stack's clock to a moment reminders care about (Amsterdam working days)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def seconds_until(now: dt.datetime, at_least: dt.timedelta, *, weekday: bool = True, hour: int = 10) -> float:
    """Seconds from ``now`` to the first ``hour``:00 in Amsterdam that is at least ``at_least`` away and falls on a
    working day (``weekday``) or a Saturday (not ``weekday``)."""
    local = (now + at_least).astimezone(AMSTERDAM)
    target = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if target < local:
        target += dt.timedelta(days=1)
    # Aware arithmetic with a ZoneInfo keeps the wall-clock hour across a DST change.
    while target.weekday() != 5 if not weekday else target.weekday() >= 5:
        target += dt.timedelta(days=1)
    return (target - now).total_seconds()
