"""The document lifecycle: one table of allowed transitions, one place a transition happens, typed history
events; an illegal step is a domain error (409), and a booked document is locked by the table itself."""

from __future__ import annotations

import datetime as dt
import json
from typing import get_args

import pytest

from boekstuk.api.problems import problem_for
from boekstuk.domain import errors
from boekstuk.domain.documents import Document, DocumentStatus, HistoryEvent
from boekstuk.domain.lifecycle import LOCKED_STATUSES, TRANSITIONS, Transition, allows, check, start, transition

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
STATUSES: tuple[DocumentStatus, ...] = get_args(DocumentStatus)


def document(status: DocumentStatus = "received") -> Document:
    return Document(document_id="doc1", office_code="devries", administration_id="adm1", kind="purchase_invoice",
                    filename="factuur.pdf", status=status, source="api", s3_key="uploads/devries/adm1/doc1/f.pdf",
                    created_at=T0, updated_at=T0)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def test_the_main_road_from_upload_to_booked_one_history_entry_per_step() -> None:
    first = start(document(), HistoryEvent.UPLOAD_REQUESTED, actor="api:anna", detail="factuur.pdf")
    assert first.source is None and first.entry.event == HistoryEvent.UPLOAD_REQUESTED
    assert first.entry.at == T0 and first.entry.actor == "api:anna"
    road = [("received", HistoryEvent.RECEIVED), ("recognizing", HistoryEvent.RECOGNIZING),
            ("recognizing", HistoryEvent.RECOGNIZED), ("awaiting_approval", HistoryEvent.PROPOSED),
            ("awaiting_approval", HistoryEvent.APPROVAL_REQUESTED), ("approved", HistoryEvent.APPROVED),
            ("booking", HistoryEvent.BOOKING), ("booked", HistoryEvent.BOOKED)]
    current, entries = first.document, [first.entry]
    for minute, (to, event) in enumerate(road, start=1):
        step = transition(current, to, event, actor="workflow", at=at(minute), detail=f"step {minute}")
        assert step.source == current.status and step.document.status == to
        assert step.document.updated_at == at(minute) and step.entry.at == at(minute)
        current = step.document
        entries.append(step.entry)
    assert [e.event for e in entries] == [HistoryEvent.UPLOAD_REQUESTED, *(event for _, event in road)]


def test_changes_ride_along_and_the_input_is_left_as_it_was() -> None:
    before = document("recognizing")
    step = transition(before, "duplicate", HistoryEvent.DUPLICATE, actor="system", at=at(1), detail="same file",
                      duplicate_of="doc0", error="The same file was uploaded before (doc0).")
    assert (step.document.status, step.document.duplicate_of) == ("duplicate", "doc0")
    assert step.entry.detail == "same file" and step.entry.actor == "system"
    assert before.status == "recognizing" and before.duplicate_of is None
    with pytest.raises(TypeError):
        transition(before, "duplicate", HistoryEvent.DUPLICATE, actor="system", at=at(1), status="booked")


@pytest.mark.parametrize(("status", "event", "to"), [
    ("received", HistoryEvent.APPROVED, "approved"),  # nobody approves what was never proposed
    ("rejected", HistoryEvent.BOOKING_RETRIED, "approved"),  # only a failed booking is retried
    ("awaiting_approval", HistoryEvent.BOOKING, "booking"),  # booking waits for the approval
    ("duplicate", HistoryEvent.EDITED, "duplicate"),
    ("failed", HistoryEvent.BOOKED, "booked"),
])
def test_a_step_the_table_does_not_allow_is_refused_with_409(status: DocumentStatus, event: HistoryEvent,
                                                              to: DocumentStatus) -> None:
    assert not allows(status, event)
    with pytest.raises(errors.IllegalTransition) as caught:
        transition(document(status), to, event, actor="system", at=at(1))
    answer = problem_for(caught.value)
    assert answer.status_code == 409 and json.loads(str(answer.body))["code"] == "invalid_status"
    assert status in caught.value.detail


def test_an_allowed_event_to_another_status_than_the_table_gives_is_refused() -> None:
    assert allows("booking", HistoryEvent.BOOKED)
    with pytest.raises(errors.IllegalTransition):
        transition(document("booking"), "approved", HistoryEvent.BOOKED, actor="workflow", at=at(1))


@pytest.mark.parametrize("event", list(HistoryEvent))
def test_a_booked_document_is_locked_for_every_event(event: HistoryEvent) -> None:
    assert not allows("booked", event)
    with pytest.raises(errors.DocumentLocked) as caught:
        check("booked", event)
    answer = problem_for(caught.value)
    assert answer.status_code == 409 and json.loads(str(answer.body))["code"] == "document_locked"
    assert isinstance(caught.value, errors.InvalidStatus)  # callers that catch the state refusal catch this too


def test_locked_means_no_row_of_the_table_leaves_the_status() -> None:
    assert set(LOCKED_STATUSES) == {"booked"}
    assert not [row for row in TRANSITIONS if row.source in LOCKED_STATUSES]


def test_the_table_reaches_every_status_and_uses_every_event() -> None:
    reached: set[DocumentStatus | None] = {None}
    grew = True
    while grew:
        grew = False
        for row in TRANSITIONS:
            if row.source in reached and row.target not in reached:
                reached.add(row.target)
                grew = True
    assert reached - {None} == set(STATUSES)
    assert {row.event for row in TRANSITIONS} == set(HistoryEvent)


def test_the_re_entries_that_exist_today() -> None:
    assert allows("failed", HistoryEvent.BOOKING_RETRIED)  # retry-booking: failed -> approved
    for event in (HistoryEvent.EDITED, HistoryEvent.APPROVAL_GIVEN, HistoryEvent.APPROVAL_REQUESTED):
        step = transition(document("awaiting_approval"), "awaiting_approval", event, actor="api:piet", at=at(1))
        assert step.document.status == "awaiting_approval"
    assert allows("recognizing", HistoryEvent.RECOGNIZING)  # the same object again: processing resumes


def test_only_a_new_document_in_received_is_started() -> None:
    with pytest.raises(errors.IllegalTransition):
        start(document("approved"), HistoryEvent.RECEIVED, actor="s3")
    with pytest.raises(errors.IllegalTransition):
        start(document(), HistoryEvent.APPROVED, actor="s3")
    assert isinstance(start(document(), HistoryEvent.RECEIVED, actor="s3"), Transition)


def test_history_events_are_the_strings_the_api_shows() -> None:
    assert HistoryEvent("booking_failed") is HistoryEvent.BOOKING_FAILED
    assert json.loads(start(document(), HistoryEvent.RECEIVED, actor="s3").entry.model_dump_json())["event"] == \
        "received"
