"""One contract every accounting-package connector passes against its simulator (faults included).

Parametrised over every package with a registered simulator and connector (see conftest.py).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from stdnum.nl import btw

from boekstuk.adapters.packages.registry import oauth_flow
from boekstuk.domain.errors import (
    InvalidPackageCredentials,
    PackageAccessDenied,
    PackageRejected,
    PackageUnavailable,
)
from boekstuk.domain.packages import (
    Address,
    Attachment,
    BookingLine,
    OAuthTokens,
    PackageSupplier,
    PurchaseBooking,
    SupplierDraft,
    VatCode,
)
from boekstuk.ports import AccountingPackage
from boekstuk_local.simulators import seed
from boekstuk_local.simulators.base import complete_oauth_login
from boekstuk_local.simulators.registry import DEMO_LOGINS
from tests.contract.conftest import REDIRECT_URI, Linked

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
# Where each connector uploads the PDF (a path fragment to inject faults on), and the packages that take the
# PDF before the entry (a failed upload leaves no entry) rather than after it (it leaves one without the PDF).
UPLOAD_PATHS = {"exact_online": "documents/DocumentAttachments", "twinfield": "documentservice.svc",
                "snelstart": "documenten/Inkoopboekingen", "accountview": "/api/v3/documents",
                "multivers": "/DmDocument"}
PDF_BEFORE_ENTRY = {"exact_online", "accountview"}


def _first_accessible(package: AccountingPackage) -> str:
    return next(a.code for a in package.list_administrations() if a.accessible)


def _vat_by_kind(codes: list[VatCode], kind: str) -> VatCode:
    return next(c for c in codes if c.kind == kind)


def _supplier_named(suppliers: list[PackageSupplier], name: str) -> PackageSupplier:
    return next(s for s in suppliers if s.name == name)


def _valid_vat_id(seed_text: str) -> str:
    """A Dutch VAT id with valid check digits, different per test run."""
    base = int(uuid.uuid5(uuid.NAMESPACE_OID, seed_text).int % 10**8)
    for offset in range(1000):
        digits = f"{(base + offset) % 10**8:08d}"
        for check in range(10):
            candidate = f"NL{digits}{check}B01"
            if btw.is_valid(candidate):
                return candidate
    raise AssertionError("no valid VAT id found")


def _booking(supplier_code: str, invoice_number: str, vat: VatCode, with_pdf: bool = True) -> PurchaseBooking:
    return PurchaseBooking(
        supplier_code=supplier_code,
        invoice_number=invoice_number,
        invoice_date=dt.date(2024, 3, 1),
        due_date=dt.date(2024, 3, 31),
        description="Kantoorartikelen maart",
        lines=[BookingLine(gl_account="4300", description="Papier", amount_excl_vat=Decimal("100.00"),
                           vat_code=vat.code, vat_amount=Decimal("21.00"))],
        total_incl_vat=Decimal("121.00"),
        attachment=Attachment(filename=f"{invoice_number}.pdf", content_type="application/pdf", content=PDF)
        if with_pdf else None,
    )


# --- linking ---------------------------------------------------------------------------------------------


def test_verify_with_demo_credentials(linked: Linked) -> None:
    linked.open().verify()


def test_bad_credentials_are_refused(linked: Linked) -> None:
    if linked.oauth:
        bogus = OAuthTokens(access_token="not-a-token", refresh_token="not-a-refresh-token",
                            expires_at=linked.clock.now() + 3000).model_dump()
        with pytest.raises(InvalidPackageCredentials):
            linked.open(bogus).verify()
        demo = DEMO_LOGINS[linked.package_id]
        url = oauth_flow(linked.app).authorize_url("s", REDIRECT_URI)
        with pytest.raises(ValueError, match="login refused"):
            complete_oauth_login(url, demo["username"], demo["password"] + "x")
    else:
        wrong = {name: f"{value}-wrong" for name, value in DEMO_LOGINS[linked.package_id].items()}
        with pytest.raises(InvalidPackageCredentials):
            linked.open(wrong).verify()


def test_administrations_and_access(linked: Linked) -> None:
    package = linked.open()
    administrations = package.list_administrations()
    assert sorted(a.name for a in administrations) == sorted(a.name for a in seed.ADMINISTRATIONS)
    blocked = [a for a in administrations if not a.accessible]
    assert [a.name for a in blocked] == ["Holding (geen toegang)"]
    assert package.check_access(blocked[0].code) is False
    assert package.check_access(next(a.code for a in administrations if a.accessible)) is True


# --- master data -----------------------------------------------------------------------------------------


def test_suppliers_are_read_completely_with_their_details(linked: Linked) -> None:
    package = linked.open()
    administration = _first_accessible(package)
    vat_codes = package.list_vat_codes(administration)
    linked.session.calls.clear()
    suppliers = list(package.list_suppliers(administration))
    assert len(suppliers) >= 8
    assert len({s.code for s in suppliers}) == len(suppliers)
    assert linked.small_pages, "the suite needs a configurable page size to prove paging"
    assert len(linked.session.calls) >= 3  # 9 suppliers at 3 a page: several page calls
    for expected in seed.NAMED_SUPPLIERS:
        found = _supplier_named(suppliers, expected.name)
        assert (found.vat_id, found.kvk, found.iban) == (expected.vat_id, expected.kvk, expected.iban)
        assert found.default_gl_account == expected.default_gl
        assert found.payment_term_days == expected.payment_term_days
        assert found.default_vat_code is not None
        assert next(v.kind for v in vat_codes if v.code == found.default_vat_code) == expected.vat_kind


def test_gl_accounts_and_vat_codes(linked: Linked) -> None:
    package = linked.open()
    administration = _first_accessible(package)
    gl = {g.code: g for g in package.list_gl_accounts(administration)}
    assert len(gl) >= 20
    assert gl["4300"].name == "Kantoorbenodigdheden" and not gl["4300"].balance_sheet
    assert gl["1600"].balance_sheet
    kinds = {v.kind for v in package.list_vat_codes(administration)}
    assert kinds == {"high", "low", "zero", "reverse_charge", "eu"}
    assert _vat_by_kind(package.list_vat_codes(administration), "high").rate in ("21", "21.0", "21.00")


def test_create_find_and_update_supplier(linked: Linked) -> None:
    package = linked.open()
    administration = _first_accessible(package)
    run = uuid.uuid4().hex[:6]
    vat_id = _valid_vat_id(run)
    high = _vat_by_kind(package.list_vat_codes(administration), "high")
    draft = SupplierDraft(name=f"Nieuwe Leverancier {run} B.V.", vat_id=vat_id, kvk="12345678",
                          iban="NL91ABNA0417164300",
                          address=Address(street="Stationsweg 1", postcode="1234 AB", city="Utrecht", country="NL"),
                          payment_term_days=30, default_gl_account="4300", default_vat_code=high.code)
    created = package.create_supplier(administration, draft)
    assert created.code and created.name == draft.name and created.vat_id == vat_id
    found = package.find_suppliers(administration, vat_id=vat_id)
    assert [s.code for s in found] == [created.code]
    updated = package.update_supplier(administration, created.code,
                                      SupplierDraft(name=draft.name, iban="NL69INGB0123456789",
                                                    email=f"facturen-{run}@example.test"))
    assert updated.code == created.code
    assert updated.iban in ("NL69INGB0123456789", "NL91ABNA0417164300")
    assert updated.email == f"facturen-{run}@example.test"
    again = {s.code: s for s in package.list_suppliers(administration)}
    assert again[created.code].email == f"facturen-{run}@example.test"


def test_a_supplier_with_a_payment_term_the_package_has_no_condition_for_is_still_created(linked: Linked) -> None:
    # An invoice of a new supplier says "betaling binnen 8 dagen": a package that keeps terms as named conditions
    # (Multivers) may have none of 8 days. The supplier is created all the same (the package's default term); the
    # booking carries the invoice's own due date. Refusing it would fail the booking of a valid invoice.
    package = linked.open()
    administration = _first_accessible(package)
    run = uuid.uuid4().hex[:6]
    draft = SupplierDraft(name=f"Acht Dagen {run} B.V.", vat_id=_valid_vat_id(run),
                          address=Address(street="Kade 8", postcode="1234 AB", city="Utrecht", country="NL"),
                          payment_term_days=8, default_gl_account="4300")
    created = package.create_supplier(administration, draft)
    assert created.code and created.name == draft.name
    assert [s.code for s in package.find_suppliers(administration, vat_id=draft.vat_id)] == [created.code]


# --- booking ---------------------------------------------------------------------------------------------


def test_book_purchase_with_attachment_then_find_and_refuse_duplicate(linked: Linked) -> None:
    package = linked.open()
    administration = _first_accessible(package)
    supplier = _supplier_named(list(package.list_suppliers(administration)), "Kantoorhuis Utrecht B.V.")
    high = _vat_by_kind(package.list_vat_codes(administration), "high")
    invoice_number = f"F2024-{uuid.uuid4().hex[:6]}"
    result = package.book_purchase(administration, _booking(supplier.code, invoice_number, high))
    assert result.entry_id

    entries = [e for e in linked.entries(administration) if e["invoice_number"] == invoice_number]
    assert len(entries) == 1
    entry = entries[0]
    assert entry["entry_id"] == result.entry_id
    assert entry["supplier_code"] == supplier.code
    assert entry["invoice_date"] == "2024-03-01"
    assert Decimal(entry["total_incl_vat"]) == Decimal("121.00")
    assert entry["lines"] and entry["lines"][0]["gl_account"] == "4300"
    assert entry["attachment"] == {"filename": f"{invoice_number}.pdf", "size": len(PDF)}

    found = package.find_booking(administration, supplier.code, invoice_number)
    assert found is not None and found.entry_id == result.entry_id
    assert package.find_booking(administration, supplier.code, invoice_number + "-X") is None

    with pytest.raises(PackageRejected):
        package.book_purchase(administration, _booking(supplier.code, invoice_number, high, with_pdf=False))
    assert len([e for e in linked.entries(administration) if e["invoice_number"] == invoice_number]) == 1


def _entries_for(linked: Linked, administration: str, invoice_number: str) -> list[dict[str, object]]:
    return [e for e in linked.entries(administration) if e["invoice_number"] == invoice_number]


def test_find_booking_tells_whether_the_entry_has_its_pdf_and_attach_document_adds_it(linked: Linked) -> None:
    package = linked.open()
    administration = _first_accessible(package)
    supplier = _supplier_named(list(package.list_suppliers(administration)), "Kantoorhuis Utrecht B.V.")
    high = _vat_by_kind(package.list_vat_codes(administration), "high")
    with_pdf, without_pdf = f"P-{uuid.uuid4().hex[:6]}", f"N-{uuid.uuid4().hex[:6]}"

    assert package.book_purchase(administration, _booking(supplier.code, with_pdf, high)).has_attachment
    found = package.find_booking(administration, supplier.code, with_pdf)
    assert found is not None and found.has_attachment

    posted = package.book_purchase(administration, _booking(supplier.code, without_pdf, high, with_pdf=False))
    assert not posted.has_attachment
    found = package.find_booking(administration, supplier.code, without_pdf)
    assert found is not None and found.entry_id == posted.entry_id and not found.has_attachment
    assert [e["attachment"] for e in _entries_for(linked, administration, without_pdf)] == [None]

    package.attach_document(administration, found, Attachment(filename=f"{without_pdf}.pdf",
                                                              content_type="application/pdf", content=PDF))
    again = package.find_booking(administration, supplier.code, without_pdf)
    assert again is not None and again.entry_id == posted.entry_id and again.has_attachment
    assert [e["attachment"] for e in _entries_for(linked, administration, without_pdf)] == [
        {"filename": f"{without_pdf}.pdf", "size": len(PDF)}]


def test_a_failed_pdf_upload_never_leaves_an_entry_without_its_pdf(linked: Linked) -> None:
    """The upload fails once (500 on its POST, not retried by the connector). Packages that take the PDF after
    the entry are left with an entry that find_booking reports without it, and attach_document completes it;
    packages that take it first have no entry yet, and booking again posts it once with its PDF."""
    package = linked.open()
    administration = _first_accessible(package)
    supplier = _supplier_named(list(package.list_suppliers(administration)), "Telecom Noord B.V.")
    high = _vat_by_kind(package.list_vat_codes(administration), "high")
    invoice_number = f"U-{uuid.uuid4().hex[:6]}"
    booking = _booking(supplier.code, invoice_number, high)
    linked.server.faults.inject(status=500, count=1, method="POST", path_contains=UPLOAD_PATHS[linked.package_id])
    with pytest.raises(PackageUnavailable):
        package.book_purchase(administration, booking)
    assert linked.server.faults.pending() == 0

    found = package.find_booking(administration, supplier.code, invoice_number)
    if linked.package_id in PDF_BEFORE_ENTRY:
        assert found is None
        assert _entries_for(linked, administration, invoice_number) == []
        entry_id = package.book_purchase(administration, booking).entry_id
    else:
        assert found is not None and not found.has_attachment
        assert [e["attachment"] for e in _entries_for(linked, administration, invoice_number)] == [None]
        assert booking.attachment is not None
        package.attach_document(administration, found, booking.attachment)
        entry_id = found.entry_id

    complete = package.find_booking(administration, supplier.code, invoice_number)
    assert complete is not None and complete.entry_id == entry_id and complete.has_attachment
    [entry] = _entries_for(linked, administration, invoice_number)
    assert entry["entry_id"] == entry_id
    assert entry["attachment"] == {"filename": f"{invoice_number}.pdf", "size": len(PDF)}


def test_inaccessible_administration_is_access_denied(linked: Linked) -> None:
    package = linked.open()
    blocked = next(a.code for a in package.list_administrations() if not a.accessible)
    with pytest.raises(PackageAccessDenied):
        package.list_gl_accounts(blocked)


# --- faults ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 503])
def test_single_outage_is_retried(linked: Linked, status: int) -> None:
    package = linked.open()
    administration = _first_accessible(package)
    linked.server.faults.inject(status=status, count=1)
    assert len(package.list_gl_accounts(administration)) >= 20
    assert linked.server.faults.pending() == 0
    assert linked.sleeps, "the connector should back off before retrying"


def test_persistent_outage_gives_package_unavailable(linked: Linked) -> None:
    package = linked.open()
    administration = _first_accessible(package)
    linked.server.faults.inject(status=503, count=50)
    with pytest.raises(PackageUnavailable):
        package.list_gl_accounts(administration)


def test_booking_after_an_outage_on_post_is_exactly_once(linked: Linked) -> None:
    """A POST that fails with 500 is not blindly re-posted: the caller checks find_booking, then books."""
    package = linked.open()
    administration = _first_accessible(package)
    supplier = _supplier_named(list(package.list_suppliers(administration)), "Telecom Noord B.V.")
    high = _vat_by_kind(package.list_vat_codes(administration), "high")
    invoice_number = f"T-{uuid.uuid4().hex[:6]}"
    linked.server.faults.inject(status=500, count=1, method="POST")
    try:
        package.book_purchase(administration, _booking(supplier.code, invoice_number, high, with_pdf=False))
    except PackageUnavailable:
        assert package.find_booking(administration, supplier.code, invoice_number) is None
        package.book_purchase(administration, _booking(supplier.code, invoice_number, high, with_pdf=False))
    assert len([e for e in linked.entries(administration) if e["invoice_number"] == invoice_number]) == 1


def test_timeout_after_the_package_booked_is_caught_by_find_booking(linked: Linked) -> None:
    """The nasty case: the package books, then the answer never comes. find_booking prevents a second entry."""
    package = linked.open()
    administration = _first_accessible(package)
    supplier = _supplier_named(list(package.list_suppliers(administration)), "Graanhandel Zuid B.V.")
    high = _vat_by_kind(package.list_vat_codes(administration), "high")
    invoice_number = f"G-{uuid.uuid4().hex[:6]}"
    booking = _booking(supplier.code, invoice_number, high, with_pdf=False)
    linked.server.faults.inject(timeout=True, method="POST", after_processing=True)
    try:
        package.book_purchase(administration, booking)
    except PackageUnavailable:
        if package.find_booking(administration, supplier.code, invoice_number) is None:
            package.book_purchase(administration, booking)
    assert len([e for e in linked.entries(administration) if e["invoice_number"] == invoice_number]) == 1


def test_rate_limit_is_honoured(linked: Linked) -> None:
    package = linked.open()
    administration = _first_accessible(package)
    linked.server.faults.inject(status=429, count=1, retry_after=7)
    assert len(package.list_gl_accounts(administration)) >= 20
    assert 7.0 in linked.sleeps


def test_timeout_gives_package_unavailable(linked: Linked) -> None:
    package = linked.open()
    administration = _first_accessible(package)
    linked.server.faults.inject(timeout=True, count=1)
    with pytest.raises(PackageUnavailable):
        package.list_gl_accounts(administration)


# --- tokens ----------------------------------------------------------------------------------------------


def test_tokens_are_refreshed_after_expiry(linked: Linked) -> None:
    package = linked.open()
    administration = _first_accessible(package)
    package.list_gl_accounts(administration)
    linked.clock.advance(2 * 3600)  # past every package's access-token lifetime
    assert len(package.list_gl_accounts(administration)) >= 20
    if linked.oauth:
        assert linked.saved_tokens, "new tokens must be handed to the token store"
        newest = linked.saved_tokens[-1]
        assert newest.access_token != linked.credentials["access_token"]
        # a connector opened from the saved tokens keeps working
        assert len(linked.open(newest.model_dump()).list_gl_accounts(administration)) >= 20


def test_rotated_refresh_token_is_single_use(linked: Linked) -> None:
    if not linked.oauth:
        pytest.skip("credentials package: no refresh tokens")
    flow = oauth_flow(linked.app)
    original = OAuthTokens.model_validate(linked.credentials)
    linked.clock.advance(2 * 3600)
    fresh = flow.refresh(original)
    assert fresh.access_token != original.access_token
    if fresh.refresh_token != original.refresh_token:  # the package rotates: the old one is dead
        with pytest.raises(InvalidPackageCredentials):
            flow.refresh(original)
    linked.clock.advance(2 * 3600)
    assert flow.refresh(fresh).access_token
