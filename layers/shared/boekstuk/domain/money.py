"""Money: always ``Decimal`` inside, a two-decimal string at every boundary (API.md).

API.md: a decimal string with two decimals, at most 12 digits before the point; exponents, NaN and infinities
are refused. The same bounds hold inside, so no amount from a document or a package can overflow a quantize.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

CENT = Decimal("0.01")
MAX_ABS_AMOUNT = Decimal(10) ** 12  # exclusive: 12 digits before the point
_PLAIN_AMOUNT = re.compile(r"-?\d{1,12}(?:\.\d{1,2})?")
_AMOUNT_HINT = 'must be a decimal string such as "121.00" (at most 12 digits before the point and 2 after)'


class ExponentNumber(float):
    """A JSON number written with an exponent (``1e3``): the API's JSON reader marks these so that money fields
    can refuse them as API.md asks, while a JSON float such as ``50.25`` stays acceptable."""


def to_money(value: Decimal | int | str | float) -> Decimal:
    """Round a value to cents (half up, the Dutch tax-authority convention); ``ValueError`` for anything that
    is not a finite amount below 10^12."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {str(value)[:40]!r}") from exc
    if not amount.is_finite() or abs(amount) >= MAX_ABS_AMOUNT:
        raise ValueError(f"not an amount: {str(value)[:40]!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal) -> str:
    """Render an amount as the API does: ``"1234.56"``."""
    return str(to_money(amount))


def _parse_money(value: object) -> Decimal:
    """A boundary amount: a plain decimal string or number with at most two decimals, never an exponent."""
    if isinstance(value, str):
        if not _PLAIN_AMOUNT.fullmatch(value):
            raise ValueError(_AMOUNT_HINT)
        return to_money(value)
    if isinstance(value, ExponentNumber):
        raise ValueError(_AMOUNT_HINT)
    if isinstance(value, float):
        # JSON numbers arrive as floats: finite, in range, and no more than cents (121.005 is not an amount).
        exact = Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
        if exact is None or abs(exact) >= MAX_ABS_AMOUNT or exact != exact.quantize(CENT):
            raise ValueError(_AMOUNT_HINT)
        return to_money(exact)
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ValueError(_AMOUNT_HINT)
    try:
        return to_money(value)
    except ValueError as exc:
        raise ValueError(_AMOUNT_HINT) from exc


Money = Annotated[Decimal, BeforeValidator(_parse_money), PlainSerializer(format_money, return_type=str)]
"""A pydantic field type: accepts ``"1234.56"`` (or a number), serialises as a two-decimal string."""
