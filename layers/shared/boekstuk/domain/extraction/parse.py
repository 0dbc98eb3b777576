"""Parsing of amounts and dates as they are printed on invoices in NL, EN, DE and FR (pure functions)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from boekstuk.domain.money import to_money

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "jan januari january janvier januar jänner jän janv",
        "feb februari february février fevrier februar fév fev févr fevr",
        "mrt maart mar march mars märz maerz mär mrz",
        "apr april avril avr",
        "mei may mai",
        "jun juni june juin",
        "jul juli july juillet juil",
        "aug augustus august août aout",
        "sep sept september septembre",
        "okt oktober oct october octobre",
        "nov november novembre",
        "dec december dez dezember décembre decembre déc",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

# OCR reads the letter O of a printed month as a zero ("10 0CT 2017", "N0V"): an "o" also matches "0".
_MONTH_RE = "|".join(sorted((re.escape(m).replace("o", "[o0]") for m in MONTHS), key=len, reverse=True))


def _month(name: str) -> int:
    return MONTHS[name.lower().replace("0", "o")]


# Amount: optional sign or parenthesis, optional currency, digits with thousands separators, two decimals
# (or one/none only right after a currency sign), optional trailing minus ("12,50-", Dutch bookkeeping style).
# OCR of receipts splits an amount at its decimal point ("6 .70", "6. 00"): a space on either side of the
# point is allowed when exactly two decimals follow and no further separated digits (a spaced date "05 .02 .18").
_CURRENCY_SIGN = r"(?:€|EUR|\$|USD|£|GBP|RM|MYR|CHF|₹|Rs\.?|INR)"
AMOUNT_RE = re.compile(
    r"(?<![\w.,/:-])"
    r"(?P<neg1>[-−–]\s?|\()?"
    r"(?P<cur1>" + _CURRENCY_SIGN + r")?\s?"
    r"(?P<neg2>[-−–]\s?)?"
    r"(?P<num>\d{1,3}(?:(?P<sep>[.,'’]|\s(?=\d{3}(?!\d)))\d{3})*(?:(?:[.,]\d{2})|(?:[.,]-))"
    r"|\d+(?:[.,]\d{2}|[.,]-)|\d+(?:\s[.,]\s?|[.,]\s)\d{2}(?!\s?[.,]\s?\d))"
    r"(?![\d%])(?![.,]\d)"
    r"(?P<neg3>-(?![\d\w])|\))?"
    r"(?:\s?(?P<cur2>" + _CURRENCY_SIGN + r")(?![A-Za-z]))?",
    re.IGNORECASE,
)
_PLAIN_AMOUNT_AFTER_CURRENCY = re.compile(
    r"(?P<cur1>€|\$|£|EUR|RM)\s?(?P<neg2>-)?(?P<num>\d{1,3}(?:[.,]\d{3})*|\d+)(?![\d.,%])", re.IGNORECASE
)

CURRENCY_CODES = {"€": "EUR", "eur": "EUR", "$": "USD", "usd": "USD", "£": "GBP", "gbp": "GBP", "rm": "MYR",
                  "myr": "MYR", "chf": "CHF", "₹": "INR", "rs": "INR", "rs.": "INR", "inr": "INR"}


@dataclass(frozen=True, slots=True)
class AmountMatch:
    """One amount found in a text, with its position (character offsets) and the currency printed with it."""

    value: Decimal
    start: int
    end: int
    currency: str | None


def parse_number(text: str) -> Decimal | None:
    """Turn ``1.234,56`` / ``1,234.56`` / ``1 234,56`` / ``12,-`` into a Decimal (no sign handling)."""
    raw = text.strip().replace("’", "'").replace(" ", "").replace("'", "").replace("\u00a0", "")
    if raw.endswith((",-", ".-")):
        raw = raw[:-2]
    if not raw:
        return None
    last_comma, last_dot = raw.rfind(","), raw.rfind(".")
    decimal_at = max(last_comma, last_dot)
    # A separator followed by exactly three digits is a thousands separator ("1.234"), unless both kinds occur.
    if decimal_at >= 0 and (last_comma < 0 or last_dot < 0) and len(raw) - decimal_at - 1 == 3:
        decimal_at = -1
    if decimal_at >= 0:
        whole = re.sub(r"[.,]", "", raw[:decimal_at])
        raw = f"{whole}.{raw[decimal_at + 1:]}"
    else:
        raw = re.sub(r"[.,]", "", raw)
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


@functools.lru_cache(maxsize=4096)
def find_amounts(text: str) -> tuple[AmountMatch, ...]:
    """All amounts in a line of text, left to right, with sign and currency applied.

    Memoised (a pure function of the text, returning immutable matches): the extractor asks about the same
    lines from several places.
    """
    found: list[AmountMatch] = []
    for match in AMOUNT_RE.finditer(text):
        value = parse_number(match.group("num"))
        if value is None:
            continue
        negative = bool(match.group("neg2")) or bool(match.group("neg3") and match.group("neg3") == "-")
        negative = negative or bool(match.group("neg1") and match.group("neg1").strip() in "-−–")
        negative = negative or (match.group("neg1") == "(" and match.group("neg3") == ")")
        currency = match.group("cur1") or match.group("cur2")
        found.append(
            AmountMatch(
                value=to_money(-value if negative else value),
                start=match.start(),
                end=match.end(),
                currency=CURRENCY_CODES.get(currency.lower()) if currency else None,
            )
        )
    covered = [(m.start, m.end) for m in found]
    for match in _PLAIN_AMOUNT_AFTER_CURRENCY.finditer(text):
        if any(s <= match.start() < e for s, e in covered):
            continue
        value = parse_number(match.group("num"))
        if value is None:
            continue
        found.append(
            AmountMatch(
                value=to_money(-value if match.group("neg2") else value),
                start=match.start(),
                end=match.end(),
                currency=CURRENCY_CODES.get(match.group("cur1").lower()),
            )
        )
    for match in _AMOUNT_GLUED_TO_WORD.finditer(text):
        # OCR drops the space between a word and an amount ("over1.948,46"): a formatted amount with its
        # cents after a lower-case letter is still one.
        if any(s <= match.start() < e for s, e in covered):
            continue
        value = parse_number(match.group("num"))
        if value is not None:
            found.append(AmountMatch(value=to_money(value), start=match.start(), end=match.end(), currency=None))
    found.sort(key=lambda m: m.start)
    return tuple(found)


_AMOUNT_GLUED_TO_WORD = re.compile(r"(?<=[a-zà-ÿ])(?P<num>\d{1,3}(?:\.\d{3})*,\d{2}|\d{1,3}(?:,\d{3})*\.\d{2})(?![\d%])(?![.,]\d)")


# --- dates -------------------------------------------------------------------------------------------

# The year may be glued to a time by OCR ("11/03/201806:20 PM").
_NUMERIC_DATE = re.compile(
    # Not inside a longer number ("1.12.05.2023", "3,12/05"); after a word and a comma it is ("Westbeemster,20/12/2023").
    r"(?<![\d/-])(?<!\d[.,])(?<!^[.,])(?<!\s[.,])(\d{1,2})\s?([-./])\s?(\d{1,2})\s?\2\s?"
    r"(\d{4}(?=\d{1,2}:\d{2})|\d{2}(?=\d{2}:\d{2})|(?:\d{4}|\d{2})(?![\d%]|[.,]\d))"
)
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})([-./])(\d{1,2})\2(\d{1,2})(?!\d)")
_DAY_MONTH_YEAR = re.compile(
    r"(?<!\d)(\d{1,2})(?:er|e|st|nd|rd|th)?\.?\s*(?:-\s*)?(" + _MONTH_RE + r")\.?\s*(?:-\s*)?,?\s*"
    r"(\d{4}(?=\d{1,2}:\d{2})|\d{2}(?=\d{2}:\d{2})|(?:\d{4}|\d{2})(?!\d))",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    r"(?<![\w])(" + _MONTH_RE + r")\.?\s*(\d{1,2})(?:st|nd|rd|th)?,?\s*(\d{4})(?!\d)", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class DateMatch:
    """One date found in a text, with its character offsets."""

    value: dt.date
    start: int
    end: int


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _make(year: int, month: int, day: int) -> dt.date | None:
    if not 1990 <= year <= 2099:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str, *, month_first: bool = False) -> list[DateMatch]:
    """All dates in a text, left to right. Numeric dates are day-first unless ``month_first`` or day > 12."""
    found: list[DateMatch] = []

    def add(value: dt.date | None, start: int, end: int) -> None:
        if value and not any(s < end and start < e for s, e in ((f.start, f.end) for f in found)):
            found.append(DateMatch(value, start, end))

    for m in _ISO_DATE.finditer(text):
        add(_make(int(m.group(1)), int(m.group(3)), int(m.group(4))), m.start(), m.end())
    for m in _DAY_MONTH_YEAR.finditer(text):
        add(_make(_year(m.group(3)), _month(m.group(2)), int(m.group(1))), m.start(), m.end())
    for m in _MONTH_DAY_YEAR.finditer(text):
        add(_make(_year(m.group(3)), _month(m.group(1)), int(m.group(2))), m.start(), m.end())
    for m in _NUMERIC_DATE.finditer(text):
        first, second, year = int(m.group(1)), int(m.group(3)), _year(m.group(4))
        day, month = (second, first) if (month_first and first <= 12) or second > 12 else (first, second)
        add(_make(year, month, day), m.start(), m.end())
    found.sort(key=lambda d: d.start)
    return found


# OCR drops one of a numeric date's two separators ("05 02-18"): day and month of two digits each.
_BROKEN_DATE = re.compile(r"(?<![\d.,/:-])(\d{2}) (\d{2})[-./](\d{4}|\d{2})(?![\d%]|[.,]\d)")


def find_broken_dates(text: str, *, month_first: bool = False) -> list[DateMatch]:
    """Numeric dates with one separator lost to OCR; only a fallback for documents without a readable date."""
    found: list[DateMatch] = []
    for m in _BROKEN_DATE.finditer(text):
        first, second, year = int(m.group(1)), int(m.group(2)), _year(m.group(3))
        day, month = (second, first) if (month_first and first <= 12) or second > 12 else (first, second)
        value = _make(year, month, day)
        if value:
            found.append(DateMatch(value, m.start(), m.end()))
    return found


def parse_date(text: str, *, month_first: bool = False) -> dt.date | None:
    """The first date in ``text``, or None."""
    dates = find_dates(text, month_first=month_first)
    return dates[0].value if dates else None
