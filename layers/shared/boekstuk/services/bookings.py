"""Bookings: the workflow's ``Book`` and ``RecordBookingFailure`` tasks and retry-booking.

``Book`` (``book``) posts an approved document into one connection exactly once (the booking claim), with its
PDF; package errors leave by their domain class names, which the ASL's Retry/Catch match. When the package keeps
failing, ``RecordBookingFailure`` (``record_failure``) ends the document ``failed`` with a reason a person can act
on (``boekstuk.domain.errors.failure_reason``), and ``retry_booking`` starts a new execution for it. Every step of
the document goes through ``boekstuk.domain.lifecycle``.
"""

from __future__ import annotations

import mimetypes
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from boekstuk.domain import errors, lifecycle
from boekstuk.domain.approvals import BookingTarget
from boekstuk.domain.documents import MAX_DOCUMENT_BYTES, Booking, Document, HistoryEvent, missing_for_booking
from boekstuk.domain.errors import failure_reason
from boekstuk.domain.packages import Attachment, BookingLine, BookingResult, PurchaseBooking
from boekstuk.observability import logger
from boekstuk.ports import (
    AdministrationRepository,
    BookingClaims,
    Clock,
    ConnectionRepository,
    DocumentRepository,
    DocumentStorage,
    OfficeRepository,
    PackageOpener,
    WorkflowRestart,
)
from boekstuk.services.access import require_approver
from boekstuk.services.lookups import administration_of, booking_targets, document_of

__all__ = ["BookOutcome", "BookingLearner", "Bookings", "RetryResult", "SupplierProvisioner", "failure_reason"]


class SupplierProvisioner(Protocol):
    def ensure_supplier(self, document: Document) -> str:
        """The creditor code to book on (a ``new`` supplier created in the package exactly once)."""
        ...


class BookingLearner(Protocol):
    def record_booked(self, document: Document, supplier_code: str | None = None) -> None:
        """Remember what the supplier was booked on, for the next proposal."""
        ...


class RetryResult(BaseModel):
    document_id: str
    status: str
    bookings: list[Booking]


class BookOutcome(BaseModel):
    """What a ``Book`` task returns into the execution (no secrets, no token)."""

    connection_id: str
    status: Literal["booked", "failed"]
    entry_id: str | None = None
    already_booked: bool = False
    error: str | None = None


class Bookings:
    """Book a document into its package (exactly once, with its PDF), record a booking that gave up, retry it."""

    def __init__(self, *, documents: DocumentRepository, claims: BookingClaims, offices: OfficeRepository,
                 administrations: AdministrationRepository, connections: ConnectionRepository,
                 packages: PackageOpener, storage: DocumentStorage, restart: WorkflowRestart,
                 provisioning: SupplierProvisioner, learner: BookingLearner, clock: Clock) -> None:
        self._documents = documents
        self._claims = claims
        self._offices = offices
        self._administrations = administrations
        self._connections = connections
        self._packages = packages
        self._storage = storage
        self._restart = restart
        self._provisioning = provisioning
        self._learner = learner
        self._clock = clock

    def retry_booking(self, office_code: str, username: str, document_id: str) -> RetryResult:
        """Re-queue a ``failed`` booking in a new execution (the claim lets only one request do it)."""
        require_approver(self._offices, office_code, username, "Only admins and approvers may retry a booking.")
        document = document_of(self._documents, office_code, document_id)
        lifecycle.check(document.status, HistoryEvent.BOOKING_RETRIED)  # only a failed booking; booked: locked
        now = self._clock.now()
        failed = [b for b in document.bookings if b.status == "failed"] or [
            Booking(connection_id=t.connection_id, package=t.package, status="failed")
            for t in booking_targets(self._administrations, document)]
        if not all(self._claims.reopen(office_code, document_id, b.connection_id, now) for b in failed):
            raise errors.InvalidStatus("This booking is already being retried.")
        bookings = [b.model_copy(update={"status": "pending", "error": None}) if b.status == "failed" else b
                    for b in (document.bookings or failed)]
        retried = lifecycle.transition(document, "approved", HistoryEvent.BOOKING_RETRIED, actor=f"api:{username}",
                                       at=now, error=None, bookings=bookings)
        self._documents.save(retried)
        execution = self._restart.start_again(office_code, document_id)
        logger.info("booking retried", document_id=document_id, execution=execution.rsplit(":", 1)[-1])
        return RetryResult(document_id=document_id, status=retried.document.status, bookings=bookings)

    def _with_booking(self, document: Document, target: BookingTarget, **changes: Any) -> list[Booking]:
        bookings = list(document.bookings)
        for i, b in enumerate(bookings):
            if b.connection_id == target.connection_id:
                bookings[i] = b.model_copy(update=changes)
                return bookings
        base = {"connection_id": target.connection_id, "package": target.package, "status": "pending"}
        return [*bookings, Booking.model_validate({**base, **changes})]

    def book(self, office_code: str, document_id: str, target: BookingTarget, execution: str) -> BookOutcome:
        """Post the document into one connection, exactly once and with its PDF; package errors propagate by class
        name. An entry found without its PDF (the upload after the post failed) gets it attached first."""
        document = document_of(self._documents, office_code, document_id)
        now = self._clock.now()
        claim = self._claims.claim_booking(office_code, document_id, target.connection_id, execution, now)
        if claim.status == "booked":
            logger.info("already booked; not posted again", document_id=document_id)
            return BookOutcome(connection_id=target.connection_id, status="booked", entry_id=claim.entry_id,
                               already_booked=True)
        if document.status != "booking":  # the state machine's Retry finds it booking already
            booking_now = lifecycle.transition(
                document, "booking", HistoryEvent.BOOKING, actor="workflow", at=now, detail=target.package,
                bookings=self._with_booking(document, target, status="booking", error=None))
            self._documents.save(booking_now)
            document = booking_now.document
        connection = self._connections.get(office_code, target.connection_id)
        adm = administration_of(self._administrations, office_code, target.administration_id)
        if connection is None:
            raise errors.NotFound("The connection of this administration no longer exists.")
        supplier_code = self._provisioning.ensure_supplier(document)
        booking = self.purchase_booking(document, supplier_code)
        package = self._packages.open(connection)
        # A run that posted but died before recording it finds its own entry here instead of posting twice.
        result: BookingResult | None = package.find_booking(adm.code, supplier_code, booking.invoice_number)
        found = result is not None
        attached_now = False
        if result is None:
            result = package.book_purchase(adm.code, booking.model_copy(update={"attachment": self._attachment(document)}))
        elif not result.has_attachment:
            # Posted, but the PDF upload after the post failed (most packages take the PDF in a second call).
            # The entry only counts as booked once it carries its source document; errors propagate (retried).
            package.attach_document(adm.code, result, self._attachment(document))
            attached_now = True
        booked_at = self._clock.now()
        self._claims.mark_booked(office_code, document_id, target.connection_id, execution, result.entry_id, booked_at)
        document = document_of(self._documents, office_code, document_id)
        bookings = self._with_booking(document, target, status="booked", entry_id=result.entry_id,
                                      booked_at=booked_at, error=None)
        status = "booked" if all(b.status == "booked" for b in bookings) else document.status
        booked = lifecycle.transition(
            document, status, HistoryEvent.BOOKED, actor="workflow", at=booked_at,
            detail=f"{target.package} entry {result.entry_number or result.entry_id}"
                   + (" (found in the package without its PDF, not posted again; PDF attached on this retry)"
                      if attached_now else " (found in the package, not posted again)" if found else ""),
            bookings=bookings, error=None)
        self._documents.save(booked)
        document = booked.document
        try:
            self._learner.record_booked(document, supplier_code)
        except Exception:  # noqa: BLE001 - the booking stands; a missed lesson only costs a better proposal
            logger.exception("learning from the booking failed", document_id=document_id)
        return BookOutcome(connection_id=target.connection_id, status="booked", entry_id=result.entry_id,
                           already_booked=found)

    def purchase_booking(self, document: Document, supplier_code: str) -> PurchaseBooking:
        """The package-neutral booking from the approved proposal (without the attachment)."""
        proposal = document.proposal
        if proposal is None:
            raise errors.ProposalIncomplete("The document has no proposal to book.")
        missing = missing_for_booking(proposal)
        if missing:
            raise errors.ProposalIncomplete(
                "The proposal is missing " + (", ".join(missing) if missing != ["lines"] else "its lines")
                + "; edit it and retry.")
        credit = proposal.total_incl_vat < 0
        lines = [BookingLine(gl_account=str(line.gl_account), description=line.description or proposal.supplier.name,
                             amount_excl_vat=line.amount_excl_vat, vat_code=str(line.vat_code),
                             vat_amount=line.vat_amount, cost_centre=line.cost_centre) for line in proposal.lines]
        # Receipts often carry no number; the document id keeps the package's duplicate check meaningful.
        number = proposal.invoice_number or f"BS-{document.document_id[:12].upper()}"
        description = proposal.description or f"{proposal.supplier.name} {number}"
        return PurchaseBooking(supplier_code=supplier_code, invoice_number=number,
                               invoice_date=proposal.invoice_date or document.created_at.date(),
                               due_date=proposal.due_date, currency=proposal.currency, description=description[:200],
                               kind="credit_note" if credit else "invoice", lines=lines,
                               total_incl_vat=proposal.total_incl_vat)

    def _attachment(self, document: Document) -> Attachment:
        """The original the intake kept (never the upload key, which a client could write again)."""
        if document.original_key is None:
            raise errors.NotFound("The original file of this document is not stored; it cannot be booked.")
        content_type = (document.content_type or mimetypes.guess_type(document.filename)[0]
                        or "application/octet-stream")
        return Attachment(filename=document.filename, content_type=content_type,
                          content=self._storage.read(document.original_key, MAX_DOCUMENT_BYTES))

    def record_failure(self, office_code: str, document_id: str, target: BookingTarget, execution: str,
                       error: dict[str, Any] | None) -> BookOutcome:
        """The package kept failing (or refused): booking and document ``failed`` with the reason."""
        reason = failure_reason(error)
        now = self._clock.now()
        if not self._claims.mark_failed(office_code, document_id, target.connection_id, execution, reason, now):
            # Another run holds (or completed) this booking: its outcome stands.
            logger.warning("failure of a run that does not hold the booking ignored", document_id=document_id)
            return BookOutcome(connection_id=target.connection_id, status="failed", error=reason)
        document = document_of(self._documents, office_code, document_id)
        if lifecycle.allows(document.status, HistoryEvent.BOOKING_FAILED):  # approved or booking
            self._documents.save(lifecycle.transition(
                document, "failed", HistoryEvent.BOOKING_FAILED, actor="workflow", at=now, detail=reason, error=reason,
                bookings=self._with_booking(document, target, status="failed", error=reason)))
        return BookOutcome(connection_id=target.connection_id, status="failed", error=reason)
