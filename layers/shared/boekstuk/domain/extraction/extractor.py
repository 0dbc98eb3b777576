"""The one Dutch-aware field extractor every visual engine shares: positioned words in, ``Recognition`` out.

How it reads a page
- Words become lines in reading order (``layout``). Every label (``labels``) and every value (amounts,
  dates, ids) found on a line is a ``Candidate`` (``candidate``) with a score (``weights``); a value belongs
  to the nearest label before it on its line, or to a label right above it (column headers).
- One module per field family, run in this order (later ones use earlier results), sharing one ``Reading``:
  ``parties`` (whose block is whose; VAT id, IBAN, KvK), ``invoice_number``, ``dates``, ``totals`` (with
  ``vat`` per rate and ``receipts``' paid-minus-change), ``kind`` (invoice, credit note, receipt; currency),
  ``names`` (supplier and buyer), ``line_items``.
- Each field's winning candidate gives its value, its confidence and where the page shows it: ``source`` in
  the page's own unit, ``locations`` as fractions of the page as displayed (for the web app's highlights).
"""

from __future__ import annotations

from boekstuk.domain.extraction.dates import read_dates
from boekstuk.domain.extraction.invoice_number import read_invoice_number
from boekstuk.domain.extraction.kind import document_kind, read_currency
from boekstuk.domain.extraction.line_items import read_line_items
from boekstuk.domain.extraction.names import find_addressee, find_known_buyer, read_buyer_name, read_supplier_name
from boekstuk.domain.extraction.parties import find_regions, read_party_ids
from boekstuk.domain.extraction.reading import Reading
from boekstuk.domain.extraction.totals import read_totals
from boekstuk.domain.recognition import Engine, PageWords, ReadingHints, RecognisedFields, Recognition, Word


def extract_fields(pages: list[PageWords], *, engine: str, hints: ReadingHints | None = None) -> Recognition:
    """Read the key fields, VAT lines, line items and parties from positioned words of one document.

    ``hints``: what the system knows already (the administration's own name and ids, its synced suppliers);
    they mark the buyer and name the supplier where the page shows them, and change nothing where it does not.
    """
    recognised_by = _engine(engine)
    reading = Reading(pages, hints)
    find_regions(reading)
    if not find_known_buyer(reading):
        find_addressee(reading)
    buyer = read_party_ids(reading)
    read_invoice_number(reading)
    read_dates(reading)
    vat_lines = read_totals(reading)
    kind = document_kind(reading)
    read_currency(reading)
    read_supplier_name(reading)
    buyer_name = read_buyer_name(reading)
    if buyer_name:
        buyer.name = buyer_name
    items = read_line_items(reading)
    chosen = reading.fields.items()
    located = {name: reading.location(found.span) for name, found in chosen if found.span is not None}
    return Recognition(
        engine=recognised_by,
        document_kind=kind,
        fields=RecognisedFields.model_validate({name: found.value for name, found in chosen}),
        vat_lines=vat_lines,
        line_items=items,
        confidence={name: round(found.score, 3) for name, found in chosen},
        source={name: found.span.source() for name, found in chosen if found.span is not None},
        locations={name: location for name, location in located.items() if location is not None},
        buyer=buyer if (buyer.name or buyer.vat_id or buyer.kvk or buyer.iban) else None,
        pages=max((p.page for p in pages), default=1),
        warnings=reading.warnings,
    )


def warm_up() -> None:
    """Load what the extractor loads lazily (python-stdnum's per-country VAT modules, schwifty's bank registry,
    the label patterns) by reading one small made-up invoice. Call once per long-lived process, as the OCR
    models are loaded once: otherwise the first document of a process pays for it (about 10 ms)."""
    from stdnum.eu import vat as eu_vat

    for country in sorted(eu_vat.MEMBER_STATES):
        eu_vat.is_valid(f"{country}000000000")  # imports that country's module; the answer does not matter
    lines = ["Voorbeeld B.V.", "Factuurnummer: 2024-001", "Factuurdatum: 1 maart 2024", "BTW-id: NL810433941B01",
             "KvK: 24330087", "IBAN: NL91 ABNA 0417 1643 00", "Totaal excl. BTW  € 100,00", "BTW 21%  € 21,00",
             "Totaal incl. BTW  € 121,00"]
    words = [Word(text=token, x0=10.0 + 40 * i, y0=20.0 * row, x1=45.0 + 40 * i, y1=20.0 * row + 10)
             for row, text in enumerate(lines, start=1) for i, token in enumerate(text.split())]
    extract_fields([PageWords(page=1, width=595, height=842, words=words)], engine="pdf_text")


def _engine(engine: str) -> Engine:
    if engine in ("ubl", "cii", "pdf_text", "local", "textract"):
        return engine  # type: ignore[return-value]
    raise ValueError(f"unknown engine {engine!r}")
