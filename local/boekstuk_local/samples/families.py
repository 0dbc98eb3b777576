"""The layout families: every way the generator prints a purchase document, with its categories and its side of
the benchmark's leave-family-out split.

A family is how one kind of Dutch supplier prints its documents (a utility, a wholesaler, a garage, a café, a
freelancer's Word invoice, an accountant, a telecom provider, a webshop, ...): its own builder (what such an
invoice holds) and its own page. The first seven (``LAYOUTS``) are the generator's original layouts; the
extractor was developed on them, so they are all on the tuning side.

**Leave-family-out.** ``split`` puts each family on the ``tune`` side (an extractor may be developed and
calibrated on it) or the ``held_out`` side (only measured: never look at its misses while changing the
extractor). The held-out side covers every category of ``CATEGORIES``; the split is fixed here, documented in
bench/README.md, and changing it resets the honest baseline.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from reportlab.lib.pagesizes import A4

from . import letters, statements, tills
from .drafts import Draft
from .formats import DATE_STYLES, MORE_DATE_STYLES, Language
from .model import InvoiceSpec, Kind
from .pdf import LAYOUT_FUNCTIONS, Doc, Rendered, Style, render_pdf
from .scan import ScanProfile

Split = Literal["tune", "held_out"]

CATEGORIES: dict[str, str] = {
    "supplier_name": "the supplier's name is not the most prominent one: a letterhead without legal form, the "
                     "supplier only at the bottom or in a side column, the legal name only in the footer or after "
                     "\"t.n.v.\"",
    "buyer_ids": "the buyer's VAT id or KvK number on the page, labelled as the customer's (\"Btw-id klant\", "
                 "\"KvK afnemer\", \"Uw btw-nummer\")",
    "credit_note": "credit notes that print their own number and the corrected invoice's",
    "statement": "utility-style statements: the number among customer, contract, address and meter data",
    "reverse_charge": "VAT reverse-charged within the Netherlands (\"btw verlegd\")",
    "intra_eu": "VAT reverse-charged across an EU border",
    "zero_rated": "no VAT: 0 % or exempt",
    "multi_rate": "several VAT rates (21 / 9 / 0 %) with a specification table",
    "receipt_payment": "receipts with payment, change and VAT lines next to the total",
    "receipt_number": "receipt numbers labelled Bon, Bonnr., Transactie, Kassabon nr.",
    "multi_page": "more than one page, the totals on the last",
    "english": "English labels on a Dutch supplier's invoice",
    "thermal": "thermal till rolls (scanned: low contrast)",
    "prices_incl_vat": "prices include VAT; the VAT is taken out of the total",
}

DEFAULT_FONTS = ("Helvetica", "Helvetica", "Times-Roman", "Vera", "Vera")
RECEIPT_SCANS: tuple[ScanProfile, ...] = ("thermal", "skewed", "flatbed")
A4_SCANS: tuple[ScanProfile, ...] = ("flatbed", "skewed", "rotated")


@dataclass(frozen=True)
class Family:
    """One layout family: what it prints, how, and where it stands in the benchmark."""

    name: str
    summary: str
    kinds: tuple[Kind, ...]
    split: Split
    categories: tuple[str, ...]
    render: Callable[[Doc], None]
    build: Callable[[Draft], InvoiceSpec] | None = None
    """The family's own builder; ``None`` for the original layouts (``generator.build_spec`` draws theirs)."""
    roll: float | None = None
    """Width of the till roll in points; ``None``: A4."""
    fonts: tuple[str, ...] = DEFAULT_FONTS
    credit_share: float = 0.0
    """Share of credit notes among the family's documents in ``family_set`` (when it prints both)."""
    scans: tuple[ScanProfile, ...] = A4_SCANS
    """The scan profiles ``family_set`` cycles through for this family's scans."""

    @property
    def original(self) -> bool:
        """One of the seven original layouts."""
        return self.build is None


def _legacy(name: str, summary: str, kinds: tuple[Kind, ...], categories: tuple[str, ...],
            credit_share: float = 0.2) -> Family:
    scans = RECEIPT_SCANS if kinds == ("receipt",) else A4_SCANS
    return Family(name, summary, kinds, "tune", categories, LAYOUT_FUNCTIONS[name], None, credit_share=credit_share,
                  scans=scans)


FAMILIES: dict[str, Family] = {f.name: f for f in (
    _legacy("classic", "Letter: logo and supplier top left, window address, meta right, ids in the footer",
            ("invoice", "credit_note"), ("buyer_ids",)),
    _legacy("modern_right", "Supplier column on the right, big title, meta band, shaded totals",
            ("invoice", "credit_note"), ("buyer_ids",)),
    _legacy("footer_block", "Name in capitals centred on top, ids in a three-column footer, term in days",
            ("invoice", "credit_note"), ("supplier_name", "buyer_ids")),
    _legacy("receipt", "One-column till receipt with a BTW table (\"Bon\")", ("receipt",),
            ("receipt_payment", "receipt_number", "thermal")),
    _legacy("multipage", "Long table over pages with transport lines, totals on the last page",
            ("invoice", "credit_note"), ("multi_page",)),
    _legacy("english", "English-language invoice of a Dutch supplier, header bar", ("invoice", "credit_note"),
            ("english",)),
    _legacy("german", "German supplier (MwSt, USt-IdNr., Handelsregister), often reverse-charged",
            ("invoice", "credit_note"), ("intra_eu",)),
    Family("caps_letterhead", "Tradesman's B.V.: trade name in capitals without legal form, addressee B.V. in the "
           "largest type, legal name only after \"t.n.v.\" and in the footer", ("invoice",), "tune",
           ("supplier_name", "buyer_ids"), letters.caps_letterhead, letters.build_caps_letterhead),
    Family("side_column", "Word template: the supplier only in a coloured column down the left edge, "
           "\"Btw-id klant\"", ("invoice", "credit_note"), "tune", ("supplier_name", "buyer_ids"),
           letters.side_column, letters.build_side_column, credit_share=0.2),
    Family("telecom", "Telecom provider: summary page with customer and contract numbers, call specification on "
           "page 2, direct debit from the buyer's IBAN", ("invoice",), "tune", ("statement", "multi_page"),
           statements.telecom, statements.build_telecom),
    Family("garage", "Garage workshop invoice in Courier: licence plate, km, work order, labour and parts, "
           "\"Factuurnr.\", often paid by PIN", ("invoice",), "tune", ("supplier_name",), letters.garage,
           letters.build_garage, fonts=("Courier",)),
    Family("cafe_receipt", "Café bill: table and server, \"Bonnr.\", cash and change or card, VAT per rate",
           ("receipt",), "tune", ("receipt_payment", "receipt_number", "multi_rate", "prices_incl_vat", "thermal"),
           tills.cafe_receipt, tills.build_cafe_receipt, roll=tills.TILL_80, scans=RECEIPT_SCANS),
    Family("fuel_receipt", "Petrol station, 58 mm roll: litres x price per litre, \"Transactie nr.\"",
           ("receipt",), "tune", ("receipt_payment", "receipt_number", "prices_incl_vat", "thermal"),
           tills.fuel_receipt, tills.build_fuel_receipt, roll=tills.TILL_58, fonts=("Helvetica", "Courier"),
           scans=RECEIPT_SCANS),
    Family("freelancer_word", "A freelancer's Word invoice: sender top right, \"Aan:\", owner's initials after "
           "\"t.n.v.\", a third without VAT (KOR)", ("invoice",), "tune", ("supplier_name", "zero_rated"),
           letters.freelancer_word, letters.build_freelancer_word, fonts=("Times-Roman",)),
    Family("accountant", "Accountant's note: \"Plaats, datum\", Ons kenmerk and Relatienummer beside the "
           "\"Declaratienummer\", fee in a sentence", ("invoice",), "tune", ("supplier_name",), letters.accountant,
           letters.build_accountant),
    Family("webshop", "Webshop: order data box (Bestelnummer), billing and delivery address, prices incl. VAT, "
           "paid with iDEAL; returns as credit notes", ("invoice", "credit_note"), "tune",
           ("supplier_name", "multi_rate", "prices_incl_vat", "credit_note"), letters.webshop, letters.build_webshop,
           credit_share=0.2),
    Family("staffing_timesheet", "Staffing agency: one line per worker and week, \"Inlener\" block with "
           "\"Btw-id inlener\", sometimes a G-rekening or btw verlegd", ("invoice",), "tune", ("buyer_ids", "reverse_charge"),
           letters.staffing_timesheet, letters.build_staffing_timesheet),
    Family("bottom_supplier", "Only a logo on top, the buyer first (\"KvK afnemer\"), quantity column first, the "
           "supplier only in the footer band", ("invoice", "credit_note"), "held_out", ("supplier_name", "buyer_ids"),
           letters.bottom_supplier, letters.build_bottom_supplier, credit_share=0.2),
    Family("utility_statement", "Energy bill: number among Klantnummer, Contractnummer, Leveringsadres, EAN codes "
           "and meter readings; direct debit from the buyer's IBAN", ("invoice",), "held_out", ("statement",),
           statements.utility_statement, statements.build_utility_statement),
    Family("credit_note_ref", "Credit note printing its own number and the corrected invoice's (often first, "
           "sometimes labelled \"Factuurnummer\")", ("credit_note",), "held_out", ("credit_note", "buyer_ids"),
           letters.credit_note_ref, letters.build_credit_note_ref),
    Family("construction_verlegd", "Subcontractor's instalment invoice, btw verlegd, \"Btw-nummer afnemer\", "
           "ordinary account and G-rekening", ("invoice",), "held_out", ("reverse_charge", "buyer_ids"),
           letters.construction_verlegd, letters.build_construction_verlegd),
    Family("transport_zero", "Forwarder's English invoice, 0 % VAT for international transport, shipment and "
           "CMR numbers", ("invoice",), "held_out", ("zero_rated", "english", "buyer_ids"), letters.transport_zero,
           letters.build_transport_zero),
    Family("belgian_intra_eu", "Flemish supplier: BE VAT id as 0123.456.789, RPR, \"Vervaldag\", structured "
           "payment reference, intra-EU reverse charge", ("invoice",), "held_out", ("intra_eu", "buyer_ids"),
           letters.belgian_intra_eu, letters.build_belgian_intra_eu),
    Family("hotel_folio", "Hotel bill: guest, room, folio and reservation numbers, prices incl. VAT, VAT table "
           "21 / 9 / 0 %", ("invoice",), "held_out", ("multi_rate", "prices_incl_vat", "buyer_ids"),
           statements.hotel_folio, statements.build_hotel_folio),
    Family("wholesaler", "Wholesaler's ERP print: Debiteurnr., Ordernr., Pakbonnr. beside Factuurnr., articles "
           "over two or more pages, VAT table 21 / 9 / 0 % and totals on the last page", ("invoice", "credit_note"),
           "held_out", ("multi_page", "multi_rate", "buyer_ids"), statements.wholesaler, statements.build_wholesaler,
           fonts=("Helvetica", "Courier", "Vera"), credit_share=0.15),
    Family("supermarket_receipt", "Supermarket receipt: items with VAT codes, BONUS lines, PIN slip, VAT table, "
           "\"Kassabon nr.\" / \"Transactie\" at the bottom", ("receipt",), "held_out",
           ("receipt_payment", "receipt_number", "multi_rate", "prices_incl_vat", "thermal"),
           tills.supermarket_receipt, tills.build_supermarket_receipt, roll=tills.TILL_80, fonts=("Courier",),
           scans=RECEIPT_SCANS),
)}
"""Every family by name, in a fixed order (the original seven first)."""

TUNE: tuple[str, ...] = tuple(name for name, f in FAMILIES.items() if f.split == "tune")
HELD_OUT: tuple[str, ...] = tuple(name for name, f in FAMILIES.items() if f.split == "held_out")


def family_kind(family: Family, seed: int) -> Kind:
    """The kind of document ``family_set`` makes for ``seed``: mostly the family's first kind, credit notes at
    the family's ``credit_share``."""
    if "credit_note" in family.kinds and len(family.kinds) > 1:
        return "credit_note" if random.Random(f"kind-{family.name}-{seed}").random() < family.credit_share else \
            family.kinds[0]
    return family.kinds[0]


def family_style(rng: random.Random, family: Family, language: Language) -> Style:
    """A family document's look: colours and logo as the original layouts draw them, then the family's fonts,
    the wider set of date styles and, for Dutch amounts, sometimes a space as thousands separator."""
    style = Style.draw(rng, language, DATE_STYLES[language] + MORE_DATE_STYLES[language])
    style.font = rng.choice(family.fonts)
    style.grouping = rng.choice((".", ".", ".", " ")) if language != "en" else "."
    return style


def render_family(spec: InvoiceSpec, family: Family, style: Style) -> tuple[Rendered, Style]:
    """Draw ``spec`` the family's way; returns the PDF and the style as the page used it.

    Pages that print "page n of N" are drawn twice (the first time counts the pages); a till roll is drawn on a
    long strip first and then again cut to the length it needs.
    """
    if family.original:
        return render_pdf(spec, family.name, style), style
    pagesize = (family.roll, 4000.0) if family.roll else A4
    first = Doc(spec, dataclasses.replace(style), pagesize=pagesize)
    family.render(first)
    if not family.roll and first.pages == 1:
        return first.finish(), first.style
    if family.roll:
        pagesize = (family.roll, first.end_y)
    again = Doc(spec, dataclasses.replace(style), pagesize=pagesize)
    again.total_pages = first.pages
    family.render(again)
    return again.finish(), again.style
