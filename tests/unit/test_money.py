"""Money at the boundary: plain decimals with at most two places and 12 digits before the point (API.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from boekstuk.domain.money import ExponentNumber, Money, to_money


class Amount(BaseModel):
    value: Money


@pytest.mark.parametrize(("given", "expected"), [
    ("121.00", "121.00"), ("121", "121.00"), ("-0.5", "-0.50"), ("999999999999.99", "999999999999.99"),
    (121, "121.00"), (50.25, "50.25"), (Decimal("1.005"), "1.01"),
])
def test_plain_amounts_are_accepted(given: object, expected: str) -> None:
    assert Amount(value=given).model_dump(mode="json") == {"value": expected}


@pytest.mark.parametrize("given", [
    "1e400", "1E3", "NaN", "inf", "-1e20", "1000000000000.00", "12.345", "1,00", " 1.00", "", "+1.00",
    float("inf"), float("nan"), 1e30, 12.345, ExponentNumber("1e3"), True, None, [], 10**12, Decimal("1e30"),
])
def test_anything_else_is_refused(given: object) -> None:
    with pytest.raises(ValidationError):
        Amount(value=given)


def test_to_money_refuses_out_of_range_values_instead_of_failing_in_quantize() -> None:
    with pytest.raises(ValueError, match="not an amount"):
        to_money(Decimal("1e400"))
    assert to_money("2.675") == Decimal("2.68")  # half up, the tax authority's rounding
