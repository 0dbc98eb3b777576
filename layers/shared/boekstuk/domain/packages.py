"""Accounting packages as the domain sees them: catalogue, master data, bookings.

Package-neutral models. Each connector (``adapters/packages/<package>.py``) maps these to and from its
package's own payloads; nothing package-specific leaks past the ``AccountingPackage`` port.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from boekstuk.domain.money import Money

PackageId = Literal["exact_online", "twinfield", "snelstart", "accountview", "multivers"]
AuthKind = Literal["oauth2", "credentials"]
VatKind = Literal["high", "low", "zero", "reverse_charge", "eu"]


class CredentialField(BaseModel):
    name: str
    label: str
    secret: bool = False


class PackageInfo(BaseModel):
    """One entry of ``GET /v1/packages``."""

    id: PackageId
    name: str
    auth: AuthKind
    asks_description: bool
    credential_fields: list[CredentialField] = Field(default_factory=list)


# Twinfield: linked with its legacy ``Logon`` credentials (user, password, organisation; the local simulator's seed,
# local/boekstuk_local/simulators/seed.py, uses them), so it is a credentials package here; docs/API.md's example
# list shows "oauth2" for it.
PACKAGES: tuple[PackageInfo, ...] = (
    PackageInfo(id="exact_online", name="Exact Online", auth="oauth2", asks_description=True),
    PackageInfo(
        id="twinfield",
        name="Twinfield",
        auth="credentials",
        asks_description=True,
        credential_fields=[
            CredentialField(name="username", label="Gebruikersnaam"),
            CredentialField(name="password", label="Wachtwoord", secret=True),
            CredentialField(name="organisation", label="Organisatie"),
        ],
    ),
    PackageInfo(
        id="snelstart",
        name="SnelStart",
        auth="credentials",
        asks_description=True,
        credential_fields=[CredentialField(name="client_key", label="Koppelsleutel", secret=True)],
    ),
    PackageInfo(id="accountview", name="AccountView", auth="oauth2", asks_description=True),
    PackageInfo(id="multivers", name="Boekhoud Gemak / Multivers", auth="oauth2", asks_description=True),
)


def package_info(package_id: str) -> PackageInfo | None:
    """The catalogue entry for ``package_id``, or ``None`` when the package is not supported."""
    return next((p for p in PACKAGES if p.id == package_id), None)


class PackageApp(BaseModel):
    """How this system is registered at one package: endpoints and app-level (not user) credentials."""

    model_config = ConfigDict(frozen=True)

    package: PackageId
    base_url: str  # API root, e.g. https://start.exactonline.nl or a simulator on loopback
    auth_url: str | None = None  # OAuth/login host when it differs from base_url
    client_id: str | None = None
    client_secret: str | None = None
    subscription_key: str | None = None  # SnelStart's Ocp-Apim-Subscription-Key
    timeout_seconds: float = 10.0


class OAuthTokens(BaseModel):
    access_token: str
    refresh_token: str | None = None
    expires_at: float  # epoch seconds
    extra: dict[str, str] = Field(default_factory=dict)  # e.g. Twinfield's cluster URL


class PackageAdministration(BaseModel):
    code: str
    name: str
    accessible: bool


class Address(BaseModel):
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = None


class PackageSupplier(BaseModel):
    """A creditor as synced from the package. ``code`` is what bookings refer to."""

    code: str
    name: str
    vat_id: str | None = None
    kvk: str | None = None
    iban: str | None = None
    address: Address = Field(default_factory=Address)
    email: str | None = None
    default_gl_account: str | None = None
    default_vat_code: str | None = None
    payment_term_days: int | None = None
    blocked: bool = False
    package_ref: str | None = None  # the package's internal id (Exact/SnelStart guid) when it differs from code


class SupplierDraft(BaseModel):
    """A supplier to create in the package, or the fields to add to an existing one."""

    name: str
    vat_id: str | None = None
    kvk: str | None = None
    iban: str | None = None
    address: Address = Field(default_factory=Address)
    email: str | None = None
    payment_term_days: int | None = None
    default_gl_account: str | None = None
    default_vat_code: str | None = None


class GLAccount(BaseModel):
    code: str
    name: str
    balance_sheet: bool = False


class VatCode(BaseModel):
    code: str  # the package's own code (Exact "2", Twinfield "IH", SnelStart "Hoog", ...)
    name: str
    rate: str | None  # percentage as a string, "21"
    kind: VatKind


class Attachment(BaseModel):
    filename: str
    content_type: str
    content: bytes


class BookingLine(BaseModel):
    gl_account: str
    description: str
    amount_excl_vat: Money  # negative on a credit note
    vat_code: str
    vat_amount: Money
    cost_centre: str | None = None


class PurchaseBooking(BaseModel):
    """An approved purchase invoice, receipt or expense claim to post into one administration."""

    supplier_code: str
    invoice_number: str
    invoice_date: dt.date
    due_date: dt.date | None = None
    currency: str = "EUR"
    description: str
    kind: Literal["invoice", "credit_note"] = "invoice"
    lines: list[BookingLine]
    total_incl_vat: Money  # negative on a credit note
    attachment: Attachment | None = None


class BookingResult(BaseModel):
    """The package's id for a posted entry (``entry_id``), plus its human booking number when it has one.

    ``has_attachment``: whether the entry carries its source document (the PDF), as the package itself shows
    it. In most packages the PDF is uploaded after the entry, so an entry can exist without it when that
    upload failed; the booking workflow then attaches it (``AccountingPackage.attach_document``).
    """

    entry_id: str
    entry_number: str | None = None
    has_attachment: bool = False
