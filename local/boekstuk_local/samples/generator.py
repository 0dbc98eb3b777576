"""``make_document``: one realistic Dutch purchase document with its exact ground truth, deterministic per seed.

The seed decides everything (supplier, lines, dates, layout, colours); the format only decides how the same
document is delivered: text PDF, clean PNG, scanned-looking JPEG, scanned PDF (images only) or SI-UBL 2.0 XML.
So ``make_document(7, fmt="pdf")`` and ``make_document(7, fmt="ubl")`` are the same invoice. ``layout`` is one
of the seven original layouts (``LAYOUTS``, chosen by chance when not given) or any family of ``FAMILIES``;
``scan`` picks how a scan looks (``SCAN_PROFILES``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from boekstuk_local.simulators.seed import SeedAdministration, SeedSupplier

from .drafts import Draft
from .families import FAMILIES, Family, family_style, render_family
from .formats import DATE_STYLES, Language
from .model import (
    BUYERS,
    InvoiceSpec,
    Kind,
    Party,
    SampleLine,
    buyer_for_administration,
    invoice_number,
    party_from_seed,
    pick_supplier,
    random_lines,
    random_supplier,
    sector_of,
)
from .pdf import LAYOUT_LANGUAGE, LAYOUTS, Rendered, Style
from .scan import SCAN_PROFILES, ScanProfile, clean_png, scan_image, scanned_jpeg, scanned_pdf
from .ubl import render_ubl

Format = Literal["pdf", "png", "jpeg", "scan_pdf", "ubl"]
FORMATS: tuple[Format, ...] = ("pdf", "png", "jpeg", "scan_pdf", "ubl")
SOURCE = "boekstuk-samples"

CONTENT_TYPES: dict[Format, str] = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg",
                                    "scan_pdf": "application/pdf", "ubl": "application/xml"}
EXTENSIONS: dict[Format, str] = {"pdf": "pdf", "png": "png", "jpeg": "jpg", "scan_pdf": "pdf", "ubl": "xml"}
DOC_TYPES: dict[Format, str] = {"pdf": "text_pdf", "png": "raster_image", "jpeg": "scanned_image",
                                "scan_pdf": "scanned_pdf", "ubl": "ubl_xml"}
TRUTH_NAMES = {"vat_lines": "vat_breakdown"}  # the VAT split is the dev set's ``vat_breakdown``
DOCUMENT_KINDS: dict[Kind, str] = {"invoice": "Invoice 380", "credit_note": "CreditNote 381", "receipt": "Receipt"}
VISUAL_FIELDS = ("supplier_name", "supplier_vat", "supplier_kvk", "iban", "invoice_number", "invoice_date", "due_date",
                 "total_incl_vat", "total_excl_vat", "vat_total", "buyer_name", "buyer_vat", "buyer_kvk", "vat_lines")

# Layout odds when the caller does not choose: the common letter layouts most, special families less.
A4_LAYOUT_WEIGHTS = {"classic": 4, "modern_right": 4, "footer_block": 3, "multipage": 1, "english": 2, "german": 2}


@dataclass(frozen=True)
class SampleDocument:
    """A generated document: its bytes, a file name and content type, and its ground truth.

    ``truth`` follows the dev set's ground-truth schema (``/work/shared/data/dev/README.md``); ``spec`` is the
    same invoice as typed ``Decimal`` data for tests that need exact amounts.
    """

    content: bytes
    filename: str
    content_type: str
    truth: dict[str, Any]
    spec: InvoiceSpec
    layout: str
    fmt: Format
    scan: ScanProfile | None = None


def make_document(seed: int, *, kind: Kind = "invoice", supplier: SeedSupplier | Party | None = None,
                  buyer: SeedAdministration | Party | None = None, layout: str | None = None, fmt: Format = "pdf",
                  lines: Sequence[SampleLine] | None = None, invoice_number: str | None = None,
                  invoice_date: dt.date | None = None, scan: ScanProfile | None = None) -> SampleDocument:
    """Generate one purchase invoice, credit note or receipt with exact ground truth, deterministic per seed.

    ``scan`` (for ``jpeg`` and ``scan_pdf``) is how the scan looks; a ``jpeg`` without it is the original scan
    look-alike (``flatbed``-like), a ``scan_pdf`` without it a ``flatbed`` scan.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
    if fmt == "ubl" and kind == "receipt":
        raise ValueError("receipts are not sent as UBL e-invoices")
    if scan is not None and (scan not in SCAN_PROFILES or fmt not in ("jpeg", "scan_pdf")):
        raise ValueError(f"scan must be one of {SCAN_PROFILES}, for the jpeg and scan_pdf formats only")
    family = FAMILIES.get(layout or "")
    if family is not None and not family.original:
        spec, style, rng = build_family_spec(seed, family, kind=kind, supplier=supplier, buyer=buyer, lines=lines,
                                             number=invoice_number, date=invoice_date)
        chosen_layout = family.name
        if fmt == "ubl" and spec.prices_include_vat:
            raise ValueError(f"the {family.name} family prints prices incl. VAT: it is not sent as UBL")
    else:
        spec, chosen_layout, style, rng = build_spec(seed, kind=kind, supplier=supplier, buyer=buyer, layout=layout,
                                                     lines=lines, number=invoice_number, date=invoice_date)
        family = FAMILIES[chosen_layout]
    rendered: Rendered | None = None
    if fmt == "ubl":
        content = render_ubl(spec)
    else:
        rendered, style = render_family(spec, family, style)
        if fmt == "pdf":
            content = rendered.content
        elif fmt == "png":
            content = clean_png(rendered.content)
        elif fmt == "scan_pdf":
            content = scanned_pdf(rendered.content, rng, scan or "flatbed")
        elif scan is None:
            content = scanned_jpeg(rendered.content, rng)
        else:
            content = scan_image(rendered.content, rng, scan)
    stem = {"invoice": "factuur", "credit_note": "creditnota", "receipt": "bon"}[kind]
    delivery = f"-{scan}" if scan else ""
    if fmt == "scan_pdf":
        delivery = f"-scan-{scan or 'flatbed'}"
    filename = f"{stem}-{seed:05d}-{chosen_layout}{delivery}.{EXTENSIONS[fmt]}"
    truth = build_truth(spec, seed=seed, layout=chosen_layout, style=style, fmt=fmt, filename=filename,
                        rendered=rendered, scan=scan or ("flatbed" if fmt == "scan_pdf" else None))
    return SampleDocument(content, filename, CONTENT_TYPES[fmt], truth, spec, chosen_layout, fmt, scan)


def build_family_spec(seed: int, family: Family, *, kind: Kind = "invoice", supplier: SeedSupplier | Party | None = None,
                      buyer: SeedAdministration | Party | None = None, lines: Sequence[SampleLine] | None = None,
                      number: str | None = None, date: dt.date | None = None) -> tuple[InvoiceSpec, Style, random.Random]:
    """Draw one of a family's documents from ``seed`` (the overrides win over chance)."""
    if kind not in family.kinds:
        raise ValueError(f"the {family.name} family prints {', '.join(family.kinds)}, not {kind}")
    assert family.build is not None
    rng = random.Random(f"boekstuk-family-{family.name}-{seed}")
    supplier_party = party_from_seed(supplier) if isinstance(supplier, SeedSupplier) else supplier
    buyer_party = buyer_for_administration(buyer) if isinstance(buyer, SeedAdministration) else buyer
    draft = Draft(seed, kind, rng, supplier_party, buyer_party, tuple(lines) if lines is not None else None, number,
                  date)
    spec = family.build(draft)
    return spec, family_style(rng, family, spec.language), rng


def build_spec(seed: int, *, kind: Kind = "invoice", supplier: SeedSupplier | Party | None = None,
               buyer: SeedAdministration | Party | None = None, layout: str | None = None,
               lines: Sequence[SampleLine] | None = None, number: str | None = None,
               date: dt.date | None = None) -> tuple[InvoiceSpec, str, Style, random.Random]:
    """Draw the invoice, its layout and its visual style from ``seed`` (the overrides win over chance)."""
    if kind not in ("invoice", "credit_note", "receipt"):
        raise ValueError(f"unknown kind {kind!r}")
    if layout is not None and layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; choose from {LAYOUTS}")
    if (layout == "receipt") != (kind == "receipt") and layout is not None:
        raise ValueError("the receipt layout is for receipts only, and receipts use the receipt layout")
    rng = random.Random(f"boekstuk-sample-{seed}")
    supplier_party = party_from_seed(supplier) if isinstance(supplier, SeedSupplier) else supplier

    if kind == "receipt":
        layout = "receipt"
    elif layout is None:
        if supplier_party is not None and supplier_party.country == "DE":
            layout = "german"
        else:
            options = [name for name in A4_LAYOUT_WEIGHTS if supplier_party is None or name != "german"]
            layout = rng.choices(options, weights=[A4_LAYOUT_WEIGHTS[name] for name in options])[0]
    language: Language = LAYOUT_LANGUAGE.get(layout, "nl")

    if supplier_party is None:
        if kind == "receipt":
            supplier_party = random_supplier(rng, "NL", sector=rng.choice(("hotel", "food", "office")))
        elif layout == "german":
            supplier_party = random_supplier(rng, "DE")
        elif layout == "english":
            supplier_party = random_supplier(rng, "NL", sector=rng.choice(("software", "consulting", "telecom")))
        else:
            supplier_party = pick_supplier(rng)
    if buyer is None:
        buyer_party = rng.choice(BUYERS)
    elif isinstance(buyer, SeedAdministration):
        buyer_party = buyer_for_administration(buyer)
    else:
        buyer_party = buyer

    issue = date or dt.date(2023, 1, 2) + dt.timedelta(days=rng.randrange(0, 1000))
    term: int | None = None
    if kind == "invoice":
        term = _payment_term(supplier_party, rng)
    reverse = _reverse_charge(supplier_party, kind, rng)
    if lines is None:
        count = rng.randint(34, 70) if layout == "multipage" else rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 6, 8))
        if kind == "receipt":
            count = rng.randint(1, 12)
        lines = random_lines(rng, supplier_party, kind, count, reverse_charge=reverse, language=language)
    credited = invoice_number(rng, "invoice", issue - dt.timedelta(days=rng.randrange(5, 60)))
    spec = InvoiceSpec(
        kind=kind,
        language=language,
        number=number or invoice_number(rng, kind, issue),
        issue_date=issue,
        due_date=issue + dt.timedelta(days=term) if term else None,
        payment_term_days=term,
        currency="EUR",
        supplier=supplier_party,
        buyer=buyer_party,
        lines=tuple(lines),
        order_reference=f"PO-{rng.randrange(1000, 99999)}" if rng.random() < 0.35 and kind != "receipt" else "",
        credited_invoice=credited if kind == "credit_note" else None,
        paid_with=rng.choice(("PIN", "PIN", "contant", "creditcard")) if kind == "receipt" else None,
    )
    style = Style.draw(rng, language, DATE_STYLES[language])
    return spec, layout, style, rng


def _payment_term(supplier: Party, rng: random.Random) -> int:
    if supplier.seed_code:
        from boekstuk_local.simulators.seed import SUPPLIERS

        return next(s.payment_term_days for s in SUPPLIERS if s.code == supplier.seed_code)
    return rng.choice((8, 14, 14, 30, 30, 30, 60))


def _reverse_charge(supplier: Party, kind: Kind, rng: random.Random) -> bool:
    """Verlegd: always for the seeded construction subcontractor, often for builders and EU suppliers."""
    if kind == "receipt":
        return False
    if supplier.seed_code:
        from boekstuk_local.simulators.seed import SUPPLIERS

        return next(s.vat_kind for s in SUPPLIERS if s.code == supplier.seed_code) == "reverse_charge"
    if supplier.country != "NL":
        return rng.random() < 0.5
    if sector_of(supplier, rng) == "construction":
        return rng.random() < 0.6
    return rng.random() < 0.05


def _amount(value: Any) -> float:
    # The dev set stores amounts as JSON numbers; a two-decimal Decimal survives float() and str() exactly.
    return float(value)


def build_truth(spec: InvoiceSpec, *, seed: int, layout: str, style: Style, fmt: Format, filename: str,
                rendered: Rendered | None, scan: ScanProfile | None = None) -> dict[str, Any]:
    """The ground truth of one document in the dev set's schema, plus generator extras.

    Beyond the dev set's fields, ``fields`` holds the buyer (``buyer_name``, ``buyer_vat``, ``buyer_kvk``; none on
    receipts, which name no buyer) and ``vat_kind`` (standard / reverse_charge / intra_eu / zero);
    ``vat_breakdown`` is the VAT split per rate. ``visual_check`` says which of them the page shows.
    """
    family = FAMILIES[layout]
    receipt = spec.kind == "receipt"
    ibans = [spec.supplier.iban] if spec.supplier.iban else []
    if spec.extras.get("g_iban"):
        ibans.append(str(spec.extras["g_iban"]))  # a G-rekening is the supplier's account too
    fields: dict[str, Any] = {
        "supplier_name": spec.supplier.trade_name or spec.supplier.name,
        "supplier_legal_name": spec.supplier.name,
        "supplier_vat": spec.supplier.vat_id,
        "supplier_kvk": spec.supplier.kvk,
        "invoice_number": spec.number,
        "invoice_date": spec.issue_date.isoformat(),
        "due_date": spec.due_date.isoformat() if spec.due_date else None,
        "total_incl_vat": _amount(spec.total_incl_vat),
        "total_excl_vat": _amount(spec.total_excl_vat),
        "vat_total": _amount(spec.vat_total),
        "amount_due": _amount(spec.total_incl_vat),
        "vat_breakdown": [{"category": g.category, "rate": float(g.rate), "taxable_amount": _amount(g.base),
                           "tax_amount": _amount(g.amount)} for g in spec.vat_groups],
        "currency": spec.currency,
        # Receipts do not print the shop's bank account: it is not part of what the document states.
        "iban": [] if receipt else ibans,
        "document_kind": DOCUMENT_KINDS[spec.kind],
        "buyer_name": None if receipt else spec.buyer.name,
        "buyer_vat": None if receipt else spec.buyer.vat_id,
        "buyer_kvk": None if receipt else spec.buyer.kvk,
        "vat_kind": spec.vat_kind,
    }
    truth: dict[str, Any] = {
        "doc_id": f"{SOURCE}/{filename}",
        "source": SOURCE,
        "file": filename,
        "doc_type": DOC_TYPES[fmt],
        "language": spec.language,
        "template_family": f"samples-{layout}" if fmt != "ubl" else "samples-si-ubl-2.0",
        "group": f"samples-{layout}",
        "gt_files": [],
        "gt_format": "generator truth (boekstuk_local.samples)",
        "fields": fields,
        "not_annotated": [],
        "split": "dev",
        # generator extras
        "seed": seed,
        "kind": spec.kind,
        "layout": layout,
        "date_style": style.date_style,
        "reverse_charge": spec.reverse_charge,
        "payment_term_days": spec.payment_term_days,
        "buyer": {"name": spec.buyer.name, "vat_id": spec.buyer.vat_id, "kvk": spec.buyer.kvk},
        "supplier_code": spec.supplier.seed_code,
        "family": layout,
        "family_split": family.split,
        "categories": list(family.categories),
        "scan": scan,
        "credited_invoice": spec.credited_invoice,
        "credited_date": spec.credited_date.isoformat() if spec.credited_date else None,
        "prices_include_vat": spec.prices_include_vat,
        "payment": {"paid_with": spec.paid_with, "tendered": None if spec.tendered is None else f"{spec.tendered:.2f}",
                    "change": None if spec.change is None else f"{spec.change:.2f}"} if receipt else None,
        "line_items": [{"description": line.description, "quantity": f"{line.quantity.normalize():f}",
                        "unit_price": f"{line.unit_price:.2f}", "amount_excl_vat": f"{line.amount:.2f}",
                        "vat_rate": "0" if line.reverse_charge else f"{line.vat_rate.normalize():f}",
                        "reverse_charge": line.reverse_charge} for line in spec.lines],
    }
    if rendered is not None:
        truth["pages"] = rendered.pages
        check = {f"{name}_in_text": name in rendered.printed and fields[TRUTH_NAMES.get(name, name)] not in (None, [])
                 for name in VISUAL_FIELDS}
        check["currency_in_text"] = True  # every layout prints the total with the € sign (or "EUR")
        check["vat_kind_in_text"] = True  # every layout prints its VAT rates, "verlegd" or its 0 %
        check["document_kind_in_text"] = True  # the title says invoice, credit note or receipt
        truth["visual_check"] = check
    return truth
