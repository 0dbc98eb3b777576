"""E-invoice mapping: UBL invoice and credit note, CII D16B, ZUGFeRD 1, Factur-X PDFs, embedded PDFs."""

from __future__ import annotations

import base64
from decimal import Decimal
from pathlib import Path

import pytest

from boekstuk.adapters.recognition.chain import LocalRecognizer
from boekstuk.adapters.recognition.einvoice import embedded_invoice_xml, embedded_pdf, parse_einvoice
from boekstuk.domain.errors import UnreadableDocument
from boekstuk.domain.recognition import FIELD_NAMES
from tests.unit.recognition_intake import docs

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_nlcius_invoice_maps_every_field() -> None:
    rec = parse_einvoice(fixture("nlcius_invoice.xml"))
    f = rec.fields
    assert rec.engine == "ubl"
    assert rec.document_kind == "invoice"
    assert rec.document_type_code == "380"
    assert f.supplier_name == "Molen De Hoop"  # the trading name (PartyName) wins over the legal name
    assert rec.supplier_legal_name == "Meelhandel De Hoop B.V."
    assert f.supplier_vat_id == "NL820098395B01"  # compacted from "NL 8200.98.395.B.01"
    assert f.supplier_kvk == "12345678"  # scheme 0106
    assert f.supplier_iban == "NL91ABNA0417164300"
    assert (f.invoice_number, f.invoice_date, f.due_date, f.currency) == (
        "F2024-0815",
        "2024-03-01",
        "2024-03-31",
        "EUR",
    )
    assert (f.total_excl_vat, f.vat_total, f.total_incl_vat) == (Decimal("200.00"), Decimal("30.00"), Decimal("230.00"))
    assert rec.amount_due == Decimal("200.00")  # 30.00 prepaid
    assert [(v.rate, v.base, v.amount, v.category, v.reverse_charge) for v in rec.vat_lines] == [
        ("21", Decimal("100.00"), Decimal("21.00"), "S", False),
        ("9", Decimal("100.00"), Decimal("9.00"), "S", False),
    ]
    assert [(i.description, i.quantity, i.unit_price, i.amount_excl_vat, i.vat_rate) for i in rec.line_items] == [
        ("Tarwebloem type 550", "25", Decimal("4.00"), Decimal("100.00"), "9"),
        ("Onderhoud deegmachine", "1", Decimal("100.00"), Decimal("100.00"), "21"),
    ]
    assert rec.buyer is not None
    assert (rec.buyer.name, rec.buyer.vat_id, rec.buyer.kvk) == ("Bakkerij De Vries", "NL001234567B01", "87654321")
    assert rec.supplier_address == "Molenweg 12, 1506 AB Zaandam, NL"


def test_present_fields_have_confidence_one_and_an_xpath_source() -> None:
    rec = parse_einvoice(fixture("nlcius_invoice.xml"))
    assert set(rec.confidence) == set(FIELD_NAMES)
    assert set(rec.confidence.values()) == {1.0}
    assert rec.source["invoice_number"] == "/Invoice/cbc:ID"
    assert (
        rec.source["supplier_kvk"]
        == "/Invoice/cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID"
    )
    assert rec.source["vat_total"] == "/Invoice/cac:TaxTotal/cbc:TaxAmount"


def test_reverse_charge_is_flagged_and_due_date_comes_from_payment_terms() -> None:
    rec = parse_einvoice(fixture("reverse_charge_invoice.xml"))
    assert [(v.rate, v.base, v.amount, v.category, v.reverse_charge) for v in rec.vat_lines] == [
        ("0", Decimal("1500.00"), Decimal("0.00"), "AE", True)
    ]
    # No PartyName: the legal name is the supplier name; no DueDate: the one date in the payment terms.
    assert rec.fields.supplier_name == "Installatiebedrijf Janssens BV"
    assert rec.fields.due_date == "2024-06-13"
    assert rec.source["due_date"] == "/Invoice/cac:PaymentTerms/cbc:Note"
    assert rec.fields.vat_total == Decimal("0.00")
    assert rec.fields.supplier_kvk is None  # Belgian party, no KvK
    assert rec.fields.supplier_iban is None  # an IBAN in a free-text note is not a payee account


def test_vat_total_is_taken_in_the_document_currency() -> None:
    xml = fixture("nlcius_invoice.xml").replace(
        b"<cac:TaxTotal>",
        b'<cac:TaxTotal><cbc:TaxAmount currencyID="USD">33.00</cbc:TaxAmount></cac:TaxTotal><cac:TaxTotal>',
        1,
    )
    rec = parse_einvoice(xml)
    assert rec.fields.vat_total == Decimal("30.00")
    assert rec.source["vat_total"] == "/Invoice/cac:TaxTotal[2]/cbc:TaxAmount"
    assert len(rec.vat_lines) == 2


def test_credit_note_keeps_the_xml_signs_and_is_marked() -> None:
    rec = parse_einvoice(fixture("credit_note.xml"))
    assert rec.document_kind == "credit_note"
    assert rec.document_type_code == "381"
    assert rec.fields.total_incl_vat == Decimal("54.50")  # positive, as the XML (and the public ground truth) has it
    assert rec.fields.invoice_number == "CN-2024-007"
    assert rec.fields.due_date is None
    assert [(i.description, i.quantity) for i in rec.line_items] == [("Retour tarwebloem", "12.5")]


def test_invoice_root_with_credit_type_code_is_a_credit_note() -> None:
    xml = fixture("nlcius_invoice.xml").replace(b"<cbc:InvoiceTypeCode>380<", b"<cbc:InvoiceTypeCode>381<")
    assert parse_einvoice(xml).document_kind == "credit_note"
    corrective = fixture("nlcius_invoice.xml").replace(b"<cbc:InvoiceTypeCode>380<", b"<cbc:InvoiceTypeCode>384<")
    assert parse_einvoice(corrective).document_kind == "invoice"


def test_negative_invoice_stays_an_invoice_with_negative_totals() -> None:
    xml = fixture("nlcius_invoice.xml").replace(b">230.00<", b">-230.00<")
    rec = parse_einvoice(xml)
    assert rec.document_kind == "invoice"
    assert rec.fields.total_incl_vat == Decimal("-230.00")


def test_si_ubl_12_due_date_and_kvk_scheme() -> None:
    xml = (
        fixture("nlcius_invoice.xml")
        .replace(b"<cbc:DueDate>2024-03-31</cbc:DueDate>", b"")
        .replace(
            b"<cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>",
            b"<cbc:PaymentMeansCode>31</cbc:PaymentMeansCode><cbc:PaymentDueDate>2024-04-15</cbc:PaymentDueDate>",
        )
        .replace(
            b'<cbc:CompanyID schemeID="0106">12345678',
            b'<cbc:CompanyID schemeID="NL:KVK" schemeAgencyID="ZZZ">24681357',
        )
    )
    rec = parse_einvoice(xml)
    assert rec.fields.due_date == "2024-04-15"
    assert rec.fields.supplier_kvk == "24681357"


def test_cii_invoice_maps_every_field() -> None:
    rec = parse_einvoice(fixture("cii_invoice.xml"))
    f = rec.fields
    assert rec.engine == "cii"
    assert rec.document_kind == "invoice"
    assert f.supplier_name == "De Koksmaat"  # TradingBusinessName
    assert rec.supplier_legal_name == "De Koksmaat B.V."
    assert (f.supplier_vat_id, f.supplier_kvk, f.supplier_iban) == ("NL820098395B01", "57151520", "NL57RABO0107307510")
    assert (f.invoice_number, f.invoice_date, f.due_date, f.currency) == (
        "KM-2024-1201",
        "2024-12-01",
        "2024-12-15",
        "EUR",
    )
    assert (f.total_excl_vat, f.vat_total, f.total_incl_vat) == (Decimal("80.00"), Decimal("14.40"), Decimal("94.40"))
    assert rec.amount_due == Decimal("94.40")
    assert [(v.rate, v.base, v.amount) for v in rec.vat_lines] == [
        ("21", Decimal("60.00"), Decimal("12.60")),
        ("9", Decimal("20.00"), Decimal("1.80")),
    ]
    assert [(i.description, i.quantity, i.unit_price, i.amount_excl_vat, i.vat_rate) for i in rec.line_items] == [
        ("Koksbuis wit", "2", Decimal("30.00"), Decimal("60.00"), "21"),
        ("Kookboek", "60", None, Decimal("20.00"), "9"),  # 0.3333 is not a whole number of cents: not rounded silently
    ]
    assert rec.buyer is not None
    assert (rec.buyer.name, rec.buyer.vat_id, rec.buyer.kvk) == ("Restaurant Het Hof", "NL002233445B01", "11223344")
    assert rec.source["supplier_vat_id"].endswith("ram:SellerTradeParty/ram:SpecifiedTaxRegistration[2]/ram:ID")
    assert rec.source["vat_total"].endswith("ram:TaxTotalAmount[2]")


def test_zugferd1_invoice_and_due_date_from_terms_text() -> None:
    rec = parse_einvoice(fixture("zugferd1_invoice.xml"))
    f = rec.fields
    assert rec.engine == "cii"
    assert (f.supplier_name, f.supplier_vat_id, f.supplier_iban) == (
        "Lieferant GmbH",
        "DE123456789",
        "DE08700901001234567890",
    )
    assert (f.invoice_number, f.invoice_date, f.due_date) == ("RE-4711", "2024-03-05", "2024-04-04")
    assert (f.total_excl_vat, f.vat_total, f.total_incl_vat) == (Decimal("275.00"), Decimal("19.25"), Decimal("294.25"))
    assert [(v.rate, v.category) for v in rec.vat_lines] == [("7", "S")]
    assert [(i.description, i.quantity, i.unit_price, i.vat_rate) for i in rec.line_items] == [
        ("Joghurt Banane", "50", Decimal("5.50"), "7")
    ]


def test_factur_x_pdf_is_read_from_its_embedded_xml() -> None:
    pdf = docs.pdf_with_attachments({"factur-x.xml": fixture("cii_invoice.xml")})
    found = embedded_invoice_xml(pdf)
    assert found is not None and found.name == "factur-x.xml"
    rec = LocalRecognizer().recognize(pdf, "factuur.pdf")
    assert rec.engine == "cii"
    assert rec.fields.invoice_number == "KM-2024-1201"
    assert rec.source["invoice_number"] == "factur-x.xml:/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID"


def test_pdf_attachment_choice_prefers_the_invoice_xml() -> None:
    pdf = docs.pdf_with_attachments(
        {
            "logistics.xml": b"<shipment xmlns='urn:example'><id>1</id></shipment>",
            "unsafe.xml": b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
            "UBL-Invoice-2.1.xml": fixture("nlcius_invoice.xml"),
        }
    )
    found = embedded_invoice_xml(pdf)
    assert found is not None and found.name == "UBL-Invoice-2.1.xml"


def test_pdf_without_invoice_xml_has_none() -> None:
    assert embedded_invoice_xml(docs.text_pdf()) is None
    assert embedded_invoice_xml(docs.pdf_with_attachments({"notes.xml": b"<notes/>"})) is None


def test_embedded_pdf_of_a_ubl_invoice() -> None:
    rendering = docs.text_pdf(["Factuur F2024-0815"])
    reference = (
        b"<cac:AdditionalDocumentReference><cbc:ID>F2024-0815.pdf</cbc:ID><cac:Attachment>"
        b'<cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="F2024-0815.pdf">'
        + base64.encodebytes(rendering)
        + b"</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference>"
    )
    xml = fixture("nlcius_invoice.xml").replace(
        b"<cac:AccountingSupplierParty>", reference + b"<cac:AccountingSupplierParty>", 1
    )
    assert embedded_pdf(xml) == rendering
    assert parse_einvoice(xml).fields.invoice_number == "F2024-0815"  # the attachment does not disturb the mapping


def test_embedded_pdf_of_a_cii_invoice() -> None:
    rendering = docs.text_pdf(["Rechnung"])
    reference = (
        b"<ram:AdditionalReferencedDocument><ram:IssuerAssignedID>1</ram:IssuerAssignedID>"
        b'<ram:AttachmentBinaryObject mimeCode="application/pdf" filename="r.pdf">'
        + base64.b64encode(rendering)
        + b"</ram:AttachmentBinaryObject></ram:AdditionalReferencedDocument>"
    )
    xml = fixture("cii_invoice.xml").replace(b"</ram:BuyerTradeParty>", b"</ram:BuyerTradeParty>" + reference, 1)
    assert embedded_pdf(xml) == rendering


def test_no_embedded_pdf() -> None:
    assert embedded_pdf(fixture("nlcius_invoice.xml")) is None
    not_a_pdf = fixture("nlcius_invoice.xml").replace(
        b"<cac:AccountingSupplierParty>",
        b'<cac:AdditionalDocumentReference><cbc:ID>x</cbc:ID><cac:Attachment><cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf">'
        + base64.b64encode(b"hello")
        + b"</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference><cac:AccountingSupplierParty>",
        1,
    )
    assert embedded_pdf(not_a_pdf) is None


def test_non_invoice_xml_is_unreadable() -> None:
    with pytest.raises(UnreadableDocument) as caught:
        parse_einvoice(b"<order xmlns='urn:example'/>")
    assert caught.value.extra["reason"] == "not_an_invoice_xml"


def test_kvk_from_the_peppol_endpoint_when_the_legal_entity_has_none() -> None:
    xml = fixture("nlcius_invoice.xml").replace(b'<cbc:CompanyID schemeID="0106">12345678</cbc:CompanyID>', b"", 1)
    rec = parse_einvoice(xml)
    assert rec.fields.supplier_kvk == "12345678"
    assert rec.source["supplier_kvk"].endswith("cac:Party/cbc:EndpointID")


def test_nonsense_numbers_are_dropped_or_derived_never_expanded() -> None:
    xml = (
        fixture("nlcius_invoice.xml")
        .replace(b">230.00<", b">NaN<")
        .replace(b"<cbc:Percent>21.00</cbc:Percent>", b"<cbc:Percent>1e999999</cbc:Percent>")
        .replace(b">25.000<", b">1e999999<")
    )
    rec = parse_einvoice(xml)
    assert rec.fields.total_incl_vat is None
    assert "total_incl_vat" not in rec.confidence
    # The 21 % line lost its rate: derived from 21.00 on 100.00, and said so.
    assert [v.rate for v in rec.vat_lines] == ["21", "9"]
    assert any("derived from its amounts" in w for w in rec.warnings)
    assert rec.line_items[0].quantity is None


def test_zero_rate_categories_need_no_percent() -> None:
    xml = fixture("reverse_charge_invoice.xml").replace(
        b"<cbc:ID>AE</cbc:ID><cbc:Percent>0</cbc:Percent>", b"<cbc:ID>AE</cbc:ID>"
    )
    rec = parse_einvoice(xml)
    assert [(v.rate, v.reverse_charge) for v in rec.vat_lines] == [("0", True)]
    assert rec.warnings == []


def test_impossible_dates_are_not_reported() -> None:
    xml = fixture("nlcius_invoice.xml").replace(b"2024-03-31", b"2024-02-31")
    rec = parse_einvoice(xml)
    assert rec.fields.due_date is None
    assert rec.fields.invoice_date == "2024-03-01"


@pytest.mark.parametrize("name", ["nlcius_invoice.xml", "cii_invoice.xml", "zugferd1_invoice.xml"])
def test_fields_read_from_xml_have_no_location(name: str) -> None:
    rec = parse_einvoice(fixture(name))
    assert rec.fields.invoice_number and rec.locations == {}
    hybrid = LocalRecognizer().recognize(docs.pdf_with_attachments({"factur-x.xml": fixture(name)}), "factuur.pdf")
    assert hybrid.engine in ("ubl", "cii") and hybrid.locations == {}
