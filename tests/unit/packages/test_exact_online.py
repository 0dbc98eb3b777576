"""Exact Online: the simulator's verified behaviour over HTTP, and connector details the contract suite skips."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
import requests

from boekstuk.adapters.packages.exact_online import ExactOnlineConnector
from boekstuk.domain.errors import InvalidPackageCredentials, PackageRateLimited, PackageRejected
from boekstuk.domain.packages import BookingLine, OAuthTokens, PurchaseBooking
from boekstuk_local.simulators.exact_online import ExactOnlineSimulator
from boekstuk_local.simulators.registry import SIMULATORS, app_config
from tests.unit.packages.helpers import Rig, link

DIVISION = "300001"
HOLDING = "300007"


@pytest.fixture()
def rig(request: pytest.FixtureRequest) -> Iterator[Rig]:
    options = getattr(request, "param", {})
    rig = link(ExactOnlineSimulator(**options))
    yield rig
    rig.server.stop()


def _get(rig: Rig, path: str, accept: str | None = "application/json", **params: str) -> requests.Response:
    headers = {"Authorization": f"Bearer {rig.credentials['access_token']}"}
    if accept:
        headers["Accept"] = accept
    return requests.get(f"{rig.server.base_url}/api/v1/{path}", params=params, headers=headers, timeout=5)


def test_envelope_padded_codes_and_next_links(rig: Rig) -> None:
    first = _get(rig, f"{DIVISION}/crm/Accounts", **{"$select": "ID,Code,Name", "$filter": "IsSupplier eq true"})
    assert first.status_code == 200
    d = first.json()["d"]
    assert len(d["results"]) == 9 and "__next" not in d  # 60 a page
    code = d["results"][0]["Code"]
    assert len(code) == 18 and code.strip() == "2001" and code.startswith(" ")
    assert d["results"][0]["__metadata"]["type"] == "Exact.Web.Api.Models.Account"
    filtered = _get(rig, f"{DIVISION}/crm/Accounts", **{"$select": "ID", "$filter": "Code eq '2001'"})
    assert filtered.json()["d"]["results"] == []  # the filter must carry the padding
    padded = _get(rig, f"{DIVISION}/crm/Accounts", **{"$select": "ID", "$filter": f"Code eq '{code}'"})
    assert len(padded.json()["d"]["results"]) == 1


@pytest.mark.parametrize("rig", [{"page_size": 4}], indirect=True)
def test_paging_follows_skiptoken(rig: Rig) -> None:
    seen = []
    answer = _get(rig, f"{DIVISION}/crm/Accounts", **{"$select": "ID,Code"})
    while True:
        d = answer.json()["d"]
        seen.extend(r["Code"].strip() for r in d["results"])
        if "__next" not in d:
            break
        assert "$skiptoken=guid" in requests.utils.unquote(d["__next"])
        answer = requests.get(d["__next"], headers={"Authorization": f"Bearer {rig.credentials['access_token']}",
                                                    "Accept": "application/json"}, timeout=5)
    assert seen == [f"200{i}" for i in range(1, 10)]


def test_select_required_accept_required_and_error_body(rig: Rig) -> None:
    refused = _get(rig, f"{DIVISION}/crm/Accounts")
    assert refused.status_code == 400
    assert "Please add a $select" in refused.json()["error"]["message"]["value"]
    atom = _get(rig, f"{DIVISION}/financial/Journals", accept=None)
    assert atom.headers["Content-Type"].startswith("application/atom+xml")
    denied = _get(rig, f"{HOLDING}/financial/Journals")
    assert denied.status_code == 403
    assert denied.json() == {"error": {"code": "", "message": {"lang": "", "value": "Forbidden - WrongDivision"}}}


@pytest.mark.parametrize("rig", [{"minutely_limit": 3}], indirect=True)
def test_minutely_rate_limit_headers_and_429(rig: Rig) -> None:
    for remaining in (2, 1, 0):
        ok = _get(rig, f"{DIVISION}/financial/Journals")
        assert ok.status_code == 200
        assert ok.headers["X-RateLimit-Minutely-Limit"] == "3"
        assert ok.headers["X-RateLimit-Minutely-Remaining"] == str(remaining)
        assert ok.headers["X-RateLimit-Limit"] == "5000"
    limited = _get(rig, f"{DIVISION}/financial/Journals")
    assert limited.status_code == 429
    assert "X-RateLimit-Limit" not in limited.headers  # only the minutely headers once they are used up
    reset_ms = int(limited.headers["X-RateLimit-Minutely-Reset"])
    assert 0 < reset_ms / 1000 - rig.clock.now() <= 60
    assert _get(rig, f"{HOLDING}/financial/Journals").status_code == 403  # counted per division
    rig.clock.advance(61)
    assert _get(rig, f"{DIVISION}/financial/Journals").status_code == 200


@pytest.mark.parametrize("rig", [{"minutely_limit": 4}], indirect=True)
def test_connector_waits_for_the_minutely_reset(rig: Rig) -> None:
    package = rig.open()
    gl = package.list_gl_accounts(DIVISION)
    vat = package.list_vat_codes(DIVISION)
    suppliers = list(package.list_suppliers(DIVISION))
    again = [package.list_gl_accounts(DIVISION) for _ in range(3)]  # more calls than the minute allows
    assert len(gl) >= 20 and len(vat) == 5 and len(suppliers) == 9 and all(a == gl for a in again)
    # one wait for the minute to turn, never a zero wait that earns another 429
    assert len(rig.sleeps) == 1 and 0 < rig.sleeps[0] <= 61


@pytest.mark.parametrize("rig", [{"daily_limit": 2}], indirect=True)
def test_spent_daily_budget_fails_at_once(rig: Rig) -> None:
    package = rig.open()
    package.list_gl_accounts(DIVISION)
    package.list_gl_accounts(DIVISION)
    with pytest.raises(PackageRateLimited) as caught:
        package.list_gl_accounts(DIVISION)
    assert caught.value.retry_after is not None and caught.value.retry_after > 3600
    assert rig.sleeps == []


def test_connector_refreshes_in_the_last_seconds_and_saves_rotated_tokens(rig: Rig) -> None:
    package = rig.open()
    package.list_gl_accounts(DIVISION)
    rig.clock.advance(500)  # still before Exact allows a refresh: the old token is used
    package.list_gl_accounts(DIVISION)
    assert rig.saved == []
    rig.clock.advance(80)  # 580 s: inside the refresh window
    package.list_gl_accounts(DIVISION)
    assert len(rig.saved) == 1
    assert rig.saved[0].refresh_token != rig.credentials["refresh_token"]
    stale = OAuthTokens.model_validate(rig.credentials).model_copy(update={"expires_at": 0})
    with pytest.raises(InvalidPackageCredentials):
        rig.open(stale.model_dump()).list_gl_accounts(DIVISION)


def test_entry_dates_duplicates_on_all_four_fields(rig: Rig) -> None:
    package = rig.open()
    assert isinstance(package, ExactOnlineConnector)

    def booking(amount: str) -> PurchaseBooking:
        net = Decimal(amount)
        return PurchaseBooking(
            supplier_code="2002", invoice_number="TN-1", invoice_date=dt.date(2024, 3, 1), description="Telefoon",
            lines=[BookingLine(gl_account="4310", description="Abonnement", amount_excl_vat=net, vat_code="2",
                               vat_amount=(net * Decimal("0.21")).quantize(Decimal("0.01")))],
            total_incl_vat=(net * Decimal("1.21")).quantize(Decimal("0.01")))

    first = package.book_purchase(DIVISION, booking("50.00"))
    assert first.entry_number and first.entry_number.startswith("2460")
    with pytest.raises(PackageRejected, match="TN-1"):
        package.book_purchase(DIVISION, booking("50.00"))
    package.book_purchase(DIVISION, booking("60.00"))  # another amount is not a duplicate for Exact
    entries = _get(rig, f"{DIVISION}/purchaseentry/PurchaseEntries",
                   **{"$select": "EntryID,EntryDate,AmountDC", "$filter": "YourRef eq 'TN-1'"}).json()["d"]["results"]
    assert len(entries) == 2
    assert re.fullmatch(r"/Date\(\d+\)/", entries[0]["EntryDate"])
    assert entries[0]["EntryDate"] == f"/Date({int(dt.datetime(2024, 3, 1, tzinfo=dt.UTC).timestamp() * 1000)})/"


def test_snapshot_keeps_tokens_and_entries_across_restart(rig: Rig) -> None:
    package = rig.open()
    result = package.book_purchase(DIVISION, PurchaseBooking(
        supplier_code="2001", invoice_number="K-9", invoice_date=dt.date(2024, 4, 2), description="Papier",
        lines=[BookingLine(gl_account="4300", description="Papier", amount_excl_vat=Decimal("10.00"),
                           vat_code="2", vat_amount=Decimal("2.10"))], total_incl_vat=Decimal("12.10")))
    snapshot = rig.server.simulator.snapshot()
    rig.server.stop()
    restarted = ExactOnlineSimulator(clock=rig.clock)
    restarted.restore(snapshot)
    rig.server.simulator = restarted
    rig.server.port = 0
    rig.server.start()
    rig.app = app_config("exact_online", rig.server)  # the port may differ after the restart
    found = rig.open().find_booking(DIVISION, "2001", "K-9")
    assert found is not None and found.entry_id == result.entry_id


def test_registry_knows_exact() -> None:
    assert SIMULATORS["exact_online"] is ExactOnlineSimulator
