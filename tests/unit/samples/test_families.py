"""The layout families of the sample generator: each renders what its truth says, deterministically per seed, and
together they cover issue 13's categories on both sides of the benchmark's leave-family-out split."""

from __future__ import annotations

import datetime as dt
import io
import re

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from boekstuk_local.samples import (
    CATEGORIES,
    FAMILIES,
    HELD_OUT,
    LAYOUTS,
    TUNE,
    SampleDocument,
    family_set,
    make_document,
)
from boekstuk_local.samples.families import family_kind
from tests.unit.samples.test_generator import dates_in, pdf_text

NEW_FAMILIES = [name for name, family in FAMILIES.items() if not family.original]
CASES = [(name, kind) for name in NEW_FAMILIES for kind in FAMILIES[name].kinds]
RECEIPT_LABELS = re.compile(r"\bBon\b|Bonnr\.|Bonnummer|Transactie|Kassabon nr\.|Rekening nr\.")
BUYER_LABELS = re.compile(r"Btw-id klant|KvK afnemer|Uw btw-nummer|Btw-nummer afnemer|Btw-id inlener|VAT (?:no|number)")


def shows_amount(text: str, value: float, language: str) -> bool:
    """The amount on the page, with a dot, a space or nothing between thousands (``1.234,56``, ``1 234,56``)."""
    cents = f"{abs(value):.2f}"
    whole, fraction = cents.split(".")
    groups = f"{int(whole):,}"
    if language == "en":
        variants = {f"{groups}.{fraction}"}
    else:
        variants = {f"{groups.replace(',', sep)},{fraction}" for sep in (".", " ", "")}
    return any(re.search(rf"(?<![\d.,]){re.escape(v)}(?!\d)", text) for v in variants)


def squash(text: str) -> str:
    """Lower case, every run of whitespace one space: a name wrapped over two lines or set in capitals still reads."""
    return re.sub(r"\s+", " ", text).casefold()


def assert_family_truth_printed(doc: SampleDocument, text: str) -> None:
    truth, fields, check = doc.truth, doc.truth["fields"], doc.truth["visual_check"]
    language = truth["language"]
    bare = re.sub(r"[\s.]", "", text)  # VAT ids and IBANs printed in groups (BE 0123.456.789, NL91 ABNA ...)
    assert fields["invoice_number"] in text, doc.filename
    assert squash(fields["supplier_name"]) in squash(text), doc.filename
    assert dt.date.fromisoformat(fields["invoice_date"]) in dates_in(text), doc.filename
    if check["due_date_in_text"]:
        assert dt.date.fromisoformat(fields["due_date"]) in dates_in(text), doc.filename
    for name in ("total_incl_vat", "total_excl_vat", "vat_total"):
        if check[f"{name}_in_text"]:
            assert shows_amount(text, fields[name], language), (doc.filename, name, fields[name])
    if check["supplier_vat_in_text"]:
        assert fields["supplier_vat"] in bare or fields["supplier_vat"][2:] in bare, doc.filename
    if check["supplier_kvk_in_text"]:
        assert fields["supplier_kvk"] in text, doc.filename
    if check["iban_in_text"]:
        assert any(iban in bare for iban in fields["iban"]), doc.filename
    for name in ("buyer_name", "buyer_vat", "buyer_kvk"):
        if check[f"{name}_in_text"]:
            assert squash(fields[name]) in squash(text) or fields[name] in bare, (doc.filename, name)
    if check["vat_lines_in_text"]:
        for group in fields["vat_breakdown"]:
            assert shows_amount(text, group["taxable_amount"], language), (doc.filename, group)
            assert shows_amount(text, group["tax_amount"], language), (doc.filename, group)
    if fields["vat_kind"] in ("reverse_charge", "intra_eu"):
        assert re.search(r"verlegd|reverse|autoliquidatie|medecontractant", text, re.IGNORECASE), doc.filename
    if truth["kind"] == "receipt":
        assert RECEIPT_LABELS.search(text), doc.filename
        assert fields["buyer_name"] is None  # a till receipt names no buyer
    else:
        assert fields["buyer_name"] and check["buyer_name_in_text"], doc.filename
    assert truth["pages"] == len(pdfium.PdfDocument(doc.content))


def test_at_least_twenty_families_cover_the_issue_on_both_sides() -> None:
    assert len(FAMILIES) >= 20
    assert set(LAYOUTS) <= set(TUNE)  # the extractor was developed on the original layouts
    assert set(TUNE).isdisjoint(HELD_OUT) and set(TUNE) | set(HELD_OUT) == set(FAMILIES)
    for side in (TUNE, HELD_OUT):
        covered = {category for name in side for category in FAMILIES[name].categories}
        assert covered == set(CATEGORIES), set(CATEGORIES) - covered
    assert len(HELD_OUT) >= 5


@pytest.mark.parametrize(("family", "kind"), CASES)
def test_every_family_shows_its_truth(family: str, kind: str) -> None:
    for seed in (21, 22, 23):
        doc = make_document(seed, kind=kind, layout=family)  # type: ignore[arg-type]
        assert doc.content.startswith(b"%PDF") and doc.layout == family
        assert doc.truth["family"] == family and doc.truth["family_split"] == FAMILIES[family].split
        assert doc.truth["fields"]["vat_kind"] in ("standard", "reverse_charge", "intra_eu", "zero")
        assert_family_truth_printed(doc, pdf_text(doc.content))


def test_families_are_deterministic_per_seed() -> None:
    for family, spec in FAMILIES.items():  # every name on the page (a server, a sales rep) comes from the seed
        for kind in spec.kinds:
            first, second = make_document(41, kind=kind, layout=family), make_document(41, kind=kind, layout=family)
            assert first.content == second.content, (family, kind)
    for family, kind, fmt, scan in (("caps_letterhead", "invoice", "pdf", None),
                                    ("cafe_receipt", "receipt", "jpeg", "thermal"),
                                    ("credit_note_ref", "credit_note", "scan_pdf", "rotated")):
        first = make_document(31, kind=kind, layout=family, fmt=fmt, scan=scan)  # type: ignore[arg-type]
        second = make_document(31, kind=kind, layout=family, fmt=fmt, scan=scan)  # type: ignore[arg-type]
        assert first.content == second.content and first.truth == second.truth, family
        assert make_document(32, kind=kind, layout=family).truth["fields"] != first.truth["fields"]  # type: ignore[arg-type]
    # The delivery changes the pixels, not the invoice.
    assert make_document(31, layout="hotel_folio").truth["fields"] == \
        make_document(31, layout="hotel_folio", fmt="scan_pdf", scan="skewed").truth["fields"]


def test_supplier_name_hidden_in_the_letterhead_and_the_payment_sentence() -> None:
    doc = make_document(5, layout="caps_letterhead")
    supplier = doc.spec.supplier
    text = pdf_text(doc.content)
    assert supplier.trade_name and supplier.trade_name.upper() in text  # letterhead: capitals, no legal form
    assert supplier.name != supplier.trade_name
    assert f"t.n.v. {supplier.name}".casefold() in squash(text)  # the legal name only where the money goes
    assert doc.truth["fields"]["supplier_legal_name"] == supplier.name


def test_credit_notes_print_their_own_number_and_the_corrected_invoice() -> None:
    for seed in range(5):
        doc = make_document(seed, kind="credit_note", layout="credit_note_ref")
        text = pdf_text(doc.content)
        own, corrected = doc.truth["fields"]["invoice_number"], doc.truth["credited_invoice"]
        assert own != corrected and own in text and corrected in text
        assert doc.truth["fields"]["document_kind"] == "CreditNote 381"


def test_statements_receipts_and_vat_kinds_draw_their_category() -> None:
    utility = pdf_text(make_document(3, layout="utility_statement").content)
    assert all(label in utility for label in ("Klantnummer", "Contractnummer", "Leveringsadres"))
    verlegd = make_document(3, layout="construction_verlegd").truth["fields"]
    assert verlegd["vat_kind"] == "reverse_charge" and verlegd["vat_total"] == 0.0
    zero = make_document(3, layout="transport_zero").truth["fields"]
    assert zero["vat_kind"] == "zero" and zero["vat_total"] == 0.0 and zero["total_incl_vat"] > 0
    assert make_document(3, layout="belgian_intra_eu").truth["fields"]["vat_kind"] == "intra_eu"
    assert {rate["rate"] for rate in make_document(3, layout="hotel_folio").truth["fields"]["vat_breakdown"]} == \
        {21.0, 9.0, 0.0}
    assert make_document(3, layout="wholesaler").truth["pages"] >= 2
    labels = set()
    for family in ("cafe_receipt", "fuel_receipt", "supermarket_receipt"):
        for seed in range(6):
            doc = make_document(seed, kind="receipt", layout=family)
            labels |= set(RECEIPT_LABELS.findall(pdf_text(doc.content)))
            payment = doc.truth["payment"]
            if payment["tendered"] is not None:  # cash: the change is what was handed over minus the total
                assert float(payment["change"]) == pytest.approx(float(payment["tendered"]) -
                                                                  doc.truth["fields"]["total_incl_vat"])
    assert {"Bon", "Transactie", "Kassabon nr."} <= labels
    buyer_labels = {match for family in ("side_column", "bottom_supplier", "caps_letterhead")
                    for match in BUYER_LABELS.findall(pdf_text(make_document(4, layout=family).content))}
    assert {"Btw-id klant", "KvK afnemer", "Uw btw-nummer"} <= buyer_labels


def test_scans_look_like_their_profile() -> None:
    flat = make_document(9, kind="receipt", layout="cafe_receipt", fmt="jpeg", scan="flatbed")
    thermal = make_document(9, kind="receipt", layout="cafe_receipt", fmt="jpeg", scan="thermal")

    def ink(content: bytes) -> float:
        """How dark the darkest ink is: the 0.5th percentile of the grey levels in the middle of the paper (the
        thermal profile lays the roll on a dark table: its border is no ink)."""
        pixels = np.asarray(Image.open(io.BytesIO(content)).convert("L"))
        height, width = pixels.shape
        return float(np.percentile(pixels[height // 4: 3 * height // 4, width // 4: 3 * width // 4], 0.5))

    assert ink(thermal.content) > ink(flat.content) + 30, "thermal prints fade: no black ink"
    assert thermal.truth["scan"] == "thermal" and thermal.truth["doc_type"] == "scanned_image"
    scanned = make_document(9, layout="wholesaler", fmt="scan_pdf", scan="rotated")
    assert scanned.content_type == "application/pdf" and scanned.truth["doc_type"] == "scanned_pdf"
    pdf = pdfium.PdfDocument(scanned.content)
    assert len(pdf) == scanned.truth["pages"] >= 2
    assert not pdf_text(scanned.content).strip()  # images only: no text layer to read


def test_family_set_gives_every_document_its_own_seed() -> None:
    docs = list(family_set(families=["classic", "bottom_supplier", "supermarket_receipt"], pdfs=2, scans=0,
                           scan_pdfs=0, ubl=1))
    assert len({d.filename for d in docs}) == len(docs) == 2 + 1 + 2 + 2  # UBL only for the original layouts
    assert len({d.truth["seed"] for d in docs}) == len(docs)
    for doc in docs:
        family = FAMILIES[doc.layout]
        assert doc.truth["kind"] in family.kinds
        assert doc.truth["kind"] == family_kind(family, doc.truth["seed"]) or doc.fmt == "ubl"
