"""What UBL and CII have in common, read one way: parties, amounts, VAT lines, line items, addresses, due dates.

Each syntax (``ubl``, ``cii``) says *where* these sit (``PartyPaths``, ``VatPaths``, ``LinePaths``,
``AddressPaths``); this module says *how* they are read: values exactly as the XML states them, identifiers
compacted as packages store them, amounts to the cent, a missing VAT rate derived (with a warning).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Final

from lxml import etree

from boekstuk.adapters.recognition.einvoice.paths import find_all, first, node, text, xpath_of
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

ZERO_RATE_CATEGORIES: Final = frozenset({"Z", "E", "AE", "K", "G", "O"})
"""UNCL5305 VAT categories whose rate is 0 % by definition (zero, exempt, reverse charge, intra-EU, export, outside)."""

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DIGITS_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TEXT_DATES = (
    re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"),  # ISO
    re.compile(r"\b(\d{1,2})[.\-/](\d{1,2})[.\-/](\d{4})\b"),  # 04.04.2013, 4-4-2013 (day first: NL and DE)
)


# --- values --------------------------------------------------------------------------------------------------


def amount(element: etree._Element | None) -> Decimal | None:
    """An amount to the cent."""
    value = text(element)
    if value is None:
        return None
    try:
        return to_money(Decimal(value))
    except (InvalidOperation, ValueError):
        return None


def exact_amount(element: etree._Element | None) -> Decimal | None:
    """An amount only when cents hold it exactly: a unit price of 0.0088 rounded to 0.01 would mislead."""
    value = text(element)
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return to_money(number) if number.is_finite() and to_money(number) == number else None


def _number(value: str | None, *, low: Decimal, high: Decimal) -> str | None:
    """A plain decimal string (``"21.00"`` -> ``"21"``, ``"5.50"`` -> ``"5.5"``) when it lies in [low, high].

    The bounds keep nonsense such as ``1e999999`` (a million digits once written out) out of the result.
    """
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    if not number.is_finite() or not low <= number <= high:
        return None
    normal = number.normalize()
    return f"{normal:f}" if normal != 0 else "0"


def rate(value: str | None) -> str | None:
    """A VAT percentage between 0 and 100, as a plain string."""
    return _number(value, low=Decimal(0), high=Decimal(100))


def quantity(value: str | None) -> str | None:
    """A line quantity (may be negative on corrections), as a plain string."""
    return _number(value, low=Decimal(-(10**12)), high=Decimal(10**12))


def iso_date(value: str | None) -> str | None:
    """``YYYY-MM-DD`` from an ISO date or CII's ``YYYYMMDD`` (format 102)."""
    if not value:
        return None
    match = _ISO_DATE.match(value) or _DIGITS_DATE.match(value)
    return _valid_date(*match.groups()) if match else None


def _valid_date(year: str, month: str, day: str) -> str | None:
    """``YYYY-MM-DD`` when it is a real calendar date (no 31 February), else None."""
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def date_in_text(value: str | None) -> str | None:
    """The single date a payment-terms sentence names (``"bis 04.04.2013"``); None when zero or several."""
    if not value:
        return None
    found: set[str] = set()
    for pattern in _TEXT_DATES:
        for match in pattern.finditer(value):
            a, b, c = match.groups()
            date = _valid_date(*((a, b, c) if len(a) == 4 else (c, b, a)))
            if date:
                found.add(date)
    return found.pop() if len(found) == 1 else None


def compact_id(value: str | None) -> str | None:
    """VAT ids and IBANs as packages store them: no spaces or dots, upper case (``NL 8200.98.395.B.01``)."""
    if value is None:
        return None
    compact = re.sub(r"[\s.\-]", "", value).upper()
    return compact or None


# --- what was found ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class XmlValue:
    """A value and the element it was read from (whose XPath becomes its ``source``)."""

    value: str | None
    element: etree._Element


@dataclass
class Found:
    """Fields with their XPath as they are found; the first value found for a field stays."""

    prefix: str
    """Put before every XPath: the attachment's name for XML inside a PDF (``factur-x.xml:``)."""
    values: dict[str, object] = field(default_factory=dict)
    source: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def put(self, name: str, value: object, element: etree._Element | None) -> None:
        """Record ``value`` (read from ``element``) as field ``name`` unless it is None or already known."""
        if value is None or name in self.values:
            return
        self.values[name] = value
        if element is not None:
            self.source[name] = self.prefix + xpath_of(element)

    def put_value(self, name: str, found: XmlValue | None) -> None:
        """``put`` an ``XmlValue`` (nothing when ``None``)."""
        if found is not None:
            self.put(name, found.value, found.element)


# --- parties -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyPaths:
    """Where a syntax keeps a party's name, registered name, VAT id and KvK number (relative to the party)."""

    trading_name: str
    legal_name: str
    vat_ids: tuple[str, ...]
    kvk_ids: tuple[str, ...]
    """Identifiers that are a KvK number when their ``schemeID`` is one of ``KVK_SCHEMES``, tried in order."""
    unschemed_kvk: str | None = None
    """An identifier that is a KvK number without a scheme when the party is Dutch (NLCIUS allows it)."""
    country: str | None = None


@dataclass(frozen=True)
class Party:
    """A party as the XML states it."""

    name: XmlValue | None = None
    """The trading name, else the registered name."""
    legal_name: XmlValue | None = None
    vat_id: XmlValue | None = None
    kvk: XmlValue | None = None

    @property
    def empty(self) -> bool:
        """Whether nothing at all was found."""
        return self.name is None and self.legal_name is None and self.vat_id is None and self.kvk is None

    def as_supplier(self, found: Found) -> None:
        """Put this party's name, legal name, VAT id and KvK as the supplier's fields."""
        found.put_value("supplier_name", self.name)
        found.put_value("supplier_legal_name", self.legal_name)
        found.put_value("supplier_vat_id", self.vat_id)
        found.put_value("supplier_kvk", self.kvk)

    def as_buyer(self) -> Buyer | None:
        """This party as the buyer (``None`` when nothing was found)."""
        if self.empty:
            return None
        values = [v.value if v is not None else None for v in (self.name, self.vat_id, self.kvk)]
        name, vat_id, kvk = (str(v) if v else None for v in values)
        return Buyer(name=name, vat_id=vat_id, kvk=kvk)


def read_party(party: etree._Element | None, paths: PartyPaths) -> Party:
    """Name, registered name, VAT id and KvK of a party element (an empty ``Party`` for none)."""
    if party is None:
        return Party()
    trading = first(party, paths.trading_name)
    legal = first(party, paths.legal_name)
    name = trading if trading is not None else legal
    vat = first(party, *paths.vat_ids)
    return Party(
        name=XmlValue(text(name), name) if name is not None else None,
        legal_name=XmlValue(text(legal), legal) if legal is not None else None,
        vat_id=XmlValue(compact_id(text(vat)), vat) if vat is not None else None,
        kvk=_kvk(party, paths),
    )


def _kvk(party: etree._Element, paths: PartyPaths) -> XmlValue | None:
    # The legal registration first; an electronic address with scheme 0106 is a KvK number too.
    for path in paths.kvk_ids:
        for element in find_all(party, path):
            if (element.get("schemeID") or "").upper() in KVK_SCHEMES and text(element):
                return XmlValue(text(element), element)
    if paths.unschemed_kvk is None or paths.country is None:
        return None
    country = text(first(party, paths.country))
    for element in find_all(party, paths.unschemed_kvk):
        value = text(element) or ""
        if country == "NL" and re.fullmatch(r"\d{8}", value):
            return XmlValue(value, element)
    return None


# --- addresses, due dates --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddressPaths:
    """Where a syntax keeps a party's postal address (``postal`` relative to the party, the rest to it)."""

    postal: str
    street: tuple[str, ...]
    """Printed together with spaces (UBL's street name and building number)."""
    line_two: str
    postcode: str
    city: str
    country: str


def read_address(party: etree._Element | None, paths: AddressPaths) -> str | None:
    """A party's address on one line: ``street, line two, postcode city, country``."""
    postal = node(party, paths.postal) if party is not None else None
    if postal is None:
        return None
    street = " ".join(filter(None, (text(first(postal, path)) for path in paths.street)))
    town = " ".join(filter(None, (text(first(postal, paths.postcode)), text(first(postal, paths.city)))))
    parts: Iterable[str | None] = (street, text(first(postal, paths.line_two)), town, text(first(postal, paths.country)))
    return ", ".join(p for p in parts if p) or None


def read_due_date(found: Found, context: etree._Element | None, due: tuple[str, ...], notes: str) -> None:
    """The due date where the syntax states it; else the one date a payment-terms note names."""
    element = first(context, *due)
    found.put("due_date", iso_date(text(element)), element)
    if "due_date" not in found.values and context is not None:
        for note in find_all(context, notes):
            found.put("due_date", date_in_text(text(note)), note)


# --- VAT and lines -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VatPaths:
    """Where a VAT breakdown line keeps its category, rate (first found), base and amount."""

    category: str
    rate: tuple[str, ...]
    base: str
    amount: str


def read_vat_lines(elements: list[etree._Element], paths: VatPaths, warnings: list[str]) -> list[VatLine]:
    """One ``VatLine`` per breakdown element."""
    return [
        vat_line(
            text(first(element, paths.category)),
            text(first(element, *paths.rate)),
            amount(first(element, paths.base)),
            amount(first(element, paths.amount)),
            warnings,
        )
        for element in elements
    ]


def vat_line(
    category: str | None, rate_text: str | None, base: Decimal | None, vat: Decimal | None, warnings: list[str]
) -> VatLine:
    """One VAT breakdown line; a missing or impossible rate is derived from the amounts, with a warning."""
    percent = rate(rate_text)
    base = base if base is not None else Decimal(0)
    vat = vat if vat is not None else Decimal(0)
    if percent is None:
        if category in ZERO_RATE_CATEGORIES or vat == 0:
            percent = "0"
        elif base != 0:
            percent = rate(str((vat / base * 100).quantize(Decimal("0.1")))) or "0"
            warnings.append(f"A VAT line states no usable rate ({rate_text!r}); {percent} % was derived from its amounts.")
        else:
            percent = "0"
            warnings.append(f"A VAT line states no usable rate ({rate_text!r}) and no base to derive it from.")
    return VatLine(rate=percent, base=base, amount=vat, reverse_charge=category == "AE", category=category)


@dataclass(frozen=True)
class LinePaths:
    """Where an invoice line keeps its parts (each tried in order)."""

    description: tuple[str, ...]
    quantity: tuple[str, ...]
    unit_price: tuple[str, ...]
    amount: tuple[str, ...]
    vat_rate: tuple[str, ...]


def read_line_item(line: etree._Element, paths: LinePaths) -> LineItem:
    """One invoice line."""
    return LineItem(
        description=text(first(line, *paths.description)) or "",
        quantity=quantity(text(first(line, *paths.quantity))),
        unit_price=exact_amount(first(line, *paths.unit_price)),
        amount_excl_vat=amount(first(line, *paths.amount)),
        vat_rate=rate(text(first(line, *paths.vat_rate))),
    )


# --- the result ----------------------------------------------------------------------------------------------


def document_kind(root_name: str, type_code: str | None) -> DocumentKind:
    """A credit note by its root (UBL ``CreditNote``) or its type code; else an invoice."""
    if root_name == "CreditNote" or (type_code or "") in CREDIT_TYPE_CODES:
        return "credit_note"
    return "invoice"


def finish(
    engine: Engine,
    found: Found,
    *,
    kind: DocumentKind,
    vat_lines: list[VatLine],
    line_items: list[LineItem],
    buyer: Buyer | None,
    address: str | None,
) -> Recognition:
    """The ``Recognition`` of what was found (confidence 1.0 for every field: the XML states it)."""
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
