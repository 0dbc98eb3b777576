"""Till receipts: how one is told from an invoice, and the money handed over and the change given back, which
give the total when the total's own line was lost (or never printed)."""

from __future__ import annotations

from decimal import Decimal

from boekstuk.domain.extraction import labels as L
from boekstuk.domain.extraction import weights as W
from boekstuk.domain.extraction.candidate import Candidate
from boekstuk.domain.extraction.reading import Reading
from boekstuk.domain.money import to_money


def tender_kind(label: str) -> str | None:
    """``"change"`` or ``"paid"`` for the text before an amount that is no total ("Cash", "Wisselgeld")."""
    if L.CHANGE.search(label):
        return "change"
    if L.PAID.search(label):
        return "paid"
    return None


def tendered_total(paid: list[Candidate[Decimal]], change: list[Candidate[Decimal]]) -> Candidate[Decimal] | None:
    """Total = paid - change (the first of each); ``None`` when nothing paid was printed."""
    if not paid:
        return None
    returned = change[0].value if change and 0 <= change[0].value <= paid[0].value else Decimal("0")
    # Computed: it has no one place on the page.
    return Candidate(to_money(paid[0].value - returned), W.TENDERED, "paid minus change")


RECEIPT_MAX_ASPECT = 0.62
"""A page narrower than this (width / height) is a till roll, not an A4 or letter sheet (0.71, 0.77)."""


TILL_ROLL_MAX_WIDTH = 300.0
"""A PDF page at most this wide (points: 106 mm) is a till roll (58 or 80 mm), however short the receipt. An A4
or letter page is 595-612 points wide; a scanned image's width is in pixels, far above this."""


def is_receipt(reading: Reading, top_text: str) -> bool:
    """A till receipt: it says so (and no invoice title heads an A4 page), or it is a narrow roll with no due date."""
    page = reading.pages[0] if reading.pages else None
    narrow = page is not None and page.height > 0 and (page.width / page.height < RECEIPT_MAX_ASPECT
                                                       or page.width <= TILL_ROLL_MAX_WIDTH)
    if L.RECEIPT.search(reading.all_text) and not (L.INVOICE_WORDS.search(top_text) and not narrow):
        return True
    return narrow and "due_date" not in reading.fields
