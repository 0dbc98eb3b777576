"""Document events: one per status change, written into the outbox with the transition, published right after it,
and published by the schedule when that failed (at least once, never lost with the transition)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from boekstuk.adapters.dynamodb_events import DynamoEventOutbox
from boekstuk.adapters.eventbridge import EventBridgePublisher
from boekstuk.domain import lifecycle
from boekstuk.domain.approvals import BookingTarget
from boekstuk.domain.documents import Document, HistoryEvent
from boekstuk.domain.events import DocumentEvent, event_of
from boekstuk.services.approvals import ApproveRequest
from boekstuk.services.events import GRACE, PublishingDocuments, TransitionEvents
from tests.unit.workflow.fakes import OFFICE, T0, World, proposal

TARGET = BookingTarget(connection_id="con1", package="snelstart", administration_id="adm1")


@dataclass
class Bus:
    """An EventBridge client: ``refuse`` calls fail (the bus is down), then it takes everything."""

    refuse: int = 0
    calls: list[list[dict[str, Any]]] = field(default_factory=list)

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803 - boto3's name
        self.calls.append(Entries)
        if self.refuse:
            self.refuse -= 1
            return {"FailedEntryCount": len(Entries),
                    "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "try again"} for _ in Entries]}
        return {"FailedEntryCount": 0, "Entries": [{"EventId": f"e{len(self.calls)}-{i}"} for i in range(len(Entries))]}

    @property
    def published(self) -> list[dict[str, Any]]:
        return [entry for call in self.calls for entry in call]


def publishing(world: World, bus: Bus) -> tuple[TransitionEvents, DynamoEventOutbox]:
    """The world's use cases on a repository that publishes to ``bus`` (attempts=1: a refusal is a failure)."""
    outbox = DynamoEventOutbox(world.documents._db)
    events = TransitionEvents(EventBridgePublisher(bus, attempts=1, sleep=lambda _: None), outbox, world.clock)
    repository = PublishingDocuments(world.documents, events)
    for use_case in (world.approvals, world.bookings, world.document_service):
        use_case._documents = repository  # type: ignore[attr-defined]
    return events, outbox


def test_a_step_within_a_status_is_no_event() -> None:
    doc = Document(document_id="d", office_code=OFFICE, administration_id="adm1", kind="purchase_invoice",
                   filename="f.pdf", status="awaiting_approval", source="api", s3_key="k", created_at=T0,
                   updated_at=T0, proposal=proposal("121.00"))
    within = lifecycle.transition(doc, "awaiting_approval", HistoryEvent.EDITED, actor="api:kees", at=T0)
    assert event_of(within) is None
    approved = event_of(lifecycle.transition(doc, "approved", HistoryEvent.APPROVED, actor="api:piet", at=T0))
    assert approved is not None and approved.detail_type == "Document approved"
    assert approved.detail() == {"office_code": OFFICE, "administration_id": "adm1", "document_id": "d",
                                 "status": "approved", "previous_status": "awaiting_approval",
                                 "total_incl_vat": "121.00", "currency": "EUR", "at": "2026-03-01T09:00:00Z"}


def test_every_status_change_is_published_in_order_and_leaves_the_outbox(world: World) -> None:
    bus = Bus()
    _, outbox = publishing(world, bus)
    world.document(total="100.00")
    world.approvals.request_approval(OFFICE, "doc1", "tok")  # within awaiting_approval: no event
    world.approvals.approve(OFFICE, "piet", "doc1", ApproveRequest(comment="ok"))
    world.bookings.book(OFFICE, "doc1", TARGET, "exec-1")
    details = [json.loads(e["Detail"]) for e in bus.published]
    assert [(e["DetailType"], d["previous_status"]) for e, d in zip(bus.published, details, strict=True)] == [
        ("Document approved", "awaiting_approval"), ("Document booking", "approved"), ("Document booked", "booking")]
    assert {e["Source"] for e in bus.published} == {"boekstuk"} and all(len(c) == 1 for c in bus.calls)
    assert all(d["document_id"] == "doc1" and d["total_incl_vat"] == "100.00" for d in details)
    assert outbox.pending(world.clock.now() + dt.timedelta(days=1), 100) == []


def test_an_event_the_bus_refused_stays_in_the_outbox_and_the_schedule_publishes_it(world: World) -> None:
    bus = Bus(refuse=1)
    events, outbox = publishing(world, bus)
    world.document(total="100.00")
    world.approvals.request_approval(OFFICE, "doc1", "tok")
    assert world.approvals.approve(OFFICE, "piet", "doc1", ApproveRequest(comment="ok")).status == "approved"
    assert world.status() == "approved"  # the transition stands
    [waiting] = outbox.pending(world.clock.now() + dt.timedelta(days=1), 100)
    assert (waiting.status, waiting.previous_status) == ("approved", "awaiting_approval")
    # Younger than GRACE: left to the request that is publishing it.
    assert events.publish_pending().published == 0
    world.clock.advance(seconds=GRACE.total_seconds() + 1)
    run = events.publish_pending()
    assert (run.published, run.failed) == (1, 0)
    assert [e["DetailType"] for e in bus.published] == ["Document approved", "Document approved"]  # refused, then sent
    assert outbox.pending(world.clock.now() + dt.timedelta(days=1), 100) == []


def test_a_refused_conditional_write_publishes_nothing(world: World) -> None:
    bus = Bus()
    publishing(world, bus)
    world.document(total="100.00")
    world.approvals.request_approval(OFFICE, "doc1", "tok")
    world.edit("110.00")  # a new version: an approval worked out on version 0 loses its conditional write
    stale = world.documents.docs["doc1"].model_copy(update={"proposal_version": 0})
    step = lifecycle.transition(stale, "approved", HistoryEvent.APPROVED, actor="api:piet", at=world.clock.now())
    repository = world.approvals._documents  # type: ignore[attr-defined]
    assert not repository.save_if(step, version=0)
    assert bus.published == []


def test_the_publisher_sends_batches_of_ten_and_retries_only_the_refused_entries() -> None:
    class PartlyRefusing(Bus):
        def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
            self.calls.append(Entries)
            refused = len(self.calls) == 1
            return {"FailedEntryCount": 1 if refused else 0,
                    "Entries": [{"ErrorCode": "ThrottlingException"} if refused and i == 0 else {"EventId": "x"}
                                for i in range(len(Entries))]}

    bus = PartlyRefusing()
    events = [DocumentEvent(office_code=OFFICE, administration_id="adm1", document_id=f"d{i}", status="received",
                            previous_status=None, at=T0) for i in range(23)]
    assert EventBridgePublisher(bus, sleep=lambda _: None).publish(events) == []
    assert [len(c) for c in bus.calls] == [10, 1, 10, 3]
    assert json.loads(bus.calls[1][0]["Detail"])["document_id"] == "d0"


def test_the_publisher_gives_back_what_the_bus_keeps_refusing() -> None:
    bus = Bus(refuse=5)
    event = DocumentEvent(office_code=OFFICE, administration_id="adm1", document_id="d", status="received",
                          previous_status=None, at=T0)
    assert EventBridgePublisher(bus, attempts=3, sleep=lambda _: None).publish([event]) == [event]
    assert len(bus.calls) == 3


def test_a_document_is_received_when_its_bytes_arrive_not_when_its_upload_slot_is_handed_out(world: World) -> None:
    bus = Bus()
    publishing(world, bus)
    slot = Document(document_id="new", office_code=OFFICE, administration_id="adm1", kind="purchase_invoice",
                    filename="f.pdf", status="received", awaiting_upload=True, source="api", s3_key="k",
                    created_at=T0, updated_at=T0)
    repository = world.approvals._documents  # type: ignore[attr-defined]
    assert repository.create(lifecycle.start(slot, HistoryEvent.UPLOAD_REQUESTED, actor="api:kees"))
    assert bus.published == []  # a slot whose bytes may never come (it is swept after a day)
    filled = lifecycle.transition(slot, "received", HistoryEvent.RECEIVED, actor="api", at=T0, awaiting_upload=False,
                                  upload_etag="e", size=13)
    assert repository.claim_upload(filled) is not None
    assert repository.claim_upload(filled) is None  # the slot is used: nothing stored, nothing published
    [entry] = bus.published
    detail = json.loads(entry["Detail"])
    assert entry["DetailType"] == "Document received" and detail["previous_status"] is None
    assert detail["document_id"] == "new" and detail["total_incl_vat"] is None and detail["currency"] is None


def test_an_object_dropped_in_the_inbox_is_received_at_once(world: World) -> None:
    bus = Bus()
    publishing(world, bus)
    dropped = Document(document_id="drop", office_code=OFFICE, administration_id="adm1", kind="purchase_invoice",
                       filename="f.pdf", status="received", source="s3_drop", s3_key="inbox/k", created_at=T0,
                       updated_at=T0)
    repository = world.approvals._documents  # type: ignore[attr-defined]
    assert repository.create(lifecycle.start(dropped, HistoryEvent.RECEIVED, actor="s3"))
    assert not repository.create(lifecycle.start(dropped, HistoryEvent.RECEIVED, actor="s3"))  # delivered again
    assert [(e["DetailType"], json.loads(e["Detail"])["previous_status"]) for e in bus.published] == [
        ("Document received", None)]
