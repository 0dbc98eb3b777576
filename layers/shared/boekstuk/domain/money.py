"""Money: always ``Decimal`` inside, a two-decimal string at every boundary (API.md)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

CENT = Decimal("0.01")


def to_money(value: Decimal | int | str | float) -> Decimal:
    """Round a value to cents (half up, the Dutch tax-authority convention)."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal) -> str:
    """Render an amount as the API does: ``"1234.56"``."""
    return str(to_money(amount))


def _parse_money(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str | float):
        raise ValueError("must be a decimal string such as \"121.00\"")
    return to_money(value)


Money = Annotated[Decimal, BeforeValidator(_parse_money), PlainSerializer(format_money, return_type=str)]
"""A pydantic field type: accepts ``"1234.56"`` (or a number), serialises as a two-decimal string."""
