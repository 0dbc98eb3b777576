"""Twinfield simulator: SOAP 1.1 web services carrying Twinfield's XML.

API: https://developers.twinfield.com/documentation/getting-started/web-services-overview; request and
answer shapes as php-twinfield's fixtures show them, https://github.com/php-twinfield/twinfield.

Services, all ``POST`` with a SOAP 1.1 envelope (namespace ``http://www.twinfield.com/``):

- ``/webservices/session.asmx``: ``Logon(user, password, organisation)`` → ``LogonResult`` ``Ok`` plus a
  ``<Header><SessionID>`` in the response header and the ``cluster`` URL (this simulator's own base URL);
  wrong credentials answer ``LogonResult`` ``Invalid`` (HTTP 200), as Twinfield does. ``SelectCompany``,
  ``KeepAlive`` and ``Abandon`` as well.
- ``/webservices/processxml.asmx``: ``ProcessXmlString(xmlRequest)``: ``<list>`` offices / dimensions,
  ``<read>`` dimensions / vat / transaction, ``<dimension>`` create-or-update (CRD), ``<transaction>``
  (purchase, daybook ``INK``), ``<columns code="100">`` browse over transactions. Always HTTP 200; errors
  are ``result="0"`` with ``msgtype``/``msg`` on the offending element.
- ``/webservices/finder.asmx``: ``Search(type, pattern, field, firstRow, maxRows, options)`` for ``DIM``
  (options ``dimtype`` CRD/PNL/BAS, ``office``), ``VAT`` and ``OFF``; paged by ``firstRow``/``maxRows``
  with ``TotalRows``; errors as ``MessageOfErrorCodes`` (``NoAccessToOffice``, ``InvalidFinderType``).
- ``/webservices/documentservice.svc``: ``Process`` (attachment upload) and ``Query`` (see [I] below).

Sessions: ``<Header><SessionID>`` on every call; an unknown or expired session gets the SOAP fault
"Your logon credentials are not valid anymore. Try to log on again." (HTTP 500, ``soap:Client``), the
text php-twinfield retries on. The office of a call is the XML's ``<office>``, else the header's
``CompanyCode``, else the session's ``SelectCompany`` choice; with none of them the call is refused with
"Toegang geweigerd. Company ontbreekt in request header." Listing offices needs no office.

Fair use: query calls (``list``, ``read``, ``columns``, Finder) cost 1 credit, writes 3; a fixed window
of ``credits_per_minute`` per client address; over budget: HTTP 429 with ``Retry-After`` and the SOAP
fault text "Too Many Requests".

Inferred choices ([I], configurable where it matters):

- [I] Office codes ``NLA002001`` … ``NLA002007`` (Twinfield style ``NLA00nnnn``); all seven are listed, the
  seventh ("Holding (geen toegang)") answers every data call with "Toegang geweigerd. …" / Finder
  ``NoAccessToOffice``.
- [I] VAT codes: ``IH`` 21 %, ``IL`` 9 %, ``IN`` 0 %, ``IV`` verlegd, ``IEU`` EU acquisition. Each percentage
  carries the VAT-return box as ``accounts/account/group`` (``NL5B`` input VAT, ``NL2A`` reverse charge,
  ``NL4B`` EU acquisition) so a client can classify them; reverse charge and EU acquisition add no VAT
  to the amount payable to the supplier.
- [I] Default cost account of a supplier: CRD has no such field in the sources, so this system keeps it
  in the free text ``field6`` of the supplier's default invoice address (a real Twinfield field, round
  tripped by create/read). The connector reads and writes it there.
- [I] Duplicate supplier invoice number (same ``dim2`` and ``invoicenumber`` in the office): ``duplicate_mode``
  ``"warning"`` (default) raises a warning that blocks the transaction unless ``raisewarning="false"``;
  ``"error"`` always refuses; ``"allow"`` accepts.
- [I] Detail lines may carry an explicit ``<vatvalue>``; it may differ from the computed VAT by at most
  2 cents when ``autobalancevat`` is true (exact otherwise).
- [I] Transaction numbers are ``YYYY`` + five digits per office, daybook and year (``202400001``).
- [I] Attachments: DocumentService ``Process`` with a ``<Command>`` carrying ``Office``, ``Code``,
  ``Number``, ``FileName`` and base64 ``Content``; accepted and stored, linked to the transaction's
  inspection entry. DocumentService ``Query`` (``<Query>`` with ``Office``, ``Code``, ``Number``; 1 credit)
  answers a ``<Result><Documents>`` with one ``<Document>`` (``FileName``, ``Size``) per stored attachment
  of that transaction. The WSDL names both operations and the ``Query``/``Result`` elements; their content
  is not in our sources.
- [I] Sessions expire after ``session_ttl`` seconds without use (default 1200).
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import ClassVar

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from boekstuk_local.simulators import seed
from boekstuk_local.simulators.base import (
    CENT,
    JsonDict,
    RateLimiter,
    Refusal,
    SimClock,
    Simulator,
    cents,
    decode_base64,
)

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
TW_NS = "http://www.twinfield.com/"

DEMO_USER = "DEMO"
DEMO_PASSWORD = "Twinfield-Demo-2026!"
DEMO_ORGANISATION = "DEMO-ORG"

PURCHASE_DAYBOOK = "INK"
PAYABLES_ACCOUNT = seed.PAYABLES_ACCOUNT
VAT_ACCOUNT = "1500"  # "Te vorderen btw" in the seed

EXPIRED_SESSION = "Your logon credentials are not valid anymore. Try to log on again."
COMPANY_MISSING = "Toegang geweigerd. Company ontbreekt in request header."

# kind -> (code, VAT-return box)
VAT_CODING: dict[str, tuple[str, str]] = {
    "high": ("IH", "NL5B"),
    "low": ("IL", "NL5B"),
    "zero": ("IN", "NL5B"),
    "reverse_charge": ("IV", "NL2A"),
    "eu": ("IEU", "NL4B"),
}
NO_PAYABLE_VAT_GROUPS = {"NL2A", "NL4B"}  # VAT self-assessed: nothing payable to the supplier

ASMX_UNKNOWN = "Server did not recognize the value of HTTP Header SOAPAction: {ns}{operation}."
WCF_UNKNOWN = "The message with Action '{operation}' cannot be processed at the receiver."


def office_code(index: int) -> str:
    """The Twinfield office code of seed administration ``index`` (1..7)."""
    return f"NLA{2000 + index:06d}"


def _money(value: Decimal) -> str:
    return str(cents(value))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    """First direct child named ``name`` (namespace ignored)."""
    return next((c for c in element if _local(c.tag) == name), None)


def _either(element: ET.Element | None, fallback: ET.Element) -> ET.Element:
    """``element`` unless it is missing (an Element's truth value means "has children", so no ``or``)."""
    return element if element is not None else fallback


def _text(element: ET.Element | None, name: str | None = None) -> str:
    if element is None:
        return ""
    target = _child(element, name) if name else element
    return (target.text or "").strip() if target is not None else ""


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _fail(element: ET.Element, message: str, msgtype: str = "error") -> None:
    """Mark ``element`` the way Twinfield marks what it refused."""
    element.set("msgtype", msgtype)
    element.set("msg", message)
    if msgtype == "error":
        element.set("result", "0")


class SoapFault(Refusal):
    """Answer with a SOAP fault (``status`` 500 unless told otherwise)."""

    def __init__(self, message: str, code: str = "soap:Client", status: int = 500,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(status, message, headers)
        self.code = code

    def response(self) -> Response:
        """The SOAP 1.1 fault."""
        response = soap_fault_response(self.message, self.code, self.status)
        response.headers.update(self.headers)
        return response


def soap_envelope(body: ET.Element, header: ET.Element | None = None) -> bytes:
    """Serialise a SOAP 1.1 envelope around ``body`` (and an optional header block)."""
    envelope = ET.Element(f"{{{SOAP_NS}}}Envelope")
    if header is not None:
        ET.SubElement(envelope, f"{{{SOAP_NS}}}Header").append(header)
    ET.SubElement(envelope, f"{{{SOAP_NS}}}Body").append(body)
    ET.register_namespace("soap", SOAP_NS)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(envelope, encoding="utf-8", xml_declaration=False)


def soap_fault_response(message: str, code: str = "soap:Client", status: int = 500) -> Response:
    """A SOAP 1.1 fault as ASP.NET web services send it."""
    fault = ET.Element(f"{{{SOAP_NS}}}Fault")
    _sub(fault, "faultcode", code)
    _sub(fault, "faultstring", message)
    _sub(fault, "detail")
    return Response(soap_envelope(fault), status=status, content_type="text/xml; charset=utf-8")


def parse_xml(data: bytes | str) -> ET.Element:
    """Parse untrusted XML: no DTDs, no entities, no network (defusedxml)."""
    return safe_fromstring(data, forbid_dtd=True)


class TwinfieldSimulator(Simulator):
    """The Twinfield web services with the seed (seed.py)."""

    package_id = "twinfield"
    title = "Twinfield"
    app_registration: ClassVar[dict[str, str]] = {}  # the legacy Logon needs no app registration
    demo_login: ClassVar[dict[str, str]] = {
        "username": DEMO_USER,
        "password": DEMO_PASSWORD,
        "organisation": DEMO_ORGANISATION,
    }

    def __init__(
        self,
        *,
        clock: SimClock | None = None,
        hang_seconds: float = 2.0,
        duplicate_mode: str = "warning",
        credits_per_minute: int = 1000,
        session_ttl: float = 1200.0,
    ) -> None:
        if duplicate_mode not in {"warning", "error", "allow"}:
            raise ValueError("duplicate_mode must be warning, error or allow")
        self.duplicate_mode = duplicate_mode
        self.session_ttl = session_ttl
        super().__init__(clock=clock, hang_seconds=hang_seconds)
        self.limiter = RateLimiter(credits_per_minute, 60.0, self.clock)

    # --- seed ------------------------------------------------------------------------------------------

    def initial_state(self) -> JsonDict:
        """Seven offices, each with GL accounts, VAT codes and the seed suppliers in Twinfield coding."""
        vat_codes = {
            VAT_CODING[v.kind][0]: {
                "name": v.name,
                "shortname": v.name[:16],
                "type": "purchase",
                "percentage": str(v.rate),
                "group": VAT_CODING[v.kind][1],
            }
            for v in seed.VAT_RATES
        }
        kind_to_code = {kind: coding[0] for kind, coding in VAT_CODING.items()}
        administrations: JsonDict = {}
        for adm in seed.ADMINISTRATIONS:
            code = office_code(adm.index)
            suppliers = {
                s.code: {
                    "code": s.code,
                    "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"twinfield:{code}:{s.code}")),
                    "name": s.name,
                    "status": "active",
                    "vatnumber": s.vat_id,
                    "cocnumber": s.kvk,
                    "duedays": str(s.payment_term_days),
                    "vatcode": kind_to_code[s.vat_kind],
                    "street": s.street,
                    "postcode": s.postcode,
                    "city": s.city,
                    "country": s.country,
                    "email": s.email,
                    "telephone": "",
                    "iban": s.iban,
                    "biccode": s.bic,
                    "default_gl": s.default_gl,
                    "touched": 1,
                }
                for s in seed.SUPPLIERS
            }
            administrations[code] = {
                "name": adm.name,
                "shortname": adm.name[:20],
                "accessible": adm.accessible,
                "suppliers": suppliers,
                "gl": {g.code: {"name": g.name, "type": "BAS" if g.balance else "PNL"} for g in seed.GL_ACCOUNTS},
                "vat": vat_codes,
                "daybooks": {PURCHASE_DAYBOOK: "Inkoopfactuur"},
                "transactions": {},
            }
        return {"administrations": administrations, "sessions": {}, "documents": []}

    def rules(self) -> Iterable[Rule]:
        """The SOAP endpoints (ASP.NET paths are case-insensitive; both spellings of the document service)."""
        return [
            Rule("/webservices/session.asmx", endpoint="session_service", methods=["POST"]),
            Rule("/webservices/processxml.asmx", endpoint="processxml_service", methods=["POST"]),
            Rule("/webservices/finder.asmx", endpoint="finder_service", methods=["POST"]),
            Rule("/webservices/documentservice.svc", endpoint="document_service", methods=["POST"]),
            Rule("/webservices/DocumentService.svc", endpoint="document_service", methods=["POST"]),
        ]

    def fault_body(self, status: int) -> Response:
        """Injected failures look like IIS/ASP.NET answers: a SOAP fault with the status text."""
        text = {429: "Too Many Requests", 503: "Service Unavailable", 504: "Gateway Timeout"}.get(
            status, "Server was unable to process request."
        )
        return soap_fault_response(text, "soap:Server", status)

    def not_found(self, request: Request) -> Response:
        """IIS answers unknown paths with a plain 404."""
        return Response("The resource cannot be found.", status=404, content_type="text/plain")

    # --- SOAP plumbing ---------------------------------------------------------------------------------

    def _parse_call(self, request: Request) -> tuple[str, ET.Element, dict[str, str]]:
        try:
            envelope = parse_xml(request.get_data())
        except (ET.ParseError, DefusedXmlException, ValueError) as exc:
            raise SoapFault(f"Server was unable to read request. {exc}") from exc
        if envelope.tag != f"{{{SOAP_NS}}}Envelope":
            raise SoapFault(
                "Possible SOAP version mismatch: Envelope namespace was unexpected.", "soap:VersionMismatch"
            )
        header: dict[str, str] = {}
        soap_header = envelope.find(f"{{{SOAP_NS}}}Header")
        if soap_header is not None:
            for element in soap_header.iter():
                if element is not soap_header and len(element) == 0:
                    header[_local(element.tag)] = (element.text or "").strip()
        body = envelope.find(f"{{{SOAP_NS}}}Body")
        if body is None or len(body) == 0:
            raise SoapFault("Server did not recognize the value of HTTP Header SOAPAction: .")
        operation = body[0]
        return _local(operation.tag), operation, header

    def _session(self, header: dict[str, str]) -> JsonDict:
        session_id = header.get("SessionID") or header.get("SessionId") or ""
        session = self.state.data["sessions"].get(session_id)
        now = self.clock.now()
        if session is None or session["last_used"] + self.session_ttl <= now:
            self.state.data["sessions"].pop(session_id, None)
            raise SoapFault(EXPIRED_SESSION)
        session["last_used"] = now
        result: JsonDict = session
        return result

    def _call(self, request: Request, *operations: str, unknown: str = ASMX_UNKNOWN
              ) -> tuple[str, ET.Element, dict[str, str], JsonDict]:
        """A call on a service that needs a session: its operation (one of ``operations``), body, header, session."""
        operation, element, header = self._parse_call(request)
        session = self._session(header)
        if operation not in operations:
            raise SoapFault(unknown.format(ns=TW_NS, operation=operation))
        return operation, element, header, session

    def _charge(self, request: Request, credits: int) -> None:
        """Spend fair-use credits; a 429 fault when the window's budget is gone."""
        key = request.remote_addr or "local"
        for _ in range(credits):
            status = self.limiter.hit(key)
            if not status.allowed:
                raise SoapFault("Too Many Requests", "soap:Client", 429, self.limiter.retry_after(status))

    @staticmethod
    def _ok(operation: str, children: dict[str, str], header: ET.Element | None = None) -> Response:
        body = ET.Element(f"{{{TW_NS}}}{operation}Response")
        for name, value in children.items():
            _sub(body, f"{{{TW_NS}}}{name}", value)
        return Response(soap_envelope(body, header), status=200, content_type="text/xml; charset=utf-8")

    def _office(self, explicit: str, header: dict[str, str], session: JsonDict) -> str | None:
        return explicit or header.get("CompanyCode") or session.get("company")

    def _office_in(self, explicit: str, header: dict[str, str], session: JsonDict, answer: ET.Element) -> str | None:
        """The office of a ProcessXml request, or ``None`` after marking ``answer`` with why it is refused."""
        office = self._office(explicit, header, session)
        problem = self._office_error(office)
        if problem:
            _fail(answer, problem)
            return None
        return office

    def _office_error(self, office: str | None) -> str | None:
        """Why a call in ``office`` is refused, or ``None`` when it is allowed."""
        if not office:
            return COMPANY_MISSING
        adm = self.administrations.get(office)
        if adm is None:
            return f"Toegang geweigerd. Administratie {office} bestaat niet."
        if not adm["accessible"]:
            return f"Toegang geweigerd. Geen rechten voor administratie {office}."
        return None

    # --- session.asmx ----------------------------------------------------------------------------------

    def session_service(self, request: Request) -> Response:
        """Logon / SelectCompany / KeepAlive / Abandon."""
        operation, element, header = self._parse_call(request)
        if operation == "Logon":
            return self._logon(request, element)
        operation, element, header, session = self._call(request, "SelectCompany", "KeepAlive", "Abandon")
        if operation == "SelectCompany":
            company = _text(element, "company")
            allowed = self._office_error(company) is None
            if allowed:
                session["company"] = company
            return self._ok("SelectCompany", {"SelectCompanyResult": "Ok" if allowed else "Invalid"})
        if operation == "KeepAlive":
            return self._ok("KeepAlive", {})
        self.state.data["sessions"] = {k: v for k, v in self.state.data["sessions"].items() if v is not session}
        return self._ok("Abandon", {})

    def _logon(self, request: Request, element: ET.Element) -> Response:
        user, password, organisation = (
            _text(element, "user"),
            _text(element, "password"),
            _text(element, "organisation"),
        )
        if (user, password, organisation.upper()) != (DEMO_USER, DEMO_PASSWORD, DEMO_ORGANISATION):
            return self._ok("Logon", {"LogonResult": "Invalid", "nextAction": "None"})
        session_id = str(uuid.uuid4())
        self.state.data["sessions"][session_id] = {"user": user, "company": None, "last_used": self.clock.now()}
        header = ET.Element(f"{{{TW_NS}}}Header")
        _sub(header, f"{{{TW_NS}}}SessionID", session_id)
        cluster = request.host_url.rstrip("/")
        return self._ok("Logon", {"LogonResult": "Ok", "nextAction": "None", "cluster": cluster}, header)

    # --- processxml.asmx -------------------------------------------------------------------------------

    def processxml_service(self, request: Request) -> Response:
        """ProcessXmlString: one XML request in, one XML answer out (always HTTP 200)."""
        _, element, header, session = self._call(request, "ProcessXmlString")
        try:
            document = parse_xml(_text(element, "xmlRequest"))
        except (ET.ParseError, DefusedXmlException, ValueError) as exc:
            raise SoapFault(f"Server was unable to process request. ---> {exc}") from exc
        self._charge(request, 1 if _local(document.tag) in {"list", "read", "columns"} else 3)
        answer = self._process(document, header, session)
        return self._ok("ProcessXmlString", {"ProcessXmlStringResult": ET.tostring(answer, encoding="unicode")})

    def _process(self, document: ET.Element, header: dict[str, str], session: JsonDict) -> ET.Element:
        kind = _local(document.tag)
        if kind == "list":
            return self._list(document, header, session)
        if kind == "read":
            return self._read(document, header, session)
        if kind == "dimension":
            return self._save_dimension(document, header, session)
        if kind == "transaction":
            return self._post_transaction(document, header, session)
        if kind in {"dimensions", "transactions"}:
            answer = ET.Element(kind)
            results = [self._process(child, header, session) for child in document]
            for result in results:
                answer.append(result)
            answer.set("result", "1" if all(r.get("result") == "1" for r in results) else "0")
            return answer
        if kind == "columns":
            return self._browse(document, header, session)
        answer = ET.Element(kind)
        _fail(answer, f"Het XML-element '{kind}' wordt niet ondersteund.")
        return answer

    def _list(self, document: ET.Element, header: dict[str, str], session: JsonDict) -> ET.Element:
        list_type = _text(document, "type")
        if list_type == "offices":
            answer = ET.Element("offices", {"result": "1"})
            for code, adm in self.administrations.items():
                _sub(answer, "office", code, name=adm["name"], shortname=adm["shortname"])
            return answer
        if list_type == "dimensions":
            dimtype = _text(document, "dimtype")
            named = self._office(_text(document, "office"), header, session)
            answer = ET.Element("dimensions", {"office": named or "", "type": dimtype})
            office = self._office_in(_text(document, "office"), header, session, answer)
            if office is None:
                return answer
            for code, name in self._dimension_rows(office, dimtype):
                _sub(answer, "dimension", code, name=name, shortname="")
            answer.set("result", "1")
            return answer
        answer = ET.Element(list_type or "list")
        _fail(answer, f"Onbekend lijsttype '{list_type}'.")
        return answer

    def _dimension_rows(self, office: str, dimtype: str) -> list[tuple[str, str]]:
        adm = self.administrations[office]
        if dimtype == "CRD":
            return [(c, s["name"]) for c, s in sorted(adm["suppliers"].items()) if s["status"] != "deleted"]
        if dimtype in {"PNL", "BAS"}:
            return [(c, g["name"]) for c, g in sorted(adm["gl"].items()) if g["type"] == dimtype]
        return []

    def _read(self, document: ET.Element, header: dict[str, str], session: JsonDict) -> ET.Element:
        read_type = _text(document, "type")
        tag = {"dimensions": "dimension", "vat": "vat", "transaction": "transaction"}.get(
            read_type, read_type or "read"
        )
        refused = ET.Element(tag)
        office = self._office_in(_text(document, "office"), header, session, refused)
        if office is None:
            return refused
        adm = self.administrations[office]
        code = _text(document, "code")
        if read_type == "dimensions":
            dimtype = _text(document, "dimtype")
            if dimtype == "CRD" and code in adm["suppliers"]:
                return self._render_supplier(office, adm["suppliers"][code])
            if dimtype in {"PNL", "BAS"} and adm["gl"].get(code, {}).get("type") == dimtype:
                return self._render_gl(office, code, adm["gl"][code])
        elif read_type == "vat" and code in adm["vat"]:
            return self._render_vat(office, code, adm["vat"][code])
        elif read_type == "transaction":
            stored = adm["transactions"].get(code, {}).get(_text(document, "number"))
            if stored is not None:
                return self._render_transaction(office, stored)
        answer = ET.Element(tag)
        _fail(answer, "Het object bestaat niet.")
        return answer

    # --- rendering -------------------------------------------------------------------------------------

    def _office_element(self, parent: ET.Element, office: str) -> None:
        adm = self.administrations[office]
        _sub(parent, "office", office, name=adm["name"], shortname=adm["shortname"])

    def _render_supplier(self, office: str, s: JsonDict) -> ET.Element:
        adm = self.administrations[office]
        dim = ET.Element("dimension", {"status": s["status"], "result": "1"})
        self._office_element(dim, office)
        _sub(dim, "type", "CRD", name="Crediteuren", shortname="Crediteuren")
        for name in ("code", "uid", "name"):
            _sub(dim, name, s[name])
        _sub(dim, "shortname", "")
        _sub(dim, "inuse", "true" if self._supplier_in_use(office, s["code"]) else "false")
        _sub(dim, "behaviour", "normal")
        _sub(dim, "touched", str(s["touched"]))
        _sub(dim, "website", "")
        _sub(dim, "cocnumber", s["cocnumber"])
        _sub(dim, "vatnumber", s["vatnumber"])
        fin = _sub(dim, "financials")
        for name, value in (
            ("matchtype", "customersupplier"),
            ("accounttype", "inherit"),
            ("subanalyse", "false"),
            ("duedays", s["duedays"]),
            ("level", "2"),
            ("payavailable", "false"),
            ("meansofpayment", "none"),
        ):
            _sub(fin, name, value)
        _sub(fin, "paycode", "", name="", shortname="")
        _sub(fin, "substitutionlevel", "1")
        gl = adm["gl"][PAYABLES_ACCOUNT]
        _sub(fin, "substitutewith", PAYABLES_ACCOUNT, name=gl["name"], shortname=gl["name"], dimensiontype="BAS")
        vat = adm["vat"].get(s["vatcode"])
        if vat:
            _sub(fin, "vatcode", s["vatcode"], name=vat["name"], shortname=vat["shortname"])
        else:
            _sub(fin, "vatcode")
        _sub(fin, "vatobligatory", "false")
        addresses = _sub(dim, "addresses")
        address = _sub(addresses, "address", id="1", type="invoice", default="true")
        _sub(address, "name", s["name"])
        _sub(address, "country", s["country"], name="Nederland" if s["country"] == "NL" else "", shortname="")
        for name, value in (
            ("city", s["city"]),
            ("postcode", s["postcode"]),
            ("telephone", s["telephone"]),
            ("telefax", ""),
            ("email", s["email"]),
            ("contact", ""),
            ("field1", ""),
            ("field2", s["street"]),
            ("field3", ""),
            ("field4", ""),
            ("field5", ""),
            ("field6", s["default_gl"]),
        ):
            _sub(address, name, value)
        banks = _sub(dim, "banks")
        if s["iban"]:
            bank = _sub(banks, "bank", default="true", id="1")
            for name, value in (
                ("ascription", s["name"]),
                ("accountnumber", ""),
                ("bankname", ""),
                ("biccode", s["biccode"]),
                ("city", ""),
                ("country", s["iban"][:2]),
                ("iban", s["iban"]),
                ("natbiccode", ""),
                ("postcode", ""),
                ("state", ""),
            ):
                _sub(bank, name, value)
        return dim

    def _render_gl(self, office: str, code: str, gl: JsonDict) -> ET.Element:
        dim = ET.Element("dimension", {"status": "active", "result": "1"})
        self._office_element(dim, office)
        label = "Balans" if gl["type"] == "BAS" else "Winst & verlies"
        _sub(dim, "type", gl["type"], name=label, shortname=label)
        _sub(dim, "code", code)
        _sub(dim, "name", gl["name"])
        fin = _sub(dim, "financials")
        _sub(fin, "matchtype", "notmatchable")
        _sub(fin, "accounttype", "balance" if gl["type"] == "BAS" else "profitandloss")
        _sub(fin, "vatcode")
        return dim

    def _render_vat(self, office: str, code: str, vat: JsonDict) -> ET.Element:
        answer = ET.Element("vat", {"result": "1"})
        _sub(answer, "code", code)
        _sub(answer, "name", vat["name"])
        _sub(answer, "shortname", vat["shortname"])
        _sub(answer, "type", vat["type"])
        percentages = _sub(answer, "percentages")
        percentage = _sub(percentages, "percentage")
        _sub(percentage, "date", "20190101")
        _sub(percentage, "percentage", f"{Decimal(vat['percentage']):.9f}")
        _sub(percentage, "name", vat["name"])
        _sub(percentage, "shortname", vat["shortname"])
        accounts = _sub(percentage, "accounts")
        account = _sub(accounts, "account", id="1")
        _sub(account, "dim1", VAT_ACCOUNT)
        _sub(account, "group", vat["group"])
        _sub(account, "groupcountry", "NL")
        _sub(account, "percentage", "100.000000000")
        _sub(account, "type", "total")
        return answer

    def _render_transaction(self, office: str, stored: JsonDict) -> ET.Element:
        adm = self.administrations[office]
        answer = ET.Element(
            "transaction", {"raisewarning": stored["raisewarning"], "result": "1", "location": stored["destiny"]}
        )
        header = _sub(answer, "header")
        _sub(header, "code", stored["code"], name=adm["daybooks"][stored["code"]], shortname="Inkoop")
        _sub(header, "currency", stored["currency"], name="Euro", shortname="Euro")
        _sub(header, "date", stored["date"])
        _sub(header, "period", stored["period"])
        _sub(header, "invoicenumber", stored["invoicenumber"])
        _sub(header, "paymentreference", stored["paymentreference"])
        self._office_element(header, office)
        if stored["duedate"]:
            _sub(header, "duedate", stored["duedate"])
        _sub(header, "origin", "import")
        _sub(header, "user", DEMO_USER, name="Demo gebruiker", shortname="Demo")
        _sub(header, "number", stored["number"])
        lines = _sub(answer, "lines")
        supplier = adm["suppliers"].get(stored["supplier"], {"name": ""})
        payables = adm["gl"][PAYABLES_ACCOUNT]
        total = _sub(lines, "line", type="total", id="1")
        _sub(total, "dim1", PAYABLES_ACCOUNT, name=payables["name"], shortname=payables["name"], type="BAS")
        _sub(total, "dim2", stored["supplier"], name=supplier["name"], shortname="", type="CRD")
        _sub(total, "value", stored["total"])
        _sub(total, "debitcredit", stored["total_side"])
        _sub(total, "description", stored["description"])
        _sub(total, "rate", "1")
        _sub(total, "basevalue", stored["total"])
        _sub(total, "vattotal", stored["vat_total"])
        _sub(total, "vatbasetotal", stored["vat_total"])
        _sub(total, "matchstatus", "available")
        line_id = 1
        for detail in stored["details"]:
            line_id += 1
            gl = adm["gl"][detail["dim1"]]
            line = _sub(lines, "line", type="detail", id=str(line_id))
            _sub(line, "dim1", detail["dim1"], name=gl["name"], shortname=gl["name"], type=gl["type"])
            _sub(line, "value", detail["value"])
            _sub(line, "debitcredit", detail["debitcredit"])
            _sub(line, "description", detail["description"])
            if detail["vatcode"]:
                vat = adm["vat"][detail["vatcode"]]
                _sub(line, "vatcode", detail["vatcode"], name=vat["name"], shortname=vat["shortname"])
                _sub(line, "vatvalue", detail["vatvalue"])
            _sub(line, "rate", "1")
            _sub(line, "basevalue", detail["value"])
            _sub(line, "matchstatus", "notmatchable")
        for vatcode, turnover, amount in stored["vat_lines"]:
            line_id += 1
            line = _sub(lines, "line", id=str(line_id), type="vat")
            gl = adm["gl"][VAT_ACCOUNT]
            _sub(line, "dim1", VAT_ACCOUNT, name=gl["name"], shortname=gl["name"], type="BAS")
            _sub(line, "value", amount)
            _sub(line, "vatcode", vatcode)
            _sub(line, "debitcredit", stored["detail_side"])
            _sub(line, "vatturnover", turnover)
            _sub(line, "vatbaseturnover", turnover)
            _sub(line, "baseline", "1")
            _sub(line, "rate", "1")
            _sub(line, "basevalue", amount)
        return answer

    def _supplier_in_use(self, office: str, code: str) -> bool:
        transactions = self.administrations[office]["transactions"].values()
        return any(t["supplier"] == code for daybook in transactions for t in daybook.values())

    # --- dimensions (create / update) ------------------------------------------------------------------

    def _save_dimension(self, document: ET.Element, header: dict[str, str], session: JsonDict) -> ET.Element:
        echo = ET.fromstring(ET.tostring(document))  # answer with the request, annotated
        office = self._office_in(_text(document, "office"), header, session, echo)
        if office is None:
            return echo
        adm = self.administrations[office]
        dimtype = _text(document, "type")
        if dimtype != "CRD":
            _fail(_either(_child(echo, "type"), echo), f"Dimensietype '{dimtype}' kan hier niet worden aangemaakt.")
            echo.set("result", "0")
            return echo
        code = _text(document, "code")
        existing = adm["suppliers"].get(code) if code else None
        record: JsonDict = (
            dict(existing)
            if existing
            else {
                "code": code,
                "uid": str(uuid.uuid4()),
                "name": "",
                "status": "active",
                "vatnumber": "",
                "cocnumber": "",
                "duedays": "30",
                "vatcode": "",
                "street": "",
                "postcode": "",
                "city": "",
                "country": "NL",
                "email": "",
                "telephone": "",
                "iban": "",
                "biccode": "",
                "default_gl": "",
                "touched": 0,
            }
        )
        errors = self._apply_dimension(document, echo, record, adm)
        if not record["name"]:
            errors.append((_either(_child(echo, "name"), echo), "Naam is verplicht."))
        if errors:
            for element, message in errors:
                _fail(element, message)
            echo.set("result", "0")
            return echo
        if not record["code"]:
            numbers = [int(c) for c in adm["suppliers"] if c.isdigit()]
            record["code"] = str(max([2000, *numbers]) + 1)
        if existing is not None:
            record["touched"] = int(existing["touched"]) + 1
        adm["suppliers"][record["code"]] = record
        return self._render_supplier(office, record)

    def _apply_dimension(
        self, document: ET.Element, echo: ET.Element, record: JsonDict, adm: JsonDict
    ) -> list[tuple[ET.Element, str]]:
        """Copy the fields present in ``document`` into ``record``; returns (element, message) errors."""
        errors: list[tuple[ET.Element, str]] = []
        for name in ("name", "vatnumber", "cocnumber"):
            if _child(document, name) is not None:
                record[name] = _text(document, name)
        status = document.get("status")
        if status in {"active", "hidden", "deleted"}:
            record["status"] = status
        financials = _child(document, "financials")
        if financials is not None:
            if _child(financials, "duedays") is not None:
                duedays = _text(financials, "duedays")
                if not duedays.isdigit():
                    echo_fin = _either(_child(echo, "financials"), echo)
                    errors.append((_either(_child(echo_fin, "duedays"), echo), "Ongeldig aantal dagen."))
                record["duedays"] = duedays
            if _child(financials, "vatcode") is not None:
                vatcode = _text(financials, "vatcode")
                if vatcode and vatcode not in adm["vat"]:
                    echo_fin = _either(_child(echo, "financials"), echo)
                    errors.append((_either(_child(echo_fin, "vatcode"), echo), f"Btw-code {vatcode} bestaat niet."))
                record["vatcode"] = vatcode
        addresses = _child(document, "addresses")
        address = _child(addresses, "address") if addresses is not None else None
        if address is not None:
            for field, key in (
                ("field2", "street"),
                ("postcode", "postcode"),
                ("city", "city"),
                ("country", "country"),
                ("email", "email"),
                ("telephone", "telephone"),
                ("field6", "default_gl"),
            ):
                if _child(address, field) is not None:
                    record[key] = _text(address, field)
        banks = _child(document, "banks")
        bank = _child(banks, "bank") if banks is not None else None
        if bank is not None:
            iban = _text(bank, "iban").replace(" ", "").upper()
            if iban:
                try:
                    IBAN(iban)
                except SchwiftyException:
                    echo_banks = _child(echo, "banks")
                    echo_bank = _child(echo_banks, "bank") if echo_banks is not None else None
                    target = _child(echo_bank, "iban") if echo_bank is not None else None
                    errors.append((target if target is not None else echo, f"IBAN {iban} is ongeldig."))
            record["iban"] = iban
            if _child(bank, "biccode") is not None:
                record["biccode"] = _text(bank, "biccode")
        return errors

    # --- transactions ----------------------------------------------------------------------------------

    def _post_transaction(self, document: ET.Element, header: dict[str, str], session: JsonDict) -> ET.Element:
        echo = ET.fromstring(ET.tostring(document))
        head = _child(document, "header")
        echo_head = _child(echo, "header")
        if head is None or echo_head is None:
            _fail(echo, "De transactie heeft geen header.")
            return echo
        office = self._office_in(_text(head, "office"), header, session, echo)
        if office is None:
            return echo
        adm = self.administrations[office]
        errors: list[tuple[ET.Element, str]] = []
        warnings: list[tuple[ET.Element, str]] = []

        def at(parent: ET.Element | None, name: str) -> ET.Element:
            found = _child(parent, name) if parent is not None else None
            return found if found is not None else echo

        daybook = _text(head, "code")
        if daybook not in adm["daybooks"]:
            errors.append((at(echo_head, "code"), f"Dagboek {daybook} bestaat niet."))
        currency = _text(head, "currency") or "EUR"
        if currency != "EUR":
            errors.append((at(echo_head, "currency"), f"Valuta {currency} is niet toegestaan."))
        date = _text(head, "date")
        if not re.fullmatch(r"\d{8}", date):
            errors.append((at(echo_head, "date"), "Ongeldige datum; gebruik JJJJMMDD."))
        period = _text(head, "period") or (f"{date[:4]}/{date[4:6]}" if len(date) == 8 else "")
        if not re.fullmatch(r"\d{4}/\d{2}", period):
            errors.append((at(echo_head, "period"), "Ongeldige periode; gebruik JJJJ/PP."))
        duedate = _text(head, "duedate")
        if duedate and not re.fullmatch(r"\d{8}", duedate):
            errors.append((at(echo_head, "duedate"), "Ongeldige vervaldatum; gebruik JJJJMMDD."))
        invoicenumber = _text(head, "invoicenumber")
        if not invoicenumber:
            errors.append((at(echo_head, "invoicenumber"), "Factuurnummer is verplicht."))

        lines = _child(document, "lines")
        echo_lines_element = _child(echo, "lines")
        echo_lines = list(echo_lines_element) if echo_lines_element is not None else []
        line_elements = list(lines) if lines is not None else []
        totals = [(i, e) for i, e in enumerate(line_elements) if e.get("type") == "total"]
        details = [(i, e) for i, e in enumerate(line_elements) if e.get("type") == "detail"]
        if len(line_elements) < 2 or len(totals) != 1 or not details:
            _fail(echo, "Een transactie heeft één totaalregel en ten minste één detailregel nodig.")
            return echo

        def amount(element: ET.Element, echo_element: ET.Element, name: str) -> Decimal | None:
            raw = _text(element, name)
            try:
                value = Decimal(raw)
            except InvalidOperation:
                errors.append((at(echo_element, name), f"Ongeldig bedrag '{raw}'."))
                return None
            if not value.is_finite() or value < 0 or value != value.quantize(CENT):
                errors.append((at(echo_element, name), f"Ongeldig bedrag '{raw}'."))
                return None
            return value

        total_index, total_element = totals[0]
        echo_total = echo_lines[total_index]
        supplier_code = _text(total_element, "dim2")
        if _text(total_element, "dim1") != PAYABLES_ACCOUNT:
            errors.append(
                (
                    at(echo_total, "dim1"),
                    f"Configuratiefout in rekening-courant: grootboekrekening {_text(total_element, 'dim1')} "
                    f"is geen crediteurenrekening.",
                )
            )
        supplier = adm["suppliers"].get(supplier_code)
        if supplier is None or supplier["status"] != "active":
            errors.append((at(echo_total, "dim2"), f"Crediteur {supplier_code} bestaat niet of is geblokkeerd."))
        total_side = _text(total_element, "debitcredit")
        if total_side not in {"debit", "credit"}:
            errors.append((at(echo_total, "debitcredit"), "Debet/credit ontbreekt."))
        total_value = amount(total_element, echo_total, "value")

        autobalance = document.get("autobalancevat", "false") == "true"
        tolerance = Decimal("0.02") if autobalance else Decimal("0")
        detail_records: list[JsonDict] = []
        vat_by_code: dict[str, list[Decimal]] = {}
        signed_sum = Decimal("0")
        detail_side = ""
        for index, element in details:
            echo_line = echo_lines[index]
            dim1 = _text(element, "dim1")
            if dim1 not in adm["gl"] or dim1 == PAYABLES_ACCOUNT:
                errors.append((at(echo_line, "dim1"), f"Grootboekrekening {dim1} bestaat niet of is niet toegestaan."))
            side = _text(element, "debitcredit")
            if side not in {"debit", "credit"}:
                errors.append((at(echo_line, "debitcredit"), "Debet/credit ontbreekt."))
            detail_side = detail_side or side
            value = amount(element, echo_line, "value")
            vatcode = _text(element, "vatcode")
            vat_value = Decimal("0")
            if vatcode:
                vat = adm["vat"].get(vatcode)
                if vat is None:
                    errors.append((at(echo_line, "vatcode"), f"Btw-code {vatcode} bestaat niet."))
                elif value is not None:
                    computed = Decimal("0")
                    if vat["group"] not in NO_PAYABLE_VAT_GROUPS:
                        computed = cents(value * Decimal(vat["percentage"]) / 100)
                    vat_value = computed
                    if _child(element, "vatvalue") is not None:
                        given = amount(element, echo_line, "vatvalue")
                        if given is not None and abs(given - computed) > tolerance:
                            errors.append(
                                (
                                    at(echo_line, "vatvalue"),
                                    f"Het btw-bedrag {given} wijkt af van het berekende {computed}.",
                                )
                            )
                        vat_value = given if given is not None else computed
                    vat_by_code.setdefault(vatcode, [Decimal("0"), Decimal("0")])
                    vat_by_code[vatcode][0] += value
                    vat_by_code[vatcode][1] += vat_value
            if value is not None:
                sign = 1 if side == "debit" else -1
                signed_sum += sign * (value + vat_value)
                detail_records.append(
                    {
                        "dim1": dim1,
                        "value": _money(value),
                        "debitcredit": side,
                        "description": _text(element, "description"),
                        "vatcode": vatcode,
                        "vatvalue": _money(vat_value),
                    }
                )
        if total_value is not None and total_side in {"debit", "credit"} and not errors:
            signed_total = total_value if total_side == "debit" else -total_value
            if signed_total + signed_sum != 0:
                _fail(echo, f"De transactie is niet in balans. Verschil: {_money(abs(signed_total + signed_sum))}.")

        if invoicenumber and supplier is not None and self.duplicate_mode != "allow":
            for stored in adm["transactions"].get(daybook, {}).values():
                if stored["supplier"] == supplier_code and stored["invoicenumber"] == invoicenumber:
                    message = f"Factuurnummer {invoicenumber} is al gebruikt voor crediteur {supplier_code}."
                    if self.duplicate_mode == "error":
                        errors.append((at(echo_head, "invoicenumber"), message))
                    else:
                        warnings.append((at(echo_head, "invoicenumber"), message))
                    break

        raise_warning = document.get("raisewarning", "true") != "false"
        for element, message in errors:
            _fail(element, message)
        for element, message in warnings:
            _fail(element, message, "warning")
            if raise_warning:
                element.set("result", "0")
        if errors or echo.get("result") == "0" or (warnings and raise_warning):
            echo.set("result", "0")
            return echo
        assert total_value is not None
        year = date[:4]
        number = f"{year}{self.state.next_number(f'{office}:{daybook}:{year}'):05d}"
        vat_total = sum((v[1] for v in vat_by_code.values()), Decimal("0"))
        stored = {
            "code": daybook,
            "number": number,
            "destiny": document.get("destiny", "temporary"),
            "raisewarning": "true" if raise_warning else "false",
            "currency": currency,
            "date": date,
            "period": period,
            "duedate": duedate,
            "invoicenumber": invoicenumber,
            "paymentreference": _text(head, "paymentreference"),
            "supplier": supplier_code,
            "total": _money(total_value),
            "total_side": total_side,
            "description": _text(total_element, "description"),
            "vat_total": _money(vat_total),
            "details": detail_records,
            "detail_side": detail_side,
            "vat_lines": [(code, _money(v[0]), _money(v[1])) for code, v in vat_by_code.items()],
        }
        adm["transactions"].setdefault(daybook, {})[number] = stored
        sign = Decimal("1") if total_side == "credit" else Decimal("-1")
        self.state.add_entry(
            office,
            entry_id=f"{daybook}-{number}",
            supplier_code=supplier_code,
            invoice_number=invoicenumber,
            invoice_date=f"{date[:4]}-{date[4:6]}-{date[6:8]}",
            total_incl_vat=_money(sign * total_value),
            lines=[
                {
                    "gl_account": d["dim1"],
                    "description": d["description"],
                    "amount_excl_vat": _money(Decimal(d["value"]) * (1 if d["debitcredit"] == "debit" else -1)),
                    "vat_code": d["vatcode"],
                    "vat_amount": _money(Decimal(d["vatvalue"]) * (1 if d["debitcredit"] == "debit" else -1)),
                }
                for d in detail_records
            ],
        )
        answer = self._render_transaction(office, stored)
        for _element, message in warnings:  # accepted with raisewarning="false": the warning stays visible
            target = _child(_either(_child(answer, "header"), answer), "invoicenumber")
            _fail(target if target is not None else answer, message, "warning")
        return answer

    # --- browse (columns code 100: transactions) -------------------------------------------------------

    def _browse(self, document: ET.Element, header: dict[str, str], session: JsonDict) -> ET.Element:
        answer = ET.Element("browse")
        if document.get("code") != "100":
            _fail(answer, f"Browse-code {document.get('code')} wordt niet ondersteund.")
            return answer
        columns: list[tuple[str, bool, str, str, str]] = []
        for column in document:
            if _local(column.tag) != "column":
                continue
            columns.append(
                (
                    _text(column, "field"),
                    _text(column, "visible") == "true",
                    _text(column, "operator") or "none",
                    _text(column, "from"),
                    _text(column, "to"),
                )
            )
        office_filter = next((c[3] for c in columns if c[0] == "fin.trs.head.office" and c[2] == "equal"), "")
        office = self._office_in(office_filter, header, session, answer)
        if office is None:
            return answer
        rows: list[tuple[JsonDict, dict[str, str]]] = []
        for daybook, transactions in self.administrations[office]["transactions"].items():
            for stored in transactions.values():
                sign = "-" if stored["total_side"] == "credit" else ""
                values = {
                    "fin.trs.head.office": office,
                    "fin.trs.head.code": daybook,
                    "fin.trs.head.number": stored["number"],
                    "fin.trs.head.yearperiod": stored["period"],
                    "fin.trs.head.date": stored["date"],
                    "fin.trs.head.curcode": stored["currency"],
                    "fin.trs.line.dim1": PAYABLES_ACCOUNT,
                    "fin.trs.line.dim2": stored["supplier"],
                    "fin.trs.line.invnumber": stored["invoicenumber"],
                    "fin.trs.line.valuesigned": f"{sign}{stored['total']}",
                    "fin.trs.line.description": stored["description"],
                }
                if all(self._browse_match(values.get(field, ""), op, low, high) for field, _, op, low, high in columns):
                    rows.append((stored, values))
        visible = [c[0] for c in columns if c[1]]
        th = _sub(answer, "th")
        for field in visible:
            _sub(th, "td", field, label=field.rsplit(".", 1)[-1], hideforuser="false", type="String")
        for stored, values in rows:
            tr = _sub(answer, "tr")
            for field in visible:
                _sub(tr, "td", values.get(field, ""), field=field, hideforuser="false", type="String")
            key = _sub(tr, "key")
            _sub(key, "office", office)
            _sub(key, "code", stored["code"])
            _sub(key, "number", stored["number"])
            _sub(key, "line", "1")
        answer.set("result", "1")
        answer.set("first", "1" if rows else "0")
        answer.set("last", str(len(rows)))
        answer.set("total", str(len(rows)))
        return answer

    @staticmethod
    def _browse_match(value: str, operator: str, low: str, high: str) -> bool:
        if operator == "equal":
            return value == low
        if operator == "between":
            return (not low or value >= low) and (not high or value <= high)
        if operator == "like":
            return re.fullmatch(re.escape(low).replace(r"\*", ".*").replace(r"\?", "."), value, re.I) is not None
        return True

    # --- finder.asmx -----------------------------------------------------------------------------------

    def finder_service(self, request: Request) -> Response:
        """Finder ``Search``: code/name rows for DIM, VAT and OFF, paged by firstRow/maxRows."""
        _, element, header, session = self._call(request, "Search")
        self._charge(request, 1)
        return self._search(element, header, session)

    def _search(self, element: ET.Element, header: dict[str, str], session: JsonDict) -> Response:
        finder_type = _text(element, "type")
        pattern = _text(element, "pattern") or "*"
        try:
            field = int(_text(element, "field") or "0")
            first_row = int(_text(element, "firstRow") or "1")
            max_rows = int(_text(element, "maxRows") or "100")
        except ValueError:
            return self._search_answer(messages=[("Error", "ParameterOutOfRange", "Ongeldige parameter.")])
        options: dict[str, str] = {}
        options_element = _child(element, "options")
        for pair in options_element if options_element is not None else []:
            strings = [(s.text or "").strip() for s in pair]
            if len(strings) == 2:
                options[strings[0]] = strings[1]
        if first_row < 1 or max_rows < 1:
            return self._search_answer(
                messages=[("Error", "ParameterTooSmall", "firstRow en maxRows moeten >= 1 zijn.")]
            )
        columns: list[str]
        rows: list[list[str]]
        if finder_type == "OFF":
            columns = ["Code", "Naam"]
            rows = [[code, adm["name"]] for code, adm in self.administrations.items()]
        elif finder_type in {"DIM", "VAT"}:
            office = self._office(options.get("office", ""), header, session)
            problem = self._office_error(office)
            if problem:
                code = "OptionMandatory" if problem == COMPANY_MISSING else "NoAccessToOffice"
                return self._search_answer(messages=[("Error", code, problem)])
            assert office is not None
            adm = self.administrations[office]
            columns = ["Code", "Naam"]
            if finder_type == "VAT":
                vat_type = options.get("vattype", "")
                rows = [[c, v["name"]] for c, v in sorted(adm["vat"].items()) if vat_type in {"", v["type"]}]
            else:
                dimtype = options.get("dimtype", "")
                if dimtype not in {"CRD", "PNL", "BAS"}:
                    return self._search_answer(
                        messages=[("Error", "InvalidEnumerationOptionValue", f"Ongeldige dimtype '{dimtype}'.")]
                    )
                rows = [[c, n] for c, n in self._dimension_rows(office, dimtype)]
                if dimtype == "CRD" and field == 3:
                    ibans = {c: s["iban"] for c, s in adm["suppliers"].items()}
                    rows = [r for r in rows if self._wildcard(pattern, ibans.get(r[0], ""))]
                    pattern = "*"
        else:
            return self._search_answer(
                messages=[("Error", "InvalidFinderType", f"Onbekend finder-type '{finder_type}'.")]
            )
        if field in (0, 1, 2):
            rows = [
                r
                for r in rows
                if (field in (0, 1) and self._wildcard(pattern, r[0]))
                or (field in (0, 2) and self._wildcard(pattern, r[1]))
            ]
        page = rows[first_row - 1 : first_row - 1 + max_rows]
        return self._search_answer(total=len(rows), columns=columns, items=page)

    @staticmethod
    def _wildcard(pattern: str, value: str) -> bool:
        regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
        return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL) is not None

    @staticmethod
    def _search_answer(
        *,
        messages: list[tuple[str, str, str]] | None = None,
        total: int = 0,
        columns: list[str] | None = None,
        items: list[list[str]] | None = None,
    ) -> Response:
        body = ET.Element(f"{{{TW_NS}}}SearchResponse")
        result = _sub(body, f"{{{TW_NS}}}SearchResult")
        for msg_type, code, text in messages or []:
            message = _sub(result, f"{{{TW_NS}}}MessageOfErrorCodes")
            _sub(message, f"{{{TW_NS}}}Type", msg_type)
            _sub(message, f"{{{TW_NS}}}Text", text)
            _sub(message, f"{{{TW_NS}}}Code", code)
            _sub(message, f"{{{TW_NS}}}Parameters")
        if not messages:
            data = _sub(body, f"{{{TW_NS}}}data")
            _sub(data, f"{{{TW_NS}}}TotalRows", str(total))
            columns_element = _sub(data, f"{{{TW_NS}}}Columns")
            for column in columns or []:
                _sub(columns_element, f"{{{TW_NS}}}string", column)
            items_element = _sub(data, f"{{{TW_NS}}}Items")
            for item in items or []:
                row = _sub(items_element, f"{{{TW_NS}}}ArrayOfString")
                for value in item:
                    _sub(row, f"{{{TW_NS}}}string", value)
        return Response(soap_envelope(body), status=200, content_type="text/xml; charset=utf-8")

    # --- documentservice.svc ---------------------------------------------------------------------------

    def document_service(self, request: Request) -> Response:
        """DocumentService ``Process`` (a ``Command``: store an attachment for a transaction, accept-and-store)
        and ``Query`` (the documents of a transaction, in a ``Result``); the payloads are [I]."""
        operation, element, header, session = self._call(request, "Command", "Query", unknown=WCF_UNKNOWN)
        self._charge(request, 3 if operation == "Command" else 1)
        office = self._office(_text(element, "Office"), header, session)
        problem = self._office_error(office)
        if problem:
            raise SoapFault(problem)
        assert office is not None
        code, number = _text(element, "Code"), _text(element, "Number")
        if number not in self.administrations[office]["transactions"].get(code, {}):
            raise SoapFault(f"Transactie {code} {number} bestaat niet.")
        if operation == "Query":
            return self._document_query(office, code, number)
        filename = _text(element, "FileName") or "document.pdf"
        content = decode_base64(_text(element, "Content"))
        if content is None:
            raise SoapFault("Content is geen geldige base64.")
        if not content:
            raise SoapFault("Content ontbreekt.")
        self.state.data["documents"].append(
            {"office": office, "code": code, "number": number, "filename": filename, "size": len(content)}
        )
        self.state.set_entry_attachment(office, f"{code}-{number}", filename, len(content))
        body = ET.Element(f"{{{TW_NS}}}ProcessResponse")
        return Response(soap_envelope(body), status=200, content_type="text/xml; charset=utf-8")

    def _document_query(self, office: str, code: str, number: str) -> Response:
        result = ET.Element(f"{{{TW_NS}}}Result")
        documents = _sub(result, f"{{{TW_NS}}}Documents")
        for stored in self.state.data["documents"]:
            if (stored["office"], stored["code"], stored["number"]) == (office, code, number):
                document = _sub(documents, f"{{{TW_NS}}}Document")
                _sub(document, f"{{{TW_NS}}}FileName", stored["filename"])
                _sub(document, f"{{{TW_NS}}}Size", str(stored["size"]))
        return Response(soap_envelope(result), status=200, content_type="text/xml; charset=utf-8")

