"""``make_document``: one realistic Dutch purchase document with its exact ground truth, deterministic per seed.

The seed decides everything (supplier, lines, dates, layout, colours); the format only decides how the same
document is delivered: text PDF, clean PNG, scanned-looking JPEG or SI-UBL 2.0 XML. So ``make_document(7,
fmt="pdf")`` and ``make_document(7, fmt="ubl")`` are the same invoice.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from boekstuk_local.simulators.seed import SeedAdministration, SeedSupplier

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
from .pdf import LAYOUT_LANGUAGE, LAYOUTS, Rendered, Style, render_pdf
from .scan import clean_png, scanned_jpeg
from .ubl import render_ubl

Format = Literal["pdf", "png", "jpeg", "ubl"]
FORMATS: tuple[Format, ...] = ("pdf", "png", "jpeg", "ubl")
SOURCE = "boekstuk-samples"

CONTENT_TYPES: dict[Format, str] = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg",
                                    "ubl": "application/xml"}
EXTENSIONS: dict[Format, str] = {"pdf": "pdf", "png": "png", "jpeg": "jpg", "ubl": "xml"}
DOC_TYPES: dict[Format, str] = {"pdf": "text_pdf", "png": "raster_image", "jpeg": "scanned_image", "ubl": "ubl_xml"}
DOCUMENT_KINDS: dict[Kind, str] = {"invoice": "Invoice 380", "credit_note": "CreditNote 381", "receipt": "Receipt"}
VISUAL_FIELDS = ("supplier_name", "supplier_vat", "supplier_kvk", "iban", "invoice_number", "invoice_date", "due_date",
                 "total_incl_vat", "total_excl_vat", "vat_total")

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


def make_document(seed: int, *, kind: Kind = "invoice", supplier: SeedSupplier | Party | None = None,
                  buyer: SeedAdministration | Party | None = None, layout: str | None = None, fmt: Format = "pdf",
                  lines: Sequence[SampleLine] | None = None, invoice_number: str | None = None,
                  invoice_date: dt.date | None = None) -> SampleDocument:
    """Generate one purchase invoice, credit note or receipt with exact ground truth, deterministic per seed."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
    if fmt == "ubl" and kind == "receipt":
        raise ValueError("receipts are not sent as UBL e-invoices")
    spec, chosen_layout, style, rng = build_spec(seed, kind=kind, supplier=supplier, buyer=buyer, layout=layout,
                                                 lines=lines, number=invoice_number, date=invoice_date)
    rendered: Rendered | None = None
    if fmt == "ubl":
        content = render_ubl(spec)
    else:
        rendered = render_pdf(spec, chosen_layout, style)
        if fmt == "pdf":
            content = rendered.content
        elif fmt == "png":
            content = clean_png(rendered.content)
        else:
            content = scanned_jpeg(rendered.content, rng)
    stem = {"invoice": "factuur", "credit_note": "creditnota", "receipt": "bon"}[kind]
    filename = f"{stem}-{seed:05d}-{chosen_layout}.{EXTENSIONS[fmt]}"
    truth = build_truth(spec, seed=seed, layout=chosen_layout, style=style, fmt=fmt, filename=filename,
                        rendered=rendered)
    return SampleDocument(content, filename, CONTENT_TYPES[fmt], truth, spec, chosen_layout, fmt)


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
                rendered: Rendered | None) -> dict[str, Any]:
    """The ground truth of one document in the dev set's schema, plus generator extras."""
    fields: dict[str, Any] = {
        "supplier_name": spec.supplier.name,
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
        "iban": [spec.supplier.iban] if spec.supplier.iban and spec.kind != "receipt" else [],
        "document_kind": DOCUMENT_KINDS[spec.kind],
    }
    if spec.kind == "receipt":
        fields["iban"] = []
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
        "line_items": [{"description": line.description, "quantity": f"{line.quantity.normalize():f}",
                        "unit_price": f"{line.unit_price:.2f}", "amount_excl_vat": f"{line.amount:.2f}",
                        "vat_rate": "0" if line.reverse_charge else f"{line.vat_rate.normalize():f}",
                        "reverse_charge": line.reverse_charge} for line in spec.lines],
    }
    if rendered is not None:
        truth["pages"] = rendered.pages
        check = {f"{name}_in_text": name in rendered.printed and fields[name] not in (None, []) for name in VISUAL_FIELDS}
        check["currency_in_text"] = True  # every layout prints the total with the € sign
        truth["visual_check"] = check
    return truth
