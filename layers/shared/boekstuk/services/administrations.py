"""Onboarding step 4 (add administrations) and the supplier data synced from the packages."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field

from boekstuk.domain import errors, inbox
from boekstuk.domain.links import (
    MAX_ADMINISTRATIONS_PER_REQUEST,
    Administration,
    Connection,
    LedgerAccount,
    MasterData,
    PostingRule,
    TaxCode,
    normalise_identifier,
)
from boekstuk.domain.timestamps import api_timestamp
from boekstuk.observability import logger
from boekstuk.ports import AdministrationRepository, Clock, ConnectionRepository, OfficeRepository, SyncTrigger
from boekstuk.services.access import require_admin, require_approver, require_member
from boekstuk.services.connections import PackageConnections


class PackageAdministrationView(BaseModel):
    code: str
    name: str
    linked: bool
    accessible: bool


class PackageAdministrationList(BaseModel):
    administrations: list[PackageAdministrationView]


class AddAdministrationsRequest(BaseModel):
    codes: list[str] = Field(max_length=100)


class AddedAdministration(BaseModel):
    administration_id: str
    code: str
    name: str


class AddAdministrationsResponse(BaseModel):
    added: list[AddedAdministration]


class SupplierCount(BaseModel):
    count: int
    synced_at: str | None


class AdministrationView(BaseModel):
    administration_id: str
    connection_id: str
    package: str
    code: str
    name: str
    inbox_email: str = Field(description="This administration's own address for e-mail-in: each PDF, image or XML "
                                         "attachment of a message sent there becomes one of its documents.")
    suppliers: SupplierCount
    sync_error: str | None = None


class AdministrationList(BaseModel):
    administrations: list[AdministrationView]


class SupplierView(BaseModel):
    code: str
    name: str
    vat_id: str | None
    kvk: str | None
    iban: str | None
    default_gl_account: str | None
    default_vat_code: str | None
    payment_term_days: int | None
    rule: PostingRule | None = None


class SupplierList(BaseModel):
    suppliers: list[SupplierView]
    next: str | None = None


class GLAccountList(BaseModel):
    gl_accounts: list[LedgerAccount]


class VatCodeList(BaseModel):
    vat_codes: list[TaxCode]


class SyncAccepted(BaseModel):
    status: Literal["sync_requested"] = "sync_requested"
    administration_id: str


INBOX_ATTEMPTS = 5
"""Fresh tokens tried when a random inbox address is taken (40 random bits: a second try is already rare)."""


class AdministrationService:
    def __init__(self, administrations: AdministrationRepository, connections: ConnectionRepository,
                 offices: OfficeRepository, packages: PackageConnections, sync: SyncTrigger, clock: Clock,
                 inbox_domain: str, new_token: Callable[[], str] = inbox.new_token) -> None:
        self._administrations = administrations
        self._connections = connections
        self._offices = offices
        self._packages = packages
        self._sync = sync
        self._clock = clock
        self._inbox_domain = inbox_domain
        self._new_token = new_token

    def _connection(self, office_code: str, connection_id: str) -> Connection:
        connection = self._connections.get(office_code, connection_id)
        if connection is None:
            raise errors.NotFound("No such connection.")
        return connection

    def package_administrations(self, office_code: str, username: str, connection_id: str) -> PackageAdministrationList:
        """What the linked package user can see, with ``linked`` and ``accessible``."""
        require_member(self._offices, office_code, username)
        connection = self._connection(office_code, connection_id)
        found = self._packages.open(connection, interactive=True).list_administrations()
        linked = self._administrations.linked_codes(office_code, connection_id)
        return PackageAdministrationList(administrations=[
            PackageAdministrationView(code=a.code, name=a.name, linked=a.code in linked, accessible=a.accessible)
            for a in found])

    def add(self, office_code: str, username: str, connection_id: str,
            request: AddAdministrationsRequest) -> AddAdministrationsResponse:
        """Link up to 5 administrations, all or nothing, each checked in the package; then sync each."""
        require_admin(self._offices, office_code, username)
        codes = list(dict.fromkeys(c.strip() for c in request.codes if c.strip()))
        if not codes:
            raise errors.NoAdministrations(errors=[{"field": "codes", "message": "Give at least one code."}])
        if len(codes) > MAX_ADMINISTRATIONS_PER_REQUEST:
            raise errors.TooManyAdministrations(
                f"At most {MAX_ADMINISTRATIONS_PER_REQUEST} administrations per request; you sent {len(codes)}.")
        connection = self._connection(office_code, connection_id)
        package = self._packages.open(connection, interactive=True)
        known = {a.code: a for a in package.list_administrations()}
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise errors.UnknownAdministration(f"Unknown in the package: {', '.join(unknown)}.", codes=unknown)
        already = sorted(set(codes) & self._administrations.linked_codes(office_code, connection_id))
        if already:
            raise errors.AdministrationAlreadyLinked(f"Already linked: {', '.join(already)}.", codes=already)
        # The list says who has rights; one call inside each administration proves it.
        denied = [c for c in codes if not known[c].accessible or not package.check_access(c)]
        if denied:
            raise errors.AdministrationAccessDenied(
                f"The package user has no access to: {', '.join(denied)}.", codes=denied)
        now = self._clock.now()
        new = [Administration(administration_id=uuid.uuid4().hex, office_code=office_code,
                              connection_id=connection_id, package=connection.package, code=c,
                              name=known[c].name, linked_at=now) for c in codes]
        for attempt in range(INBOX_ATTEMPTS):
            new = [a.model_copy(update={"inbox_local": inbox.local_part(a.name, self._new_token())}) for a in new]
            try:
                self._administrations.link(new)
                break
            except errors.InboxAddressTaken:
                if attempt == INBOX_ATTEMPTS - 1:
                    raise
        for adm in new:
            try:
                self._sync.request_sync(office_code, adm.administration_id)
            except Exception:  # noqa: BLE001 - linking succeeded; the daily sync will catch up
                logger.exception("could not start supplier sync", administration_id=adm.administration_id)
        return AddAdministrationsResponse(
            added=[AddedAdministration(administration_id=a.administration_id, code=a.code, name=a.name) for a in new])

    def list_linked(self, office_code: str, username: str) -> AdministrationList:
        """The office's administrations with their inbox addresses and supplier counts."""
        require_member(self._offices, office_code, username)
        return AdministrationList(administrations=[
            AdministrationView(administration_id=a.administration_id, connection_id=a.connection_id,
                               package=a.package, code=a.code, name=a.name,
                               inbox_email=inbox.address(self._inbox_local(a), self._inbox_domain),
                               suppliers=SupplierCount(count=a.suppliers_count, synced_at=api_timestamp(a.synced_at) if a.synced_at else None),
                               sync_error=a.sync_error)
            for a in self._administrations.for_office(office_code)])

    def _inbox_local(self, administration: Administration) -> str:
        """The administration's inbox address (local part); one linked before e-mail-in existed gets one now.

        Two requests may do this at once: the conditional write lets one win, and the other reads the winner's."""
        if administration.inbox_local:
            return administration.inbox_local
        for _ in range(INBOX_ATTEMPTS):
            local = inbox.local_part(administration.name, self._new_token())
            outcome = self._administrations.assign_inbox(administration.office_code,
                                                         administration.administration_id, local)
            if outcome == "assigned":
                logger.info("inbox address assigned", administration_id=administration.administration_id)
                return local
            if outcome == "already_assigned":
                current = self._administrations.get(administration.office_code, administration.administration_id)
                if current is not None and current.inbox_local:
                    return current.inbox_local
                raise errors.NotFound("No such administration.")
        raise errors.InboxAddressTaken()


class SupplierService:
    """The synced supplier data: sync, search, master data, posting rules."""

    def __init__(self, administrations: AdministrationRepository, connections: ConnectionRepository,
                 offices: OfficeRepository, packages: PackageConnections, sync: SyncTrigger, clock: Clock) -> None:
        self._administrations = administrations
        self._connections = connections
        self._offices = offices
        self._packages = packages
        self._sync = sync
        self._clock = clock

    def administration(self, office_code: str, username: str, administration_id: str) -> Administration:
        """A linked administration of the caller's office (404 otherwise)."""
        require_member(self._offices, office_code, username)
        adm = self._administrations.get(office_code, administration_id)
        if adm is None:
            raise errors.NotFound("No such administration.")
        return adm

    def sync(self, office_code: str, administration_id: str) -> MasterData:
        """Fetch suppliers, GL accounts and VAT codes from the package and store them."""
        adm = self._administrations.get(office_code, administration_id)
        if adm is None:
            raise errors.NotFound("No such administration.")
        connection = self._connections.get(office_code, adm.connection_id)
        if connection is None:
            raise errors.NotFound("The administration's connection is gone.")
        try:
            package = self._packages.open(connection)
            data = MasterData(suppliers=list(package.list_suppliers(adm.code)),
                              gl_accounts=package.list_gl_accounts(adm.code),
                              vat_codes=package.list_vat_codes(adm.code))
        except errors.PackageError as exc:
            self._administrations.record_sync_error(adm, f"{exc.code}: {exc.detail}")
            raise
        self._administrations.record_sync(adm, data, self._clock.now())
        logger.info("suppliers synced", administration_id=adm.administration_id, suppliers=len(data.suppliers))
        return data

    def sync_all(self) -> dict[str, str]:
        """The daily schedule: sync every linked administration; one failure does not stop the others."""
        outcome: dict[str, str] = {}
        for adm in self._administrations.list_all():
            try:
                self.sync(adm.office_code, adm.administration_id)
                outcome[adm.administration_id] = "synced"
            except errors.DomainError as exc:
                outcome[adm.administration_id] = exc.code
        return outcome

    def request_sync(self, office_code: str, username: str, administration_id: str) -> SyncAccepted:
        """``POST .../supplier-sync``: start a sync now."""
        adm = self.administration(office_code, username, administration_id)
        self._sync.request_sync(office_code, adm.administration_id)
        return SyncAccepted(administration_id=adm.administration_id)

    def search(self, office_code: str, username: str, administration_id: str, query: str | None,
               limit: int, cursor: str | None) -> SupplierList:
        """Suppliers matching ``query`` in name, code, VAT id, KvK or IBAN; paged with an opaque cursor."""
        adm = self.administration(office_code, username, administration_id)
        rules = self._administrations.rules(adm.administration_id)
        suppliers = sorted(self._administrations.suppliers(adm.administration_id), key=lambda s: (s.name.lower(), s.code))
        if query and query.strip():
            needle = query.strip().lower()
            ident = normalise_identifier(query)
            suppliers = [s for s in suppliers
                         if needle in s.name.lower() or needle == s.code.lower()
                         or (ident and ident in {normalise_identifier(s.vat_id), normalise_identifier(s.kvk),
                                                 normalise_identifier(s.iban)})]
        start = _decode_cursor(cursor)
        page = suppliers[start:start + limit]
        next_cursor = _encode_cursor(start + limit) if start + limit < len(suppliers) else None
        return SupplierList(next=next_cursor, suppliers=[
            SupplierView(code=s.code, name=s.name, vat_id=s.vat_id, kvk=s.kvk, iban=s.iban,
                         default_gl_account=s.default_gl_account, default_vat_code=s.default_vat_code,
                         payment_term_days=s.payment_term_days, rule=rules.get(s.code)) for s in page])

    def gl_accounts(self, office_code: str, username: str, administration_id: str) -> GLAccountList:
        """GL accounts for pick lists."""
        adm = self.administration(office_code, username, administration_id)
        return GLAccountList(gl_accounts=sorted(self._administrations.gl_accounts(adm.administration_id), key=lambda g: g.code))

    def vat_codes(self, office_code: str, username: str, administration_id: str) -> VatCodeList:
        """VAT codes for pick lists."""
        adm = self.administration(office_code, username, administration_id)
        return VatCodeList(vat_codes=sorted(self._administrations.vat_codes(adm.administration_id), key=lambda v: v.code))

    def put_rule(self, office_code: str, username: str, administration_id: str, supplier_code: str,
                 rule: PostingRule) -> PostingRule:
        """Save a posting rule after checking supplier, GL account and VAT code exist in the package data.

        Only approvers and admins: a rule decides the GL account and VAT code of the supplier's later invoices."""
        require_approver(self._offices, office_code, username, "Only admins and approvers may keep posting rules.")
        adm = self.administration(office_code, username, administration_id)
        problems: list[dict[str, str]] = []
        if supplier_code not in {s.code for s in self._administrations.suppliers(adm.administration_id)}:
            raise errors.NotFound(f"No supplier '{supplier_code}' in this administration.")
        if rule.gl_account not in {g.code for g in self._administrations.gl_accounts(adm.administration_id)}:
            problems.append({"field": "gl_account", "message": f"GL account '{rule.gl_account}' does not exist."})
        if rule.vat_code and rule.vat_code not in {v.code for v in self._administrations.vat_codes(adm.administration_id)}:
            problems.append({"field": "vat_code", "message": f"VAT code '{rule.vat_code}' does not exist."})
        if problems:
            raise errors.ValidationFailed("The rule refers to master data the package does not have.", errors=problems)
        self._administrations.put_rule(adm.administration_id, supplier_code, rule)
        return rule

    def delete_rule(self, office_code: str, username: str, administration_id: str, supplier_code: str) -> None:
        """Remove a posting rule (404 when there is none); only approvers and admins."""
        require_approver(self._offices, office_code, username, "Only admins and approvers may keep posting rules.")
        adm = self.administration(office_code, username, administration_id)
        if not self._administrations.delete_rule(adm.administration_id, supplier_code):
            raise errors.NotFound("This supplier has no rule.")


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return max(int(raw.removeprefix("o:")), 0)
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.ValidationFailed("The cursor is not valid.", errors=[{"field": "next", "message": "Invalid cursor."}]) from exc
