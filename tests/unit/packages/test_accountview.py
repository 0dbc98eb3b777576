"""AccountView: x-company, business objects, table posts, errors, rate limit and token refresh."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests

from boekstuk.adapters.packages.accountview import table_payload
from boekstuk.domain.errors import PackageRejected
from boekstuk.domain.packages import BookingLine, OAuthTokens, PurchaseBooking
from boekstuk_local.simulators.accountview import AccountViewSimulator
from tests.unit.packages.helpers import Rig, link


@pytest.fixture()
def rig(request: pytest.FixtureRequest) -> Iterator[Rig]:
    rig = link(AccountViewSimulator(**getattr(request, "param", {})))
    yield rig
    rig.server.stop()


def _company(rig: Rig, index: int = 0) -> str:
    answer = requests.get(f"{rig.server.base_url}/api/v3/companies",
                          headers={"Authorization": f"Bearer {rig.credentials['access_token']}"}, timeout=5)
    companies: list[dict[str, Any]] = answer.json()
    assert {"Id", "Description", "Code"} <= set(companies[0])
    return str(companies[index]["Id"])


def _data(rig: Rig, method: str, company: str | None, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {rig.credentials['access_token']}", **kwargs.pop("headers", {})}
    if company:
        headers["x-company"] = company
    return requests.request(method, f"{rig.server.base_url}/api/v3/accountviewdata", headers=headers, timeout=5,
                            **kwargs)


def test_reads_are_keyed_by_table_paged_and_filtered(rig: Rig) -> None:
    company = _company(rig)
    page2 = _data(rig, "GET", company, params={"BusinessObject": "AP1", "PageSize": 4, "PageNumber": 2,
                                               "Fields": "contact.sub_nr,contact.acct_name"}).json()
    assert [r["SUB_NR"] for r in page2["CONTACT"]] == ["2005", "2006", "2007", "2008"]
    assert set(page2["CONTACT"][0]) == {"SUB_NR", "ACCT_NAME"}
    found = _data(rig, "GET", company, params={
        "BusinessObject": "AP1", "FilterControlSource1": "MAIL_BUS", "FilterOperator1": "Equal",
        "FilterValueType1": "C", "FilterValue1": "billing@telecomnoord.test", "FilterIsListOfValues1": "false"})
    assert [r["ACCT_NAME"] for r in found.json()["CONTACT"]] == ["Telecom Noord B.V."]


def test_errors_have_accountview_shape(rig: Rig) -> None:
    missing = _data(rig, "GET", None, params={"BusinessObject": "GL1"})
    assert missing.status_code == 400
    assert missing.json() == {"ErrorType": "AccountViewError", "ErrorNumbers": None,
                              "ErrorMessage": "De header x-company ontbreekt."}
    denied = _data(rig, "GET", _company(rig, 6), params={"BusinessObject": "GL1"})
    assert denied.status_code == 403
    company = _company(rig)
    not_json = _data(rig, "POST", company, data="x", headers={"Content-Type": "text/plain"})
    assert not_json.status_code == 415
    short_row = table_payload("AP1", "CONTACT", [{"RowId": "1", "ACCT_NAME": "X"}])
    short_row["TableData"]["Data"]["Rows"][0]["Values"].pop()
    mismatch = _data(rig, "POST", company, json=short_row)
    assert mismatch.status_code == 400 and "waarden" in mismatch.json()["ErrorMessage"]


def test_journal_page_is_linked_to_its_lines_and_document(rig: Rig) -> None:
    package = rig.open()
    company = _company(rig)
    booking = PurchaseBooking(
        supplier_code="2001", invoice_number="KH-77", invoice_date=dt.date(2024, 6, 3),
        due_date=dt.date(2024, 7, 3), description="Toner",
        lines=[BookingLine(gl_account="4300", description="Toner", amount_excl_vat=Decimal("40.00"), vat_code="2",
                           vat_amount=Decimal("8.40")),
               BookingLine(gl_account="4320", description="Enveloppen", amount_excl_vat=Decimal("10.00"),
                           vat_code="2", vat_amount=Decimal("2.10"))],
        total_incl_vat=Decimal("60.50"))
    result = package.book_purchase(company, booking)
    pages = _data(rig, "GET", company, params={"BusinessObject": "DJ2"}).json()
    assert [p["INV_NR"] for p in pages["DJ_PAGE"]] == ["KH-77"]
    assert pages["DJ_PAGE"][0]["CRED_DAYS"] == 30
    assert [line["ACCT_NR"] for line in pages["DJ_LINE"]] == ["4300", "4320"]
    assert all(line["HeaderId"] == result.entry_id for line in pages["DJ_LINE"])
    entry = rig.server.entries(company)["entries"][0]
    assert entry["total_incl_vat"] == "60.50" and entry["attachment"] is None
    with pytest.raises(PackageRejected, match="KH-77"):
        package.book_purchase(company, booking)
    with pytest.raises(PackageRejected, match="Grootboekrekening 9999"):
        package.book_purchase(company, booking.model_copy(update={
            "invoice_number": "KH-78", "lines": [booking.lines[0].model_copy(update={"gl_account": "9999"})]}))


@pytest.mark.parametrize("rig", [{"rate_limit": 3, "rate_window": 20}], indirect=True)
def test_configurable_rate_limit(rig: Rig) -> None:
    package = rig.open()
    company = _company(rig)  # 1 call
    for _ in range(3):
        assert len(package.list_gl_accounts(company)) >= 20
    assert rig.sleeps and all(1 <= s <= 20 for s in rig.sleeps)


def test_refresh_keeps_refresh_token_and_reports_new_access_token(rig: Rig) -> None:
    package = rig.open()
    company = _company(rig)
    rig.clock.advance(3590)
    package.list_gl_accounts(company)
    assert len(rig.saved) == 1
    fresh: OAuthTokens = rig.saved[0]
    assert fresh.access_token != rig.credentials["access_token"]
    assert fresh.refresh_token == rig.credentials["refresh_token"]  # AccountView does not rotate [I]
