"""Schedules declared in template.yaml: the event EventBridge would send, and when it would send it.

moto stores schedules but never fires them, so the local stack fires them itself (a timer, or on request).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from croniter import croniter

from boekstuk_local.template import Schedule

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def scheduled_event(schedule: Schedule, *, region: str, account_id: str) -> dict[str, Any]:
    """The payload the schedule delivers: its ``Input`` when the template gives one, else a Scheduled Event."""
    if schedule.input:
        parsed: dict[str, Any] = json.loads(schedule.input)
        return parsed
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events" if schedule.expression.startswith(("rate", "cron")) else "aws.scheduler",
        "account": account_id,
        "time": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:events:{region}:{account_id}:rule/{schedule.function}-{schedule.name}"],
        "detail": {},
    }


def next_fire(expression: str, after: dt.datetime, timezone: str | None = None) -> dt.datetime | None:
    """When ``rate(...)``/``cron(...)`` next fires after ``after`` (aware); ``None`` for one-off ``at(...)``.

    ``timezone`` (an IANA name) is the zone the cron fields are in, as ScheduleExpressionTimezone says.
    """
    expression = expression.strip()
    rate = _RATE.match(expression)
    if rate:
        seconds = int(rate.group(1)) * _UNIT_SECONDS[rate.group(2).rstrip("s")]
        return after + dt.timedelta(seconds=seconds)
    if expression.startswith("cron(") and expression.endswith(")"):
        fields = expression[5:-1].split()
        if len(fields) != 6:
            raise ValueError(f"AWS cron needs 6 fields: {expression}")
        minute, hour, dom, month, dow, _year = fields
        # EventBridge uses '?' for "no specific value" and 1-7 = SUN-SAT for day-of-week; croniter uses 0-6.
        dow = "*" if dow == "?" else re.sub(r"\d", lambda m: str((int(m.group()) - 1) % 7), dow)
        dom = "*" if dom == "?" else dom
        local_after = after.astimezone(ZoneInfo(timezone)) if timezone else after
        it = croniter(" ".join((minute, hour, dom, month, dow)), local_after)
        nxt: dt.datetime = it.get_next(dt.datetime)
        return nxt.astimezone(dt.UTC)
    if expression.startswith("at("):
        return None
    raise ValueError(f"unsupported schedule expression {expression}")
