"""The one date parser: every shape in which the five packages send a date."""

from __future__ import annotations

import datetime as dt

import pytest

from boekstuk.adapters.packages.dates import iso_midnight, package_date

MARCH_1 = dt.date(2024, 3, 1)


@pytest.mark.parametrize("value", [
    "/Date(1709251200000)/",  # Exact Online: Microsoft JSON, ms since the epoch (UTC midnight)
    "/Date(1709251200000+0000)/",  # the same with the offset Microsoft JSON may carry
    "/Date(1709280000000+0100)/",  # 09:00 CET: the date is the one at that offset
    "2024-03-01",  # ISO date
    "2024-03-01T00:00:00",  # ISO datetime: Exact requests, SnelStart, AccountView TRN_DATE
    "2024-03-01T10:00:00.000Z",  # AccountView BookDate, with milliseconds and Z
    "2024-03-01T23:30:00-02:00",  # an offset: the date as written, not moved to UTC
    "20240301",  # Twinfield YYYYMMDD
    "1-3-2024",  # Multivers d-M-yyyy, no leading zeros
    "01-03-2024",  # d-M-yyyy with them
    " 2024-03-01T00:00:00 ",  # surrounding blanks
])
def test_every_package_shape_reads_as_the_same_date(value: str) -> None:
    assert package_date(value) == MARCH_1


def test_dates_before_1970_and_date_objects() -> None:
    assert package_date("/Date(-86400000)/") == dt.date(1969, 12, 31)
    assert package_date(MARCH_1) == MARCH_1
    assert package_date(dt.datetime(2024, 3, 1, 15, 0)) == MARCH_1


@pytest.mark.parametrize("value", [None, "", "   ", "morgen", "/Date(abc)/", "2024-02-30", "31-2-2024", "20241301",
                                   "2024/03/01", 20240301, 1.5, True])
def test_what_is_no_date_is_none(value: object) -> None:
    assert package_date(value) is None


def test_iso_midnight_is_what_exact_snelstart_and_accountview_take() -> None:
    assert iso_midnight(MARCH_1) == "2024-03-01T00:00:00"
    assert package_date(iso_midnight(MARCH_1)) == MARCH_1
