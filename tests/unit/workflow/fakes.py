"""The workflow's use cases (approval policies, approvals, bookings) wired to in-memory fakes, with the real DynamoDB workflow store under moto (its
conditional writes are what makes approvals and bookings exactly-once, so they are exercised for real)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import boto3
from moto import mock_aws

from boekstuk.adapters.dynamodb import DynamoTable
from boekstuk.adapters.dynamodb_documents import DynamoDocumentRepository
from boekstuk.adapters.dynamodb_workflow import DynamoWorkflowStore
from boekstuk.domain import errors
from boekstuk.domain.documents import Document, HistoryEntry, HistoryEvent, Proposal, ProposalLine, ProposalSupplier
from boekstuk.domain.links import Administration, Connection
from boekstuk.domain.onboarding import User
from boekstuk.domain.packages import Attachment, BookingResult, PurchaseBooking
from boekstuk.services.approval_policies import ApprovalPolicies
from boekstuk.services.approvals import Approvals
from boekstuk.services.bookings import Bookings
from boekstuk.services.documents import DocumentService
from tests.fakes import FixedClock, InMemoryOffices, InMemorySignups, RecordingMailer

OFFICE = "devries"
EXAMPLE = {"steps": [{"min_amount": "0.00", "approvers": ["piet", "anna"], "required": 1},
                     {"min_amount": "5000.00", "approvers": ["anna"], "required": 1}],
           "auto_approve_below": "50.00"}
"""API.md's example policy: piet or anna up to 5000.00, from there on both (anna for the second step)."""
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
ADM = Administration(administration_id="adm1", office_code=OFFICE, connection_id="con1", package="snelstart",
                     code="101", name="Bakkerij De Vries B.V.", linked_at=T0)
CONNECTION = Connection(connection_id="con1", office_code=OFFICE, package="snelstart", status="verified",
                        secret_name="s", created_at=T0, created_by="sync")


class TickingClock(FixedClock):
    """Each reading a millisecond after the previous one: history and decisions, which the table sorts by time,
    keep the order they were written in."""

    def __init__(self, start: dt.datetime) -> None:
        super().__init__(start)
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            self.current += dt.timedelta(milliseconds=1)
            return self.current


class _InOffice:
    """``docs["doc1"]``/``events["doc1"]``: a document (or its history) of the test office, read from the table."""

    def __init__(self, read: Callable[[str], Any]) -> None:
        self._read = read

    def __getitem__(self, document_id: str) -> Any:
        value = self._read(document_id)
        if value is None:
            raise KeyError(document_id)
        return value


class Documents(DynamoDocumentRepository):
    """The real document repository under moto: its conditional writes are what keeps an edit and a decision at
    the same moment apart, so the tests exercise them for real."""

    def put(self, document: Document, entry: HistoryEntry | None = None) -> None:
        """Store ``document`` as it is (and ``entry`` in its history): the state a test starts from. No lifecycle
        step leads there; the services never write a document this way."""
        writes: list[dict[str, Any]] = [{"Put": {"Item": self._item(document)}}]
        if entry is not None:
            writes.append(self._history_put(document.office_code, document.document_id, entry))
        self._db.transact(writes)

    @property
    def docs(self) -> _InOffice:
        return _InOffice(lambda document_id: self.get(OFFICE, document_id))

    @property
    def events(self) -> _InOffice:
        return _InOffice(lambda document_id: self.history(OFFICE, document_id))


def proposal(total: str, number: str | None = "F-1") -> Proposal:
    """Kantoorhuis Utrecht's proposal of ``total`` incl. 21 % VAT on one line."""
    amount = Decimal(total)
    excl = (amount / Decimal("1.21")).quantize(Decimal("0.01"))
    return Proposal(
        supplier=ProposalSupplier(code="2001", name="Kantoorhuis Utrecht B.V.", match="vat_id"),
        invoice_number=number, invoice_date=dt.date(2026, 2, 20), due_date=dt.date(2026, 3, 22),
        lines=[ProposalLine(gl_account="4300", description="Papier", amount_excl_vat=excl, vat_code="H21",
                            vat_amount=amount - excl, vat_rate="21")],
        total_incl_vat=amount)


@dataclass
class FixedEditor:
    """The proposal editor's part of an edit (validation against master data) is not under test here."""

    proposal: Proposal | None = None

    def edit(self, document: Document, edit: Any, editor: str) -> Proposal:
        assert self.proposal is not None, "set the edited proposal first"
        return self.proposal


class FakeAdministrations:
    def get(self, office_code: str, administration_id: str) -> Administration | None:
        return ADM if (office_code, administration_id) == (OFFICE, ADM.administration_id) else None


class FakeConnections:
    def get(self, office_code: str, connection_id: str) -> Connection | None:
        return CONNECTION if (office_code, connection_id) == (OFFICE, "con1") else None


class BookingPackage:
    """Entries by (supplier, invoice number), posted first and given their PDF in a second call (as SnelStart,
    Twinfield and Multivers do). ``failures``: package errors to raise on the next posts; ``lose_answer``: post
    (with the PDF), then fail like a timeout (the entry exists, the caller never heard); ``upload_failures``:
    errors of the PDF upload, both the one inside ``book_purchase`` (after the entry was posted) and
    ``attach_document``'s. ``attached``: every ``attach_document`` call, by entry id."""

    package_id = "snelstart"

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], tuple[BookingResult, PurchaseBooking]] = {}
        self.posts = 0
        self.failures: list[errors.PackageError] = []
        self.upload_failures: list[errors.PackageError] = []
        self.attached: list[str] = []
        self.lose_answer = False
        self._lock = threading.Lock()

    def find_booking(self, administration: str, supplier_code: str, invoice_number: str) -> BookingResult | None:
        found = self.entries.get((supplier_code, invoice_number))
        return found[0] if found else None

    def book_purchase(self, administration: str, booking: PurchaseBooking) -> BookingResult:
        if self.failures:
            raise self.failures.pop(0)
        with self._lock:
            self.posts += 1
            result = BookingResult(entry_id=f"E{self.posts}", entry_number=str(self.posts))
            self.entries[(booking.supplier_code, booking.invoice_number)] = (result, booking)
        if booking.attachment is not None:
            self._upload(booking.supplier_code, booking.invoice_number)
        if self.lose_answer:
            self.lose_answer = False
            raise errors.PackageUnavailable("timed out")
        return self.entries[(booking.supplier_code, booking.invoice_number)][0]

    def _upload(self, supplier_code: str, invoice_number: str) -> None:
        if self.upload_failures:
            raise self.upload_failures.pop(0)
        result, booking = self.entries[(supplier_code, invoice_number)]
        self.entries[(supplier_code, invoice_number)] = (result.model_copy(update={"has_attachment": True}), booking)

    def attach_document(self, administration: str, entry: BookingResult, attachment: Attachment) -> None:
        self.attached.append(entry.entry_id)
        key = next(k for k, (r, _) in self.entries.items() if r.entry_id == entry.entry_id)
        self._upload(*key)
        result, booking = self.entries[key]
        self.entries[key] = (result, booking.model_copy(update={"attachment": attachment}))


@dataclass
class Opener:
    package: BookingPackage

    def open(self, connection: Connection) -> BookingPackage:
        return self.package


@dataclass
class Storage:
    objects: dict[str, bytes] = field(default_factory=dict)

    def read(self, key: str, max_bytes: int) -> bytes:
        return self.objects[key]


@dataclass
class Tasks:
    succeeded: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    started: list[str] = field(default_factory=list)

    def succeed(self, task_token: str, output: dict[str, object]) -> None:
        self.succeeded.append((task_token, output))

    def fail(self, task_token: str, error: str, cause: str) -> None:
        self.failed.append((task_token, error, cause))

    def start_again(self, office_code: str, document_id: str) -> str:
        self.started.append(document_id)
        return f"arn:aws:states:eu-west-1:1:execution:sm:doc-{document_id}-{len(self.started)}"


@dataclass
class Provisioning:
    code: str = "2001"
    calls: int = 0

    def ensure_supplier(self, document: Document) -> str:
        self.calls += 1
        return self.code


@dataclass
class Learner:
    learned: list[tuple[str, str | None]] = field(default_factory=list)
    released: list[str] = field(default_factory=list)

    def record_booked(self, document: Document, supplier_code: str | None = None) -> None:
        self.learned.append((document.document_id, supplier_code))

    def release_claims(self, document: Document) -> None:
        self.released.append(document.document_id)


class World:
    """One office (users sync=admin, piet, anna=approver, kees=submitter, kim=admin), one administration."""

    def __init__(self, table: Any) -> None:
        self.clock = TickingClock(T0)
        self.offices = InMemoryOffices(InMemorySignups())
        for name, role in (("sync", "sync_user"), ("piet", "approver"), ("anna", "approver"), ("kees", "submitter"),
                           ("kim", "admin")):
            self.offices.users[(OFFICE, name)] = User(office_code=OFFICE, username=name, role=role,
                                                      email=f"{name}@devries.test", created_at=T0)
        self.documents = Documents(DynamoTable(table))
        self.store = DynamoWorkflowStore(DynamoTable(table))
        self.package = BookingPackage()
        self.storage = Storage()
        self.tasks = Tasks()
        self.mailer = RecordingMailer()
        self.provisioning = Provisioning()
        self.learner = Learner()
        administrations = FakeAdministrations()
        self.policies = ApprovalPolicies(store=self.store, offices=self.offices,
                                         administrations=administrations, clock=self.clock)  # type: ignore[arg-type]
        self.approvals = Approvals(
            documents=self.documents, store=self.store, offices=self.offices,
            administrations=administrations, mailer=self.mailer, tasks=self.tasks,  # type: ignore[arg-type]
            claims=self.learner, clock=self.clock, link_base_url="https://app.boekstuk.test")
        self.bookings = Bookings(
            documents=self.documents, claims=self.store, offices=self.offices,
            administrations=administrations, connections=FakeConnections(),  # type: ignore[arg-type]
            packages=Opener(self.package), storage=self.storage, restart=self.tasks,  # type: ignore[arg-type]
            provisioning=self.provisioning, learner=self.learner, clock=self.clock)
        self.editor = FixedEditor()
        self.document_service = DocumentService(self.documents, self.storage, self.offices,  # type: ignore[arg-type]
                                                administrations, self.clock,  # type: ignore[arg-type]
                                                edits=self.approvals, editor=self.editor)

    def document(self, total: str = "121.00", document_id: str = "doc1", number: str | None = "F-1") -> Document:
        """An uploaded, proposed document awaiting approval (its PDF kept as its original)."""
        doc = Document(document_id=document_id, office_code=OFFICE, administration_id="adm1",
                       kind="purchase_invoice", filename="factuur.pdf", content_type="application/pdf",
                       status="awaiting_approval", source="api", s3_key=f"uploads/{OFFICE}/adm1/{document_id}/factuur.pdf",
                       original_key=f"originals/{OFFICE}/adm1/{document_id}", created_at=T0, updated_at=T0,
                       proposal=proposal(total, number))
        assert doc.original_key is not None
        self.storage.objects[doc.original_key] = b"%PDF-1.7 test"
        self.documents.put(doc, HistoryEntry(at=T0, event=HistoryEvent.RECEIVED, actor="api"))
        return doc

    def edit(self, total: str, user: str = "kees", document_id: str = "doc1", **changes: Any) -> Proposal:
        """``PUT .../proposal`` by ``user``: the total (and the line with it) changed, plus ``changes``."""
        current = self.documents.docs[document_id].proposal
        self.editor.proposal = proposal(total, current.invoice_number).model_copy(update=changes)
        return self.document_service.edit_proposal(OFFICE, user, document_id, None)

    def version(self, document_id: str = "doc1") -> int:
        return int(self.documents.docs[document_id].proposal_version)

    def status(self, document_id: str = "doc1") -> str:
        return self.documents.docs[document_id].status


def dynamo_table() -> Iterator[Any]:
    """A fresh single table under moto."""
    with mock_aws():
        resource = boto3.resource("dynamodb", region_name="eu-west-1")
        yield resource.create_table(
            TableName="t", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}])
