"""Package connections (step 3), linked administrations (step 4) and their synced master data."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel

from boekstuk.domain.packages import GLAccount, PackageId, PackageSupplier, VatCode

ConnectionStatus = Literal["pending_authorization", "verified"]

MAX_ADMINISTRATIONS_PER_REQUEST = 5
OAUTH_STATE_TTL = dt.timedelta(minutes=30)


class Connection(BaseModel):
    """One linked package account of an office. Its secrets live in the secret store, never here."""

    connection_id: str
    office_code: str
    package: PackageId
    description: str | None = None
    status: ConnectionStatus
    secret_name: str
    created_at: dt.datetime
    created_by: str


class OAuthState(BaseModel):
    """A single-use ``state`` bound to one pending connection (stored hashed)."""

    state_hash: str
    office_code: str
    connection_id: str
    redirect_uri: str
    expires_at: dt.datetime
    used: bool = False


class Administration(BaseModel):
    """An administration of a package, linked to an office through one connection."""

    administration_id: str
    office_code: str
    connection_id: str
    package: PackageId
    code: str
    name: str
    linked_at: dt.datetime
    suppliers_count: int = 0
    synced_at: dt.datetime | None = None
    sync_error: str | None = None
    inbox_local: str | None = None  # the local part of its e-mail-in address (``boekstuk.domain.inbox``)


# The synced cache holds exactly what the package returned: the same models, under the names services use.
Supplier = PackageSupplier
LedgerAccount = GLAccount
TaxCode = VatCode


class MasterData(BaseModel):
    """What one sync fetched from the package for one administration."""

    suppliers: list[Supplier]
    gl_accounts: list[LedgerAccount]
    vat_codes: list[TaxCode]


class PostingRule(BaseModel):
    """A bookkeeper's saved rule for one supplier in one administration."""

    gl_account: str
    vat_code: str | None = None
    description_template: str | None = None
    cost_centre: str | None = None


def normalise_identifier(value: str | None) -> str | None:
    """VAT ids, IBANs and KvK numbers compare without spaces, dots and case."""
    if not value:
        return None
    return "".join(ch for ch in value.upper() if ch.isalnum()) or None
