"""Dates as the packages write them, read in one place.

The shapes:

- Exact Online answers Microsoft JSON dates ``/Date(1709251200000)/`` (milliseconds since the epoch,
  optionally with an offset ``+0100``) and takes ISO ``2024-03-01T00:00:00`` in requests
  (https://start.exactonline.nl/docs/HlpRestAPIResources.aspx);
- SnelStart (https://b2bapi-developer.snelstart.nl/) and AccountView (field types as in the public client
  https://github.com/omniboost/go-accountview.net) use ISO datetimes, also ``2024-03-01T00:00:00.000Z``;
- Twinfield writes ``YYYYMMDD``
  (https://developers.twinfield.com/documentation/api/transaction-data/purchase-transactions);
- Multivers writes ``d-M-yyyy`` (as the public client https://github.com/tim-online/go-unit4-multivers does).

The shapes cannot be mistaken for one another (a year first with dashes, eight digits, a year last).
"""

from __future__ import annotations

import datetime as dt
import re

_MS_JSON = re.compile(r"/Date\((?P<ms>-?\d+)(?:(?P<sign>[+-])(?P<hh>\d{2})(?P<mm>\d{2}))?\)/")
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")
_DAY_FIRST = re.compile(r"(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{4})")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ].*)?")


def package_date(value: object) -> dt.date | None:
    """The calendar date in ``value`` (any shape above, or a date/datetime); ``None`` when it holds none.

    A datetime with an offset keeps the date as written (the package's own day), not the date in UTC.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if match := _MS_JSON.fullmatch(text):
            offset = dt.timedelta(0)
            if match["sign"]:
                offset = dt.timedelta(hours=int(match["hh"]), minutes=int(match["mm"]))
                offset = -offset if match["sign"] == "-" else offset
            instant = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(milliseconds=int(match["ms"]))
            return instant.astimezone(dt.timezone(offset)).date()
        if match := _COMPACT.fullmatch(text) or _DAY_FIRST.fullmatch(text):
            return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
        if _ISO.fullmatch(text):
            return dt.datetime.fromisoformat(text).date()
    except ValueError:  # the right shape, but no such day (2024-02-30)
        return None
    return None


def iso_midnight(value: dt.date) -> str:
    """``2024-03-01T00:00:00``: a date as Exact Online, SnelStart and AccountView take it in requests."""
    return f"{value.isoformat()}T00:00:00"
