"""How amounts, dates and identifiers are printed, per document language.

Dutch invoices print ``1.234,56`` and ``€ 1.234,56``, dates as ``01-03-2024`` or ``1 maart 2024``; an
English-language Dutch supplier prints ``1,234.56`` and ``1 March 2024``; a German one ``1.234,56 €`` and
``01.03.2024``. Tests and the benchmark use the same functions to look the truth up in the rendered text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

Language = Literal["nl", "en", "de"]

MONTHS: dict[Language, tuple[str, ...]] = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"),
}

DATE_STYLES: dict[Language, tuple[str, ...]] = {
    "nl": ("dd-mm-yyyy", "d month yyyy", "d-m-yyyy", "dd/mm/yyyy"),
    "en": ("d month yyyy", "yyyy-mm-dd", "dd/mm/yyyy"),
    "de": ("dd.mm.yyyy", "d. month yyyy"),
}
"""The styles of the first seven layouts (their documents stay byte-identical per seed: never reorder)."""

MORE_DATE_STYLES: dict[Language, tuple[str, ...]] = {
    "nl": ("dd-mm-yy", "d mon yyyy", "dd.mm.yyyy", "yyyy-mm-dd"),
    "en": ("month d, yyyy", "d mon yyyy", "dd-mm-yyyy"),
    "de": ("dd.mm.yy",),
}
"""Further styles the layout families of ``families`` draw from as well: two-digit years (``01-03-24``),
abbreviated months (``1 mrt 2024``), American order in English (``March 1, 2024``)."""

SHORT_MONTHS: dict[Language, tuple[str, ...]] = {
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "de": ("Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sep.", "Okt.", "Nov.", "Dez."),
}

Grouping = Literal[".", " ", ""]
"""Thousands separator of a non-English amount: ``1.234,56``, ``1 234,56`` or ``1234,56``."""


def format_amount(amount: Decimal, language: Language, *, symbol: bool = False, grouping: Grouping = ".") -> str:
    """Render an amount the way an invoice in ``language`` prints it (``1.234,56`` / ``1,234.56``).

    ``grouping`` is the thousands separator of Dutch and German amounts (``€ 1 234,56``); English ones use commas.
    """
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups = f"{int(whole):,}"
    if language == "en":
        number = f"{sign}{groups}.{cents}"
        return f"€{number}" if symbol else number
    number = f"{sign}{groups.replace(',', grouping)},{cents}"
    if not symbol:
        return number
    return f"{number} €" if language == "de" else f"€ {number}"


def format_rate(rate: Decimal, language: Language) -> str:
    """Render a VAT rate without trailing zeros: ``21%``, ``5,5%`` / ``5.5%``."""
    text = f"{rate.normalize():f}"
    if language != "en":
        text = text.replace(".", ",")
    return f"{text}%"


def format_quantity(quantity: Decimal, language: Language) -> str:
    """Render a quantity: whole numbers without decimals, otherwise with the language's decimal mark."""
    text = f"{quantity.normalize():f}"
    return text if language == "en" else text.replace(".", ",")


def format_date(date: dt.date, language: Language, style: str) -> str:
    """Render a date in one of the ``DATE_STYLES`` of ``language``."""
    month = MONTHS[language][date.month - 1]
    match style:
        case "dd-mm-yy":
            return f"{date:%d-%m-%y}"
        case "dd.mm.yy":
            return f"{date:%d.%m.%y}"
        case "d mon yyyy":
            return f"{date.day} {SHORT_MONTHS[language][date.month - 1]} {date.year}"
        case "month d, yyyy":
            return f"{month} {date.day}, {date.year}"
        case "dd-mm-yyyy":
            return f"{date:%d-%m-%Y}"
        case "d-m-yyyy":
            return f"{date.day}-{date.month}-{date.year}"
        case "dd/mm/yyyy":
            return f"{date:%d/%m/%Y}"
        case "dd.mm.yyyy":
            return f"{date:%d.%m.%Y}"
        case "yyyy-mm-dd":
            return date.isoformat()
        case "d month yyyy":
            return f"{date.day} {month} {date.year}"
        case "d. month yyyy":
            return f"{date.day}. {month} {date.year}"
    raise ValueError(f"unknown date style {style!r}")


def format_iban(iban: str) -> str:
    """Group an IBAN in blocks of four, as printed on invoices."""
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
