"""Booking proposals that learn: propose, edit, remember what was booked, provision the creditor.

Entry points for the documents pipeline (the intake, ``PUT .../proposal``, approvals and the ``book`` task; the
composition root hands these services to them):

    ProposalService.check_file_duplicate(document)          -> original document_id | None   (the intake)
    ProposalService.propose(document, recognition)          -> ProposalOutcome(proposal, duplicate_of)
    ProposalService.edit(document, ProposalEdit.parse(body), username) -> Proposal   (DocumentService's editor)
    SupplierProvisioning.ensure_supplier(document)          -> supplier code to book on   (Bookings)
    ProposalService.record_booked(document, supplier_code)  (Bookings, after the booking succeeded)
    ProposalService.release_claims(document)                (Approvals, after a rejection: number and file free)

Creditor conventions (the issue leaves them to us):
- **Expense claims**: the employee is the creditor, as Dutch packages book "declaraties": a creditor named
  ``Declaratie <username>`` (``document.uploaded_by``), found in the synced cache or the package by that exact
  name, else proposed as ``new`` and created at booking. The shop goes into the line description; the VAT
  comes from the receipt.
- **Receipts**: the shop is matched like any supplier (VAT id, KvK, IBAN, name, cache then package). A shop
  that is not a creditor gets the generic creditor ``Kassabon`` (created once per administration), not a new
  creditor per shop; the shop name goes into the line description. Due date = the receipt date (paid).
- A receipt or claim without a number gets ``BON-<first 8 of document id>`` (packages demand one).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from boekstuk.domain import errors, lifecycle
from boekstuk.domain.documents import (
    BookedHistory,
    Document,
    HistoryEvent,
    Proposal,
    ProposalSupplier,
    ProposalWarning,
)
from boekstuk.domain.links import Administration, LedgerAccount, Supplier, TaxCode, normalise_identifier
from boekstuk.domain.packages import Address, PackageSupplier, SupplierDraft
from boekstuk.domain.proposing import (
    HISTORY_WINDOW,
    BuyerIdentity,
    Identifiers,
    ProposalEdit,
    ProposalInputs,
    SupplierChoice,
    apply_edit,
    build_proposal,
    match_supplier,
    supplement,
)
from boekstuk.domain.proposing.matching import SupplierMatch, normalise_name
from boekstuk.domain.recognition import KnownParty, ReadingHints, Recognition
from boekstuk.observability import logger
from boekstuk.ports import (
    AccountingPackage,
    AdministrationRepository,
    Clock,
    ConnectionRepository,
    PackageOpener,
    ProposalMemory,
)

CREATION_CLAIM_TTL = dt.timedelta(minutes=2)
"""A document that claimed a creditor's creation and then vanished (crashed, rejected) blocks others this long."""

_LOOKUP_FAILURES = (errors.PackageError, errors.ConnectionNotReady, errors.NotFound)
"""A package that cannot be asked right now (down, refusing, connection not authorised or gone): proposing
goes on from the cache with a warning; only booking needs the package."""

RECEIPT_CREDITOR = "Kassabon"
"""The generic creditor for receipts from shops that are not creditors of the administration."""

EXPENSE_CREDITOR_PREFIX = "Declaratie "
"""An employee's creditor for expense claims: ``Declaratie <username>``."""

__all__ = [
    "EXPENSE_CREDITOR_PREFIX", "RECEIPT_CREDITOR", "ProposalEdit", "ProposalOutcome", "ProposalService",
    "SupplierProvisioning", "supplier_key",
]


class ProposalOutcome(BaseModel):
    """What ``propose`` decided. ``duplicate_of``: the document that already has this supplier's number."""

    proposal: Proposal
    duplicate_of: str | None = None


def supplier_key(supplier: ProposalSupplier) -> str:
    """A key that names one creditor before and after it exists in the package (VAT id first: it is stable
    when a ``new`` supplier later gets its code)."""
    for kind, value in (("vat", supplier.vat_id), ("kvk", supplier.kvk)):
        norm = normalise_identifier(value)
        if norm:
            return f"{kind}:{norm}"
    if supplier.code:
        return f"code:{supplier.code}"
    iban = normalise_identifier(supplier.iban)
    if iban:
        return f"iban:{iban}"
    return f"name:{normalise_name(supplier.name).replace(' ', '-')}"


def _number_key(number: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", number.upper()) or number


def _as_supplier(found: PackageSupplier) -> Supplier:
    return Supplier.model_validate(found.model_dump())


class _Administrations:
    """Shared lookups of both services."""

    def __init__(self, administrations: AdministrationRepository, connections: ConnectionRepository,
                 packages: PackageOpener) -> None:
        self._administrations = administrations
        self._connections = connections
        self._packages = packages

    def administration(self, document: Document) -> Administration:
        adm = self._administrations.get(document.office_code, document.administration_id)
        if adm is None:
            raise errors.NotFound("The document's administration is not linked (any more).")
        return adm

    def package(self, adm: Administration) -> AccountingPackage:
        connection = self._connections.get(adm.office_code, adm.connection_id)
        if connection is None:
            raise errors.NotFound("The administration's connection is gone.")
        return self._packages.open(connection)


class ProposalService(_Administrations):
    """Turns a recognition into a proposal, validates edits, and learns from what was booked."""

    def __init__(self, administrations: AdministrationRepository, connections: ConnectionRepository,
                 packages: PackageOpener, memory: ProposalMemory, clock: Clock) -> None:
        super().__init__(administrations, connections, packages)
        self._memory = memory
        self._clock = clock

    # -- duplicates -------------------------------------------------------------------------------------

    def check_file_duplicate(self, document: Document) -> str | None:
        """The document that already holds this file (same sha256) in this administration, else None.

        Claims the hash for ``document`` atomically: of two simultaneous uploads of one file only one passes.
        """
        if not document.sha256:
            return None
        return self._memory.claim_file(document.administration_id, document.sha256, document.document_id)

    def release_claims(self, document: Document) -> None:
        """A rejected (or deleted) document no longer blocks its file and invoice number: a corrected
        re-upload of the same invoice is then not called a duplicate of the rejected one."""
        adm_id = document.administration_id
        if document.sha256:
            self._memory.release_file(adm_id, document.sha256, document.document_id)
        proposal = document.proposal
        if proposal is not None and proposal.invoice_number:
            self._memory.release_invoice(adm_id, supplier_key(proposal.supplier),
                                         _number_key(proposal.invoice_number), document.document_id)

    # -- propose ----------------------------------------------------------------------------------------

    def propose(self, document: Document, recognition: Recognition) -> ProposalOutcome:
        """The complete proposal for a recognised document, and whether it duplicates an earlier one."""
        adm = self.administration(document)
        suppliers = self._administrations.suppliers(adm.administration_id)
        warnings: list[ProposalWarning] = []
        buyer = self._buyer(adm, recognition, suppliers)
        choice, line_description = self._choose_supplier(document, recognition, adm, suppliers, buyer, warnings)
        code = choice.proposal.code
        rule = self._administrations.rules(adm.administration_id).get(code) if code else None
        history = self._memory.last_booked(adm.administration_id, code) if code else None
        if history is not None and history.booked_at < self._clock.now() - HISTORY_WINDOW:
            history = None  # older than six months: the supplier's default is the better guess again
        proposal = build_proposal(recognition, ProposalInputs(
            document_id=document.document_id, document_kind=document.kind, supplier=choice,
            vat_codes=self._vat_codes(adm, warnings), rule=rule, history=history,
            warnings=warnings, line_description=line_description))
        duplicate_of = self._duplicates(document, proposal)
        return ProposalOutcome(proposal=proposal, duplicate_of=duplicate_of)

    def reading_hints(self, document: Document) -> ReadingHints:
        """What marks the parties on the document before it is read: the administration's own name and ids (the
        buyer; ids from a creditor record the package keeps for the administration itself) and its synced
        suppliers (the names and ids the page is searched for)."""
        adm = self.administration(document)
        suppliers = self._administrations.suppliers(adm.administration_id)
        by_name = BuyerIdentity(names=(adm.name,))
        own = [s for s in suppliers if by_name.is_buyer_name(s.name)]

        def first(attribute: str) -> str | None:
            return next((value for s in own if (value := getattr(s, attribute))), None)

        buyer = KnownParty(name=adm.name, vat_id=first("vat_id"), kvk=first("kvk"), iban=first("iban"))
        return ReadingHints(buyer=buyer, suppliers=[
            KnownParty(name=s.name, vat_id=s.vat_id, kvk=s.kvk, iban=s.iban, code=s.code)
            for s in suppliers if s not in own])

    @staticmethod
    def _buyer(adm: Administration, recognition: Recognition, suppliers: list[Supplier]) -> BuyerIdentity:
        """The administration as it appears on its invoices: its name, the recognised buyer, and the
        identifiers of any creditor record the package keeps for the administration itself."""
        names = [adm.name]
        buyer = recognition.buyer
        if buyer and buyer.name:
            names.append(buyer.name)
        by_name = BuyerIdentity(names=tuple(names))
        own = [s for s in suppliers if by_name.is_buyer_name(s.name)]

        def ids(*values: str | None) -> frozenset[str]:
            return frozenset(v for v in (normalise_identifier(x) for x in values) if v)

        return BuyerIdentity(
            names=tuple(names),
            vat_ids=ids(buyer.vat_id if buyer else None, *(s.vat_id for s in own)),
            kvks=ids(buyer.kvk if buyer else None, *(s.kvk for s in own)),
            ibans=ids(*(s.iban for s in own)),
        )

    def _choose_supplier(self, document: Document, recognition: Recognition, adm: Administration,
                         suppliers: list[Supplier], buyer: BuyerIdentity,
                         warnings: list[ProposalWarning]) -> tuple[SupplierChoice, str | None]:
        f = recognition.fields
        shop_text = " ".join(p for p in ((f.supplier_name or "").strip(), f.invoice_date or "") if p) or None
        if document.kind == "expense_claim":
            employee = f"{EXPENSE_CREDITOR_PREFIX}{document.uploaded_by or 'onbekend'}"
            return self._named_creditor(employee, "expense claim: employee creditor", adm, suppliers,
                                        warnings), shop_text
        ids = Identifiers.of(f.supplier_vat_id, f.supplier_kvk, f.supplier_iban, f.supplier_name, buyer)
        found = match_supplier(ids, suppliers, buyer)
        where = ""
        if found is None:
            found = self._package_lookup(ids, adm, buyer, warnings)
            where = " (package)"
        is_receipt = document.kind == "receipt" or recognition.document_kind == "receipt"
        if found is not None:
            s = found.supplier
            update = None if is_receipt else supplement(s, ids.vat_id, ids.kvk, ids.iban, recognition.supplier_address)
            proposal = ProposalSupplier(code=s.code, name=s.name, match=found.kind,
                                        vat_id=s.vat_id or ids.vat_id, kvk=s.kvk or ids.kvk, iban=s.iban or ids.iban,
                                        address=_address_text(s.address) or recognition.supplier_address)
            return SupplierChoice(proposal, f"{found.kind} match{where}", s, update), \
                shop_text if is_receipt else None
        if is_receipt:
            return self._named_creditor(RECEIPT_CREDITOR, "receipt from an unknown shop: generic creditor", adm,
                                        suppliers, warnings), shop_text
        name = (ids.name or "").strip()
        if not name:
            warnings.append(ProposalWarning(code="unknown_supplier",
                                            detail="No supplier name was found: choose the supplier."))
        proposal = ProposalSupplier(code=None, name=name or "Onbekende leverancier", match="new",
                                    vat_id=ids.vat_id, kvk=ids.kvk, iban=ids.iban, address=recognition.supplier_address)
        return SupplierChoice(proposal, "new supplier (recognised)"), None

    def _package_lookup(self, ids: Identifiers, adm: Administration, buyer: BuyerIdentity,
                        warnings: list[ProposalWarning]) -> SupplierMatch | None:
        """The cache missed: ask the package itself before calling anyone new.

        One ``find_suppliers`` with every identifier (connectors answer the union; some read every creditor
        per call, so one call instead of four keeps us under their rate limits), then the same order here.
        """
        wanted = {k: getattr(ids, k) for k in ("vat_id", "kvk", "iban", "name") if getattr(ids, k)}
        if not wanted:
            return None
        try:
            found = [_as_supplier(s) for s in self.package(adm).find_suppliers(adm.code, **wanted)]
        except _LOOKUP_FAILURES as exc:
            logger.warning("supplier lookup in the package failed", administration_id=adm.administration_id,
                           code=exc.code)
            warnings.append(ProposalWarning(code="supplier_lookup_failed", detail=(
                "The accounting package could not be asked for this supplier; it is proposed as new and looked "
                "up again before it is created.")))
            return None
        return match_supplier(ids, found, buyer)

    def _named_creditor(self, name: str, why: str, adm: Administration, suppliers: list[Supplier],
                        warnings: list[ProposalWarning]) -> SupplierChoice:
        """A creditor by its exact name (employee or generic receipt creditor): cache, package, else new."""
        wanted = normalise_name(name)
        found = next((s for s in suppliers if normalise_name(s.name) == wanted and not s.blocked), None)
        if found is None:
            try:
                found = next((_as_supplier(s) for s in self.package(adm).find_suppliers(adm.code, name=name)
                              if normalise_name(s.name) == wanted and not s.blocked), None)
            except _LOOKUP_FAILURES as exc:
                logger.warning("creditor lookup failed", administration_id=adm.administration_id, code=exc.code)
                warnings.append(ProposalWarning(code="supplier_lookup_failed",
                                                detail=f"The package could not be asked for creditor '{name}'."))
        if found is None:
            return SupplierChoice(ProposalSupplier(code=None, name=name, match="new"), f"{why} (new)")
        return SupplierChoice(ProposalSupplier(code=found.code, name=found.name, match="name", vat_id=found.vat_id,
                                               kvk=found.kvk, iban=found.iban), why, found)

    def _duplicates(self, document: Document, proposal: Proposal) -> str | None:
        """Claim (supplier, number); near-duplicates (same supplier, date and amount) only warn."""
        adm_id = document.administration_id
        key = supplier_key(proposal.supplier)
        duplicate_of = None
        if proposal.invoice_number and proposal.provenance.get("invoice_number") == "recognised":
            duplicate_of = self._memory.claim_invoice(adm_id, key, _number_key(proposal.invoice_number),
                                                      document.document_id)
        if duplicate_of:
            proposal.warnings.append(ProposalWarning(code="duplicate_number", detail=(
                f"Invoice {proposal.invoice_number} of {proposal.supplier.name} is already in this administration "
                f"(document {duplicate_of}).")))
            return duplicate_of
        if proposal.invoice_date is not None:
            others = self._memory.remember_fingerprint(adm_id, key, proposal.invoice_date.isoformat(),
                                                       str(proposal.total_incl_vat), document.document_id)
            if others:
                proposal.warnings.append(ProposalWarning(code="near_duplicate", detail=(
                    f"Document {others[0]} has the same supplier, date and amount ({proposal.total_incl_vat}) "
                    "under another invoice number: is this the same invoice?")))
        return None

    # -- edit -------------------------------------------------------------------------------------------

    def edit(self, document: Document, edit: ProposalEdit | Mapping[str, Any], editor: str) -> Proposal:
        """The bookkeeper's edit, validated against the administration's master data (422 per field).

        ``edit`` may be the raw JSON body: it is parsed here, wrong types answering per field too.
        """
        if not isinstance(edit, ProposalEdit):
            edit = ProposalEdit.parse(edit)
        lifecycle.check(document.status, HistoryEvent.EDITED)  # booked: locked
        if document.proposal is None:
            raise errors.InvalidStatus("The document has no proposal to edit.")
        adm_id = document.administration_id
        gl_accounts = self._administrations.gl_accounts(adm_id)
        vat_codes = self._administrations.vat_codes(adm_id)
        if {ln.gl_account for ln in edit.lines} - {g.code for g in gl_accounts} \
                or {ln.vat_code for ln in edit.lines} - {v.code for v in vat_codes}:
            # Not in the synced cache: the package is the truth (an account added since the last sync).
            gl_accounts, vat_codes = self._fresh_master_data(document, gl_accounts, vat_codes)
        edited = apply_edit(document.proposal, edit, editor,
                            suppliers=self._administrations.suppliers(adm_id), gl_accounts=gl_accounts,
                            vat_codes=vat_codes, today=self._clock.now().date())
        old = document.proposal
        if (edited.invoice_number, supplier_key(edited.supplier)) != (old.invoice_number, supplier_key(old.supplier)) \
                and edited.invoice_number:
            # A corrected number (or creditor) must not turn this into a duplicate of another document.
            holder = self._memory.claim_invoice(adm_id, supplier_key(edited.supplier),
                                                _number_key(edited.invoice_number), document.document_id)
            if holder:
                raise errors.ValidationFailed("This invoice is already in the administration.", errors=[{
                    "field": "invoice_number",
                    "message": f"Invoice {edited.invoice_number} of {edited.supplier.name} is already in this "
                               f"administration (document {holder})."}])
        return edited

    def _fresh_master_data(self, document: Document, gl_accounts: list[LedgerAccount],
                           vat_codes: list[TaxCode]) -> tuple[list[LedgerAccount], list[TaxCode]]:
        """GL accounts and VAT codes read from the package; the cached ones when it cannot be asked."""
        try:
            adm = self.administration(document)
            package = self.package(adm)
            return ([LedgerAccount.model_validate(g.model_dump()) for g in package.list_gl_accounts(adm.code)],
                    [TaxCode.model_validate(v.model_dump()) for v in package.list_vat_codes(adm.code)])
        except _LOOKUP_FAILURES as exc:
            logger.warning("master data lookup in the package failed", document_id=document.document_id,
                           code=exc.code)
            return gl_accounts, vat_codes

    def _vat_codes(self, adm: Administration, warnings: list[ProposalWarning]) -> list[TaxCode]:
        """The synced VAT codes; before the first sync (none cached) the package's own."""
        cached = self._administrations.vat_codes(adm.administration_id)
        if cached:
            return cached
        try:
            return [TaxCode.model_validate(v.model_dump()) for v in self.package(adm).list_vat_codes(adm.code)]
        except _LOOKUP_FAILURES as exc:
            logger.warning("VAT codes lookup in the package failed", administration_id=adm.administration_id,
                           code=exc.code)
            warnings.append(ProposalWarning(code="master_data_unavailable", detail=(
                "The administration's VAT codes are not synced yet and the package could not be asked: "
                "choose the VAT codes.")))
            return []

    # -- learning ---------------------------------------------------------------------------------------

    def record_booked(self, document: Document, supplier_code: str | None = None) -> None:
        """Remember what the supplier was booked on (the bookkeeper's corrections included): the next
        proposal for this supplier uses it. ``supplier_code``: the creditor booked on, when the proposal's
        supplier was ``new`` (else the code remembered by ``SupplierProvisioning`` is used)."""
        proposal = document.proposal
        if proposal is None:
            return
        adm_id = document.administration_id
        code = (supplier_code or proposal.supplier.code
                or self._memory.provisioned_supplier(adm_id, document.document_id))
        if not code:
            logger.warning("booked without a known creditor code; nothing learned", document_id=document.document_id)
            return
        booked = [b.booked_at for b in document.bookings if b.booked_at is not None]
        at = max(booked) if booked else self._clock.now()
        self._memory.record_booked(adm_id, BookedHistory(supplier_code=code, booked_at=at,
                                                         document_id=document.document_id, lines=proposal.lines))


class SupplierProvisioning(_Administrations):
    """At booking: the creditor to book on exists in the package, exactly once."""

    def __init__(self, administrations: AdministrationRepository, connections: ConnectionRepository,
                 packages: PackageOpener, memory: ProposalMemory, clock: Clock | None = None) -> None:
        super().__init__(administrations, connections, packages)
        self._memory = memory
        self._clock = clock

    def ensure_supplier(self, document: Document) -> str:
        """Create the ``new`` supplier (or apply the ``supplier_update``) once; the code to book on.

        The package is asked first, so a retry after a timeout (the creditor was created but the answer
        lost) finds the creditor instead of creating a second one.
        """
        proposal = document.proposal
        if proposal is None:
            raise errors.InvalidStatus("The document has no proposal to book.")
        adm = self.administration(document)
        adm_id = adm.administration_id
        supplier = proposal.supplier
        if supplier.code:
            if proposal.supplier_update and not self._memory.provisioned_supplier(
                    adm_id, f"update:{document.document_id}"):
                # update_supplier only adds fields, so repeating it after a lost answer is harmless.
                self.package(adm).update_supplier(adm.code, supplier.code, _draft(supplier.name,
                                                                                  proposal.supplier_update))
                self._memory.remember_provisioned(adm_id, f"update:{document.document_id}", supplier.code)
                logger.info("supplier supplemented", administration_id=adm_id, supplier=supplier.code,
                            fields=sorted(proposal.supplier_update))
            return supplier.code
        remembered = self._memory.provisioned_supplier(adm_id, document.document_id)
        if remembered:
            return remembered
        key = supplier_key(supplier)
        code = self._memory.provisioned_supplier(adm_id, key)
        if code is None:
            # Two documents of one new supplier booked at the same time: only one may create it.
            now = self._clock.now() if self._clock else dt.datetime.now(dt.UTC)
            holder = self._memory.claim_creation(adm_id, key, document.document_id, now, now - CREATION_CLAIM_TTL)
            package = self.package(adm)
            code = self._find(package, adm.code, supplier, BuyerIdentity(names=(adm.name,)))
            if code is None:
                if holder is not None:
                    # PackageUnavailable is what the workflow retries with back-off; by then it exists.
                    raise errors.PackageUnavailable(
                        f"Creditor '{supplier.name}' is being created for document {holder}; try again shortly.")
                created = package.create_supplier(adm.code, self._new_draft(document))
                code = created.code
                logger.info("supplier created", administration_id=adm_id, supplier=code)
            self._memory.remember_provisioned(adm_id, key, code)
        self._memory.remember_provisioned(adm_id, document.document_id, code)
        return code

    @staticmethod
    def _find(package: AccountingPackage, administration: str, supplier: ProposalSupplier,
              buyer: BuyerIdentity) -> str | None:
        """The creditor already in the package: same VAT id, KvK or IBAN, else exactly the same name (never
        the administration's own creditor record). One lookup call with every key."""
        keys = {k: getattr(supplier, k) for k in ("vat_id", "kvk", "iban", "name") if getattr(supplier, k)}
        found = [s for s in package.find_suppliers(administration, **keys)
                 if not s.blocked and not buyer.is_buyer_name(s.name)]
        for kind in ("vat_id", "kvk", "iban"):
            wanted = normalise_identifier(getattr(supplier, kind))
            hit = next((s for s in found if wanted and normalise_identifier(getattr(s, kind)) == wanted), None)
            if hit is not None:
                return hit.code
        wanted_name = normalise_name(supplier.name)
        return next((s.code for s in found if normalise_name(s.name) == wanted_name), None)

    @staticmethod
    def _new_draft(document: Document) -> SupplierDraft:
        assert document.proposal is not None
        proposal = document.proposal
        s = proposal.supplier
        term = None
        if proposal.due_date and proposal.invoice_date and proposal.due_date > proposal.invoice_date \
                and document.kind == "purchase_invoice":
            term = (proposal.due_date - proposal.invoice_date).days
        first = proposal.lines[0] if proposal.lines else None
        return SupplierDraft(name=s.name, vat_id=s.vat_id, kvk=s.kvk, iban=s.iban, address=_parse_address(s.address),
                             payment_term_days=term,
                             # What the bookkeeper approved becomes the creditor's default for next time.
                             default_gl_account=first.gl_account if first else None,
                             default_vat_code=first.vat_code if first else None)


def _draft(name: str, update: dict[str, str]) -> SupplierDraft:
    return SupplierDraft(name=name, vat_id=update.get("vat_id"), kvk=update.get("kvk"), iban=update.get("iban"),
                         address=_parse_address(update.get("address")))


_POSTCODE = re.compile(r"\b(\d{4}\s?[A-Z]{2})\b")


def _parse_address(text: str | None) -> Address:
    """``"Stationsplein 12, 3511 ED Utrecht"`` -> street, postcode, city (Dutch postcodes); else street only."""
    if not text:
        return Address()
    flat = " ".join(text.replace("\n", ", ").split())
    match = _POSTCODE.search(flat)
    if not match:
        return Address(street=flat[:100])
    street = flat[:match.start()].strip(" ,") or None
    rest = [part.strip() for part in flat[match.end():].split(",") if part.strip()]
    # "..., 8006 QB Bornerbroek, NL": a trailing two-letter part is the country, not part of the city.
    country = rest.pop().upper() if len(rest) > 1 and re.fullmatch(r"[A-Za-z]{2}", rest[-1]) else "NL"
    return Address(street=street, postcode=match.group(1), city=", ".join(rest) or None, country=country)


def _address_text(address: Address) -> str | None:
    parts = [address.street, " ".join(p for p in (address.postcode, address.city) if p)]
    text = ", ".join(p for p in parts if p)
    return text or None


