"""What the document is (invoice, credit note, receipt) and which currency it is in."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

from boekstuk.domain.extraction import labels as L
from boekstuk.domain.extraction import weights as W
from boekstuk.domain.extraction.candidate import Candidate
from boekstuk.domain.extraction.parse import find_amounts
from boekstuk.domain.extraction.reading import Reading
from boekstuk.domain.extraction.receipts import is_receipt
from boekstuk.domain.recognition import DocumentKind

EURO_COUNTRIES = {"AT", "BE", "CY", "DE", "EE", "EL", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU", "LV", "MT",
                  "NL", "PT", "SI", "SK"}
"""Country prefixes (VAT ids use EL for Greece, IBANs GR) of the euro area."""


def document_kind(reading: Reading) -> DocumentKind:
    """A credit note by its title or a negative total; a receipt by its words or its narrow page; else an invoice."""
    top_text = "\n".join(line.text for line in reading.lines if line.page == 1 and line.rel_top < 0.45)
    total = reading.fields.get("total_incl_vat")
    if L.CREDIT_NOTE.search(top_text) or (total is not None and Decimal(total.value) < 0):
        return "credit_note"
    if is_receipt(reading, top_text):
        return "receipt"
    return "invoice"


def read_currency(reading: Reading) -> None:
    """The currency printed most often with the amounts; else euros when the words or the supplier's ids say so."""
    counts: Counter[str] = Counter()
    for line in reading.lines:
        for amount in find_amounts(line.text):
            if amount.currency:
                counts[amount.currency] += 1
        for code in re.findall(r"\b(EUR|USD|GBP|CHF|MYR|INR)\b", line.text):
            counts[code] += 1
    if counts:
        reading.put("currency", Candidate(counts.most_common(1)[0][0], W.CURRENCY_PRINTED, "printed"))
    elif re.search(r"(?i)\b(?:btw|factuur|totaal|mwst|rechnung|tva|facture)\b", reading.all_text):
        reading.put("currency", Candidate("EUR", W.CURRENCY_FROM_LANGUAGE, "language"))
    elif any(str(chosen.value)[:2] in EURO_COUNTRIES for name in ("supplier_vat_id", "supplier_iban")
             if (chosen := reading.fields.get(name)) is not None):
        # No currency printed (an English invoice: "Total 1,176.83"): a supplier registered and banking in
        # the euro area bills in euros.
        reading.put("currency", Candidate("EUR", W.CURRENCY_FROM_EURO_IDS, "supplier in the euro area"))
