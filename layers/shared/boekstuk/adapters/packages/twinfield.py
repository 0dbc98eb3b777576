"""Twinfield connector: SOAP web services carrying Twinfield XML.

API: https://developers.twinfield.com/documentation/getting-started/web-services-overview

Authentication is the legacy session login (the user, password and organisation the local stack links
Twinfield with; as php-twinfield's WebservicesAuthentication does it,
https://github.com/php-twinfield/twinfield): ``Logon(user, password, organisation)`` on
``{auth_url}/webservices/session.asmx`` returns ``LogonResult`` "Ok", a ``SessionID`` in the SOAP header
and the ``cluster`` URL; every later call goes to ``{cluster}/webservices/…`` with
``<Header><SessionID>`` (and ``CompanyCode`` for calls inside an office). When Twinfield answers
"Your logon credentials are not valid anymore" the session is re-established once and the call repeated
(the call was refused, not processed, so repeating is safe). The session id is not a stored credential:
it is never passed to the ``token_store`` and never logged.

Calls used: ProcessXml ``<list><type>offices</type>`` (administrations), Finder ``Search`` ``DIM``
(dimtype CRD/PNL/BAS, paged by ``firstRow``/``maxRows``) and ``VAT``, ProcessXml ``<read>`` of
dimensions and VAT codes, ``<dimension>`` to create or update a creditor, ``<transaction>`` to post the
purchase invoice, browse ``<columns code="100">`` to find an invoice already posted, and DocumentService
``Process`` for the PDF.

Errors: Twinfield answers HTTP 200 with ``result="0"`` and ``msgtype``/``msg`` attributes; messages that
start with "Toegang geweigerd" (access denied) map to ``PackageAccessDenied``, other errors and blocking
warnings to ``PackageRejected`` with Twinfield's own messages. SOAP faults (HTTP 500) from the server side
are ``PackageUnavailable``; queries (Finder, list, read, browse) are retried on them like any idempotent
call, writes are not (the workflow retries after ``find_booking``). 429 honours ``Retry-After``.

Inferred choices ([I]):

- [I] Default cost account of a creditor: CRD has no such field, so it lives in the free text ``field6``
  of the creditor's default invoice address (read into ``default_gl_account``, written on create/update).
- [I] VAT codes are classified by the VAT-return box on their percentage (``accounts/account/group``):
  ``…2A`` reverse charge, ``…4B`` EU acquisition, otherwise by rate (21 high, 9 low, 0 zero).
- [I] Duplicate protection: transactions are posted with ``raisewarning="true"`` so Twinfield's
  duplicate-invoice-number warning blocks the post; ``find_booking`` is a browse over the purchase
  daybook on supplier (``fin.trs.line.dim2``) and invoice number (``fin.trs.line.invnumber``).
- [I] The entry id is ``"{daybook}-{number}"`` (for example ``INK-202400001``), the pair Twinfield uses.
- [I] Transactions go in as ``destiny="temporary"`` (provisional, for the accountant to finalise) unless
  the connector is built with ``destiny="final"``; the purchase daybook is ``INK`` unless configured.
- [I] The PDF goes to DocumentService ``Process`` as a ``Command`` with ``Office``, ``Code``, ``Number``,
  ``FileName`` and base64 ``Content`` (the real command schema is not in our sources), after the transaction
  is posted. ``find_booking`` asks DocumentService ``Query`` (an operation of the WSDL, answered by a
  ``Result`` element) with ``Office``, ``Code`` and ``Number`` whether a transaction found again has a
  document; the ``Result``'s content, ``<Documents><Document><FileName/><Size/></Document></Documents>``, is
  ours. A transaction whose upload failed is found without one and gets the PDF from ``attach_document``.
- [I] ``find_suppliers`` uses the Finder for name (field 2) and IBAN (field 3); VAT id and KvK have no
  Finder field in our sources, so those scan the creditors. A supplier matching any given key is returned.
"""

from __future__ import annotations

import base64
import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

import requests
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as _safe_fromstring

from boekstuk.adapters.packages.base import ConnectorOptions, PackageConnector, require_fields
from boekstuk.adapters.packages.ibans import bic_for, iban_for_package, normalise_iban
from boekstuk.domain.errors import (
    InvalidPackageCredentials,
    PackageAccessDenied,
    PackageRejected,
    PackageUnavailable,
)
from boekstuk.domain.links import normalise_identifier
from boekstuk.domain.money import format_money
from boekstuk.domain.packages import (
    Address,
    Attachment,
    BookingResult,
    GLAccount,
    PackageAdministration,
    PackageApp,
    PackageSupplier,
    PurchaseBooking,
    SupplierDraft,
    VatCode,
    VatKind,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

logger = logging.getLogger(__name__)

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
TW_NS = "http://www.twinfield.com/"
EXPIRED_SESSION_MARKER = "logon credentials are not valid anymore"
ACCESS_DENIED_MARKERS = ("toegang geweigerd", "access denied")
DEFAULT_PAYABLES_ACCOUNT = "1600"


# --- XML helpers (pure) --------------------------------------------------------------------------------


def parse_xml(data: bytes | str) -> ET.Element:
    """Parse XML from the package safely: DTDs, entities and external references are refused."""
    try:
        root: ET.Element = _safe_fromstring(data, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException, ValueError) as exc:
        raise PackageUnavailable(f"twinfield answered with unreadable XML ({type(exc).__name__})") from exc
    return root


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(element: ET.Element | None, *path: str) -> ET.Element | None:
    """Follow child names (namespaces ignored)."""
    current = element
    for name in path:
        if current is None:
            return None
        current = next((c for c in current if _local(c.tag) == name), None)
    return current


def _text(element: ET.Element | None, *path: str) -> str:
    found = _find(element, *path)
    return (found.text or "").strip() if found is not None else ""


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def messages(answer: ET.Element) -> list[tuple[str, str]]:
    """Every ``(msgtype, msg)`` in a ProcessXml answer, in document order."""
    return [(e.get("msgtype", ""), e.get("msg", "")) for e in answer.iter() if e.get("msg")]


def raise_for_result(answer: ET.Element, what: str) -> None:
    """Raise the domain error for a ProcessXml answer with ``result="0"``; return quietly when it is ok."""
    if answer.get("result") == "1":
        return
    found = messages(answer)
    errors = [m for t, m in found if t == "error"] or [m for _, m in found] or ["no reason given"]
    detail = f"Twinfield refused {what}: " + " ".join(errors)
    if any(marker in m.lower() for m in errors for marker in ACCESS_DENIED_MARKERS):
        raise PackageAccessDenied(detail)
    raise PackageRejected(detail, messages=found)


def soap_fault(envelope: ET.Element) -> tuple[str, str] | None:
    """``(faultcode, faultstring)`` when the envelope carries a SOAP fault."""
    fault = _find(envelope, "Body", "Fault")
    if fault is None:
        return None
    return _text(fault, "faultcode"), _text(fault, "faultstring")


def soap_error_message(response: requests.Response) -> str:
    """The SOAP fault text of an error response (for the shared HTTP client's messages)."""
    try:
        fault = soap_fault(parse_xml(response.content))
    except PackageUnavailable:
        fault = None
    if fault is not None and fault[1]:
        return fault[1]
    return f"HTTP {response.status_code}"


def envelope(operation: ET.Element, header: Mapping[str, str]) -> bytes:
    """A SOAP 1.1 envelope with the Twinfield ``Header`` block and one operation in the body."""
    root = ET.Element(f"{{{SOAP_NS}}}Envelope")
    if header:
        block = _sub(_sub(root, f"{{{SOAP_NS}}}Header"), f"{{{TW_NS}}}Header")
        for name, value in header.items():
            _sub(block, f"{{{TW_NS}}}{name}", value)
    _sub(root, f"{{{SOAP_NS}}}Body").append(operation)
    serialised: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return serialised


def operation(name: str, **children: str) -> ET.Element:
    """``<name xmlns="http://www.twinfield.com/">`` with simple text children."""
    element = ET.Element(f"{{{TW_NS}}}{name}")
    for child, value in children.items():
        _sub(element, f"{{{TW_NS}}}{child}", value)
    return element


def to_xml_string(element: ET.Element) -> str:
    """Serialise a ProcessXml request document."""
    return ET.tostring(element, encoding="unicode")


# --- payload mapping (pure) ----------------------------------------------------------------------------


def supplier_from_dimension(dimension: ET.Element) -> PackageSupplier:
    """A CRD ``<dimension>`` (read answer) as the domain's creditor."""
    addresses = _find(dimension, "addresses")
    address_list = list(addresses) if addresses is not None else []
    address = next((a for a in address_list if a.get("default") == "true"), address_list[0] if address_list else None)
    banks = _find(dimension, "banks")
    bank_list = list(banks) if banks is not None else []
    bank = next((b for b in bank_list if b.get("default") == "true"), bank_list[0] if bank_list else None)
    duedays = _text(dimension, "financials", "duedays")
    return PackageSupplier(
        code=_text(dimension, "code"),
        name=_text(dimension, "name"),
        vat_id=_text(dimension, "vatnumber") or None,
        kvk=_text(dimension, "cocnumber") or None,
        iban=normalise_iban(_text(bank, "iban"), package="twinfield", supplier=_text(dimension, "code")),
        address=Address(
            street=_text(address, "field2") or None,
            postcode=_text(address, "postcode") or None,
            city=_text(address, "city") or None,
            country=_text(address, "country") or None,
        ),
        email=_text(address, "email") or None,
        default_gl_account=_text(address, "field6") or None,
        default_vat_code=_text(dimension, "financials", "vatcode") or None,
        payment_term_days=int(duedays) if duedays.isdigit() else None,
        blocked=dimension.get("status", "active") != "active",
        package_ref=_text(dimension, "uid") or None,
    )


def dimension_request(office: str, draft: SupplierDraft, code: str = "") -> ET.Element:
    """The ``<dimension>`` that creates (empty ``code``) or supplements a creditor: only fields that are set."""
    dim = ET.Element("dimension")
    _sub(dim, "office", office)
    _sub(dim, "type", "CRD")
    _sub(dim, "code", code)
    if draft.name:
        _sub(dim, "name", draft.name)
    if draft.vat_id:
        _sub(dim, "vatnumber", draft.vat_id)
    if draft.kvk:
        _sub(dim, "cocnumber", draft.kvk)
    if draft.payment_term_days is not None or draft.default_vat_code:
        financials = _sub(dim, "financials")
        if draft.payment_term_days is not None:
            _sub(financials, "duedays", str(draft.payment_term_days))
        if draft.default_vat_code:
            _sub(financials, "vatcode", draft.default_vat_code)
    address_fields = [
        ("name", draft.name if not code else None),
        ("country", draft.address.country),
        ("city", draft.address.city),
        ("postcode", draft.address.postcode),
        ("email", draft.email),
        ("field2", draft.address.street),
        ("field6", draft.default_gl_account),
    ]
    if any(value for _, value in address_fields):
        address = _sub(_sub(dim, "addresses"), "address", default="true", type="invoice")
        for name, value in address_fields:
            if value:
                _sub(address, name, value)
    iban = iban_for_package(draft.iban)
    if iban:
        bank = _sub(_sub(dim, "banks"), "bank", default="true")
        _sub(bank, "iban", iban)
        bic = bic_for(iban)
        if bic:
            _sub(bank, "biccode", bic)
    return dim


def transaction_request(
    office: str,
    booking: PurchaseBooking,
    *,
    daybook: str = "INK",
    payables_account: str = DEFAULT_PAYABLES_ACCOUNT,
    destiny: str = "temporary",
) -> ET.Element:
    """The purchase ``<transaction>``: a gross total line on the creditor, net detail lines with VAT codes.

    Signs become sides: a positive invoice total is credited to the creditor and its lines debited; a
    credit note (negative amounts) the other way round, line by line.
    """
    transaction = ET.Element("transaction", {"destiny": destiny, "raisewarning": "true", "autobalancevat": "true"})
    header = _sub(transaction, "header")
    _sub(header, "office", office)
    _sub(header, "code", daybook)
    _sub(header, "currency", booking.currency)
    _sub(header, "date", booking.invoice_date.strftime("%Y%m%d"))
    _sub(header, "period", booking.invoice_date.strftime("%Y/%m"))
    _sub(header, "invoicenumber", booking.invoice_number)
    if booking.due_date is not None:
        _sub(header, "duedate", booking.due_date.strftime("%Y%m%d"))
    lines = _sub(transaction, "lines")
    total = _sub(lines, "line", type="total", id="1")
    _sub(total, "dim1", payables_account)
    _sub(total, "dim2", booking.supplier_code)
    _sub(total, "debitcredit", "credit" if booking.total_incl_vat >= 0 else "debit")
    _sub(total, "value", format_money(abs(booking.total_incl_vat)))
    _sub(total, "description", booking.description)
    for number, line in enumerate(booking.lines, start=2):
        detail = _sub(lines, "line", type="detail", id=str(number))
        _sub(detail, "dim1", line.gl_account)
        if line.cost_centre:
            _sub(detail, "dim2", line.cost_centre)
        _sub(detail, "debitcredit", "debit" if line.amount_excl_vat >= 0 else "credit")
        _sub(detail, "value", format_money(abs(line.amount_excl_vat)))
        _sub(detail, "description", line.description)
        _sub(detail, "vatcode", line.vat_code)
        _sub(detail, "vatvalue", format_money(abs(line.vat_amount)))
    return transaction


def classify_vat(code: str, rate: Decimal | None, group: str) -> VatKind:
    """The domain kind of a Twinfield VAT code from its VAT-return box and rate."""
    box = group.upper()
    if box.endswith("2A"):
        return "reverse_charge"
    if box.endswith("4B"):
        return "eu"
    if rate is None or rate == 0:
        return "zero"
    return "low" if rate < 15 else "high"


def vat_code_from_read(answer: ET.Element) -> VatCode:
    """A ``<vat>`` read answer as the domain's VAT code (latest percentage)."""
    percentages = _find(answer, "percentages")
    latest = list(percentages)[-1] if percentages is not None and len(percentages) else None
    raw = _text(latest, "percentage")
    rate = Decimal(raw) if raw else None
    group = ""
    accounts = _find(latest, "accounts")
    if accounts is not None and len(accounts):
        group = _text(accounts[0], "group")
    code = _text(answer, "code")
    rate_text = None if rate is None else format(rate.normalize(), "f")
    return VatCode(code=code, name=_text(answer, "name"), rate=rate_text, kind=classify_vat(code, rate, group))


def booking_browse_request(office: str, daybook: str, supplier_code: str, invoice_number: str) -> ET.Element:
    """Browse 100 (transactions) filtered on office, daybook, creditor and invoice number."""
    columns = ET.Element("columns", code="100")
    for field, visible, value in (
        ("fin.trs.head.office", "false", office),
        ("fin.trs.head.code", "true", daybook),
        ("fin.trs.head.number", "true", None),
        ("fin.trs.line.dim2", "true", supplier_code),
        ("fin.trs.line.invnumber", "true", invoice_number),
    ):
        column = _sub(columns, "column")
        _sub(column, "field", field)
        _sub(column, "visible", visible)
        if value is not None:
            _sub(column, "operator", "equal")
            _sub(column, "from", value)
    return columns


# --- the connector -------------------------------------------------------------------------------------


class TwinfieldConnector(PackageConnector):
    """``AccountingPackage`` for Twinfield over its SOAP web services (legacy session login).

    The ``token_store`` goes unused: a session id is not a stored credential.
    """

    package_id = "twinfield"
    default_headers: ClassVar[Mapping[str, str]] = {}  # SOAP: each call sets its Content-Type and SOAPAction
    error_message = staticmethod(soap_error_message)

    def __init__(self, app: PackageApp, credentials: Mapping[str, Any], *, page_size: int = 100, daybook: str = "INK",
                 destiny: str = "temporary", **options: Unpack[ConnectorOptions]) -> None:
        super().__init__(app, credentials, **options)
        self._login_root = (app.auth_url or app.base_url).rstrip("/")
        self.page_size = page_size
        self.daybook = daybook
        self.destiny = destiny
        self._session_id: str | None = None
        self._cluster: str | None = None

    def setup(self, credentials: Mapping[str, Any]) -> None:
        """The user, password and organisation of the legacy ``Logon``."""
        self._credentials = require_fields(credentials, "username", "password", "organisation")

    # --- session ---------------------------------------------------------------------------------------

    def _logon(self) -> None:
        body = envelope(
            operation(
                "Logon",
                user=self._credentials["username"],
                password=self._credentials["password"],
                organisation=self._credentials["organisation"],
            ),
            {},
        )
        response = self.http.request(
            "POST",
            f"{self._login_root}/webservices/session.asmx",
            data=body,
            headers=self._headers("Logon"),
            accept_statuses=(500,),
        )
        answer = parse_xml(response.content)
        fault = soap_fault(answer)
        if fault is not None:
            raise PackageUnavailable(f"Twinfield logon failed: {fault[1]}")
        result = _text(answer, "Body", "LogonResponse", "LogonResult")
        if result != "Ok":
            raise InvalidPackageCredentials(f"Twinfield refused the logon (LogonResult {result or 'missing'}).")
        session_id = _text(answer, "Header", "Header", "SessionID")
        cluster = _text(answer, "Body", "LogonResponse", "cluster")
        if not session_id or not cluster:
            raise PackageUnavailable("Twinfield logon answered without a session or cluster")
        self._session_id, self._cluster = session_id, cluster.rstrip("/")

    @staticmethod
    def _headers(action: str) -> dict[str, str]:
        return {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{TW_NS}{action}"'}

    def _call(self, service: str, action: str, op: ET.Element, *, office: str | None = None, query: bool) -> ET.Element:
        """One SOAP call on the cluster; re-logs on an expired session, retries queries on server faults."""
        attempts = 0
        relogged = False
        while True:
            if self._session_id is None:
                self._logon()
                relogged = True
            assert self._session_id is not None and self._cluster is not None
            header = {"SessionID": self._session_id}
            if office:
                header["CompanyCode"] = office
            response = self.http.request(
                "POST",
                f"{self._cluster}/webservices/{service}",
                data=envelope(op, header),
                headers=self._headers(action),
                accept_statuses=(500, 504) if query else (500,),
            )
            answer = parse_xml(response.content) if response.content else ET.Element("empty")
            fault = soap_fault(answer)
            if fault is None and response.status_code < 400:
                return answer
            code, text = fault or ("", f"HTTP {response.status_code}")
            if EXPIRED_SESSION_MARKER in text.lower():
                self._session_id = None
                if relogged:
                    raise InvalidPackageCredentials("Twinfield keeps refusing the new session")
                continue
            if any(marker in text.lower() for marker in ACCESS_DENIED_MARKERS):
                raise PackageAccessDenied(f"Twinfield: {text}")
            if code.endswith("Client") and response.status_code == 500:
                raise PackageRejected(f"Twinfield refused the request: {text}")
            attempts += 1
            if not query or attempts >= self.http.retry.max_attempts:
                raise PackageUnavailable(f"Twinfield answered {response.status_code}: {text}")
            self.http.sleep(self.http.retry.backoff(attempts))

    def _process(self, document: ET.Element, *, office: str | None, query: bool) -> ET.Element:
        answer = self._call(
            "processxml.asmx",
            "ProcessXmlString",
            operation("ProcessXmlString", xmlRequest=to_xml_string(document)),
            office=office,
            query=query,
        )
        result = _text(answer, "Body", "ProcessXmlStringResponse", "ProcessXmlStringResult")
        if not result:
            raise PackageUnavailable("Twinfield ProcessXmlString answered without a result")
        return parse_xml(result)

    def _search(
        self,
        finder_type: str,
        office: str,
        *,
        options: Mapping[str, str],
        pattern: str = "*",
        field: int = 0,
        page_size: int | None = None,
    ) -> Iterator[list[str]]:
        """Finder rows, following ``firstRow``/``maxRows`` paging until ``TotalRows`` are read."""
        first_row = 1
        while True:
            op = operation(
                "Search",
                type=finder_type,
                pattern=pattern,
                field=str(field),
                firstRow=str(first_row),
                maxRows=str(page_size or self.page_size),
            )
            option_list = _sub(op, f"{{{TW_NS}}}options")
            for name, value in {"office": office, **options}.items():
                pair = _sub(option_list, f"{{{TW_NS}}}ArrayOfString")
                _sub(pair, f"{{{TW_NS}}}string", name)
                _sub(pair, f"{{{TW_NS}}}string", value)
            answer = self._call("finder.asmx", "Search", op, office=office, query=True)
            response = _find(answer, "Body", "SearchResponse")
            result = _find(response, "SearchResult")
            problems = [
                (_text(m, "Code"), _text(m, "Text"))
                for m in (result if result is not None else [])
                if _text(m, "Type") == "Error"
            ]
            if problems:
                detail = "; ".join(f"{code}: {text}" for code, text in problems)
                if any(code in {"NoAccessToOffice", "AccessDenied"} for code, _ in problems):
                    raise PackageAccessDenied(f"Twinfield finder: {detail}")
                raise PackageRejected(f"Twinfield finder: {detail}")
            total = int(_text(response, "data", "TotalRows") or "0")
            items = _find(response, "data", "Items")
            rows = [[(s.text or "").strip() for s in item] for item in (items if items is not None else [])]
            yield from rows
            first_row += len(rows)
            if not rows or first_row > total:
                return

    # --- AccountingPackage -----------------------------------------------------------------------------

    def verify(self) -> None:
        """Log on with the stored user, password and organisation (``InvalidPackageCredentials`` if refused)."""
        self._session_id = None
        self._logon()

    def list_administrations(self) -> list[PackageAdministration]:
        """The organisation's offices, each checked for access with one cheap Finder call."""
        document = ET.Element("list")
        _sub(document, "type", "offices")
        answer = self._process(document, office=None, query=True)
        raise_for_result(answer, "the office list")
        return [
            PackageAdministration(
                code=(office.text or "").strip(),
                name=office.get("name", ""),
                accessible=self.check_access((office.text or "").strip()),
            )
            for office in answer
            if _local(office.tag) == "office"
        ]

    def check_access(self, administration: str) -> bool:
        """Whether the user may work in ``administration`` (one Finder row of its creditors)."""
        try:
            next(self._search("DIM", administration, options={"dimtype": "CRD"}, page_size=1), None)
        except PackageAccessDenied:
            return False
        return True

    def _read_supplier(self, administration: str, code: str) -> ET.Element:
        document = ET.Element("read")
        for name, value in (("type", "dimensions"), ("office", administration), ("dimtype", "CRD"), ("code", code)):
            _sub(document, name, value)
        answer = self._process(document, office=administration, query=True)
        raise_for_result(answer, f"reading creditor {code}")
        return answer

    def list_suppliers(self, administration: str) -> Iterator[PackageSupplier]:
        """Every creditor: Finder pages of codes, then one read per creditor for the full record."""
        codes = [row[0] for row in self._search("DIM", administration, options={"dimtype": "CRD"})]
        for code in codes:
            yield supplier_from_dimension(self._read_supplier(administration, code))

    def find_suppliers(
        self,
        administration: str,
        *,
        vat_id: str | None = None,
        kvk: str | None = None,
        iban: str | None = None,
        name: str | None = None,
    ) -> list[PackageSupplier]:
        """Creditors matching any of the given keys, looked up in Twinfield itself."""
        found: dict[str, PackageSupplier] = {}
        if vat_id or kvk:
            wanted_vat = normalise_identifier(vat_id)
            for supplier in self.list_suppliers(administration):
                if (wanted_vat and normalise_identifier(supplier.vat_id) == wanted_vat) or (
                        kvk and supplier.kvk == kvk.strip()):
                    found[supplier.code] = supplier
        searches: list[tuple[int, str]] = []
        compact_iban = iban_for_package(iban)
        if compact_iban:
            searches.append((3, compact_iban))
        if name and name.strip():
            searches.append((2, f"*{name.strip()}*"))
        for field, pattern in searches:
            codes = [
                r[0]
                for r in self._search("DIM", administration, options={"dimtype": "CRD"}, pattern=pattern, field=field)
            ]
            for code in codes:
                if code not in found:
                    found[code] = supplier_from_dimension(self._read_supplier(administration, code))
        return list(found.values())

    def create_supplier(self, administration: str, supplier: SupplierDraft) -> PackageSupplier:
        """Create a creditor; Twinfield assigns the code (empty ``<code/>``)."""
        answer = self._process(dimension_request(administration, supplier), office=administration, query=False)
        raise_for_result(answer, "the new creditor")
        return supplier_from_dimension(answer)

    def update_supplier(self, administration: str, code: str, supplement: SupplierDraft) -> PackageSupplier:
        """Send only the supplement's non-empty fields for creditor ``code``."""
        answer = self._process(dimension_request(administration, supplement, code), office=administration, query=False)
        raise_for_result(answer, f"the update of creditor {code}")
        return supplier_from_dimension(answer)

    def list_gl_accounts(self, administration: str) -> list[GLAccount]:
        """P&L (PNL) and balance-sheet (BAS) accounts from the Finder."""
        accounts = [
            GLAccount(code=row[0], name=row[1] if len(row) > 1 else "", balance_sheet=dimtype == "BAS")
            for dimtype in ("PNL", "BAS")
            for row in self._search("DIM", administration, options={"dimtype": dimtype})
        ]
        return sorted(accounts, key=lambda a: a.code)

    def list_vat_codes(self, administration: str) -> list[VatCode]:
        """Purchase VAT codes from the Finder, each read for its rate and VAT-return box."""
        codes = [row[0] for row in self._search("VAT", administration, options={"vattype": "purchase"})]
        result = []
        for code in codes:
            document = ET.Element("read")
            for name, value in (("type", "vat"), ("office", administration), ("code", code)):
                _sub(document, name, value)
            answer = self._process(document, office=administration, query=True)
            raise_for_result(answer, f"reading VAT code {code}")
            result.append(vat_code_from_read(answer))
        return result

    def book_purchase(self, administration: str, booking: PurchaseBooking) -> BookingResult:
        """Post the purchase transaction on the creditor's control account, then upload the PDF."""
        creditor = self._read_supplier(administration, booking.supplier_code)
        payables = _text(creditor, "financials", "substitutewith") or DEFAULT_PAYABLES_ACCOUNT
        document = transaction_request(
            administration, booking, daybook=self.daybook, payables_account=payables, destiny=self.destiny
        )
        answer = self._process(document, office=administration, query=False)
        posted = next((t for t in answer.iter() if _local(t.tag) == "transaction"), answer)
        raise_for_result(posted, f"invoice {booking.invoice_number}")
        daybook = _text(posted, "header", "code") or self.daybook
        number = _text(posted, "header", "number")
        if not number:
            raise PackageUnavailable("Twinfield posted the transaction but returned no number")
        result = BookingResult(entry_id=f"{daybook}-{number}", entry_number=number)
        if booking.attachment is not None:
            self.attach_document(administration, result, booking.attachment)
            result = result.model_copy(update={"has_attachment": True})
        return result

    def attach_document(self, administration: str, entry: BookingResult, attachment: Attachment) -> None:
        """DocumentService ``Process``: the PDF as a ``Command`` for the transaction ``(daybook, number)``."""
        daybook, number = _entry_key(entry)
        command = operation(
            "Command",
            Office=administration,
            Code=daybook,
            Number=number,
            FileName=attachment.filename,
            Content=base64.b64encode(attachment.content).decode("ascii"),
        )
        self._call("documentservice.svc", "DocumentService/Process", command, office=administration, query=False)

    def _has_document(self, administration: str, daybook: str, number: str) -> bool:
        """DocumentService ``Query``: whether any document is attached to the transaction."""
        query = operation("Query", Office=administration, Code=daybook, Number=number)
        answer = self._call("documentservice.svc", "DocumentService/Query", query, office=administration, query=True)
        result = _find(answer, "Body", "Result")
        documents = _find(result, "Documents")
        return documents is not None and any(_local(d.tag) == "Document" for d in documents)

    def find_booking(self, administration: str, supplier_code: str, invoice_number: str) -> BookingResult | None:
        """The transaction already posted for this creditor's invoice number (browse 100), if any, and whether
        DocumentService shows a document on it."""
        answer = self._process(
            booking_browse_request(administration, self.daybook, supplier_code, invoice_number),
            office=administration,
            query=True,
        )
        raise_for_result(answer, "the transaction search")
        for row in answer:
            if _local(row.tag) != "tr":
                continue
            daybook, number = _text(row, "key", "code"), _text(row, "key", "number")
            if number:
                return BookingResult(entry_id=f"{daybook}-{number}", entry_number=number,
                                     has_attachment=self._has_document(administration, daybook, number))
        return None


def _entry_key(entry: BookingResult) -> tuple[str, str]:
    """``(daybook, number)`` of an entry id ``"{daybook}-{number}"``."""
    daybook, _, number = entry.entry_id.rpartition("-")
    if not daybook or not number:
        raise PackageRejected(f"{entry.entry_id!r} is not a Twinfield transaction id (daybook-number)")
    return daybook, number
