"""Amounts and dates as printed in NL/EN/DE/FR documents."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from boekstuk.domain.extraction.parse import find_amounts, find_dates, parse_date, parse_number


@pytest.mark.parametrize(
    ("text", "expected", "currency"),
    [
        ("1.234,56", "1234.56", None),
        ("€ 1.234,56", "1234.56", "EUR"),
        ("€1.234,56", "1234.56", "EUR"),
        ("1,234.56", "1234.56", None),
        ("$1,234.56", "1234.56", "USD"),
        ("1 234,56 EUR", "1234.56", "EUR"),
        ("-12,50", "-12.50", None),
        ("12,50-", "-12.50", None),
        ("(12.50)", "-12.50", None),
        ("€ -9,32", "-9.32", "EUR"),
        ("RM 22.90", "22.90", "MYR"),
        ("12,-", "12.00", None),
        ("€ 5", "5.00", "EUR"),
        ("1.234.567,89", "1234567.89", None),
    ],
)
def test_amount_formats(text: str, expected: str, currency: str | None) -> None:
    found = find_amounts(f"Totaal {text} ")
    assert [str(a.value) for a in found] == [expected]
    assert found[0].currency == currency


def test_dates_percentages_and_quantities_are_not_amounts() -> None:
    assert find_amounts("Datum 05.03.2018  BTW 21%  Aantal 3") == ()


def test_neighbouring_numbers_are_not_merged_into_thousands() -> None:
    assert [str(a.value) for a in find_amounts("2 12,50 25,00")] == ["12.50", "25.00"]


def test_parse_number_thousands_only() -> None:
    assert parse_number("1.234") == Decimal("1234")
    assert parse_number("1,234") == Decimal("1234")


@pytest.mark.parametrize(
    "text",
    ["01-03-2024", "1-3-2024", "1 maart 2024", "01.03.2024", "2024-03-01", "March 1, 2024", "1. März 2024",
     "1er mars 2024", "1 mrt. 2024", "01/03/24", "1 Mar 2024", "Mar 1st, 2024", "1-mrt-2024"],
)
def test_date_formats(text: str) -> None:
    assert parse_date(f"Datum: {text}") == dt.date(2024, 3, 1)


def test_date_glued_to_a_time_by_ocr() -> None:
    assert parse_date("Order No. 1000219 11/03/201806:20 PM") == dt.date(2018, 3, 11)
    assert parse_date("05-02-1813:45") == dt.date(2018, 2, 5)
    assert parse_date("DATE16MAY201814:30") == dt.date(2018, 5, 16)
    assert parse_date("10 OCT 2017") == dt.date(2017, 10, 10)


def test_day_above_twelve_decides_month_first() -> None:
    assert parse_date("12/13/2016") == dt.date(2016, 12, 13)
    assert parse_date("03/01/2024", month_first=True) == dt.date(2024, 3, 1)


def test_invalid_dates_and_plain_numbers_are_ignored() -> None:
    assert find_dates("31-02-2024 and 1234567 and 2024") == []
