"""Multivers: payload mapping (golden body), error parsing, OAuth and the connector against its simulator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests

from boekstuk.adapters.packages.base import CallbackTokenStore, RetryPolicy
from boekstuk.adapters.packages.multivers import (
    MultiversConnector,
    classify_vat,
    multivers_error_message,
    mv_date,
    short_name,
    supplier_invoice_payload,
)
from boekstuk.domain.errors import (
    InvalidPackageCredentials,
    PackageAccessDenied,
    PackageRejected,
    PackageUnavailable,
)
from boekstuk.domain.packages import Attachment, BookingLine, OAuthTokens, PackageApp, PurchaseBooking, SupplierDraft
from boekstuk_local.simulators.base import SimClock, SimulatorServer, complete_oauth_login
from boekstuk_local.simulators.multivers import (
    CLIENT_ID,
    CLIENT_SECRET,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    MultiversSimulator,
)

DB = "MVL00001"
HOLDING = "MVL00007"
REDIRECT = "http://127.0.0.1:9/v1/oauth/callback"


def booking(number: str = "F2024-0815", **changes: object) -> PurchaseBooking:
    data: dict[str, object] = {
        "supplier_code": "2001",
        "invoice_number": number,
        "invoice_date": dt.date(2024, 3, 1),
        "due_date": dt.date(2024, 3, 31),
        "description": "Kantoorartikelen",
        "lines": [
            BookingLine(
                gl_account="4300", description="Papier", amount_excl_vat="100.00", vat_code="2", vat_amount="21.00"
            )
        ],
        "total_incl_vat": "121.00",
    }
    data.update(changes)
    return PurchaseBooking.model_validate(data)


# --- pure mapping ------------------------------------------------------------------------------------


def test_supplier_invoice_payload_matches_the_golden_body() -> None:
    payload = supplier_invoice_payload(
        booking(), journal_id="I", journal_transaction=17, payment_condition_id="30", due_date=dt.date(2024, 3, 31)
    )
    assert payload == {
        "fiscalYear": 2024,
        "periodNumber": 3,
        "journalId": "I",
        "journalTransaction": 17,
        "invoiceType": 1,
        "supplierId": "2001",
        "reference": "F2024-0815",
        "paymentReference": "F2024-0815",
        "invoiceDate": "1-3-2024",
        "invoiceExpirationDate": "31-3-2024",
        "rebateExpirationDate": "1-3-2024",
        "paymentConditionId": "30",
        "currencyId": "EUR",
        "vatAmount": 21.0,
        "vatAmountCur": 21.0,
        "supplierInvoiceLines": [
            {
                "accountId": "4300",
                "description": "Papier",
                "debitAmountCur": 100.0,
                "creditAmountCur": 0.0,
                "vatCodeId": 2,
                "vatType": 0,
                "transactionDate": "1-3-2024",
                "costCentreId": None,
                "projectId": None,
            }
        ],
        "vatTransactionLines": [
            {
                "vatCodeId": 2,
                "vatType": 0,
                "vatAmountCur": 21.0,
                "amountTurnoverCur": 100.0,
                "currencyId": "EUR",
                "fiscalYear": 2024,
            }
        ],
    }


def test_credit_note_and_field_limits() -> None:
    credit = booking(
        number="CREDITNOTA-2024-000123",
        kind="credit_note",
        lines=[
            BookingLine(
                gl_account="4300",
                description="Retour van een heel lange omschrijving hier",
                amount_excl_vat="-50.00",
                vat_code="2",
                vat_amount="-10.50",
            ),
        ],
        total_incl_vat="-60.50",
    )
    payload = supplier_invoice_payload(
        credit, journal_id="I", journal_transaction=1, payment_condition_id="30", due_date=dt.date(2024, 3, 31)
    )
    line = payload["supplierInvoiceLines"][0]
    assert payload["invoiceType"] == 3 and payload["vatAmount"] == -10.5
    assert (line["debitAmountCur"], line["creditAmountCur"]) == (0.0, 50.0)
    assert len(line["description"]) == 30 and len(payload["paymentReference"]) == 16
    assert payload["reference"] == "CREDITNOTA-2024-000123"


def test_small_helpers() -> None:
    assert mv_date(dt.date(2024, 3, 1)) == "1-3-2024"
    assert short_name("Café 't Hoekje B.V.") == "CAFTHOEK"
    assert classify_vat("BTW verlegd", Decimal("21")) == "reverse_charge"
    assert classify_vat("Intracommunautaire verwerving", Decimal("21")) == "eu"
    assert classify_vat("Hoog", Decimal("21")) == "high"
    assert classify_vat("Laag", Decimal("9")) == "low"
    assert classify_vat("Geen", Decimal("0")) == "zero"


def test_error_message_joins_messages_and_broken_rules() -> None:
    response = requests.Response()
    response.status_code = 400
    response._content = (
        b'{"messages":[{"message":"The invoiceDate field is required.","messageType":"Error","path":"invoiceDate"}],'
        b'"brokenRulesCollection":[{"ruleName":"VatTotal","priority":"Error","messageText":"vatAmount klopt niet."}]}'
    )
    assert multivers_error_message(response) == "The invoiceDate field is required. (invoiceDate) vatAmount klopt niet."


# --- against the simulator -----------------------------------------------------------------------------


@pytest.fixture
def clock() -> SimClock:
    return SimClock()


@pytest.fixture
def server(clock: SimClock) -> Iterator[SimulatorServer]:
    with SimulatorServer(MultiversSimulator(clock=clock, hang_seconds=0.2)) as running:
        yield running


def app_for(server: SimulatorServer) -> PackageApp:
    return PackageApp(
        package="multivers",
        base_url=server.base_url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        timeout_seconds=2,
    )


def link(server: SimulatorServer, clock: SimClock) -> OAuthTokens:
    flow = MultiversConnector.oauth_flow(app_for(server), clock=clock.now)
    url = flow.authorize_url("state-1", REDIRECT)
    assert "scope=http" in url
    code, state = complete_oauth_login(url, DEMO_USERNAME, DEMO_PASSWORD)
    assert state == "state-1"
    return flow.exchange_code(code, REDIRECT)


def connect(
    server: SimulatorServer, clock: SimClock, saved: list[OAuthTokens] | None = None, **options: Any
) -> MultiversConnector:
    options.setdefault("sleep", clock.sleep)
    options.setdefault("retry", RetryPolicy(backoff_base=0.01))
    return MultiversConnector(
        app_for(server),
        link(server, clock).model_dump(),
        clock=clock.now,
        token_store=CallbackTokenStore((saved if saved is not None else []).append),
        **options,
    )


def test_wrong_login_shows_the_form_again_and_a_bad_code_is_refused(server: SimulatorServer, clock: SimClock) -> None:
    flow = MultiversConnector.oauth_flow(app_for(server))
    with pytest.raises(ValueError, match="refused"):
        complete_oauth_login(flow.authorize_url("s", REDIRECT), DEMO_USERNAME, "wrong")
    with pytest.raises(InvalidPackageCredentials):
        flow.exchange_code("not-a-code", REDIRECT)


def test_expired_access_token_is_refreshed_and_saved(server: SimulatorServer, clock: SimClock) -> None:
    saved: list[OAuthTokens] = []
    connector = connect(server, clock, saved)
    connector.verify()
    assert saved == []
    clock.advance(3600)  # the access token has expired
    connector.verify()
    assert len(saved) == 1 and saved[0].expires_at > clock.now()


def test_a_dead_token_without_refresh_is_invalid_credentials(server: SimulatorServer, clock: SimClock) -> None:
    tokens = OAuthTokens(access_token="mv-at-bogus", refresh_token="mv-rt-bogus", expires_at=clock.now() + 999)
    connector = MultiversConnector(app_for(server), tokens.model_dump(), clock=clock.now)
    with pytest.raises(InvalidPackageCredentials):
        connector.verify()


def test_databases_suppliers_and_master_data(server: SimulatorServer, clock: SimClock) -> None:
    connector = connect(server, clock, page_size=4)
    administrations = connector.list_administrations()
    assert [a.code for a in administrations] == [f"MVL0000{i}" for i in range(1, 8)]
    assert [a.accessible for a in administrations] == [True] * 6 + [False]
    suppliers = {s.name: s for s in connector.list_suppliers(DB)}
    assert len(suppliers) == 9
    telecom = suppliers["Telecom Noord B.V."]
    assert (telecom.vat_id, telecom.kvk, telecom.iban) == ("NL812345678B01", "01098765", "NL69INGB0123456789")
    assert (telecom.default_gl_account, telecom.default_vat_code, telecom.payment_term_days) == ("4310", "2", 14)
    kinds = {v.code: v.kind for v in connector.list_vat_codes(DB)}
    assert kinds == {"0": "zero", "1": "low", "2": "high", "3": "reverse_charge", "4": "eu"}
    accounts = {a.code: a for a in connector.list_gl_accounts(DB)}
    assert accounts["1600"].balance_sheet and accounts["4300"].name == "Kantoorbenodigdheden"


def test_paging_copes_with_a_server_that_ignores_top(clock: SimClock) -> None:
    with SimulatorServer(MultiversSimulator(clock=clock, page_size=2)) as server:
        connector = connect(server, clock, page_size=5)  # asks 5, the server caps at 2: still every supplier
        assert len(list(connector.list_suppliers(DB))) == 9


def test_book_purchase_with_pdf_find_it_and_refuse_the_duplicate(server: SimulatorServer, clock: SimClock) -> None:
    connector = connect(server, clock)
    pdf = Attachment(filename="F2024-0815.pdf", content_type="application/pdf", content=b"%PDF-1.7 demo")
    result = connector.book_purchase(DB, booking(attachment=pdf))
    assert (result.entry_id, result.entry_number) == ("24000001", "2024/I/1")
    assert connector.find_booking(DB, "2001", "F2024-0815") == result
    assert connector.find_booking(DB, "2001", "F2024-0816") is None
    with pytest.raises(PackageRejected, match="bestaat al"):
        connector.book_purchase(DB, booking())
    (entry,) = server.entries(DB)["entries"]
    assert entry["total_incl_vat"] == "121.00" and entry["invoice_number"] == "F2024-0815"
    assert entry["lines"][0]["vat_amount"] == "21.00"
    assert entry["attachment"] == {"filename": "F2024-0815.pdf", "size": len(pdf.content)}


def test_lines_that_do_not_add_up_are_refused_before_posting(server: SimulatorServer, clock: SimClock) -> None:
    connector = connect(server, clock)
    with pytest.raises(PackageRejected, match="add up"):
        connector.book_purchase(DB, booking(total_incl_vat="125.00"))
    with pytest.raises(PackageRejected, match="9999"):
        connector.book_purchase(
            DB,
            booking(
                lines=[
                    BookingLine(
                        gl_account="9999", description="x", amount_excl_vat="100.00", vat_code="2", vat_amount="21.00"
                    )
                ]
            ),
        )
    assert server.entries(DB)["entries"] == []


def test_the_simulator_enforces_dates_limits_and_required_fields(server: SimulatorServer, clock: SimClock) -> None:
    token = link(server, clock).access_token
    body = supplier_invoice_payload(
        booking(), journal_id="I", journal_transaction=5, payment_condition_id="30", due_date=dt.date(2024, 3, 31)
    )
    body.update({"invoiceDate": "2024-03-01", "paymentReference": "X" * 17})
    del body["rebateExpirationDate"]
    body["supplierInvoiceLines"][0]["description"] = "Y" * 31
    answer = requests.post(
        f"{server.base_url}/api/{DB}/SupplierInvoice",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=2,
    )
    assert answer.status_code == 400
    paths = {m["path"] for m in answer.json()["messages"]}
    assert paths == {"invoiceDate", "paymentReference", "rebateExpirationDate", "supplierInvoiceLines[0].description"}
    unauthorised = requests.get(f"{server.base_url}/api/AdministrationInfoList", timeout=2)
    assert unauthorised.status_code == 401
    assert unauthorised.json() == {"Message": "Authorization has been denied for this request."}


def test_create_and_update_supplier_with_bank_account(server: SimulatorServer, clock: SimClock) -> None:
    connector = connect(server, clock)
    created = connector.create_supplier(
        DB, SupplierDraft(name="Nieuw B.V.", iban="NL91ABNA0417164300", payment_term_days=21, default_gl_account="4600")
    )
    assert (created.code, created.iban, created.payment_term_days, created.default_gl_account) == (
        "2010",
        "NL91ABNA0417164300",
        21,
        "4600",
    )
    updated = connector.update_supplier(
        DB, created.code, SupplierDraft(name="Nieuw B.V.", iban="NL69INGB0123456789", kvk="12345678")
    )
    assert (updated.iban, updated.kvk) == ("NL69INGB0123456789", "12345678")
    # No condition of 13 days in the administration: the supplier gets Multivers's default condition, and the
    # booking carries the invoice's own due date (refusing it failed the booking of a valid invoice).
    odd = connector.create_supplier(DB, SupplierDraft(name="Raar B.V.", payment_term_days=13))
    assert odd.code and odd.payment_term_days != 13
    with pytest.raises(PackageRejected, match="IBAN"):
        connector.create_supplier(DB, SupplierDraft(name="Fout B.V.", iban="NL00ABNA0417164300"))


def test_holding_is_access_denied(server: SimulatorServer, clock: SimClock) -> None:
    connector = connect(server, clock)
    assert connector.check_access(HOLDING) is False
    assert connector.check_access("MVL09999") is False
    with pytest.raises(PackageAccessDenied):
        list(connector.list_suppliers(HOLDING))


def test_rate_limit_and_outages(clock: SimClock) -> None:
    with SimulatorServer(MultiversSimulator(clock=clock, requests_per_minute=3)) as server:
        connector = connect(server, clock)
        assert len(connector.list_vat_codes(DB)) == 5
        for _ in range(3):  # beyond the budget: waits out the window on the simulator's clock
            connector.list_gl_accounts(DB)
        server.faults.inject(status=503, count=2)
        assert connector.list_vat_codes(DB)
        server.faults.inject(status=500, count=1, path_contains="SupplierInvoice")
        with pytest.raises(PackageUnavailable):
            connector.book_purchase(DB, booking())
        assert server.entries(DB)["entries"] == []
