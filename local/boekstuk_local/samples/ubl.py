"""Write an ``InvoiceSpec`` as UBL 2.1 following SI-UBL 2.0 (NLCIUS): Invoice (380) or CreditNote (381).

UBL credit notes carry positive amounts; the document type says they are a credit. The element order follows
the UBL 2.1 schema, because order matters to validators.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from .model import InvoiceSpec, Party, vat_category

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0"
PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"


def _cbc(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CBC}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _cac(parent: etree._Element, tag: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CAC}}}{tag}")


def _amount(parent: etree._Element, tag: str, value: Decimal, currency: str) -> None:
    _cbc(parent, tag, f"{abs(value):.2f}", currencyID=currency)


def _percent(rate: Decimal) -> str:
    return f"{rate.normalize():f}"


def _party(parent: etree._Element, tag: str, party: Party) -> None:
    outer = _cac(parent, tag)
    node = _cac(outer, "Party")
    if party.kvk:
        _cbc(node, "EndpointID", party.kvk, schemeID="0106")  # 0106: KvK
    elif party.vat_id:
        _cbc(node, "EndpointID", party.vat_id, schemeID="9930" if party.country == "DE" else "9944")
    _cbc(_cac(node, "PartyName"), "Name", party.name)
    address = _cac(node, "PostalAddress")
    _cbc(address, "StreetName", party.street)
    _cbc(address, "CityName", party.city)
    _cbc(address, "PostalZone", party.postcode)
    _cbc(_cac(address, "Country"), "IdentificationCode", party.country)
    if party.vat_id:
        scheme = _cac(node, "PartyTaxScheme")
        _cbc(scheme, "CompanyID", party.vat_id)
        _cbc(_cac(scheme, "TaxScheme"), "ID", "VAT")
    legal = _cac(node, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", party.name)
    if party.kvk:
        _cbc(legal, "CompanyID", party.kvk, schemeID="0106")
    if party.email:
        _cbc(_cac(node, "Contact"), "ElectronicMail", party.email)


def _tax_category(parent: etree._Element, tag: str, category: str, rate: Decimal) -> None:
    node = _cac(parent, tag)
    _cbc(node, "ID", category)
    _cbc(node, "Percent", _percent(rate))
    if tag == "TaxCategory" and category in ("AE", "K"):
        _cbc(node, "TaxExemptionReasonCode", "VATEX-EU-AE" if category == "AE" else "VATEX-EU-IC")
        _cbc(node, "TaxExemptionReason", "BTW verlegd" if category == "AE" else "Intracommunautaire levering")
    _cbc(_cac(node, "TaxScheme"), "ID", "VAT")


def render_ubl(spec: InvoiceSpec) -> bytes:
    """Serialise ``spec`` as an SI-UBL 2.0 Invoice or CreditNote (UTF-8, with XML declaration)."""
    if spec.kind == "receipt":
        raise ValueError("receipts are not sent as UBL e-invoices")
    credit = spec.kind == "credit_note"
    root_ns = NS_CREDIT if credit else NS_INVOICE
    root = etree.Element(f"{{{root_ns}}}{'CreditNote' if credit else 'Invoice'}",
                         nsmap={None: root_ns, "cac": CAC, "cbc": CBC})
    cur = spec.currency
    _cbc(root, "CustomizationID", CUSTOMIZATION)
    _cbc(root, "ProfileID", PROFILE)
    _cbc(root, "ID", spec.number)
    _cbc(root, "IssueDate", spec.issue_date.isoformat())
    if not credit and spec.due_date:
        _cbc(root, "DueDate", spec.due_date.isoformat())
    _cbc(root, "CreditNoteTypeCode" if credit else "InvoiceTypeCode", "381" if credit else "380")
    if spec.reverse_charge:
        _cbc(root, "Note", "BTW verlegd")
    _cbc(root, "DocumentCurrencyCode", cur)
    _cbc(root, "BuyerReference", spec.order_reference or spec.buyer.name[:30])
    if spec.order_reference:
        _cbc(_cac(root, "OrderReference"), "ID", spec.order_reference)
    if credit and spec.credited_invoice:
        _cbc(_cac(_cac(root, "BillingReference"), "InvoiceDocumentReference"), "ID", spec.credited_invoice)
    _party(root, "AccountingSupplierParty", spec.supplier)
    _party(root, "AccountingCustomerParty", spec.buyer)
    if spec.supplier.iban:
        means = _cac(root, "PaymentMeans")
        _cbc(means, "PaymentMeansCode", "30")
        if credit and spec.due_date:
            _cbc(means, "PaymentDueDate", spec.due_date.isoformat())
        _cbc(means, "PaymentID", spec.number)
        account = _cac(means, "PayeeFinancialAccount")
        _cbc(account, "ID", spec.supplier.iban)
        _cbc(account, "Name", spec.supplier.name)
        if spec.supplier.bic:
            _cbc(_cac(account, "FinancialInstitutionBranch"), "ID", spec.supplier.bic)
    if spec.payment_term_days:
        _cbc(_cac(root, "PaymentTerms"), "Note", f"Betaling binnen {spec.payment_term_days} dagen")
    tax_total = _cac(root, "TaxTotal")
    _amount(tax_total, "TaxAmount", spec.vat_total, cur)
    for group in spec.vat_groups:
        sub = _cac(tax_total, "TaxSubtotal")
        _amount(sub, "TaxableAmount", group.base, cur)
        _amount(sub, "TaxAmount", group.amount, cur)
        _tax_category(sub, "TaxCategory", group.category, group.rate)
    totals = _cac(root, "LegalMonetaryTotal")
    _amount(totals, "LineExtensionAmount", spec.total_excl_vat, cur)
    _amount(totals, "TaxExclusiveAmount", spec.total_excl_vat, cur)
    _amount(totals, "TaxInclusiveAmount", spec.total_incl_vat, cur)
    _amount(totals, "PayableAmount", spec.total_incl_vat, cur)
    for number, line in enumerate(spec.lines, start=1):
        node = _cac(root, "CreditNoteLine" if credit else "InvoiceLine")
        _cbc(node, "ID", str(number))
        _cbc(node, "CreditedQuantity" if credit else "InvoicedQuantity", f"{abs(line.quantity).normalize():f}",
             unitCode="C62")
        _amount(node, "LineExtensionAmount", line.amount, cur)
        item = _cac(node, "Item")
        _cbc(item, "Name", line.description)
        category = vat_category(line.vat_rate, line.reverse_charge, spec.supplier.country)
        _tax_category(item, "ClassifiedTaxCategory", category, Decimal(0) if line.reverse_charge else line.vat_rate)
        _amount(_cac(node, "Price"), "PriceAmount", line.unit_price, cur)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
