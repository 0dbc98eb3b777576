"""Line items: the rows under a product table's header (a description column and at least two more), up to the
first totals row; quantity from the quantity column, prices made exclusive of VAT when the header says incl."""

from __future__ import annotations

import re
from decimal import Decimal

from boekstuk.domain.extraction import labels as L
from boekstuk.domain.extraction.layout import WIDE_GAP, Line
from boekstuk.domain.extraction.parse import find_amounts
from boekstuk.domain.extraction.reading import Reading, is_item_header
from boekstuk.domain.extraction.vat import RATE_RE, rate_text
from boekstuk.domain.money import to_money
from boekstuk.domain.recognition import LineItem

QUANTITY_COLUMN_SLACK = 15
"""How far (page units) a quantity may stand outside its column header: numbers are right-aligned under it."""


def read_line_items(reading: Reading) -> list[LineItem]:
    """The rows of the first product table that has any."""
    items: list[LineItem] = []
    for header in reading.lines:
        if not is_item_header(header.text):
            continue
        columns = {k: p.search(header.text) for k, p in L.TABLE_HEADER_WORDS.items()}
        present = {k: m for k, m in columns.items() if m}
        incl_prices = bool(re.search(r"(?i)incl", header.text))
        qty_box = header.box(present["quantity"].start(), present["quantity"].end()) if "quantity" in present else None
        for line in reading.lines[header.index + 1:]:
            if line.page != header.page:
                break
            amounts = find_amounts(line.text)
            stop = L.TOTAL_EXCL.search(line.text) or L.TOTAL_INCL_STRONG.search(line.text) or re.match(
                r"(?i)\s*(?:totaal|total|summe|gesamt|btw|vat|subtotal)", line.text)
            if stop:
                break
            if not amounts:
                continue
            description = line.text[: amounts[0].start].split(WIDE_GAP)[0].strip()
            if not re.search(r"[A-Za-z]{2}", description):
                continue
            rate = RATE_RE.search(line.text)
            quantity = _quantity(line, qty_box)
            amount = amounts[-1].value
            vat_rate = rate_text(Decimal(rate.group(1).replace(",", "."))) if rate else None
            if incl_prices and rate is not None:
                amount = to_money(amount * 100 / (100 + Decimal(rate.group(1).replace(",", "."))))
            unit = amounts[0].value if len(amounts) >= 2 else None
            if unit is not None and incl_prices and rate is not None:
                unit = to_money(unit * 100 / (100 + Decimal(rate.group(1).replace(",", "."))))
            items.append(LineItem(description=description, quantity=quantity, unit_price=unit,
                                  amount_excl_vat=amount, vat_rate=vat_rate))
        if items:
            break
    return items


def _quantity(line: Line, qty_box: tuple[float, float, float, float] | None) -> str | None:
    if qty_box is None:
        return None
    x0, _, x1, _ = qty_box
    for word, (start, end) in zip(line.words, line.spans, strict=True):
        if (word.x1 > x0 - QUANTITY_COLUMN_SLACK and word.x0 < x1 + QUANTITY_COLUMN_SLACK
                and re.fullmatch(r"\d+(?:[.,]\d+)?", word.text)):
            return line.text[start:end].replace(",", ".")
    return None
