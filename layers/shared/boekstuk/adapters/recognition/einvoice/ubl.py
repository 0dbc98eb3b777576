"""UBL 2.1 invoices and credit notes: SI-UBL 2.0/NLCIUS, SI-UBL 1.2, Peppol BIS 3, XRechnung UBL."""

from __future__ import annotations

from lxml import etree

from boekstuk.adapters.recognition.einvoice import fields
from boekstuk.adapters.recognition.einvoice.paths import find_all, first, node, text
from boekstuk.domain.recognition import Recognition

PARTY = fields.PartyPaths(
    trading_name="cac:PartyName/cbc:Name",
    legal_name="cac:PartyLegalEntity/cbc:RegistrationName",
    vat_ids=("cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID",
             "cac:PartyTaxScheme[not(cac:TaxScheme/cbc:ID)]/cbc:CompanyID"),
    # A Peppol electronic address (EndpointID with scheme 0106) is a KvK number too.
    kvk_ids=("cac:PartyLegalEntity/cbc:CompanyID", "cac:PartyIdentification/cbc:ID", "cbc:EndpointID"),
    unschemed_kvk="cac:PartyLegalEntity/cbc:CompanyID[not(@schemeID)]",
    country="cac:PostalAddress/cac:Country/cbc:IdentificationCode",
)
ADDRESS = fields.AddressPaths(
    postal="cac:PostalAddress",
    street=("cbc:StreetName", "cbc:BuildingNumber"),
    line_two="cbc:AdditionalStreetName",
    postcode="cbc:PostalZone",
    city="cbc:CityName",
    country="cac:Country/cbc:IdentificationCode",
)
VAT = fields.VatPaths(
    category="cac:TaxCategory/cbc:ID",
    rate=("cac:TaxCategory/cbc:Percent", "cbc:Percent"),
    base="cbc:TaxableAmount",
    amount="cbc:TaxAmount",
)
LINE = fields.LinePaths(
    description=("cac:Item/cbc:Name", "cac:Item/cbc:Description", "cbc:Note"),
    quantity=("cbc:InvoicedQuantity", "cbc:CreditedQuantity"),
    unit_price=("cac:Price/cbc:PriceAmount",),
    amount=("cbc:LineExtensionAmount",),
    vat_rate=("cac:Item/cac:ClassifiedTaxCategory/cbc:Percent",
              "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent"),
)
ATTACHMENT = "cac:AdditionalDocumentReference/cac:Attachment/cbc:EmbeddedDocumentBinaryObject"
"""A file travelling inside the invoice (the PDF rendering, mostly)."""


def read_ubl(root: etree._Element, origin: str) -> Recognition:
    """Map a UBL ``Invoice`` or ``CreditNote`` to a ``Recognition``."""
    root_name = etree.QName(root).localname
    found = fields.Found(prefix=f"{origin}:" if origin else "")
    put = found.put

    type_code = first(root, "cbc:InvoiceTypeCode", "cbc:CreditNoteTypeCode")
    put("document_type_code", text(type_code) or ("381" if root_name == "CreditNote" else "380"), type_code)
    number = first(root, "cbc:ID")
    put("invoice_number", text(number), number)
    issue = first(root, "cbc:IssueDate")
    put("invoice_date", fields.iso_date(text(issue)), issue)
    currency = first(root, "cbc:DocumentCurrencyCode")
    currency_code = text(currency)
    put("currency", currency_code, currency)
    fields.read_due_date(found, root, ("cbc:DueDate", "cac:PaymentMeans/cbc:PaymentDueDate",
                                "cac:PaymentTerms/cbc:PaymentDueDate"), "cac:PaymentTerms/cbc:Note")

    supplier = node(root, "cac:AccountingSupplierParty/cac:Party")
    fields.read_party(supplier, PARTY).as_supplier(found)
    iban = first(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID")
    put("supplier_iban", fields.compact_id(text(iban)), iban)

    totals = node(root, "cac:LegalMonetaryTotal")
    for name, path in (
        ("total_incl_vat", "cbc:TaxInclusiveAmount"),
        ("total_excl_vat", "cbc:TaxExclusiveAmount"),
        ("amount_due", "cbc:PayableAmount"),
    ):
        element = first(totals, path)
        put(name, fields.amount(element), element)

    tax_total = _tax_total(root, currency_code)
    tax_amount = first(tax_total, "cbc:TaxAmount")
    put("vat_total", fields.amount(tax_amount), tax_amount)
    vat_lines = fields.read_vat_lines(find_all(tax_total, "cac:TaxSubtotal"), VAT, found.warnings)

    line_items = [fields.read_line_item(line, LINE) for line in find_all(root, "cac:{InvoiceLine|CreditNoteLine}")]
    buyer = fields.read_party(node(root, "cac:AccountingCustomerParty/cac:Party"), PARTY).as_buyer()
    address = fields.read_address(supplier, ADDRESS)
    kind = fields.document_kind(root_name, text(type_code))
    return fields.finish("ubl", found, kind=kind, vat_lines=vat_lines, line_items=line_items, buyer=buyer, address=address)


def _tax_total(root: etree._Element, currency: str | None) -> etree._Element | None:
    """The TaxTotal in the document currency (a second one may state the VAT in the tax currency)."""
    totals = find_all(root, "cac:TaxTotal")
    for total in totals:
        tax = first(total, "cbc:TaxAmount")
        if tax is not None and (currency is None or tax.get("currencyID") in (None, currency)):
            return total
    return totals[0] if totals else None
