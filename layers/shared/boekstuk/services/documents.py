"""Documents: upload slots (presigned PUT), the S3 intake (API uploads and the ``inbox/`` drop), reading.

Intake, per S3 object, at most once (idempotent on bucket, key and ETag): received -> recognizing ->
(duplicate | unreadable | awaiting_approval, and the workflow starts), every step taken through the document
lifecycle (``boekstuk.domain.lifecycle``). Every failure ends the document in a
defined state with its reason; nothing is lost. The first thing processing does is keep the object's bytes
as the document's original (``originals/{office}/{administration}/{document_id}``, written once): what is
recognised, served, attached and booked never changes afterwards, whatever is written to the upload key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import urllib.parse
import uuid
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from boekstuk.domain import errors, lifecycle
from boekstuk.domain.documents import (
    ALLOWED_CONTENT_TYPES,
    MAX_DOCUMENT_BYTES,
    Approval,
    Booking,
    Document,
    DocumentKind,
    DocumentStatus,
    HistoryEvent,
    Proposal,
    original_key,
    safe_filename,
)
from boekstuk.domain.inbound_mail import parse_mailed_key, raw_mail_key
from boekstuk.domain.recognition import (
    Buyer,
    FieldLocation,
    LineItem,
    ReadingHints,
    RecognisedFields,
    Recognition,
    VatLine,
)
from boekstuk.domain.recognition import DocumentKind as RecognisedKind
from boekstuk.domain.timestamps import api_timestamp
from boekstuk.observability import logger
from boekstuk.ports import (
    AdministrationRepository,
    Clock,
    DocumentRepository,
    DocumentStorage,
    OfficeRepository,
    Proposer,
    Recognizer,
    Workflow,
)
from boekstuk.services.access import require_member

UPLOAD_URL_TTL = 900
CONTENT_URL_TTL = 300


class ProposalEditor(Protocol):
    def edit(self, document: Document, edit: Any, editor: str) -> Proposal:
        """Validate and apply an edit; ``ValidationFailed`` with per-field errors otherwise."""
        ...


class EditedProposals(Protocol):
    def save_edit(self, document: Document, proposal: Proposal, editor: str) -> Document:
        """Store an edited proposal under the approval policy (``Approvals.save_edit``)."""
        ...


class CreateDocumentRequest(BaseModel):
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=1, max_length=100)
    kind: DocumentKind = "purchase_invoice"


class UploadInstructions(BaseModel):
    method: Literal["PUT"] = "PUT"
    url: str
    headers: dict[str, str]


class UploadSlot(BaseModel):
    document_id: str
    upload: UploadInstructions
    expires_in: int = UPLOAD_URL_TTL
    max_bytes: int = MAX_DOCUMENT_BYTES


class HistoryView(BaseModel):
    at: str
    event: str
    actor: str
    detail: str


class RecognitionView(BaseModel):
    """API.md's ``recognition`` object (money as strings), plus the document kind and the reader's warnings."""

    engine: Literal["local", "textract", "ubl", "cii"]
    document_kind: RecognisedKind
    fields: RecognisedFields
    vat_lines: list[VatLine]
    line_items: list[LineItem]
    confidence: dict[str, float]
    source: dict[str, str]
    """Field -> ``page 1 (412,88)-(520,100)`` (the page's own unit) or the XPath it was read from."""
    locations: dict[str, FieldLocation]
    """Field -> where the page shows it, as fractions of the page (for highlighting); none for XML."""
    warnings: list[str]
    buyer: Buyer | None = None
    """The party the document is addressed to, as read (name, VAT id, KvK, IBAN): the reviewer sees which
    party recognition took for the administration itself. Additive; absent when no buyer was read."""


class DocumentView(BaseModel):
    """API.md's document object."""

    document_id: str
    administration_id: str
    kind: DocumentKind
    filename: str
    status: DocumentStatus
    error: str | None = None
    duplicate_of: str | None = None
    source: Literal["api", "s3_drop", "email"] = Field(
        default="api", description="How it came in: an upload slot (api), the bucket's inbox/ drop, or e-mail-in.")
    mail_message_id: str | None = Field(default=None, description="E-mail-in: the message it came in (the raw "
                                                                  "message is kept; its history names where).")
    created_at: str
    updated_at: str
    recognition: RecognitionView | None = None
    proposal: Proposal | None = None
    proposal_version: int = Field(default=0, description="Bumped by every edit that changes what an approver "
                                                         "approves; approve may name the version it saw.")
    approval: Approval | None = None
    bookings: list[Booking] = Field(default_factory=list)
    history: list[HistoryView] = Field(default_factory=list)


class DocumentSummary(BaseModel):
    document_id: str
    administration_id: str
    kind: DocumentKind
    filename: str
    status: DocumentStatus
    created_at: str
    supplier: str | None = None
    invoice_number: str | None = None
    invoice_date: dt.date | None = None
    due_date: dt.date | None = None
    currency: str | None = None
    total_incl_vat: str | None = None


def document_summary(document: Document) -> DocumentSummary:
    """A document as the list shows it: its state and, once proposed, what the proposal says about it."""
    proposal = document.proposal
    proposed: dict[str, Any] = {} if proposal is None else {
        "supplier": proposal.supplier.name, "invoice_number": proposal.invoice_number,
        "invoice_date": proposal.invoice_date, "due_date": proposal.due_date, "currency": proposal.currency,
        "total_incl_vat": str(proposal.total_incl_vat)}
    return DocumentSummary(document_id=document.document_id, administration_id=document.administration_id,
                           kind=document.kind, filename=document.filename, status=document.status,
                           created_at=api_timestamp(document.created_at), **proposed)


class DocumentPage(BaseModel):
    documents: list[DocumentSummary]
    next: str | None = None


def recognition_view(recognition: Recognition) -> RecognitionView:
    """The API's ``recognition`` object (only the documented members plus the document kind and warnings)."""
    return RecognitionView(
        engine="local" if recognition.engine == "pdf_text" else recognition.engine,
        document_kind=recognition.document_kind,
        fields=recognition.fields,
        vat_lines=recognition.vat_lines,
        line_items=recognition.line_items,
        confidence=recognition.confidence,
        source=recognition.source,
        locations=recognition.locations,
        warnings=recognition.warnings,
        buyer=recognition.buyer,
    )


@dataclass(frozen=True)
class S3Object:
    """One object of an S3 ObjectCreated record, key already URL-decoded (``version_id`` in a versioned bucket)."""

    bucket: str
    key: str
    size: int
    etag: str
    version_id: str | None = None

    def document_id(self) -> str:
        """The id of the document this object becomes when it fills no upload slot: derived from the object, so
        a redelivered event finds the document it made the first time instead of making a second one."""
        return hashlib.sha256(f"{self.bucket}\n{self.key}\n{self.version_id or self.etag}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class ObjectPlace:
    """What an object's key says: how it came (an upload slot, the ``inbox/`` drop, e-mail-in), for whom, and
    the upload slot or e-mail it belongs to."""

    source: Literal["api", "s3_drop", "email"]
    office_code: str
    administration_id: str
    slot_id: str | None
    name: str
    message_id: str | None = None


def parse_s3_key(key: str) -> ObjectPlace | None:
    """``uploads/{office}/{administration}/{document_id}/{name}``, ``inbox/{office}/{administration}/{name}`` or
    ``mail/in/{office}/{administration}/{message id}/{part}/{name}`` (``inbound_mail.mailed_key``)."""
    parts = key.split("/")
    if parts[0] == "uploads" and len(parts) >= 5:
        return ObjectPlace("api", parts[1], parts[2], parts[3], "/".join(parts[4:]))
    if parts[0] == "inbox" and len(parts) >= 4 and parts[-1]:
        return ObjectPlace("s3_drop", parts[1], parts[2], None, "/".join(parts[3:]))
    mailed = parse_mailed_key(key)
    if mailed is not None:
        return ObjectPlace("email", mailed.office_code, mailed.administration_id, None, mailed.filename,
                           mailed.message_id)
    return None


def decode_s3_key(raw: str) -> str:
    """S3 event keys arrive URL-encoded (spaces as ``+``); decode them once."""
    return urllib.parse.unquote_plus(raw)


class DocumentService:
    """The documents API."""

    def __init__(self, documents: DocumentRepository, storage: DocumentStorage, offices: OfficeRepository,
                 administrations: AdministrationRepository, clock: Clock, edits: EditedProposals,
                 editor: ProposalEditor) -> None:
        self._documents = documents
        self._storage = storage
        self._offices = offices
        self._administrations = administrations
        self._clock = clock
        self._edits = edits
        self._editor = editor

    def create_upload(self, office_code: str, username: str, administration_id: str,
                      request: CreateDocumentRequest) -> UploadSlot:
        """An upload slot: the document id and a presigned PUT (15 minutes) for its bytes."""
        require_member(self._offices, office_code, username)
        if self._administrations.get(office_code, administration_id) is None:
            raise errors.NotFound("No such administration.")
        content_type = request.content_type.split(";")[0].strip().lower()
        if content_type not in ALLOWED_CONTENT_TYPES:
            raise errors.UnsupportedContentType(
                f"'{request.content_type}' is not supported; send PDF, JPEG, PNG, TIFF or UBL/CII XML.",
                allowed=sorted(ALLOWED_CONTENT_TYPES))
        document_id = uuid.uuid4().hex
        filename = safe_filename(request.filename)
        key = f"uploads/{office_code}/{administration_id}/{document_id}/{filename}"
        now = self._clock.now()
        document = Document(document_id=document_id, office_code=office_code, administration_id=administration_id,
                            kind=request.kind, filename=filename, content_type=content_type, status="received",
                            awaiting_upload=True, source="api", s3_key=key, uploaded_by=username,
                            created_at=now, updated_at=now)
        self._documents.create(lifecycle.start(document, HistoryEvent.UPLOAD_REQUESTED, actor=f"api:{username}",
                                               detail=filename))
        url, headers = self._storage.presigned_put(key, content_type, UPLOAD_URL_TTL)
        return UploadSlot(document_id=document_id, upload=UploadInstructions(url=url, headers=headers))

    def _document(self, office_code: str, document_id: str) -> Document:
        document = self._documents.get(office_code, document_id)
        if document is None:
            raise errors.NotFound("No such document.")
        return document

    def get(self, office_code: str, username: str, document_id: str) -> DocumentView:
        """Everything about one document, history included."""
        require_member(self._offices, office_code, username)
        d = self._document(office_code, document_id)
        return DocumentView(
            document_id=d.document_id, administration_id=d.administration_id, kind=d.kind, filename=d.filename,
            status=d.status, error=d.error, duplicate_of=d.duplicate_of, source=d.source,
            mail_message_id=d.mail_message_id, created_at=api_timestamp(d.created_at),
            updated_at=api_timestamp(d.updated_at), recognition=recognition_view(d.recognition) if d.recognition else None,
            proposal=d.proposal, proposal_version=d.proposal_version, approval=d.approval, bookings=d.bookings,
            history=[HistoryView(at=api_timestamp(h.at), event=h.event, actor=h.actor, detail=h.detail)
                     for h in self._documents.history(office_code, d.document_id)])

    def list(self, office_code: str, username: str, administration_id: str | None, status: str | None,
             limit: int, cursor: str | None) -> DocumentPage:
        """A page of the office's documents, newest first."""
        require_member(self._offices, office_code, username)
        found, next_cursor = self._documents.page(office_code, administration_id, status, limit, cursor)
        return DocumentPage(next=next_cursor, documents=[
            document_summary(d) for d in found])

    def edit_proposal(self, office_code: str, username: str, document_id: str, edit: Any) -> Proposal:
        """``PUT .../proposal``: only while awaiting approval; recorded in the history. The editor validates the
        edit against the master data; an edit of the supplier, an amount or a line re-applies the approval policy
        (see ``Approvals.save_edit``)."""
        require_member(self._offices, office_code, username)
        document = self._document(office_code, document_id)
        lifecycle.check(document.status, HistoryEvent.EDITED)  # booked: locked
        if document.proposal is None:
            raise errors.InvalidStatus("The document has no proposal to edit.")
        proposal = self._editor.edit(document, edit, username)
        self._edits.save_edit(document, proposal, username)
        return proposal

    def content_url(self, office_code: str, username: str, document_id: str) -> str:
        """A short-lived URL that downloads the original file as the intake kept it (never the upload key, which a
        client could write again), always as an attachment, never shown inline.

        The type is the declared one when it is one we accept; anything else (an S3 drop declares nothing, or
        whatever the dropping program set) is served as plain bytes.
        """
        require_member(self._offices, office_code, username)
        d = self._document(office_code, document_id)
        if d.awaiting_upload:
            raise errors.NotFound("The file of this document has not been uploaded yet.")
        if d.original_key is None:
            raise errors.NotFound("The file of this document is not stored (yet).")
        content_type = d.content_type if d.content_type in ALLOWED_CONTENT_TYPES else "application/octet-stream"
        return self._storage.presigned_get(d.original_key, CONTENT_URL_TTL, d.filename, content_type)


class DocumentIntake:
    """What happens when an object lands in the bucket (``process_invoice``)."""

    def __init__(self, documents: DocumentRepository, storage: DocumentStorage, offices: OfficeRepository,
                 administrations: AdministrationRepository, recognizer: Recognizer, proposer: Proposer,
                 workflow: Workflow | None, clock: Clock) -> None:
        self._documents = documents
        self._storage = storage
        self._offices = offices
        self._administrations = administrations
        self._recognizer = recognizer
        self._proposer = proposer
        self._workflow = workflow
        self._clock = clock

    def receive(self, obj: S3Object) -> Document | None:
        """Fill the upload slot the object names, or make a document of it, and process it.

        ``None`` for an object that belongs to no office/administration (logged; there is nobody to show it to).

        An ``uploads/`` object fills its slot only when the office has that slot, for the same administration and
        at exactly this key, and only while the slot still waits for its upload: one upload per slot, taken by a
        conditional write. Any other object under ``uploads/`` (a second PUT to a used upload URL, a key naming
        a document id the office never issued, e.g. another office's) is never written into an existing
        document: it becomes a document of its own, with an id derived from the object and a history entry
        saying why. Refusing it would lose a file somebody sent (the API promises every upload ends in a defined
        state), and as a new document it goes through recognition, duplicate checks and approval like any
        ``inbox/`` drop, which needs no more rights to write. The same object delivered again (S3 delivers at
        least once) changes nothing: it is recognised by its ETag and only resumes a document whose processing
        never finished.
        """
        place = parse_s3_key(obj.key)
        if place is None:
            logger.warning("object outside uploads/, inbox/ and mail/in/ ignored", key_length=len(obj.key))
            return None
        source, office_code, administration_id, slot_id = (place.source, place.office_code, place.administration_id,
                                                           place.slot_id)
        if self._offices.get_office(office_code) is None or \
                self._administrations.get(office_code, administration_id) is None:
            logger.warning("object for an unknown office or administration", office=office_code)
            return None
        now = self._clock.now()
        actor = {"s3_drop": "s3", "email": "email"}.get(source, "api")
        why = ""
        if slot_id is not None:
            slot = self._documents.get(office_code, slot_id)
            if slot is None or slot.administration_id != administration_id or slot.s3_key != obj.key:
                why = "its key names no upload slot of this administration"
                logger.warning("object names no upload slot of its office and administration; a new document",
                               office=office_code)
            else:
                # A slot past ``received`` was filled long ago: only the conditional write decides the others.
                claimed = self._documents.claim_upload(lifecycle.transition(
                    slot, "received", HistoryEvent.RECEIVED, actor=actor, at=now, detail=f"{obj.size} bytes",
                    awaiting_upload=False, upload_etag=obj.etag, size=obj.size)) \
                    if lifecycle.allows(slot.status, HistoryEvent.RECEIVED) else None
                if claimed is not None:
                    return self._process_safely(claimed, obj)
                current = self._documents.get(office_code, slot_id)
                if current is not None and current.upload_etag == obj.etag:
                    return self._again(current, obj)
                why = f"a second upload to the upload slot of document {slot_id}"
                logger.warning("second object for a used upload slot; a new document", document_id=slot_id)
        document = Document(document_id=obj.document_id(), office_code=office_code,
                            administration_id=administration_id, kind="purchase_invoice",
                            filename=safe_filename(place.name), status="received", source=source, s3_key=obj.key,
                            upload_etag=obj.etag, size=obj.size, mail_message_id=place.message_id,
                            created_at=now, updated_at=now)
        if place.message_id is not None:
            why = f"e-mailed (message {place.message_id}, kept at {raw_mail_key(place.message_id)})"
        detail = f"{obj.size} bytes" + (f"; {why}" if why else "")
        if not self._documents.create(lifecycle.start(document, HistoryEvent.RECEIVED, actor=actor, detail=detail)):
            existing = self._documents.get(office_code, document.document_id)
            return self._again(existing, obj) if existing is not None else None
        return self._process_safely(document, obj)

    def _again(self, document: Document, obj: S3Object) -> Document:
        """The object this document was made of, delivered again: resume processing that never finished (the
        first delivery died), start the workflow of a proposed document whose start failed, otherwise leave the
        document as it is."""
        if lifecycle.allows(document.status, HistoryEvent.RECOGNIZING):
            logger.info("the same object again; resuming its processing", document_id=document.document_id)
            return self._process_safely(document, obj)
        if document.status == "awaiting_approval" and document.approval is None:
            # Proposed, but maybe without its workflow: starting it again is safe (one execution per document).
            self._start_workflow(document)
            return document
        logger.info("the same object again; nothing to do", document_id=document.document_id)
        return document

    def _process_safely(self, document: Document, obj: S3Object) -> Document:
        """``_process``; an unexpected failure ends the document ``unreadable`` with the reason, as processing
        left it (the stored document, never the copy processing started from: what it kept stays). A document
        processing already took past recognition (proposed: only starting its workflow is left) keeps its
        outcome; the failure is raised, so the invocation fails and the object comes again (``_again``)."""
        try:
            return self._process(document, obj)
        except errors.RecognitionUnavailable:
            # Textract throttled or failed: nothing is wrong with the document. The invocation fails, so Lambda
            # delivers the upload again (``_again`` resumes it), then keeps it in the failed-events queue.
            logger.warning("recognition unavailable; the upload is delivered again", document_id=document.document_id)
            raise
        except Exception as exc:  # noqa: BLE001 - never lose a document: record, then let the logs show it
            logger.exception("processing failed", document_id=document.document_id)
            current = self._documents.get(document.office_code, document.document_id) or document
            if not lifecycle.allows(current.status, HistoryEvent.UNREADABLE):
                raise
            return self._transition(current, "unreadable", HistoryEvent.UNREADABLE, "processing failed unexpectedly",
                                    error=f"Processing failed: {type(exc).__name__}")

    def _start_workflow(self, document: Document) -> None:
        if self._workflow is not None:
            execution = self._workflow.start(document.office_code, document.document_id)
            logger.info("workflow started", document_id=document.document_id, execution=execution.rsplit(":", 1)[-1])

    def _keep_original(self, document: Document, obj: S3Object) -> tuple[str, bytes]:
        """The document's original, written once: exactly the object the event names (not whatever the upload
        key holds by now), or the original an earlier delivery already kept."""
        key = original_key(document.office_code, document.administration_id, document.document_id)
        if document.original_key is None:
            content = self._storage.read(obj.key, MAX_DOCUMENT_BYTES, version_id=obj.version_id, etag=obj.etag)
            if self._storage.put_once(key, content, document.content_type):
                return key, content
        return key, self._storage.read(key, MAX_DOCUMENT_BYTES)

    def _hints(self, document: Document) -> ReadingHints | None:
        """The administration and its suppliers as hints for reading; none when they cannot be had right now
        (a document is still read without them, and its proposal says what is missing)."""
        try:
            return self._proposer.reading_hints(document)
        except errors.NotFound:
            return None

    def _transition(self, document: Document, status: DocumentStatus, event: HistoryEvent, detail: str = "",
                    **changes: Any) -> Document:
        step = lifecycle.transition(document, status, event, actor="system", at=self._clock.now(), detail=detail,
                                    **changes)
        self._documents.save(step)
        return step.document

    def _process(self, document: Document, obj: S3Object) -> Document:
        document = self._transition(document, "recognizing", HistoryEvent.RECOGNIZING)
        try:
            kept, content = self._keep_original(document, obj)
        except (errors.DocumentTooLarge, errors.UnreadableDocument) as exc:
            return self._transition(document, "unreadable", HistoryEvent.UNREADABLE, exc.detail, error=exc.detail)
        document = document.model_copy(update={"sha256": hashlib.sha256(content).hexdigest(), "original_key": kept})
        original = self._proposer.check_file_duplicate(document)
        if original:
            return self._transition(document, "duplicate", HistoryEvent.DUPLICATE, f"same file as {original}",
                                    duplicate_of=original, error=f"The same file was uploaded before ({original}).")
        try:
            recognition = self._recognizer.recognize(content, document.filename, document.content_type,
                                                     self._hints(document))
        except errors.UnreadableDocument as exc:
            return self._transition(document, "unreadable", HistoryEvent.UNREADABLE, exc.detail, error=exc.detail)
        document = document.model_copy(update={"recognition": recognition})
        document = self._transition(document, "recognizing", HistoryEvent.RECOGNIZED, f"engine {recognition.engine}")
        outcome = self._proposer.propose(document, recognition)
        if outcome.duplicate_of:
            return self._transition(document, "duplicate", HistoryEvent.DUPLICATE,
                                    f"same supplier and invoice number as {outcome.duplicate_of}",
                                    proposal=outcome.proposal, duplicate_of=outcome.duplicate_of,
                                    error=f"This invoice was already received ({outcome.duplicate_of}).")
        document = self._transition(document, "awaiting_approval", HistoryEvent.PROPOSED,
                                    f"{len(outcome.proposal.lines)} line(s), supplier match {outcome.proposal.supplier.match}",
                                    proposal=outcome.proposal)
        self._start_workflow(document)
        return document

