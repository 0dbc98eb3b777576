"""Twinfield: XML mapping (golden payloads), error parsing, and the connector against its simulator on loopback."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from decimal import Decimal

import pytest
import requests

from boekstuk.adapters.packages.base import RetryPolicy
from boekstuk.adapters.packages.twinfield import (
    TwinfieldConnector,
    classify_vat,
    dimension_request,
    parse_xml,
    raise_for_result,
    soap_fault,
    supplier_from_dimension,
    to_xml_string,
    transaction_request,
)
from boekstuk.domain.errors import (
    InvalidPackageCredentials,
    PackageAccessDenied,
    PackageRateLimited,
    PackageRejected,
    PackageUnavailable,
)
from boekstuk.domain.packages import (
    Address,
    Attachment,
    BookingLine,
    PackageApp,
    PurchaseBooking,
    SupplierDraft,
)
from boekstuk_local.simulators.base import SimulatorServer
from boekstuk_local.simulators.twinfield import DEMO_ORGANISATION, DEMO_PASSWORD, DEMO_USER, TwinfieldSimulator

CREDENTIALS = {"username": DEMO_USER, "password": DEMO_PASSWORD, "organisation": DEMO_ORGANISATION}
OFFICE = "NLA002001"
HOLDING = "NLA002007"


def canonical(xml: str) -> str:
    return ET.canonicalize(xml, strip_text=True)


def booking(number: str = "F2024-0815", **changes: object) -> PurchaseBooking:
    data: dict[str, object] = {
        "supplier_code": "2001",
        "invoice_number": number,
        "invoice_date": dt.date(2024, 3, 1),
        "due_date": dt.date(2024, 3, 31),
        "description": "Kantoorartikelen",
        "lines": [
            BookingLine(
                gl_account="4300", description="Papier", amount_excl_vat="100.00", vat_code="IH", vat_amount="21.00"
            )
        ],
        "total_incl_vat": "121.00",
    }
    data.update(changes)
    return PurchaseBooking.model_validate(data)


# --- pure mapping ------------------------------------------------------------------------------------


def test_transaction_request_matches_the_golden_payload() -> None:
    xml = to_xml_string(transaction_request("NLA002001", booking(), payables_account="1600"))
    expected = """
    <transaction destiny="temporary" raisewarning="true" autobalancevat="true">
      <header><office>NLA002001</office><code>INK</code><currency>EUR</currency><date>20240301</date>
        <period>2024/03</period><invoicenumber>F2024-0815</invoicenumber><duedate>20240331</duedate></header>
      <lines>
        <line type="total" id="1"><dim1>1600</dim1><dim2>2001</dim2><debitcredit>credit</debitcredit>
          <value>121.00</value><description>Kantoorartikelen</description></line>
        <line type="detail" id="2"><dim1>4300</dim1><debitcredit>debit</debitcredit><value>100.00</value>
          <description>Papier</description><vatcode>IH</vatcode><vatvalue>21.00</vatvalue></line>
      </lines>
    </transaction>"""
    assert canonical(xml) == canonical(expected)


def test_a_credit_note_swaps_the_sides_line_by_line() -> None:
    credit = booking(
        kind="credit_note",
        lines=[
            BookingLine(
                gl_account="4300", description="Retour", amount_excl_vat="-50.00", vat_code="IH", vat_amount="-10.50"
            ),
            BookingLine(
                gl_account="4310", description="Correctie", amount_excl_vat="10.00", vat_code="IH", vat_amount="2.10"
            ),
        ],
        total_incl_vat="-48.40",
    )
    root = transaction_request("NLA002001", credit)
    sides = [(line.get("type"), line.findtext("debitcredit"), line.findtext("value")) for line in root.iter("line")]
    assert sides == [("total", "debit", "48.40"), ("detail", "credit", "50.00"), ("detail", "debit", "10.00")]


def test_dimension_request_for_an_update_sends_only_the_supplement() -> None:
    xml = to_xml_string(
        dimension_request("NLA002001", SupplierDraft(name="Kantoorhuis Utrecht B.V.", kvk="30276543"), "2001")
    )
    assert canonical(xml) == canonical(
        "<dimension><office>NLA002001</office><type>CRD</type><code>2001</code>"
        "<name>Kantoorhuis Utrecht B.V.</name><cocnumber>30276543</cocnumber></dimension>"
    )


def test_dimension_request_for_a_new_creditor_carries_bank_bic_and_default_account() -> None:
    draft = SupplierDraft(
        name="Nieuw B.V.",
        iban="NL91 ABNA 0417 1643 00",
        default_gl_account="4600",
        payment_term_days=21,
        address=Address(street="Dorpsstraat 1", postcode="1234 AB", city="Utrecht", country="NL"),
    )
    root = dimension_request("NLA002001", draft)
    assert root.findtext("code") == ""
    assert root.findtext("financials/duedays") == "21"
    assert root.findtext("addresses/address/field6") == "4600"
    assert root.findtext("addresses/address/field2") == "Dorpsstraat 1"
    assert root.findtext("banks/bank/iban") == "NL91ABNA0417164300"
    assert root.findtext("banks/bank/biccode") == "ABNANL2A"


def test_supplier_from_a_twinfield_dimension_read() -> None:
    dimension = parse_xml(
        """<dimension status="active" result="1"><office>001</office><type>CRD</type><code>2000</code>
        <uid>c6c05844</uid><name>Supplier 0</name><cocnumber>12345678</cocnumber><vatnumber>NL001234567B01</vatnumber>
        <financials><duedays>14</duedays><vatcode name="BTW Hoog">IH</vatcode>
          <substitutewith dimensiontype="BAS">1600</substitutewith></financials>
        <addresses><address id="1" type="invoice" default="true"><name>Supplier 0</name><country>NL</country>
          <city>Utrecht</city><postcode>1234 AB</postcode><email>a@b.test</email><field2>Straat 1</field2>
          <field6>4300</field6></address></addresses>
        <banks><bank default="true" id="1"><iban>NL13TEST0123456789</iban></bank></banks></dimension>"""
    )
    supplier = supplier_from_dimension(dimension)
    assert (supplier.code, supplier.name, supplier.kvk, supplier.vat_id) == (
        "2000",
        "Supplier 0",
        "12345678",
        "NL001234567B01",
    )
    assert (supplier.iban, supplier.default_gl_account, supplier.default_vat_code) == (
        "NL13TEST0123456789",
        "4300",
        "IH",
    )
    assert supplier.payment_term_days == 14
    assert supplier.address.street == "Straat 1" and supplier.address.city == "Utrecht"
    assert not supplier.blocked


def test_raise_for_result_maps_errors_access_and_warnings() -> None:
    raise_for_result(parse_xml('<dimension result="1"/>'), "x")
    with pytest.raises(PackageRejected, match="niet in balans"):
        raise_for_result(
            parse_xml(
                '<transaction result="0" msgtype="error" msg="De transactie is niet in balans."><header/></transaction>'
            ),
            "invoice",
        )
    with pytest.raises(PackageAccessDenied):
        raise_for_result(
            parse_xml('<dimensions result="0" msgtype="error" msg="Toegang geweigerd. Geen rechten."/>'), "x"
        )
    with pytest.raises(PackageRejected, match="al gebruikt"):
        raise_for_result(
            parse_xml(
                '<transaction result="0"><header><invoicenumber msgtype="warning" msg="F1 is al gebruikt." result="0">'
                "F1</invoicenumber></header></transaction>"
            ),
            "invoice",
        )


def test_parse_xml_refuses_entities_and_dtds() -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><x>&b;</x>'
    external = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    for document in (bomb, external):
        with pytest.raises(PackageUnavailable):
            parse_xml(document)


def test_soap_fault_is_read_from_the_envelope() -> None:
    envelope = parse_xml(
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>'
        "<faultcode>soap:Client</faultcode><faultstring>Too Many Requests</faultstring></s:Fault></s:Body></s:Envelope>"
    )
    assert soap_fault(envelope) == ("soap:Client", "Too Many Requests")


@pytest.mark.parametrize(
    ("group", "rate", "kind"),
    [
        ("NL5B", "21", "high"),
        ("NL5B", "9", "low"),
        ("NL5B", "0", "zero"),
        ("NL2A", "21", "reverse_charge"),
        ("NL4B", "21", "eu"),
    ],
)
def test_classify_vat(group: str, rate: str, kind: str) -> None:
    assert classify_vat("X", Decimal(rate), group) == kind


# --- the connector against the simulator ---------------------------------------------------------------


class CountingSession(requests.Session):
    """Counts SOAP actions so tests can see logons and Finder pages."""

    def __init__(self) -> None:
        super().__init__()
        self.actions: list[str] = []

    def request(self, method, url, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        self.actions.append(str((kwargs.get("headers") or {}).get("SOAPAction", "")).strip('"').rsplit("/", 1)[-1])
        return super().request(method, url, *args, **kwargs)


@pytest.fixture
def simulator() -> TwinfieldSimulator:
    return TwinfieldSimulator(hang_seconds=0.2)


@pytest.fixture
def server(simulator: TwinfieldSimulator) -> Iterator[SimulatorServer]:
    with SimulatorServer(simulator) as running:
        yield running


def connect(
    server: SimulatorServer, credentials: dict[str, str] = CREDENTIALS, **options: object
) -> TwinfieldConnector:
    app = PackageApp(package="twinfield", base_url=server.base_url, timeout_seconds=2)
    options.setdefault("sleep", server.clock.sleep)
    options.setdefault("retry", RetryPolicy(backoff_base=0.01))
    return TwinfieldConnector(app, credentials, **options)  # type: ignore[arg-type]


def test_wrong_password_is_refused_like_twinfield_does(server: SimulatorServer) -> None:
    with pytest.raises(InvalidPackageCredentials, match="Invalid"):
        connect(server, {**CREDENTIALS, "password": "wrong"}).verify()
    with pytest.raises(InvalidPackageCredentials):
        connect(server, {"username": "DEMO", "password": "x"})  # organisation missing


def test_offices_are_listed_with_the_holding_not_accessible(server: SimulatorServer) -> None:
    administrations = connect(server).list_administrations()
    assert [a.code for a in administrations] == [f"NLA00200{i}" for i in range(1, 8)]
    assert [a.accessible for a in administrations] == [True] * 6 + [False]
    assert administrations[6].name == "Holding (geen toegang)"


def test_seed_suppliers_come_back_with_the_required_values_over_several_finder_pages(server: SimulatorServer) -> None:
    session = CountingSession()
    suppliers = {s.name: s for s in connect(server, session=session, page_size=4).list_suppliers(OFFICE)}
    assert len(suppliers) == 9
    assert session.actions.count("Search") == 3  # 4 + 4 + 1 rows
    kantoorhuis = suppliers["Kantoorhuis Utrecht B.V."]
    assert (kantoorhuis.vat_id, kantoorhuis.kvk, kantoorhuis.iban) == (
        "NL853746333B01",
        "30276543",
        "NL91ABNA0417164300",
    )
    assert (kantoorhuis.default_gl_account, kantoorhuis.default_vat_code, kantoorhuis.payment_term_days) == (
        "4300",
        "IH",
        30,
    )
    graan = suppliers["Graanhandel Zuid B.V."]
    assert (graan.default_gl_account, graan.default_vat_code, graan.payment_term_days) == ("7000", "IL", 30)


def test_master_data_gl_accounts_and_classified_vat_codes(server: SimulatorServer) -> None:
    connector = connect(server)
    accounts = {a.code: a for a in connector.list_gl_accounts(OFFICE)}
    assert accounts["4300"].name == "Kantoorbenodigdheden" and not accounts["4300"].balance_sheet
    assert accounts["1600"].balance_sheet
    kinds = {v.code: (v.kind, v.rate) for v in connector.list_vat_codes(OFFICE)}
    assert kinds == {
        "IH": ("high", "21"),
        "IL": ("low", "9"),
        "IN": ("zero", "0"),
        "IV": ("reverse_charge", "21"),
        "IEU": ("eu", "21"),
    }


def test_find_suppliers_by_each_key(server: SimulatorServer) -> None:
    connector = connect(server)
    assert [s.code for s in connector.find_suppliers(OFFICE, vat_id="NL 812345678 B01")] == ["2002"]
    assert [s.code for s in connector.find_suppliers(OFFICE, kvk="17012345")] == ["2003"]
    assert [s.code for s in connector.find_suppliers(OFFICE, iban="NL93RABO0987654321")] == ["2003"]
    assert [s.code for s in connector.find_suppliers(OFFICE, name="telecom")] == ["2002"]
    assert connector.find_suppliers(OFFICE, name="bestaat niet") == []


def test_create_and_update_a_creditor(server: SimulatorServer) -> None:
    connector = connect(server)
    created = connector.create_supplier(
        OFFICE,
        SupplierDraft(
            name="Nieuw B.V.",
            iban="NL91ABNA0417164300",
            default_gl_account="4600",
            payment_term_days=21,
            vat_id="NL853746333B01",
        ),
    )
    assert created.code == "2010" and created.default_gl_account == "4600" and created.payment_term_days == 21
    updated = connector.update_supplier(OFFICE, created.code, SupplierDraft(name="Nieuw B.V.", kvk="12345678"))
    assert (updated.kvk, updated.iban, updated.vat_id) == ("12345678", "NL91ABNA0417164300", "NL853746333B01")
    with pytest.raises(PackageRejected, match="IBAN"):
        connector.create_supplier(OFFICE, SupplierDraft(name="Fout B.V.", iban="NL00ABNA0417164300"))


def test_book_purchase_posts_attaches_and_is_found_again(server: SimulatorServer) -> None:
    connector = connect(server)
    assert connector.find_booking(OFFICE, "2001", "F2024-0815") is None
    pdf = Attachment(filename="F2024-0815.pdf", content_type="application/pdf", content=b"%PDF-1.7 demo")
    result = connector.book_purchase(OFFICE, booking(attachment=pdf))
    assert result.entry_id == "INK-202400001" and result.entry_number == "202400001"
    assert connector.find_booking(OFFICE, "2001", "F2024-0815") == result
    assert connector.find_booking(OFFICE, "2002", "F2024-0815") is None
    (entry,) = server.entries(OFFICE)["entries"]
    assert entry["total_incl_vat"] == "121.00" and entry["invoice_date"] == "2024-03-01"
    assert entry["lines"] == [
        {
            "gl_account": "4300",
            "description": "Papier",
            "amount_excl_vat": "100.00",
            "vat_code": "IH",
            "vat_amount": "21.00",
        }
    ]
    assert entry["attachment"] == {"filename": "F2024-0815.pdf", "size": len(pdf.content)}


def test_a_duplicate_invoice_number_is_refused_by_the_blocking_warning(server: SimulatorServer) -> None:
    connector = connect(server)
    connector.book_purchase(OFFICE, booking())
    with pytest.raises(PackageRejected, match="al gebruikt"):
        connector.book_purchase(OFFICE, booking())
    assert len(server.entries(OFFICE)["entries"]) == 1


def test_duplicate_passes_with_raisewarning_false_and_error_mode_refuses_always() -> None:
    for mode, accepted in (("warning", True), ("error", False)):
        with SimulatorServer(TwinfieldSimulator(duplicate_mode=mode)) as server:
            connector = connect(server)
            connector.book_purchase(OFFICE, booking())
            document = transaction_request(OFFICE, booking())
            document.set("raisewarning", "false")
            answer = connector._process(document, office=OFFICE, query=False)
            assert (answer.get("result") == "1") is accepted
            assert "al gebruikt" in (answer.find(".//invoicenumber").get("msg") or "")  # type: ignore[union-attr]


def test_unbalanced_or_unknown_account_is_refused_with_twinfields_message(server: SimulatorServer) -> None:
    connector = connect(server)
    with pytest.raises(PackageRejected, match="niet in balans"):
        connector.book_purchase(OFFICE, booking(total_incl_vat="125.00"))
    with pytest.raises(PackageRejected, match="9999"):
        connector.book_purchase(
            OFFICE,
            booking(
                lines=[
                    BookingLine(
                        gl_account="9999", description="x", amount_excl_vat="100.00", vat_code="IH", vat_amount="21.00"
                    )
                ]
            ),
        )
    assert server.entries(OFFICE)["entries"] == []


def test_the_holding_office_answers_access_denied(server: SimulatorServer) -> None:
    connector = connect(server)
    assert connector.check_access(HOLDING) is False
    with pytest.raises(PackageAccessDenied):
        list(connector.list_suppliers(HOLDING))
    with pytest.raises(PackageAccessDenied):
        connector.book_purchase(HOLDING, booking())


def test_an_expired_session_is_re_established_once(server: SimulatorServer) -> None:
    session = CountingSession()
    connector = connect(server, session=session)
    connector.list_gl_accounts(OFFICE)
    server.clock.advance(1201)  # past the simulator's session lifetime
    connector.list_gl_accounts(OFFICE)
    assert session.actions.count("Logon") == 2


def test_rate_limit_429_honours_retry_after_then_gives_up() -> None:
    with SimulatorServer(TwinfieldSimulator(credits_per_minute=3)) as server:
        connector = connect(server)
        assert len(connector.list_gl_accounts(OFFICE)) >= 20  # 2 Finder calls, then waits out the window
        # A client whose sleeps do not move the simulator's clock never sees the window reset.
        exhausted = connect(server, sleep=lambda _: None, retry=RetryPolicy(max_rate_limit_waits=1))
        with pytest.raises(PackageRateLimited) as raised:
            for _ in range(3):
                exhausted.list_gl_accounts(OFFICE)
        assert raised.value.retry_after is not None and 0 < raised.value.retry_after <= 60


def test_outages_retry_queries_but_not_the_booking(server: SimulatorServer) -> None:
    connector = connect(server)
    connector.verify()
    server.faults.inject(status=503, count=2, path_contains="finder")
    assert connector.list_gl_accounts(OFFICE)
    server.faults.inject(status=500, count=1, path_contains="finder")
    assert connector.list_gl_accounts(OFFICE)
    server.faults.inject(status=500, count=1, path_contains="processxml")
    with pytest.raises(PackageUnavailable):  # a write is not repeated: it may have been half done
        connector.create_supplier(OFFICE, SupplierDraft(name="Eenmalig B.V."))
    assert server.faults.pending() == 0


def test_a_timeout_is_package_unavailable(server: SimulatorServer) -> None:
    connector = TwinfieldConnector(
        PackageApp(package="twinfield", base_url=server.base_url, timeout_seconds=0.1), CREDENTIALS
    )
    server.faults.inject(timeout=True, hang_seconds=0.3)
    with pytest.raises(PackageUnavailable, match="did not answer"):
        connector.verify()


def test_the_simulator_refuses_xml_with_entities(server: SimulatorServer) -> None:
    body = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        '<Logon xmlns="http://www.twinfield.com/"><user>&e;</user></Logon></soap:Body></soap:Envelope>'
    )
    answer = requests.post(f"{server.base_url}/webservices/session.asmx", data=body, timeout=2)
    assert answer.status_code == 500
    assert soap_fault(parse_xml(answer.content)) is not None


def test_the_office_comes_from_the_xml_or_the_company_code_header(server: SimulatorServer) -> None:
    connector = connect(server)
    listing = ET.Element("list")
    ET.SubElement(listing, "type").text = "dimensions"
    ET.SubElement(listing, "dimtype").text = "CRD"
    with pytest.raises(PackageAccessDenied, match="Company ontbreekt"):
        raise_for_result(connector._process(listing, office=None, query=True), "the list")
    by_header = connector._process(listing, office=OFFICE, query=True)  # CompanyCode header only
    assert by_header.get("office") == OFFICE and len(list(by_header)) == 9
