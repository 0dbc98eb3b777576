"""Structured e-invoices: UBL 2.1 (SI-UBL 2.0/NLCIUS, SI-UBL 1.2, Peppol BIS 3, XRechnung) and UN/CEFACT CII
(D16B, XRechnung CII, Factur-X / ZUGFeRD 2, and the older ZUGFeRD 1 schema), also when embedded in a PDF.

Values are read exactly as the XML states them, with confidence 1.0 and the element's XPath as ``source``.
Sign convention (the one the ground truth of public test sets uses, and the XML's own): amounts keep the
sign the XML gives them. A credit note (``CreditNote`` root or a credit type code such as 381) normally
carries positive amounts and is marked ``document_kind="credit_note"``; booking turns it around. An
invoice with negative amounts (a "negative invoice" correction) stays an invoice with negative totals.

Paths are matched on local names, so one set of paths serves every namespace version (ZUGFeRD 1 uses
``urn:ferd:...`` and RAM version 12, CII D16B version 100). XML is parsed by ``sniff.parse_xml``: no
entities, no DTD, no network.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Final

import pypdfium2 as pdfium
from lxml import etree

from boekstuk.adapters.recognition.limits import DEFAULT_LIMITS, IntakeLimits
from boekstuk.adapters.recognition.sniff import EINVOICE_KINDS, FileKind, refuse, sniff
from boekstuk.domain.errors import UnreadableDocument
from boekstuk.domain.money import to_money
from boekstuk.domain.recognition import (
    Buyer,
    DocumentKind,
    Engine,
    LineItem,
    RecognisedFields,
    Recognition,
    VatLine,
)

CREDIT_TYPE_CODES: Final = frozenset({"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"})
"""UNCL1001 document types that are credit notes (384 is a corrected *invoice*, 389 a self-billed invoice)."""

KVK_SCHEMES: Final = frozenset({"0106", "NL:KVK", "KVK"})
"""Identifier schemes of the Dutch Chamber of Commerce (ISO 6523 ICD 0106; SI-UBL 1.x wrote NL:KVK)."""

EMBEDDED_XML_NAMES: Final = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "order-x.xml")
"""Attachment names the Factur-X/ZUGFeRD/XRechnung specs prescribe; other XML attachments are tried after."""

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DIGITS_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TEXT_DATES = (
    re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"),  # ISO
    re.compile(r"\b(\d{1,2})[.\-/](\d{1,2})[.\-/](\d{4})\b"),  # 04.04.2013, 4-4-2013 (day first: NL and DE)
)


@dataclass(frozen=True)
class EmbeddedXml:
    """An invoice XML found inside a PDF."""

    name: str
    content: bytes


# --- path helpers ------------------------------------------------------------------------------------


def _name_test(step: str) -> str:
    """``ram:{A|B}`` -> ``*[local-name()='A' or local-name()='B']``; ``.``, ``..`` and ``@x`` pass unchanged."""
    if step in (".", "..") or step.startswith("@"):
        return step
    match = re.fullmatch(r"(?:\w+:)?(\{[^}]+\}|[\w.-]+)", step)
    if not match:
        raise ValueError(f"bad path step {step!r}")
    names = match.group(1).strip("{}").split("|")
    return "*[" + " or ".join(f"local-name()='{name}'" for name in names) + "]"


@lru_cache(maxsize=512)
def _compiled(path: str) -> etree.XPath:
    """Compile a readable prefixed path into a namespace-agnostic XPath (one path serves ZUGFeRD 1 and CII D16B,
    UBL Invoice and CreditNote). Prefixed names inside predicates are translated too."""
    steps: list[str] = []
    depth, current = 0, ""
    for char in path:  # split on '/' outside predicates
        depth += (char == "[") - (char == "]")
        if char == "/" and depth == 0:
            steps.append(current)
            current = ""
        else:
            current += char
    steps.append(current)
    translated: list[str] = []
    for step in steps:
        head, bracket, predicate = step.partition("[")
        predicate = re.sub(
            r"\b(?:cac|cbc|ram|rsm|udt|qdt):(\w+)", lambda m: f"*[local-name()='{m.group(1)}']", bracket + predicate
        )
        translated.append(_name_test(head) + predicate)
    return etree.XPath("/".join(translated))


def _all(context: etree._Element, path: str) -> list[etree._Element]:
    result = _compiled(path)(context)
    return [el for el in result if isinstance(el, etree._Element)] if isinstance(result, list) else []


def _first(context: etree._Element | None, *paths: str) -> etree._Element | None:
    if context is None:
        return None
    for path in paths:
        for element in _all(context, path):
            if (element.text or "").strip():
                return element
    return None


def _node(context: etree._Element | None, *paths: str) -> etree._Element | None:
    """The first element matching any path, text or not (a container)."""
    if context is None:
        return None
    for path in paths:
        found = _all(context, path)
        if found:
            return found[0]
    return None


def xpath_of(element: etree._Element) -> str:
    """A readable absolute XPath with the document's own prefixes, e.g. ``/Invoice/cbc:ID``."""
    parts: list[str] = []
    current: etree._Element | None = element
    while current is not None:
        qname = etree.QName(current)
        name = f"{current.prefix}:{qname.localname}" if current.prefix else qname.localname
        parent = current.getparent()
        if parent is not None:
            same = [sib for sib in parent if isinstance(sib.tag, str) and sib.tag == current.tag]
            if len(same) > 1:
                name += f"[{same.index(current) + 1}]"
        parts.append(name)
        current = parent
    return "/" + "/".join(reversed(parts))


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    text = " ".join((element.text or "").split())
    return text or None


def _amount(element: etree._Element | None) -> Decimal | None:
    text = _text(element)
    if text is None:
        return None
    try:
        return to_money(Decimal(text))
    except (InvalidOperation, ValueError):
        return None


def _exact_amount(element: etree._Element | None) -> Decimal | None:
    """An amount only when cents hold it exactly: a unit price of 0.0088 rounded to 0.01 would mislead."""
    text = _text(element)
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return to_money(value) if value.is_finite() and to_money(value) == value else None


def _number(text: str | None, *, low: Decimal, high: Decimal) -> str | None:
    """A plain decimal string (``"21.00"`` -> ``"21"``, ``"5.50"`` -> ``"5.5"``) when it lies in [low, high].

    The bounds keep nonsense such as ``1e999999`` (a million digits once written out) out of the result.
    """
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or not low <= value <= high:
        return None
    normal = value.normalize()
    return f"{normal:f}" if normal != 0 else "0"


def _rate(text: str | None) -> str | None:
    """A VAT percentage between 0 and 100, as a plain string."""
    return _number(text, low=Decimal(0), high=Decimal(100))


def _quantity(text: str | None) -> str | None:
    """A line quantity (may be negative on corrections), as a plain string."""
    return _number(text, low=Decimal(-(10**12)), high=Decimal(10**12))


ZERO_RATE_CATEGORIES: Final = frozenset({"Z", "E", "AE", "K", "G", "O"})
"""UNCL5305 VAT categories whose rate is 0 % by definition (zero, exempt, reverse charge, intra-EU, export, outside)."""


def _vat_line(
    category: str | None, rate_text: str | None, base: Decimal | None, amount: Decimal | None, warnings: list[str]
) -> VatLine:
    """One VAT breakdown line; a missing or impossible rate is derived from the amounts, with a warning."""
    rate = _rate(rate_text)
    base = base if base is not None else Decimal(0)
    amount = amount if amount is not None else Decimal(0)
    if rate is None:
        if category in ZERO_RATE_CATEGORIES or amount == 0:
            rate = "0"
        elif base != 0:
            rate = _rate(str((amount / base * 100).quantize(Decimal("0.1")))) or "0"
            warnings.append(f"A VAT line states no usable rate ({rate_text!r}); {rate} % was derived from its amounts.")
        else:
            rate = "0"
            warnings.append(f"A VAT line states no usable rate ({rate_text!r}) and no base to derive it from.")
    return VatLine(rate=rate, base=base, amount=amount, reverse_charge=category == "AE", category=category)


def _iso_date(text: str | None) -> str | None:
    if not text:
        return None
    match = _ISO_DATE.match(text) or _DIGITS_DATE.match(text)
    return _valid_date(*match.groups()) if match else None


def _valid_date(year: str, month: str, day: str) -> str | None:
    """``YYYY-MM-DD`` when it is a real calendar date (no 31 February), else None."""
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _date_in_text(text: str | None) -> str | None:
    """The single date a payment-terms sentence names (``"bis 04.04.2013"``); None when zero or several."""
    if not text:
        return None
    found: set[str] = set()
    for pattern in _TEXT_DATES:
        for match in pattern.finditer(text):
            a, b, c = match.groups()
            date = _valid_date(*((a, b, c) if len(a) == 4 else (c, b, a)))
            if date:
                found.add(date)
    return found.pop() if len(found) == 1 else None


def _compact_id(text: str | None) -> str | None:
    """VAT ids and IBANs as packages store them: no spaces or dots, upper case (``NL 8200.98.395.B.01``)."""
    if text is None:
        return None
    compact = re.sub(r"[\s.\-]", "", text).upper()
    return compact or None


# --- the reader --------------------------------------------------------------------------------------


@dataclass
class _Result:
    """Fields with their XPath as they are found."""

    prefix: str
    values: dict[str, object] = field(default_factory=dict)
    source: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def put(self, name: str, value: object, element: etree._Element | None) -> None:
        if value is None or name in self.values:
            return
        self.values[name] = value
        if element is not None:
            self.source[name] = self.prefix + xpath_of(element)


def read_einvoice(root: etree._Element, *, origin: str = "") -> Recognition:
    """Map a parsed UBL or CII invoice element (as ``sniff`` returned it) to a ``Recognition``.

    ``origin`` prefixes every ``source`` XPath (the attachment name for XML inside a PDF).
    """
    qname = etree.QName(root)
    if qname.localname in ("Invoice", "CreditNote"):
        return _read_ubl(root, origin)
    if qname.localname in ("CrossIndustryInvoice", "CrossIndustryDocument"):
        return _read_cii(root, origin)
    raise refuse("not_an_invoice_xml", f"The XML root <{qname.localname}> is not a UBL or CII invoice.")


def parse_einvoice(content: bytes, *, origin: str = "") -> Recognition:
    """Parse UBL/CII bytes safely and map them; ``UnreadableDocument`` when they are not a readable e-invoice."""
    sniffed = sniff(content)
    if sniffed.kind not in EINVOICE_KINDS or sniffed.xml_root is None:
        raise refuse("not_an_invoice_xml", f"The file is {sniffed.description}, not a UBL or CII e-invoice.")
    return read_einvoice(sniffed.xml_root, origin=origin)


def _finish(
    engine: Engine,
    found: _Result,
    *,
    kind: DocumentKind,
    vat_lines: list[VatLine],
    line_items: list[LineItem],
    buyer: Buyer | None,
    address: str | None,
) -> Recognition:
    values = found.values
    fields = RecognisedFields.model_validate({k: v for k, v in values.items() if k in RecognisedFields.model_fields})
    present = {k for k in RecognisedFields.model_fields if getattr(fields, k) is not None}
    recognition = Recognition(
        engine=engine,
        document_kind=kind,
        fields=fields,
        vat_lines=vat_lines,
        line_items=line_items,
        confidence=dict.fromkeys(sorted(present), 1.0),
        source={k: v for k, v in found.source.items() if k in present or k in ("amount_due", "supplier_legal_name")},
        buyer=buyer,
        supplier_address=address,
        supplier_legal_name=values.get("supplier_legal_name"),
        amount_due=values.get("amount_due"),
        document_type_code=values.get("document_type_code"),
    )
    recognition.warnings.extend(found.warnings)
    if not recognition.fields.invoice_number:
        recognition.warnings.append("The e-invoice has no invoice number.")
    return recognition


def _kind(root_name: str, type_code: str | None) -> DocumentKind:
    if root_name == "CreditNote" or (type_code or "") in CREDIT_TYPE_CODES:
        return "credit_note"
    return "invoice"


def _address(parts: Iterable[str | None]) -> str | None:
    text = ", ".join(p for p in parts if p)
    return text or None


# --- UBL ---------------------------------------------------------------------------------------------


def _ubl_party(party: etree._Element | None) -> dict[str, tuple[object, etree._Element | None]]:
    """Name, legal name, VAT id and KvK of a UBL ``cac:Party``."""
    if party is None:
        return {}
    out: dict[str, tuple[object, etree._Element | None]] = {}
    trading = _first(party, "cac:PartyName/cbc:Name")
    legal = _first(party, "cac:PartyLegalEntity/cbc:RegistrationName")
    name = trading if trading is not None else legal
    if name is not None:
        out["name"] = (_text(name), name)
    if legal is not None:
        out["legal_name"] = (_text(legal), legal)
    vat = _first(
        party,
        "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID",
        "cac:PartyTaxScheme[not(cac:TaxScheme/cbc:ID)]/cbc:CompanyID",
    )
    if vat is not None:
        out["vat_id"] = (_compact_id(_text(vat)), vat)
    kvk = _kvk_ubl(party)
    if kvk is not None:
        out["kvk"] = kvk
    return out


def _kvk_ubl(party: etree._Element) -> tuple[object, etree._Element | None] | None:
    # The legal registration first; a Peppol electronic address (EndpointID 0106) is a KvK number too.
    candidates = (
        _all(party, "cac:PartyLegalEntity/cbc:CompanyID")
        + _all(party, "cac:PartyIdentification/cbc:ID")
        + _all(party, "cbc:EndpointID")
    )
    for element in candidates:
        if (element.get("schemeID") or "").upper() in KVK_SCHEMES and _text(element):
            return (_text(element), element)
    # NLCIUS allows the KvK number without a scheme in the legal entity of a Dutch party.
    country = _text(_first(party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode"))
    for element in _all(party, "cac:PartyLegalEntity/cbc:CompanyID[not(@schemeID)]"):
        text = _text(element) or ""
        if country == "NL" and re.fullmatch(r"\d{8}", text):
            return (text, element)
    return None


def _read_ubl(root: etree._Element, origin: str) -> Recognition:
    root_name = etree.QName(root).localname
    found = _Result(prefix=f"{origin}:" if origin else "")
    put = found.put

    type_code = _first(root, "cbc:InvoiceTypeCode", "cbc:CreditNoteTypeCode")
    put("document_type_code", _text(type_code) or ("381" if root_name == "CreditNote" else "380"), type_code)
    number = _first(root, "cbc:ID")
    put("invoice_number", _text(number), number)
    issue = _first(root, "cbc:IssueDate")
    put("invoice_date", _iso_date(_text(issue)), issue)
    currency = _first(root, "cbc:DocumentCurrencyCode")
    currency_code = _text(currency)
    put("currency", currency_code, currency)

    due = _first(root, "cbc:DueDate", "cac:PaymentMeans/cbc:PaymentDueDate", "cac:PaymentTerms/cbc:PaymentDueDate")
    put("due_date", _iso_date(_text(due)), due)
    if "due_date" not in found.values:
        for note in _all(root, "cac:PaymentTerms/cbc:Note"):
            put("due_date", _date_in_text(_text(note)), note)

    supplier = _node(root, "cac:AccountingSupplierParty/cac:Party")
    party = _ubl_party(supplier)
    for key, target in (
        ("name", "supplier_name"),
        ("legal_name", "supplier_legal_name"),
        ("vat_id", "supplier_vat_id"),
        ("kvk", "supplier_kvk"),
    ):
        if key in party:
            put(target, *party[key])
    iban = _first(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID")
    put("supplier_iban", _compact_id(_text(iban)), iban)

    totals = _node(root, "cac:LegalMonetaryTotal")
    for name, path in (
        ("total_incl_vat", "cbc:TaxInclusiveAmount"),
        ("total_excl_vat", "cbc:TaxExclusiveAmount"),
        ("amount_due", "cbc:PayableAmount"),
    ):
        element = _first(totals, path)
        put(name, _amount(element), element)

    tax_total = _ubl_tax_total(root, currency_code)
    tax_amount = _first(tax_total, "cbc:TaxAmount")
    put("vat_total", _amount(tax_amount), tax_amount)
    vat_lines = _ubl_vat_lines(tax_total, found.warnings)

    line_items = [_ubl_line(line) for line in _all(root, "cac:{InvoiceLine|CreditNoteLine}")]
    customer = _ubl_party(_node(root, "cac:AccountingCustomerParty/cac:Party"))
    buyer = _buyer(customer)
    address = None
    if supplier is not None:
        postal = _node(supplier, "cac:PostalAddress")
        if postal is not None:
            street = " ".join(
                filter(None, (_text(_first(postal, "cbc:StreetName")), _text(_first(postal, "cbc:BuildingNumber"))))
            )
            address = _address(
                (
                    street,
                    _text(_first(postal, "cbc:AdditionalStreetName")),
                    " ".join(
                        filter(None, (_text(_first(postal, "cbc:PostalZone")), _text(_first(postal, "cbc:CityName"))))
                    ),
                    _text(_first(postal, "cac:Country/cbc:IdentificationCode")),
                )
            )
    kind = _kind(root_name, _text(type_code))
    return _finish("ubl", found, kind=kind, vat_lines=vat_lines, line_items=line_items, buyer=buyer, address=address)


def _ubl_tax_total(root: etree._Element, currency: str | None) -> etree._Element | None:
    """The TaxTotal in the document currency (a second one may state the VAT in the tax currency)."""
    totals = _all(root, "cac:TaxTotal")
    for total in totals:
        amount = _first(total, "cbc:TaxAmount")
        if amount is not None and (currency is None or amount.get("currencyID") in (None, currency)):
            return total
    return totals[0] if totals else None


def _ubl_vat_lines(tax_total: etree._Element | None, warnings: list[str]) -> list[VatLine]:
    if tax_total is None:
        return []
    return [
        _vat_line(
            _text(_first(sub, "cac:TaxCategory/cbc:ID")),
            _text(_first(sub, "cac:TaxCategory/cbc:Percent", "cbc:Percent")),
            _amount(_first(sub, "cbc:TaxableAmount")),
            _amount(_first(sub, "cbc:TaxAmount")),
            warnings,
        )
        for sub in _all(tax_total, "cac:TaxSubtotal")
    ]


def _ubl_line(line: etree._Element) -> LineItem:
    description = _text(_first(line, "cac:Item/cbc:Name", "cac:Item/cbc:Description", "cbc:Note")) or ""
    return LineItem(
        description=description,
        quantity=_quantity(_text(_first(line, "cbc:InvoicedQuantity", "cbc:CreditedQuantity"))),
        unit_price=_exact_amount(_first(line, "cac:Price/cbc:PriceAmount")),
        amount_excl_vat=_amount(_first(line, "cbc:LineExtensionAmount")),
        vat_rate=_rate(
            _text(
                _first(
                    line,
                    "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent",
                    "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent",
                )
            )
        ),
    )


def _buyer(party: dict[str, tuple[object, etree._Element | None]]) -> Buyer | None:
    if not party:
        return None
    name = party.get("name", (None, None))[0]
    vat = party.get("vat_id", (None, None))[0]
    kvk = party.get("kvk", (None, None))[0]
    return Buyer(name=str(name) if name else None, vat_id=str(vat) if vat else None, kvk=str(kvk) if kvk else None)


# --- CII ---------------------------------------------------------------------------------------------

_DOC = "rsm:{ExchangedDocument|HeaderExchangedDocument}"
_TX = "rsm:{SupplyChainTradeTransaction|SpecifiedSupplyChainTradeTransaction}"
_AGREEMENT = f"{_TX}/ram:{{ApplicableHeaderTradeAgreement|ApplicableSupplyChainTradeAgreement}}"
_SETTLEMENT = f"{_TX}/ram:{{ApplicableHeaderTradeSettlement|ApplicableSupplyChainTradeSettlement}}"
_SUMMATION = "ram:{SpecifiedTradeSettlementHeaderMonetarySummation|SpecifiedTradeSettlementMonetarySummation}"
_RATE = "ram:{RateApplicablePercent|ApplicablePercent}"


def _cii_party(party: etree._Element | None) -> dict[str, tuple[object, etree._Element | None]]:
    if party is None:
        return {}
    out: dict[str, tuple[object, etree._Element | None]] = {}
    legal = _first(party, "ram:Name")
    trading = _first(party, "ram:SpecifiedLegalOrganization/ram:TradingBusinessName")
    name = trading if trading is not None else legal
    if name is not None:
        out["name"] = (_text(name), name)
    if legal is not None:
        out["legal_name"] = (_text(legal), legal)
    vat = _first(party, "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']")
    if vat is not None:
        out["vat_id"] = (_compact_id(_text(vat)), vat)
    for element in _all(party, "ram:SpecifiedLegalOrganization/ram:ID") + _all(party, "ram:{ID|GlobalID}"):
        if (element.get("schemeID") or "").upper() in KVK_SCHEMES and _text(element):
            out["kvk"] = (_text(element), element)
            break
    return out


def _cii_amount(context: etree._Element | None, name: str, currency: str | None) -> etree._Element | None:
    """An amount element, preferring the one in the invoice currency (TaxTotalAmount may appear twice)."""
    if context is None:
        return None
    elements = [el for el in _all(context, f"ram:{name}") if _text(el)]
    for element in elements:
        if currency is None or element.get("currencyID") in (None, currency):
            return element
    return elements[0] if elements else None


def _read_cii(root: etree._Element, origin: str) -> Recognition:
    found = _Result(prefix=f"{origin}:" if origin else "")
    put = found.put

    doc = _node(root, _DOC)
    type_code = _first(doc, "ram:TypeCode")
    put("document_type_code", _text(type_code) or "380", type_code)
    number = _first(doc, "ram:ID")
    put("invoice_number", _text(number), number)
    issue = _first(doc, "ram:IssueDateTime/udt:DateTimeString", "ram:IssueDateTime/udt:DateString")
    put("invoice_date", _iso_date(_text(issue)), issue)

    agreement = _node(root, _AGREEMENT)
    settlement = _node(root, _SETTLEMENT)
    currency = _first(settlement, "ram:InvoiceCurrencyCode")
    currency_code = _text(currency)
    put("currency", currency_code, currency)

    seller = _node(agreement, "ram:SellerTradeParty")
    party = _cii_party(seller)
    for key, target in (
        ("name", "supplier_name"),
        ("legal_name", "supplier_legal_name"),
        ("vat_id", "supplier_vat_id"),
        ("kvk", "supplier_kvk"),
    ):
        if key in party:
            put(target, *party[key])
    iban = _first(
        settlement,
        "ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount/ram:IBANID",
        "ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID",
    )
    put("supplier_iban", _compact_id(_text(iban)), iban)

    due = _first(settlement, "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString")
    put("due_date", _iso_date(_text(due)), due)
    if "due_date" not in found.values and settlement is not None:
        for note in _all(settlement, "ram:SpecifiedTradePaymentTerms/ram:Description"):
            put("due_date", _date_in_text(_text(note)), note)

    summation = _node(settlement, _SUMMATION)
    for name, tag in (
        ("total_incl_vat", "GrandTotalAmount"),
        ("total_excl_vat", "TaxBasisTotalAmount"),
        ("vat_total", "TaxTotalAmount"),
        ("amount_due", "DuePayableAmount"),
    ):
        element = _cii_amount(summation, tag, currency_code)
        put(name, _amount(element), element)

    vat_lines = [
        _vat_line(
            _text(_first(tax, "ram:CategoryCode")),
            _text(_first(tax, _RATE)),
            _amount(_first(tax, "ram:BasisAmount")),
            _amount(_first(tax, "ram:CalculatedAmount")),
            found.warnings,
        )
        for tax in (_all(settlement, "ram:ApplicableTradeTax") if settlement is not None else [])
    ]

    line_items = [_cii_line(line) for line in _all(root, f"{_TX}/ram:IncludedSupplyChainTradeLineItem")]
    buyer = _buyer(_cii_party(_node(agreement, "ram:BuyerTradeParty")))
    address = None
    postal = _node(seller, "ram:PostalTradeAddress") if seller is not None else None
    if postal is not None:
        address = _address(
            (
                _text(_first(postal, "ram:LineOne")),
                _text(_first(postal, "ram:LineTwo")),
                " ".join(
                    filter(None, (_text(_first(postal, "ram:PostcodeCode")), _text(_first(postal, "ram:CityName"))))
                ),
                _text(_first(postal, "ram:CountryID")),
            )
        )
    kind = _kind(etree.QName(root).localname, _text(type_code))
    return _finish("cii", found, kind=kind, vat_lines=vat_lines, line_items=line_items, buyer=buyer, address=address)


def _cii_line(line: etree._Element) -> LineItem:
    agreement = "ram:{SpecifiedLineTradeAgreement|SpecifiedSupplyChainTradeAgreement}"
    delivery = "ram:{SpecifiedLineTradeDelivery|SpecifiedSupplyChainTradeDelivery}"
    settlement = "ram:{SpecifiedLineTradeSettlement|SpecifiedSupplyChainTradeSettlement}"
    summation = "ram:{SpecifiedTradeSettlementLineMonetarySummation|SpecifiedTradeSettlementMonetarySummation}"
    return LineItem(
        description=_text(
            _first(line, "ram:SpecifiedTradeProduct/ram:Name", "ram:SpecifiedTradeProduct/ram:Description")
        )
        or "",
        quantity=_quantity(_text(_first(line, f"{delivery}/ram:BilledQuantity"))),
        unit_price=_exact_amount(_first(line, f"{agreement}/ram:NetPriceProductTradePrice/ram:ChargeAmount")),
        amount_excl_vat=_amount(_first(line, f"{settlement}/{summation}/ram:LineTotalAmount")),
        vat_rate=_rate(_text(_first(line, f"{settlement}/ram:ApplicableTradeTax/{_RATE}"))),
    )


# --- embedded documents ------------------------------------------------------------------------------


def embedded_invoice_xml(pdf_content: bytes, *, limits: IntakeLimits = DEFAULT_LIMITS) -> EmbeddedXml | None:
    """The UBL/CII invoice attached to a PDF (Factur-X, ZUGFeRD, XRechnung, Odoo UBL), or None.

    Attachments are tried with the prescribed names first, then any other ``.xml``; an attachment that is
    not a safe, well-formed e-invoice is skipped (the PDF can still be read visually).
    """
    try:
        pdf = pdfium.PdfDocument(pdf_content)
    except pdfium.PdfiumError as exc:
        raise refuse("pdf_corrupt", "The PDF is damaged and cannot be opened.") from exc
    try:
        attachments: list[tuple[str, int]] = []
        for index in range(pdf.count_attachments()):
            try:
                name = pdf.get_attachment(index).get_name() or ""
            except pdfium.PdfiumError:
                continue  # a damaged attachment entry; the page itself may still be readable
            if name.lower().endswith(".xml"):
                attachments.append((name, index))
        attachments.sort(key=lambda item: (item[0].lower() not in EMBEDDED_XML_NAMES, item[1]))
        for name, index in attachments:
            try:
                data = bytes(pdf.get_attachment(index).get_data())
            except pdfium.PdfiumError:
                continue
            if len(data) > limits.max_xml_bytes:
                continue
            try:
                kind = sniff(data).kind
            except UnreadableDocument:
                continue
            if kind in (FileKind.UBL, FileKind.CII):
                return EmbeddedXml(name, data)
        return None
    finally:
        pdf.close()


def embedded_pdf(xml: bytes | etree._Element) -> bytes | None:
    """The PDF rendering carried inside a UBL/CII file (base64 attachment), for display and booking; or None."""
    root: etree._Element | None
    if isinstance(xml, bytes):
        sniffed = sniff(xml)
        root = sniffed.xml_root if sniffed.kind in EINVOICE_KINDS else None
    else:
        root = xml
    if root is None:
        return None
    paths = (
        "cac:AdditionalDocumentReference/cac:Attachment/cbc:EmbeddedDocumentBinaryObject",
        f"{_AGREEMENT}/ram:AdditionalReferencedDocument/ram:AttachmentBinaryObject",
    )
    for path in paths:
        for element in _all(root, path):
            mime = (element.get("mimeCode") or "").lower()
            filename = (element.get("filename") or "").lower()
            if mime != "application/pdf" and not filename.endswith(".pdf"):
                continue
            try:
                data = base64.b64decode("".join((element.text or "").split()), validate=True)
            except (binascii.Error, ValueError):
                continue
            if b"%PDF-" in data[:1024]:
                return data
    return None
