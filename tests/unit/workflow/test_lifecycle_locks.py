"""The services take every step through the document lifecycle: a booked document is locked by its table (409
``document_locked`` for edit, approve, reject and retry-booking), other refusals stay ``invalid_status``, and each
step the workflow takes leaves exactly one history entry."""

from __future__ import annotations

import pytest

from boekstuk.domain import errors
from boekstuk.domain.approvals import BookingTarget
from boekstuk.services.approvals import ApproveRequest, RejectRequest
from tests.unit.workflow.fakes import OFFICE, World

TARGET = BookingTarget(connection_id="con1", package="snelstart", administration_id="adm1")


def booked(world: World) -> None:
    world.document(total="100.00")
    world.approvals.request_approval(OFFICE, "doc1", "tok")
    world.approvals.approve(OFFICE, "piet", "doc1", ApproveRequest(comment="ok"))
    world.bookings.book(OFFICE, "doc1", TARGET, "exec-1")
    assert world.status() == "booked"


def test_a_booked_document_is_locked(world: World) -> None:
    booked(world)
    with pytest.raises(errors.DocumentLocked):
        world.edit("150.00")
    with pytest.raises(errors.DocumentLocked):
        world.approvals.approve(OFFICE, "anna", "doc1", ApproveRequest(comment=""))
    with pytest.raises(errors.DocumentLocked):
        world.approvals.reject(OFFICE, "anna", "doc1", RejectRequest(reason="te laat"))
    with pytest.raises(errors.DocumentLocked):
        world.bookings.retry_booking(OFFICE, "kim", "doc1")
    # Who may not decide hears that first, and who decided hears that, as before.
    with pytest.raises(errors.NotAnApprover):
        world.approvals.reject(OFFICE, "kees", "doc1", RejectRequest(reason="te laat"))
    with pytest.raises(errors.AlreadyDecided):
        world.approvals.approve(OFFICE, "piet", "doc1", ApproveRequest(comment=""))
    assert world.status() == "booked" and world.tasks.started == []


def test_other_refusals_of_the_state_stay_invalid_status(world: World) -> None:
    world.document(total="100.00")
    world.approvals.request_approval(OFFICE, "doc1", "tok")
    world.approvals.reject(OFFICE, "anna", "doc1", RejectRequest(reason="Niet van ons"))
    with pytest.raises(errors.InvalidStatus) as caught:
        world.bookings.retry_booking(OFFICE, "kim", "doc1")
    assert caught.value.code == "invalid_status" and "rejected" in caught.value.detail
    with pytest.raises(errors.InvalidStatus) as edit_refused:
        world.edit("150.00")
    assert edit_refused.value.code == "invalid_status"


def test_every_step_of_the_workflow_is_one_history_entry(world: World) -> None:
    booked(world)
    events = [(h.event, h.actor) for h in world.documents.history(OFFICE, "doc1")]
    assert events == [("received", "api"), ("approval_requested", "workflow"), ("approved", "api:piet"),
                      ("booking", "workflow"), ("booked", "workflow")]
