"""The sample generator: deterministic, every layout renders, the truth is what the page and the XML say."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from lxml import etree
from PIL import Image
from schwifty import IBAN
from stdnum.de import vat as de_vat
from stdnum.nl import btw as nl_btw

from boekstuk_local.samples import LAYOUTS, SampleDocument, SampleLine, build_spec, generate_set, make_document
from boekstuk_local.simulators.seed import ADMINISTRATIONS, NAMED_SUPPLIERS, SUPPLIERS

KINDS_FOR_LAYOUT = {layout: (("receipt",) if layout == "receipt" else ("invoice", "credit_note")) for layout in LAYOUTS}
CASES = [(layout, kind) for layout, kinds in KINDS_FOR_LAYOUT.items() for kind in kinds]
MONTHS = {name.lower(): i + 1 for names in (
    ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november",
     "december"),
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
     "december"),
    ("januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober", "november",
     "dezember"),
) for i, name in enumerate(names)}
SHORT_MONTHS = {"jan": 1, "feb": 2, "mrt": 3, "mar": 3, "apr": 4, "mei": 5, "may": 5, "jun": 6, "jul": 7, "aug": 8,
                "sep": 9, "okt": 10, "oct": 10, "nov": 11, "dec": 12}


def pdf_text(content: bytes) -> str:
    document = pdfium.PdfDocument(content)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def dates_in(text: str) -> set[dt.date]:
    """Every date the text shows, in the numeric and written formats Dutch, English and German invoices use
    (parsed here independently of the generator's formatter)."""
    found: set[dt.date] = set()
    candidates = [(int(d), int(m), int(y)) for d, m, y in re.findall(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b", text)]
    candidates += [(int(d), int(m), int(y)) for y, m, d in re.findall(r"\b(\d{4})-(\d{2})-(\d{2})\b", text)]
    for d, month, y in re.findall(r"\b(\d{1,2})\.? ([A-Za-zä]+) (\d{4})\b", text):
        if month.lower() in MONTHS:
            candidates.append((int(d), MONTHS[month.lower()], int(y)))
    # The layout families' extra styles: "01-03-24", "1 mrt 2024", "March 1, 2024".
    candidates += [(int(d), int(m), 2000 + int(y)) for d, m, y in re.findall(r"\b(\d{2})[-.](\d{2})[-.](\d{2})\b", text)]
    for d, month, y in re.findall(r"\b(\d{1,2}) ([A-Za-z]{3})\.? (\d{4})\b", text):
        if month.lower() in SHORT_MONTHS:
            candidates.append((int(d), SHORT_MONTHS[month.lower()], int(y)))
    for month, d, y in re.findall(r"\b([A-Z][a-z]+) (\d{1,2}), (\d{4})\b", text):
        if month.lower() in MONTHS:
            candidates.append((int(d), MONTHS[month.lower()], int(y)))
    for d, m, y in candidates:
        try:
            found.add(dt.date(y, m, d))
        except ValueError:
            continue
    return found


def printed_amount(value: float, language: str) -> str:
    """The amount as the page's language prints it, written independently of the generator's formatter."""
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    english = f"{amount:,.2f}"
    if language == "en":
        return english
    return english.replace(",", "_").replace(".", ",").replace("_", ".")


def shows_amount(text: str, value: float, language: str) -> bool:
    return re.search(rf"(?<![\d.,]){re.escape(printed_amount(value, language))}(?![\d])", text) is not None


@pytest.mark.parametrize(("layout", "kind"), CASES)
def test_every_layout_renders_and_shows_its_truth(layout: str, kind: str) -> None:
    for seed in (11, 12, 13):
        doc = make_document(seed, kind=kind, layout=layout)  # type: ignore[arg-type]
        assert doc.content.startswith(b"%PDF")
        text = pdf_text(doc.content)
        assert_truth_printed(doc, text)


def assert_truth_printed(doc: SampleDocument, text: str) -> None:
    truth, fields = doc.truth, doc.truth["fields"]
    check = truth["visual_check"]
    compact = re.sub(r"\s+", "", text)
    language = truth["language"]
    assert check["total_incl_vat_in_text"] and check["invoice_number_in_text"] and check["invoice_date_in_text"]
    for name in ("total_incl_vat", "total_excl_vat", "vat_total"):
        if check[f"{name}_in_text"]:
            assert shows_amount(text, fields[name], language), (doc.filename, name, fields[name])
    assert "€" in text
    if check["invoice_date_in_text"]:
        assert dt.date.fromisoformat(fields["invoice_date"]) in dates_in(text), doc.filename
    if check["due_date_in_text"]:
        assert dt.date.fromisoformat(fields["due_date"]) in dates_in(text), doc.filename
    assert fields["invoice_number"] in text
    assert fields["supplier_name"] in text
    if check["supplier_vat_in_text"]:
        assert fields["supplier_vat"] in compact
    if check["supplier_kvk_in_text"]:
        assert fields["supplier_kvk"] in text
    if check["iban_in_text"]:
        assert fields["iban"][0] in compact
    if truth["kind"] != "receipt":
        # The buyer's own identifiers are on the page too: extractors must not take them for the supplier's.
        assert truth["buyer"]["vat_id"] in compact
        assert truth["buyer"]["name"] in text
    if truth["reverse_charge"]:
        assert re.search(r"verlegd|reverse|Steuerschuldnerschaft", text, re.IGNORECASE)
    assert truth["pages"] == len(pdfium.PdfDocument(doc.content))


def test_truth_printed_across_many_seeds() -> None:
    for seed in range(200, 260):
        kind = ("invoice", "invoice", "credit_note", "receipt")[seed % 4]
        doc = make_document(seed, kind=kind)  # type: ignore[arg-type]
        assert_truth_printed(doc, pdf_text(doc.content))


def test_dutch_formats_are_used_on_dutch_layouts() -> None:
    doc = make_document(5, layout="classic", lines=[SampleLine("Bureau", Decimal("1"), Decimal("1234.56"), Decimal("21"))])
    text = pdf_text(doc.content)
    assert "1.234,56" in text and "259,26" in text and "1.493,82" in text
    german = make_document(5, layout="german", lines=[SampleLine("Teile", Decimal("2"), Decimal("1000.00"), Decimal("19"))])
    assert "2.000,00" in pdf_text(german.content)
    english = make_document(5, layout="english", lines=[SampleLine("Licence", Decimal("1"), Decimal("1234.56"), Decimal("21"))])
    assert "1,234.56" in pdf_text(english.content)


def test_written_dutch_dates() -> None:
    seen = set()
    for seed in range(40):
        doc = make_document(seed, layout="classic", invoice_date=dt.date(2024, 3, 1))
        seen.add(doc.truth["date_style"])
        text = pdf_text(doc.content)
        assert dt.date(2024, 3, 1) in dates_in(text)
        if doc.truth["date_style"] == "d month yyyy":
            assert "1 maart 2024" in text
        if doc.truth["date_style"] == "dd-mm-yyyy":
            assert "01-03-2024" in text
    assert {"d month yyyy", "dd-mm-yyyy"} <= seen


def test_deterministic_per_seed() -> None:
    for fmt in ("pdf", "ubl", "png", "jpeg"):
        first, second = make_document(77, fmt=fmt), make_document(77, fmt=fmt)  # type: ignore[arg-type]
        assert first.content == second.content, fmt
        assert first.truth == second.truth
    # The format changes the delivery, not the invoice.
    pdf_truth, ubl_truth = make_document(77).truth, make_document(77, fmt="ubl").truth
    assert pdf_truth["fields"] == ubl_truth["fields"]
    assert make_document(78).content != make_document(77).content


def test_check_digits_are_valid() -> None:
    for seed in range(300, 400):
        spec, _, _, _ = build_spec(seed, kind=("invoice", "credit_note", "receipt")[seed % 3])  # type: ignore[arg-type]
        for party in (spec.supplier, spec.buyer):
            assert party.vat_id is not None
            validator = de_vat if party.country == "DE" else nl_btw
            assert validator.is_valid(party.vat_id), party.vat_id
            if party.country == "NL":
                assert party.kvk is not None and re.fullmatch(r"\d{8}", party.kvk)
                assert re.fullmatch(r"\d{4} [A-Z]{2}", party.postcode), party.postcode
            assert party.iban is not None
            IBAN(party.iban)  # raises on a wrong check digit
            assert party.iban[:2] == party.country


def test_amounts_add_up() -> None:
    reverse_seen = mixed_seen = credit_seen = False
    for seed in range(500, 700):
        kind = ("invoice", "invoice", "credit_note", "receipt")[seed % 4]
        spec, _, _, _ = build_spec(seed, kind=kind)  # type: ignore[arg-type]
        lines_total = sum((line.amount for line in spec.lines), Decimal(0))
        assert spec.total_excl_vat == lines_total
        assert sum((g.base for g in spec.vat_groups), Decimal(0)) == lines_total
        for group in spec.vat_groups:
            expected = (group.base * group.rate / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            assert group.amount == expected
            if group.reverse_charge:
                assert group.amount == 0
        assert spec.total_incl_vat == spec.total_excl_vat + spec.vat_total
        if kind == "credit_note":
            assert spec.total_incl_vat < 0
            credit_seen = True
        else:
            assert spec.total_incl_vat > 0
        reverse_seen |= spec.reverse_charge
        mixed_seen |= len({g.rate for g in spec.vat_groups if not g.reverse_charge}) > 1
        if spec.due_date:
            assert spec.payment_term_days and spec.due_date == spec.issue_date + dt.timedelta(days=spec.payment_term_days)
    assert reverse_seen and mixed_seen and credit_seen


def test_supplier_pool_holds_the_seeded_and_new_suppliers() -> None:
    codes = set()
    new = 0
    for seed in range(150):
        spec, _, _, _ = build_spec(seed)
        if spec.supplier.seed_code:
            codes.add(spec.supplier.seed_code)
        else:
            new += 1
    assert {s.code for s in NAMED_SUPPLIERS} <= codes
    assert new > 30
    named = NAMED_SUPPLIERS[0]
    doc = make_document(9, supplier=named, buyer=ADMINISTRATIONS[0], invoice_number="F2024-0815",
                        invoice_date=dt.date(2024, 3, 1))
    fields = doc.truth["fields"]
    assert (fields["supplier_name"], fields["supplier_vat"], fields["supplier_kvk"], fields["iban"]) == (
        named.name, named.vat_id, named.kvk, [named.iban])
    assert fields["invoice_number"] == "F2024-0815" and fields["invoice_date"] == "2024-03-01"
    assert fields["due_date"] == "2024-03-31"  # Kantoorhuis Utrecht's 30-day term
    assert doc.truth["buyer"]["name"] == ADMINISTRATIONS[0].name
    assert doc.truth["supplier_code"] == named.code
    verlegd = make_document(10, supplier=next(s for s in SUPPLIERS if s.vat_kind == "reverse_charge"))
    assert verlegd.truth["reverse_charge"] and verlegd.truth["fields"]["vat_total"] == 0


def test_multipage_carries_totals_over() -> None:
    doc = make_document(21, layout="multipage")
    assert doc.truth["pages"] >= 2
    text = pdf_text(doc.content)
    assert "Transport naar volgende pagina" in text and "Transport van vorige pagina" in text
    assert f"Pagina 2 van {doc.truth['pages']}" in text


UBL_NS = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
          "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}


@pytest.mark.parametrize("seed", range(30, 45))
def test_ubl_matches_its_truth(seed: int) -> None:
    kind = "credit_note" if seed % 3 == 0 else "invoice"
    doc = make_document(seed, kind=kind, fmt="ubl")  # type: ignore[arg-type]
    root = etree.fromstring(doc.content)
    fields = doc.truth["fields"]

    def one(path: str) -> str:
        values = root.xpath(path, namespaces=UBL_NS)
        assert len(values) == 1, path
        return str(values[0])

    def amount(path: str) -> Decimal:
        return Decimal(one(path))

    sign = Decimal(-1) if kind == "credit_note" else Decimal(1)  # UBL credit notes carry positive amounts
    assert etree.QName(root).localname == ("CreditNote" if kind == "credit_note" else "Invoice")
    assert one("cbc:ID/text()") == fields["invoice_number"]
    assert one("cbc:IssueDate/text()") == fields["invoice_date"]
    assert one("cbc:CustomizationID/text()").endswith("nlcius:v1.0")
    if fields["due_date"]:
        assert one("cbc:DueDate/text()") == fields["due_date"]
    supplier = "cac:AccountingSupplierParty/cac:Party/"
    assert one(supplier + "cac:PartyName/cbc:Name/text()") == fields["supplier_name"]
    assert one(supplier + "cac:PartyTaxScheme/cbc:CompanyID/text()") == fields["supplier_vat"]
    if fields["supplier_kvk"]:
        assert one(supplier + "cac:PartyLegalEntity/cbc:CompanyID[@schemeID='0106']/text()") == fields["supplier_kvk"]
    assert one("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID/text()") == fields["iban"][0]
    buyer_vat = one("cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID/text()")
    assert buyer_vat == doc.truth["buyer"]["vat_id"]
    totals = "cac:LegalMonetaryTotal/"
    assert sign * amount(totals + "cbc:TaxExclusiveAmount/text()") == Decimal(str(fields["total_excl_vat"]))
    assert sign * amount(totals + "cbc:TaxInclusiveAmount/text()") == Decimal(str(fields["total_incl_vat"]))
    assert sign * amount(totals + "cbc:PayableAmount/text()") == Decimal(str(fields["amount_due"]))
    assert sign * amount("cac:TaxTotal/cbc:TaxAmount/text()") == Decimal(str(fields["vat_total"]))
    subtotals = root.xpath("cac:TaxTotal/cac:TaxSubtotal", namespaces=UBL_NS)
    assert len(subtotals) == len(fields["vat_breakdown"])
    for node, group in zip(subtotals, fields["vat_breakdown"], strict=True):
        assert node.findtext("cac:TaxCategory/cbc:ID", namespaces=UBL_NS) == group["category"]
        assert Decimal(node.findtext("cac:TaxCategory/cbc:Percent", namespaces=UBL_NS)) == Decimal(str(group["rate"]))
        assert sign * Decimal(node.findtext("cbc:TaxableAmount", namespaces=UBL_NS)) == Decimal(str(group["taxable_amount"]))
        assert sign * Decimal(node.findtext("cbc:TaxAmount", namespaces=UBL_NS)) == Decimal(str(group["tax_amount"]))
    line_sum = sum(Decimal(x) for x in root.xpath("(cac:InvoiceLine|cac:CreditNoteLine)/cbc:LineExtensionAmount/text()",
                                                  namespaces=UBL_NS))
    assert sign * line_sum == Decimal(str(fields["total_excl_vat"]))


def test_images_look_scanned_and_clean() -> None:
    png = make_document(3, fmt="png")
    jpeg = make_document(3, fmt="jpeg")
    clean = Image.open(io.BytesIO(png.content))
    scan = Image.open(io.BytesIO(jpeg.content))
    assert clean.format == "PNG" and scan.format == "JPEG"
    assert scan.mode == "L"
    assert scan.size != clean.size  # rotated with expand, rendered at a higher resolution
    assert png.truth["doc_type"] == "raster_image" and jpeg.truth["doc_type"] == "scanned_image"
    assert png.truth["fields"] == jpeg.truth["fields"]
    assert png.content_type == "image/png" and jpeg.content_type == "image/jpeg"


def test_bad_combinations_are_refused() -> None:
    with pytest.raises(ValueError):
        make_document(1, kind="receipt", fmt="ubl")
    with pytest.raises(ValueError):
        make_document(1, kind="invoice", layout="receipt")
    with pytest.raises(ValueError):
        make_document(1, layout="nonexistent")
    with pytest.raises(ValueError):
        make_document(1, fmt="tiff")  # type: ignore[arg-type]


def test_generated_set_is_fixed_and_mixed() -> None:
    docs = list(generate_set(14, first_seed=0))  # determinism itself: test_deterministic_per_seed
    assert len({d.filename for d in docs}) == 14
    assert {d.fmt for d in docs} == {"pdf", "png", "jpeg", "ubl"}
    assert {d.truth["kind"] for d in docs} == {"invoice", "credit_note", "receipt"}


def test_command_line_writes_a_set_with_its_truth(tmp_path: Path) -> None:
    from boekstuk_local.samples.__main__ import main

    assert main([str(tmp_path), "--count", "3", "--first-seed", "14"]) == 0
    truths = [json.loads(line) for line in (tmp_path / "ground_truth.jsonl").read_text().splitlines()]
    assert len(truths) == 3
    for truth in truths:
        assert (tmp_path / truth["file"]).stat().st_size > 1000
        assert truth["source"] == "boekstuk-samples"
