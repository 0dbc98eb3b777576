"""UN/CEFACT Cross Industry Invoice: CII D16B, XRechnung CII, Factur-X / ZUGFeRD 2, and the older ZUGFeRD 1 schema
(``CrossIndustryDocument``): each path names both generations' elements (``ram:{New|Old}``)."""

from __future__ import annotations

from lxml import etree

from boekstuk.adapters.recognition.einvoice import fields
from boekstuk.adapters.recognition.einvoice.paths import find_all, first, node, text
from boekstuk.domain.recognition import Recognition

_DOC = "rsm:{ExchangedDocument|HeaderExchangedDocument}"
_TX = "rsm:{SupplyChainTradeTransaction|SpecifiedSupplyChainTradeTransaction}"
AGREEMENT = f"{_TX}/ram:{{ApplicableHeaderTradeAgreement|ApplicableSupplyChainTradeAgreement}}"
_SETTLEMENT = f"{_TX}/ram:{{ApplicableHeaderTradeSettlement|ApplicableSupplyChainTradeSettlement}}"
_SUMMATION = "ram:{SpecifiedTradeSettlementHeaderMonetarySummation|SpecifiedTradeSettlementMonetarySummation}"
_RATE = "ram:{RateApplicablePercent|ApplicablePercent}"
_LINE_AGREEMENT = "ram:{SpecifiedLineTradeAgreement|SpecifiedSupplyChainTradeAgreement}"
_LINE_DELIVERY = "ram:{SpecifiedLineTradeDelivery|SpecifiedSupplyChainTradeDelivery}"
_LINE_SETTLEMENT = "ram:{SpecifiedLineTradeSettlement|SpecifiedSupplyChainTradeSettlement}"
_LINE_SUMMATION = "ram:{SpecifiedTradeSettlementLineMonetarySummation|SpecifiedTradeSettlementMonetarySummation}"

PARTY = fields.PartyPaths(
    trading_name="ram:SpecifiedLegalOrganization/ram:TradingBusinessName",
    legal_name="ram:Name",
    vat_ids=("ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']",),
    kvk_ids=("ram:SpecifiedLegalOrganization/ram:ID", "ram:{ID|GlobalID}"),
)
ADDRESS = fields.AddressPaths(
    postal="ram:PostalTradeAddress",
    street=("ram:LineOne",),
    line_two="ram:LineTwo",
    postcode="ram:PostcodeCode",
    city="ram:CityName",
    country="ram:CountryID",
)
VAT = fields.VatPaths(category="ram:CategoryCode", rate=(_RATE,), base="ram:BasisAmount", amount="ram:CalculatedAmount")
LINE = fields.LinePaths(
    description=("ram:SpecifiedTradeProduct/ram:Name", "ram:SpecifiedTradeProduct/ram:Description"),
    quantity=(f"{_LINE_DELIVERY}/ram:BilledQuantity",),
    unit_price=(f"{_LINE_AGREEMENT}/ram:NetPriceProductTradePrice/ram:ChargeAmount",),
    amount=(f"{_LINE_SETTLEMENT}/{_LINE_SUMMATION}/ram:LineTotalAmount",),
    vat_rate=(f"{_LINE_SETTLEMENT}/ram:ApplicableTradeTax/{_RATE}",),
)
ATTACHMENT = f"{AGREEMENT}/ram:AdditionalReferencedDocument/ram:AttachmentBinaryObject"
"""A file travelling inside the invoice (the PDF rendering, mostly)."""


def read_cii(root: etree._Element, origin: str) -> Recognition:
    """Map a ``CrossIndustryInvoice`` (or ZUGFeRD 1 ``CrossIndustryDocument``) to a ``Recognition``."""
    found = fields.Found(prefix=f"{origin}:" if origin else "")
    put = found.put

    doc = node(root, _DOC)
    type_code = first(doc, "ram:TypeCode")
    put("document_type_code", text(type_code) or "380", type_code)
    number = first(doc, "ram:ID")
    put("invoice_number", text(number), number)
    issue = first(doc, "ram:IssueDateTime/udt:DateTimeString", "ram:IssueDateTime/udt:DateString")
    put("invoice_date", fields.iso_date(text(issue)), issue)

    agreement = node(root, AGREEMENT)
    settlement = node(root, _SETTLEMENT)
    currency = first(settlement, "ram:InvoiceCurrencyCode")
    currency_code = text(currency)
    put("currency", currency_code, currency)

    seller = node(agreement, "ram:SellerTradeParty")
    fields.read_party(seller, PARTY).as_supplier(found)
    iban = first(
        settlement,
        "ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount/ram:IBANID",
        "ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID",
    )
    put("supplier_iban", fields.compact_id(text(iban)), iban)
    fields.read_due_date(found, settlement, ("ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString",),
                  "ram:SpecifiedTradePaymentTerms/ram:Description")

    summation = node(settlement, _SUMMATION)
    for name, tag in (
        ("total_incl_vat", "GrandTotalAmount"),
        ("total_excl_vat", "TaxBasisTotalAmount"),
        ("vat_total", "TaxTotalAmount"),
        ("amount_due", "DuePayableAmount"),
    ):
        element = _amount_in(summation, tag, currency_code)
        put(name, fields.amount(element), element)

    vat_lines = fields.read_vat_lines(find_all(settlement, "ram:ApplicableTradeTax"), VAT, found.warnings)
    line_items = [fields.read_line_item(line, LINE) for line in find_all(root, f"{_TX}/ram:IncludedSupplyChainTradeLineItem")]
    buyer = fields.read_party(node(agreement, "ram:BuyerTradeParty"), PARTY).as_buyer()
    address = fields.read_address(seller, ADDRESS)
    kind = fields.document_kind(etree.QName(root).localname, text(type_code))
    return fields.finish("cii", found, kind=kind, vat_lines=vat_lines, line_items=line_items, buyer=buyer, address=address)


def _amount_in(context: etree._Element | None, name: str, currency: str | None) -> etree._Element | None:
    """An fields.amount element, preferring the one in the invoice currency (TaxTotalAmount may appear twice)."""
    elements = [el for el in find_all(context, f"ram:{name}") if text(el)]
    for element in elements:
        if currency is None or element.get("currencyID") in (None, currency):
            return element
    return elements[0] if elements else None
