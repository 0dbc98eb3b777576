"""The intake when something fails late: a document that was proposed stays proposed (its proposal is never replaced
by the copy processing started from), the failure surfaces, and the object delivered again starts the workflow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from boekstuk.adapters.dynamodb import DynamoTable
from boekstuk.domain.documents import Document, HistoryEvent
from boekstuk.domain.links import Administration
from boekstuk.domain.onboarding import Office
from boekstuk.domain.recognition import ReadingHints, Recognition
from boekstuk.services.documents import DocumentIntake, S3Object
from boekstuk.services.proposals import ProposalOutcome
from tests.unit.workflow.fakes import ADM, OFFICE, T0, Documents, TickingClock, dynamo_table, proposal

KEY = f"inbox/{OFFICE}/{ADM.administration_id}/factuur.pdf"
OBJECT = S3Object(bucket="b", key=KEY, size=13, etag="etag-1", version_id="v1")


@dataclass
class Storage:
    objects: dict[str, bytes] = field(default_factory=lambda: {KEY: b"%PDF-1.7 test"})

    def read(self, key: str, max_bytes: int, *, version_id: str | None = None, etag: str | None = None) -> bytes:
        return self.objects[key]

    def put_once(self, key: str, content: bytes, content_type: str | None) -> bool:
        if key in self.objects:
            return False
        self.objects[key] = content
        return True


class Offices:
    def get_office(self, office_code: str) -> Office | None:
        return Office(office_code=OFFICE, company_name="De Vries", plan="trial", trial_ends_at=None, created_at=T0,
                      signup_id="s", contact_email="a@devries.test") if office_code == OFFICE else None


class Administrations:
    def get(self, office_code: str, administration_id: str) -> Administration | None:
        return ADM if (office_code, administration_id) == (OFFICE, ADM.administration_id) else None


class Recognizer:
    def recognize(self, content: bytes, filename: str, content_type: str | None = None,
                  hints: ReadingHints | None = None) -> Recognition:
        return Recognition(engine="pdf_text")


class Proposer:
    def check_file_duplicate(self, document: Document) -> str | None:
        return None

    def reading_hints(self, document: Document) -> ReadingHints | None:
        return None

    def propose(self, document: Document, recognition: Recognition) -> ProposalOutcome:
        return ProposalOutcome(proposal=proposal("121.00"))


@dataclass
class Workflow:
    """Step Functions refusing ``failures`` starts (throttled, down), then starting executions."""

    failures: int = 1
    started: list[str] = field(default_factory=list)

    def start(self, office_code: str, document_id: str) -> str:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("states.eu-west-1.amazonaws.com did not answer")
        self.started.append(document_id)
        return f"arn:aws:states:eu-west-1:1:execution:sm:doc-{document_id}"


@pytest.fixture()
def documents() -> Iterator[Documents]:
    for table in dynamo_table():
        yield Documents(DynamoTable(table))


def intake(documents: Documents, workflow: Workflow) -> DocumentIntake:
    # A ticking clock: the history is sorted by time, so each step needs a moment of its own.
    return DocumentIntake(documents, Storage(), Offices(), Administrations(), Recognizer(), Proposer(),  # type: ignore[arg-type]
                          workflow, TickingClock(T0 + dt.timedelta(minutes=1)))


def test_a_failed_workflow_start_keeps_the_proposed_document_and_surfaces(documents: Documents) -> None:
    workflow = Workflow(failures=1)
    with pytest.raises(ConnectionError):
        intake(documents, workflow).receive(OBJECT)
    stored = documents.docs[OBJECT.document_id()]
    assert stored.status == "awaiting_approval" and stored.error is None
    assert stored.proposal is not None and stored.proposal.total_incl_vat == proposal("121.00").total_incl_vat
    assert stored.original_key is not None and stored.recognition is not None
    events = [h.event for h in documents.history(OFFICE, stored.document_id)]
    assert HistoryEvent.UNREADABLE not in events and events[-1] == HistoryEvent.PROPOSED
    # S3 (or Lambda's retry of the failed invocation) delivers the object again: now the workflow starts.
    again = intake(documents, workflow).receive(OBJECT)
    assert again is not None and again.status == "awaiting_approval"
    assert workflow.started == [stored.document_id]


def test_a_failure_before_the_proposal_ends_unreadable_without_losing_what_was_kept(documents: Documents) -> None:
    class Failing(Proposer):
        def propose(self, document: Document, recognition: Recognition) -> ProposalOutcome:
            raise KeyError("boom")

    service = DocumentIntake(documents, Storage(), Offices(), Administrations(), Recognizer(), Failing(),  # type: ignore[arg-type]
                             Workflow(failures=0), TickingClock(T0))
    done = service.receive(OBJECT)
    assert done is not None and done.status == "unreadable" and done.error == "Processing failed: KeyError"
    stored = documents.get(OFFICE, done.document_id)
    # The failure is recorded on the document as processing left it: the kept original and the recognition stay.
    assert stored is not None and stored.original_key is not None and stored.recognition is not None


def test_recognition_unavailable_fails_the_invocation_and_the_retry_reads_the_document(documents: Documents) -> None:
    """Textract throttled: the document is not `unreadable`; the failed invocation is retried and then read."""
    from boekstuk.domain.errors import RecognitionUnavailable

    class Throttled(Recognizer):
        calls = 0

        def recognize(self, content: bytes, filename: str, content_type: str | None = None,
                      hints: ReadingHints | None = None) -> Recognition:
            Throttled.calls += 1
            if Throttled.calls == 1:
                raise RecognitionUnavailable("Textract is throttling (ThrottlingException).")
            return super().recognize(content, filename, content_type)

    def service() -> DocumentIntake:
        return DocumentIntake(documents, Storage(), Offices(), Administrations(), Throttled(), Proposer(),  # type: ignore[arg-type]
                              Workflow(failures=0), TickingClock(T0 + dt.timedelta(minutes=1)))

    with pytest.raises(RecognitionUnavailable):
        service().receive(OBJECT)
    stored = documents.docs[OBJECT.document_id()]
    assert stored.status != "unreadable" and stored.error is None
    again = service().receive(OBJECT)
    assert again is not None and again.status == "awaiting_approval"
    events = [h.event for h in documents.history(OFFICE, stored.document_id)]
    assert HistoryEvent.UNREADABLE not in events
