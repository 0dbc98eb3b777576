"""Documents (uploaded purchase invoices, receipts, expense claims) and their booking proposals.

Shapes follow API.md's document object. Statuses: received -> recognizing -> awaiting_approval -> approved ->
booking -> booked; also rejected, duplicate, unreadable, failed. Every upload ends in one of them. Which step may
follow which, and how a step is taken, is ``boekstuk.domain.lifecycle``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from boekstuk.domain.links import PostingRule
from boekstuk.domain.money import Money
from boekstuk.domain.recognition import Recognition

DocumentKind = Literal["purchase_invoice", "receipt", "expense_claim"]
DocumentStatus = Literal[
    "received", "recognizing", "awaiting_approval", "approved", "booking", "booked",
    "rejected", "duplicate", "unreadable", "failed",
]
FINAL_STATUSES: frozenset[str] = frozenset({"booked", "rejected", "duplicate", "unreadable", "failed"})
MatchKind = Literal["vat_id", "kvk", "iban", "name", "new", "manual"]  # manual: chosen in an edit

ALLOWED_CONTENT_TYPES: dict[str, str] = {
    "application/pdf": "pdf",
    "image/jpeg": "jpeg",
    "image/png": "png",
    "image/tiff": "tiff",
    "application/xml": "xml",
    "text/xml": "xml",
}
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


class HistoryEvent(StrEnum):
    """What one history entry records: a step of the document's lifecycle (``history[].event`` in the API)."""

    UPLOAD_REQUESTED = "upload_requested"  # an upload slot was handed out; the bytes are still to come
    RECEIVED = "received"  # the object arrived (it filled its slot, or it is an inbox/ drop of its own)
    RECOGNIZING = "recognizing"
    RECOGNIZED = "recognized"
    PROPOSED = "proposed"
    DUPLICATE = "duplicate"
    UNREADABLE = "unreadable"
    APPROVAL_REQUESTED = "approval_requested"
    APPROVAL_GIVEN = "approval_given"  # one decision that does not settle the approval yet
    EDITED = "edited"
    APPROVED = "approved"
    REJECTED = "rejected"
    BOOKING = "booking"
    BOOKED = "booked"
    BOOKING_FAILED = "booking_failed"
    BOOKING_RETRIED = "booking_retried"


class HistoryEntry(BaseModel):
    at: dt.datetime
    event: HistoryEvent
    actor: str  # "s3", "api", "api:<username>", "system", "workflow"
    detail: str = ""


class ProposalSupplier(BaseModel):
    code: str | None  # None when new: created in the package at booking
    name: str
    match: MatchKind
    vat_id: str | None = None
    kvk: str | None = None
    iban: str | None = None
    address: str | None = None


class ProposalLine(BaseModel):
    gl_account: str | None
    description: str
    amount_excl_vat: Money
    vat_code: str | None
    vat_amount: Money
    vat_rate: str | None = None
    cost_centre: str | None = None


class ProposalWarning(BaseModel):
    code: str  # totals_mismatch, duplicate_number, near_duplicate, unknown_vat_rate, low_confidence, ...
    detail: str
    field: str | None = None
    """The recognised field the warning is about (``low_confidence``: one warning per field to review)."""


class Proposal(BaseModel):
    """A complete booking proposal: what the bookkeeper only has to check."""

    supplier: ProposalSupplier
    invoice_number: str | None
    invoice_date: dt.date | None
    due_date: dt.date | None
    currency: str = "EUR"
    description: str | None = None
    lines: list[ProposalLine]
    total_incl_vat: Money
    warnings: list[ProposalWarning] = Field(default_factory=list)
    provenance: dict[str, str] = Field(default_factory=dict)
    supplier_update: dict[str, str] | None = None  # fields to add to a known supplier at booking


def missing_for_booking(proposal: Proposal) -> list[str]:
    """What a booking needs that the proposal lacks (``lines[0].gl_account``, ...; ``lines`` when it has none).

    A proposal with something missing cannot be booked: it is never approved without a person, who fills it in.
    """
    if not proposal.lines:
        return ["lines"]
    return [f"lines[{i}].{name}" for i, line in enumerate(proposal.lines)
            for name in ("gl_account", "vat_code") if getattr(line, name) is None]


class Decision(BaseModel):
    user: str
    decision: Literal["approved", "rejected"]
    at: dt.datetime
    comment: str = ""


class Approval(BaseModel):
    required: int = 1
    approvers: list[str] = Field(default_factory=list)
    decisions: list[Decision] = Field(default_factory=list)


class Booking(BaseModel):
    connection_id: str
    package: str
    status: Literal["pending", "booking", "booked", "failed"]
    entry_id: str | None = None
    booked_at: dt.datetime | None = None
    error: str | None = None


class Document(BaseModel):
    """The stored state of one uploaded document."""

    document_id: str
    office_code: str
    administration_id: str
    kind: DocumentKind
    filename: str
    content_type: str | None = None
    status: DocumentStatus
    awaiting_upload: bool = False  # an upload slot whose bytes have not arrived (hidden from lists, swept by TTL)
    source: Literal["api", "s3_drop", "email"]
    s3_key: str  # where the bytes arrived (the upload slot's key, the inbox/ key or the mail/in/ key)
    mail_message_id: str | None = None  # e-mail-in: the message it came in (raw at ``raw_mail_key(id)``)
    upload_etag: str | None = None  # the ETag of the one object the intake accepted for this document
    original_key: str | None = None  # the immutable copy the intake kept: what is served, attached and booked
    sha256: str | None = None
    size: int | None = None
    uploaded_by: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    error: str | None = None
    duplicate_of: str | None = None
    recognition: Recognition | None = None
    proposal: Proposal | None = None
    proposal_version: int = 0  # bumped by every edit that changes what an approver approves
    approval: Approval | None = None
    approval_requested_at: dt.datetime | None = None  # when people were (last) asked: reminders count from here
    bookings: list[Booking] = Field(default_factory=list)


def safe_filename(name: str) -> str:
    """A file name safe as the last part of an S3 key and in a header: no paths, no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKC", base)
    base = re.sub(r"[^\w.\- ()]+", "_", base).strip(" .") or "document"
    return base[:120]


def original_key(office_code: str, administration_id: str, document_id: str) -> str:
    """Where the intake keeps a document's original: written once (conditional put), never overwritten."""
    return f"originals/{office_code}/{administration_id}/{document_id}"


def _supplier_identity(proposal: Proposal) -> tuple[object, ...]:
    s = proposal.supplier
    return (s.code, s.name, s.vat_id, s.kvk, s.iban)


def _line_content(line: ProposalLine) -> tuple[object, ...]:
    return (line.gl_account, line.description, line.amount_excl_vat, line.vat_code, line.vat_amount, line.cost_centre)


def changes_what_is_approved(before: Proposal, after: Proposal) -> bool:
    """Whether an edit changes the supplier, an amount or a line (API.md: the approval policy is re-applied and
    earlier decisions no longer count). The currency counts as part of every amount. Dates, the invoice number
    and the description do not: the approvers' decisions stand.
    """
    return (_supplier_identity(before) != _supplier_identity(after)
            or (before.currency, before.total_incl_vat) != (after.currency, after.total_incl_vat)
            or [_line_content(line) for line in before.lines] != [_line_content(line) for line in after.lines])


class BookedHistory(BaseModel):
    """What a supplier was last booked on: the memory that makes the next proposal right."""

    supplier_code: str
    booked_at: dt.datetime
    document_id: str
    lines: list[ProposalLine]


__all__ = [
    "ALLOWED_CONTENT_TYPES", "FINAL_STATUSES", "MAX_DOCUMENT_BYTES", "Approval", "BookedHistory", "Booking",
    "Decision", "Document", "DocumentKind", "DocumentStatus", "HistoryEntry", "HistoryEvent", "MatchKind",
    "PostingRule", "Proposal", "ProposalLine", "ProposalSupplier", "ProposalWarning", "changes_what_is_approved", "original_key",
    "safe_filename",
]
