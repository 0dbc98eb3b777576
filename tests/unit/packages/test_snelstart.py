"""SnelStart: subscription key, clientkey token, OData, balance and duplicate rules, rate limit, plain keys."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
import requests

from boekstuk.domain.errors import InvalidPackageCredentials, PackageRejected
from boekstuk.domain.packages import BookingLine, PurchaseBooking
from boekstuk_local.simulators.snelstart import SnelStartSimulator
from tests.unit.packages.helpers import Rig, link


@pytest.fixture()
def rig(request: pytest.FixtureRequest) -> Iterator[Rig]:
    rig = link(SnelStartSimulator(**getattr(request, "param", {})))
    yield rig
    rig.server.stop()


def _token(rig: Rig) -> str:
    answer = requests.post(f"{rig.server.base_url}/b2b/token",
                           data={"grant_type": "clientkey", "clientkey": rig.credentials["client_key"]}, timeout=5)
    assert answer.status_code == 200 and answer.json()["expires_in"] == 3599 and "refresh_token" not in answer.json()
    token: str = answer.json()["access_token"]
    return token


def _booking(total: str, number: str = "G-1", vat: str = "9.00") -> PurchaseBooking:
    return PurchaseBooking(
        supplier_code="2003", invoice_number=number, invoice_date=dt.date(2024, 5, 1), description="Graan",
        lines=[BookingLine(gl_account="7000", description="Tarwe", amount_excl_vat=Decimal("100.00"), vat_code="Laag",
                           vat_amount=Decimal(vat))],
        total_incl_vat=Decimal(total))


def test_subscription_key_and_client_key_are_required(rig: Rig) -> None:
    token = _token(rig)
    url = f"{rig.server.base_url}/v2/companyInfo"
    missing = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert missing.status_code == 401 and "missing subscription key" in missing.json()["message"]
    wrong = requests.get(url, headers={"Authorization": f"Bearer {token}", "Ocp-Apim-Subscription-Key": "x"},
                         timeout=5)
    assert wrong.status_code == 401 and "invalid subscription key" in wrong.json()["message"]
    bad_key = requests.post(f"{rig.server.base_url}/b2b/token", data={"grant_type": "clientkey", "clientkey": "nope"},
                            timeout=5)
    assert bad_key.status_code == 400 and bad_key.json()["error"] == "invalid_grant"
    with pytest.raises(InvalidPackageCredentials):
        rig.open({"client_key": "nope"}).verify()
    with pytest.raises(InvalidPackageCredentials):
        rig.open({}).verify()


def test_odata_bare_arrays_and_invalid_filter(rig: Rig) -> None:
    headers = {"Authorization": f"Bearer {_token(rig)}",
               "Ocp-Apim-Subscription-Key": rig.app.subscription_key or ""}
    url = f"{rig.server.base_url}/v2/relaties"
    page = requests.get(url, params={"$filter": "Relatiesoort/any(soort:soort eq 'Leverancier')", "$top": 4,
                                     "$skip": 4}, headers=headers, timeout=5)
    assert isinstance(page.json(), list) and [r["relatiecode"] for r in page.json()] == [2005, 2006, 2007, 2008]
    named = requests.get(url, params={"$filter": "contains(Naam,'telecom') and KvkNummer eq '01098765'"},
                         headers=headers, timeout=5)
    assert [r["naam"] for r in named.json()] == ["Telecom Noord B.V."]
    broken = requests.get(url, params={"$filter": "Naam gt 'a'"}, headers=headers, timeout=5)
    assert broken.status_code == 400 and broken.json()[0]["errorCode"] == "ALG-0104"


def test_balance_check_and_duplicates(rig: Rig) -> None:
    package = rig.open()
    administration = package.list_administrations()[0].code
    with pytest.raises(PackageRejected, match="BOE-0001"):
        package.book_purchase(administration, _booking("110.00"))
    assert package.book_purchase(administration, _booking("109.00")).entry_number == "24000001"
    with pytest.raises(PackageRejected, match="BOE-0002"):
        package.book_purchase(administration, _booking("109.00"))


@pytest.mark.parametrize("rig", [{"reject_duplicates": False}], indirect=True)
def test_duplicate_check_can_be_switched_off(rig: Rig) -> None:
    package = rig.open()
    administration = package.list_administrations()[0].code
    package.book_purchase(administration, _booking("109.00"))
    package.book_purchase(administration, _booking("109.00"))
    assert len(rig.server.entries(administration)["entries"]) == 2


def test_reverse_charge_vat_is_outside_the_invoice_total(rig: Rig) -> None:
    package = rig.open()
    administration = package.list_administrations()[0].code
    booking = PurchaseBooking(
        supplier_code="2009", invoice_number="BS-1", invoice_date=dt.date(2024, 5, 1), description="Steiger",
        lines=[BookingLine(gl_account="4200", description="Bouw", amount_excl_vat=Decimal("1000.00"),
                           vat_code="Verlegd", vat_amount=Decimal("210.00"))],
        total_incl_vat=Decimal("1000.00"))
    result = package.book_purchase(administration, booking)
    boeking = requests.get(f"{rig.server.base_url}/v2/inkoopboekingen/{result.entry_id}", headers={
        "Authorization": f"Bearer {_token(rig)}", "Ocp-Apim-Subscription-Key": rig.app.subscription_key or "",
        "X-Administratie-Identifier": administration}, timeout=5).json()
    assert boeking["btw"] == [{"btwSoort": "InkopenVerlegd", "btwBedrag": 210.0}]
    assert boeking["boekingsregels"][0]["btwSoort"] == "Geen"


@pytest.mark.parametrize("rig", [{"rate_limit": 3, "rate_window": 30}], indirect=True)
def test_rate_limit_retry_after_is_honoured(rig: Rig) -> None:
    package = rig.open()
    administration = package.list_administrations()[0].code  # 1 call
    assert len(package.list_gl_accounts(administration)) >= 20
    assert len(package.list_vat_codes(administration)) == 5
    assert len(package.list_gl_accounts(administration)) >= 20  # 4th call: 429, wait, retry
    assert rig.sleeps and all(1 <= s <= 30 for s in rig.sleeps)


@pytest.mark.parametrize("rig", [{"accountant_keys": False}], indirect=True)
def test_plain_single_administration_key(rig: Rig) -> None:
    package = rig.open()
    administrations = package.list_administrations()
    assert [(a.name, a.accessible) for a in administrations] == [("Bakkerij De Vries B.V.", True)]
    assert package.check_access(administrations[0].code)
    assert len(list(package.list_suppliers(administrations[0].code))) == 9


def test_token_is_asked_again_after_expiry(rig: Rig) -> None:
    package = rig.open()
    administration = package.list_administrations()[0].code
    rig.clock.advance(3600)
    assert len(package.list_gl_accounts(administration)) >= 20
