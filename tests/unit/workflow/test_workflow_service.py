"""Approval policies, approvals and bookings against fakes (and the real DynamoDB workflow store under moto)."""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from typing import Any

import pytest

from boekstuk.domain import errors
from boekstuk.domain.approvals import ApprovalPolicy, BookingTarget
from boekstuk.services.approvals import ApproveRequest, RejectRequest
from tests.unit.workflow.fakes import EXAMPLE, OFFICE, World

TARGET = BookingTarget(connection_id="con1", package="snelstart", administration_id="adm1")


def set_policy(world: World, body: dict[str, Any] = EXAMPLE) -> None:
    world.policies.put_policy(OFFICE, "sync", "adm1", ApprovalPolicy.model_validate(body))


def approve(world: World, user: str, document_id: str = "doc1") -> str:
    return world.approvals.approve(OFFICE, user, document_id, ApproveRequest(comment="ok")).status


# --- policy API ----------------------------------------------------------------------------------------


def test_policy_validation_names_every_wrong_field(world: World) -> None:
    body = {"steps": [{"min_amount": "0.00", "approvers": ["piet", "nobody", "kees"], "required": 4}],
            "auto_approve_below": "-1.00"}
    with pytest.raises(errors.ValidationFailed) as caught:
        set_policy(world, body)
    fields = {e["field"] for e in caught.value.extra["errors"]}
    assert fields == {"auto_approve_below", "steps[0].approvers[1]", "steps[0].approvers[2]", "steps[0].required"}


def test_policy_that_needs_more_people_than_it_names_is_refused(world: World) -> None:
    body = {"steps": [{"min_amount": "0", "approvers": ["anna"]}, {"min_amount": "100", "approvers": ["anna"]}]}
    with pytest.raises(errors.ValidationFailed) as caught:
        set_policy(world, body)
    assert caught.value.extra["errors"][0]["field"] == "steps[1].approvers"


def test_only_admins_set_policies_and_members_read_them(world: World) -> None:
    with pytest.raises(errors.NotAnAdmin):
        world.policies.put_policy(OFFICE, "piet", "adm1", ApprovalPolicy.model_validate(EXAMPLE))
    default = world.policies.get_policy(OFFICE, "kees", "adm1")
    assert default.is_default and default.steps[0].approvers == ["anna", "kim", "piet", "sync"]
    set_policy(world)
    stored = world.policies.get_policy(OFFICE, "kees", "adm1")
    assert not stored.is_default and stored.auto_approve_below == "50.00" and stored.updated_by == "sync"
    with pytest.raises(errors.NotFound):
        world.policies.get_policy(OFFICE, "kees", "other-adm")


# --- request approval --------------------------------------------------------------------------------------


def test_auto_approved_below_the_threshold(world: World) -> None:
    set_policy(world)
    world.document(total="49.99")
    assert world.approvals.request_approval(OFFICE, "doc1", "tok") == "auto_approved"
    assert world.status() == "approved"
    token, output = world.tasks.succeeded[0]
    assert token == "tok" and output == {"targets": [TARGET.model_dump()]}
    decision = world.documents.docs["doc1"].approval.decisions[0]  # type: ignore[union-attr]
    assert (decision.user, decision.decision) == ("system", "approved")
    assert world.mailer.sent == []


def test_an_incomplete_proposal_below_the_threshold_waits_for_a_person(world: World) -> None:
    # A new supplier has no default GL account: approved without a person it would fail at the package.
    set_policy(world)
    doc = world.document(total="20.00")
    assert doc.proposal is not None
    line = doc.proposal.lines[0].model_copy(update={"gl_account": None})
    world.documents.put(doc.model_copy(update={"proposal": doc.proposal.model_copy(update={"lines": [line]})}))
    assert world.approvals.request_approval(OFFICE, "doc1", "tok") == "awaiting_approval"
    approval = world.documents.docs["doc1"].approval
    assert approval is not None and approval.required == 1 and approval.decisions == []
    assert world.tasks.succeeded == []


def test_parks_the_token_and_mails_the_approvers(world: World) -> None:
    set_policy(world)
    world.document(total="6050.00")
    assert world.approvals.request_approval(OFFICE, "doc1", "secret-token") == "awaiting_approval"
    approval = world.documents.docs["doc1"].approval
    assert approval is not None and approval.required == 2 and approval.approvers == ["piet", "anna"]
    assert sorted(m.to for m in world.mailer.sent) == ["anna@devries.test", "piet@devries.test"]
    assert all("secret-token" not in m.body for m in world.mailer.sent)
    assert "secret-token" not in world.documents.docs["doc1"].model_dump_json()
    assert world.tasks.succeeded == []


def test_without_policy_every_decider_is_asked_and_one_approval_is_enough(world: World) -> None:
    world.document(total="10.00")  # no policy: no auto-approval either
    world.approvals.request_approval(OFFICE, "doc1", "tok")
    assert world.documents.docs["doc1"].approval.approvers == ["anna", "kim", "piet", "sync"]  # type: ignore[union-attr]
    with pytest.raises(errors.NotAnApprover):
        approve(world, "kees")
    assert approve(world, "kim") == "approved"
    assert world.tasks.succeeded == [("tok", {"targets": [TARGET.model_dump()]})]


def test_already_approved_document_completes_at_once(world: World) -> None:
    doc = world.document()
    world.documents.put(doc.model_copy(update={"status": "approved"}))
    assert world.approvals.request_approval(OFFICE, "doc1", "tok2") == "already_approved"
    assert world.tasks.succeeded[0][0] == "tok2"


def test_nothing_to_approve_on_a_rejected_document(world: World) -> None:
    doc = world.document()
    world.documents.put(doc.model_copy(update={"status": "rejected"}))
    with pytest.raises(errors.InvalidStatus):
        world.approvals.request_approval(OFFICE, "doc1", "tok")


# --- approve / reject -----------------------------------------------------------------------------------


def test_big_invoice_needs_piet_and_anna(world: World) -> None:
    set_policy(world)
    world.document(total="6050.00")
    world.approvals.request_approval(OFFICE, "doc1", "tok")
    with pytest.raises(errors.NotAnApprover):
        approve(world, "kim")  # an admin, but the policy does not name her
    assert approve(world, "anna") == "awaiting_approval"
    assert world.tasks.succeeded == []
    with pytest.raises(errors.AlreadyDecided):
        approve(world, "anna")
    assert approve(world, "piet") == "approved"
    assert len(world.tasks.succeeded) == 1
    doc = world.documents.docs["doc1"]
    assert [d.user for d in doc.approval.decisions] == ["anna", "piet"]  # type: ignore[union-attr]
    assert [b.status for b in doc.bookings] == ["pending"]
    events = [h.event for h in world.documents.history(OFFICE, "doc1")]
    assert events[-2:] == ["approval_given", "approved"]
    # Deciding after the fact: already decided for piet, invalid status for anyone new.
    with pytest.raises(errors.AlreadyDecided):
        approve(world, "piet")


def test_an_approval_given_before_the_workflow_asks_completes_when_it_asks(world: World) -> None:
    # The document shows awaiting_approval as soon as it is proposed; the RequestApproval task may come later.
    world.document(total="100.00")
    assert approve(world, "piet") == "awaiting_approval"
    assert world.tasks.succeeded == []
    assert world.approvals.request_approval(OFFICE, "doc1", "tok") == "approved"
    assert world.status() == "approved" and len(world.tasks.succeeded) == 1
    with pytest.raises(errors.AlreadyDecided):
        approve(world, "piet")


def test_a_rejection_given_before_the_workflow_asks_fails_the_task_when_it_asks(world: World) -> None:
    world.document(total="100.00")
    world.approvals.reject(OFFICE, "anna", "doc1", RejectRequest(reason="Dubbel"))
    assert world.approvals.request_approval(OFFICE, "doc1", "tok") == "rejected"
    assert world.status() == "rejected"
    assert world.tasks.failed == [("tok", "DocumentRejected", "Rejected by anna: Dubbel")]
    assert world.learner.released == ["doc1"]  # its invoice number no longer blocks a corrected re-upload


def test_decisions_only_while_awaiting_approval(world: World) -> None:
    set_policy(world)
    world.document(total="100.00")
    world.approvals.request_approval(OFFICE, "doc1", "tok")
    world.approvals.reject(OFFICE, "anna", "doc1", RejectRequest(reason="Niet van ons"))
    assert world.status() == "rejected"
    assert world.tasks.failed == [("tok", "DocumentRejected", "Rejected by anna: Niet van ons")]
    with pytest.raises(errors.InvalidStatus):
        approve(world, "piet")
    with pytest.raises(errors.NotFound):
        approve(world, "piet", "nope")


def test_two_approvals_at_the_same_moment_complete_the_token_once(world: World) -> None:
    world.document(total="100.00")
    world.approvals.request_approval(OFFICE, "doc1", "tok")
    barrier = threading.Barrier(3)
    outcomes: list[str] = []

    def decide(user: str) -> None:
        barrier.wait()
        try:
            outcomes.append(approve(world, user))
        except errors.DomainError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=decide, args=(u,)) for u in ("piet", "anna", "kim")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(world.tasks.succeeded) == 1
    assert world.status() == "approved"


# --- book --------------------------------------------------------------------------------------------------


def approved(world: World, **kwargs: Any) -> None:
    doc = world.document(**kwargs)
    world.documents.put(doc.model_copy(update={"status": "approved"}))


def test_book_posts_once_with_attachment_and_learns(world: World) -> None:
    approved(world)
    outcome = world.bookings.book(OFFICE, "doc1", TARGET, "exec-1")
    assert outcome.status == "booked" and outcome.entry_id == "E1" and not outcome.already_booked
    result, booking = world.package.entries[("2001", "F-1")]
    assert result.has_attachment and world.package.attached == []
    assert booking.kind == "invoice" and booking.total_incl_vat == Decimal("121.00")
    assert booking.attachment is not None and booking.attachment.content == b"%PDF-1.7 test"
    assert booking.attachment.content_type == "application/pdf"
    assert booking.lines[0].gl_account == "4300" and booking.lines[0].vat_code == "H21"
    doc = world.documents.docs["doc1"]
    assert doc.status == "booked" and doc.bookings[0].entry_id == "E1" and doc.bookings[0].booked_at
    assert world.learner.learned == [("doc1", "2001")]
    # The same execution again, or another one: nothing is posted a second time.
    assert world.bookings.book(OFFICE, "doc1", TARGET, "exec-1").already_booked
    assert world.bookings.book(OFFICE, "doc1", TARGET, "exec-2").entry_id == "E1"
    assert world.package.posts == 1


def test_lost_answer_is_found_in_the_package_on_retry(world: World) -> None:
    approved(world)
    world.package.lose_answer = True
    with pytest.raises(errors.PackageUnavailable):
        world.bookings.book(OFFICE, "doc1", TARGET, "exec-1")
    assert world.status() == "booking"
    outcome = world.bookings.book(OFFICE, "doc1", TARGET, "exec-1")  # the state machine's Retry
    assert outcome.status == "booked" and outcome.already_booked
    assert world.package.posts == 1
    # Found with its PDF: nothing is attached a second time.
    assert world.package.attached == []
    assert world.documents.events["doc1"][-1].detail == "snelstart entry 1 (found in the package, not posted again)"


def test_entry_found_without_its_pdf_gets_it_attached_once(world: World) -> None:
    approved(world)
    world.package.upload_failures = [errors.PackageUnavailable("snelstart answered 503 3 times")]
    with pytest.raises(errors.PackageUnavailable):
        world.bookings.book(OFFICE, "doc1", TARGET, "exec-1")  # posted, then the PDF upload failed
    result, _ = world.package.entries[("2001", "F-1")]
    assert not result.has_attachment and world.status() == "booking"
    outcome = world.bookings.book(OFFICE, "doc1", TARGET, "exec-1")  # the state machine's Retry
    assert outcome.status == "booked" and outcome.entry_id == "E1" and outcome.already_booked
    assert world.package.posts == 1 and world.package.attached == ["E1"]
    result, booking = world.package.entries[("2001", "F-1")]
    assert result.has_attachment
    assert booking.attachment is not None and booking.attachment.content == b"%PDF-1.7 test"
    assert booking.attachment.filename == "factuur.pdf"
    doc = world.documents.docs["doc1"]
    assert doc.status == "booked" and doc.bookings[0].status == "booked" and doc.bookings[0].entry_id == "E1"
    last = world.documents.events["doc1"][-1]
    assert last.event == "booked" and last.detail is not None and "PDF attached on this retry" in last.detail
    # Booked now: a later run neither posts nor attaches again.
    assert world.bookings.book(OFFICE, "doc1", TARGET, "exec-2").already_booked
    assert world.package.posts == 1 and world.package.attached == ["E1"]


def test_a_document_is_not_booked_while_its_pdf_cannot_be_attached(world: World) -> None:
    approved(world)
    world.package.upload_failures = [errors.PackageUnavailable("down"), errors.PackageUnavailable("still down")]
    with pytest.raises(errors.PackageUnavailable):
        world.bookings.book(OFFICE, "doc1", TARGET, "exec-1")
    with pytest.raises(errors.PackageUnavailable, match="still down"):
        world.bookings.book(OFFICE, "doc1", TARGET, "exec-1")  # found without the PDF; attaching fails too
    doc = world.documents.docs["doc1"]
    assert doc.status == "booking" and doc.bookings[0].status == "booking" and doc.bookings[0].entry_id is None
    assert world.learner.learned == []
    outcome = world.bookings.book(OFFICE, "doc1", TARGET, "exec-1")
    assert outcome.status == "booked" and world.status() == "booked"
    assert world.package.posts == 1 and world.package.attached == ["E1", "E1"]
    assert world.package.entries[("2001", "F-1")][0].has_attachment


def test_another_run_cannot_take_a_booking_in_progress(world: World) -> None:
    approved(world)
    world.package.failures = [errors.PackageUnavailable("down")]
    with pytest.raises(errors.PackageUnavailable):
        world.bookings.book(OFFICE, "doc1", TARGET, "exec-1")
    with pytest.raises(errors.BookingInProgress):
        world.bookings.book(OFFICE, "doc1", TARGET, "exec-2")
    # ... and its failure handler does not mark someone else's booking failed.
    world.bookings.record_failure(OFFICE, "doc1", TARGET, "exec-2", {"Error": "BookingInProgress", "Cause": "{}"})
    assert world.status() == "booking"


def test_credit_note_and_receipt_without_number(world: World) -> None:
    approved(world, total="-60.50", number=None)
    world.bookings.book(OFFICE, "doc1", TARGET, "exec-1")
    [(key, (_, booking))] = world.package.entries.items()
    assert booking.kind == "credit_note" and booking.total_incl_vat == Decimal("-60.50")
    assert key == ("2001", "BS-DOC1") and booking.lines[0].amount_excl_vat < 0


def test_failure_is_recorded_with_the_reason_then_retried_once(world: World) -> None:
    approved(world)
    world.package.failures = [errors.PackageRejected("Grootboekrekening 4300 is geblokkeerd.")]
    with pytest.raises(errors.PackageRejected):
        world.bookings.book(OFFICE, "doc1", TARGET, "exec-1")
    cause = json.dumps({"errorMessage": "Grootboekrekening 4300 is geblokkeerd.", "errorType": "PackageRejected",
                        "stackTrace": ["File secret.py"]})
    world.bookings.record_failure(OFFICE, "doc1", TARGET, "exec-1", {"Error": "PackageRejected", "Cause": cause})
    doc = world.documents.docs["doc1"]
    assert doc.status == "failed" and doc.error == "Grootboekrekening 4300 is geblokkeerd."
    assert doc.bookings[0].status == "failed" and "secret.py" not in doc.model_dump_json()
    with pytest.raises(errors.NotAnApprover):
        world.bookings.retry_booking(OFFICE, "kees", "doc1")
    result = world.bookings.retry_booking(OFFICE, "kim", "doc1")
    assert result.status == "approved" and world.tasks.started == ["doc1"]
    with pytest.raises(errors.InvalidStatus):  # it is no longer failed
        world.bookings.retry_booking(OFFICE, "kim", "doc1")
    outcome = world.bookings.book(OFFICE, "doc1", TARGET, "exec-2")
    assert outcome.status == "booked" and world.package.posts == 1 and world.status() == "booked"


def test_incomplete_proposal_fails_with_a_clear_reason(world: World) -> None:
    approved(world)
    doc = world.documents.docs["doc1"]
    assert doc.proposal is not None
    line = doc.proposal.lines[0].model_copy(update={"gl_account": None})
    world.documents.put(doc.model_copy(update={"proposal": doc.proposal.model_copy(update={"lines": [line]})}))
    with pytest.raises(errors.ProposalIncomplete) as caught:
        world.bookings.book(OFFICE, "doc1", TARGET, "exec-1")
    assert "lines[0].gl_account" in caught.value.detail
    assert world.package.posts == 0


def test_unexpected_errors_do_not_leak_their_text() -> None:
    from boekstuk.services.bookings import failure_reason

    assert failure_reason({"Error": "KeyError", "Cause": json.dumps({"errorMessage": "'secret'"})}) == \
        "Booking failed unexpectedly (KeyError)."
    assert failure_reason({"Error": "PackageUnavailable", "Cause": json.dumps({"errorMessage": "SnelStart is down"})}) \
        .startswith("SnelStart is down. The package kept failing through every automatic retry; retry the booking")
    assert failure_reason({"Error": "PackageRejected", "Cause": json.dumps({"errorMessage": "Unknown GL 9999"})}) \
        == "Unknown GL 9999"  # a refusal is not retried: no advice to wait
    assert failure_reason(None) == "Booking failed."
