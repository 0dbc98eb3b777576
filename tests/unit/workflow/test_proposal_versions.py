"""An edit that changes what is approved re-applies the approval policy; decisions on an earlier version of the
proposal no longer count (API.md, Documents). Races between an edit and a decision are settled by conditional
writes on the proposal version: the tests force each interleaving with a hook at the exact moment."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from boekstuk.domain import errors
from boekstuk.domain.approvals import ApprovalPolicy
from boekstuk.services.approvals import ApproveRequest
from tests.unit.workflow.fakes import EXAMPLE, OFFICE, World

TWO_STEPS = {"steps": [{"min_amount": "0.00", "approvers": ["piet"], "required": 1},
                       {"min_amount": "5000.00", "approvers": ["anna"], "required": 1}]}


def set_policy(world: World, body: dict[str, Any]) -> None:
    world.policies.put_policy(OFFICE, "kim", "adm1", ApprovalPolicy.model_validate(body))


def approve(world: World, user: str, document_id: str = "doc1") -> str:
    return world.approvals.approve(OFFICE, user, document_id, ApproveRequest(comment="ok")).status


def requested(world: World, total: str, document_id: str = "doc1") -> None:
    world.document(total=total, document_id=document_id)
    assert world.approvals.request_approval(OFFICE, document_id, f"tok-{document_id}") == "awaiting_approval"


def approval(world: World, document_id: str = "doc1") -> tuple[int, list[str], list[str]]:
    """(required, approvers, who decided) as the document shows them."""
    shown = world.documents.docs[document_id].approval
    assert shown is not None
    return shown.required, shown.approvers, [d.user for d in shown.decisions]


def once(action: Callable[[], None]) -> Callable[[], None]:
    done: list[bool] = []

    def run() -> None:
        if not done:
            done.append(True)
            action()
    return run


# --- the policy re-applied ---------------------------------------------------------------------------------


def test_raising_the_total_past_the_second_step_needs_its_approver(world: World) -> None:
    set_policy(world, TWO_STEPS)
    requested(world, "4967.36")
    assert approval(world) == (1, ["piet"], [])
    world.mailer.sent.clear()
    world.edit("10890.00", user="kees")
    assert world.version() == 1
    assert approval(world) == (2, ["piet", "anna"], [])
    parked = world.store.pending(OFFICE, "doc1")
    assert parked is not None and parked.version == 1 and parked.steps is not None and len(parked.steps) == 2
    assert sorted(m.to for m in world.mailer.sent) == ["anna@devries.test", "piet@devries.test"]
    assert "10890.00" in world.mailer.sent[0].body
    assert "policy re-applied" in world.documents.events["doc1"][-1].detail
    # The first step's approver alone no longer books it.
    assert approve(world, "piet") == "awaiting_approval"
    assert world.tasks.succeeded == []
    assert approve(world, "anna") == "approved"
    assert len(world.tasks.succeeded) == 1
    doc = world.documents.docs["doc1"]
    assert doc.proposal is not None and doc.proposal.total_incl_vat == Decimal("10890.00")
    assert approval(world)[2] == ["piet", "anna"]


def test_decisions_on_an_earlier_version_no_longer_count(world: World) -> None:
    set_policy(world, EXAMPLE)
    requested(world, "6050.00")  # both steps: piet and anna
    assert approve(world, "piet") == "awaiting_approval"
    world.edit("7000.00")
    assert approval(world) == (2, ["piet", "anna"], [])  # piet's approval was of 6050.00
    assert approve(world, "anna") == "awaiting_approval"
    assert world.tasks.succeeded == []
    assert approve(world, "piet") == "approved"  # deciding again on the new version is not "deciding twice"
    assert approval(world)[2] == ["anna", "piet"]


def test_an_edit_that_changes_no_amount_line_or_supplier_keeps_the_decisions(world: World) -> None:
    set_policy(world, EXAMPLE)
    requested(world, "6050.00")
    assert approve(world, "piet") == "awaiting_approval"
    world.edit("6050.00", invoice_number="F-1-gecorrigeerd", description="Papier maart")
    assert world.version() == 0
    assert approval(world) == (2, ["piet", "anna"], ["piet"])
    assert approve(world, "anna") == "approved"


def test_changing_the_supplier_is_a_new_version(world: World) -> None:
    set_policy(world, EXAMPLE)
    requested(world, "6050.00")
    approve(world, "piet")
    current = world.documents.docs["doc1"].proposal
    assert current is not None
    other = current.supplier.model_copy(update={"code": "2002", "name": "Drukkerij Zwolle B.V.", "match": "name"})
    world.edit("6050.00", supplier=other)
    assert world.version() == 1 and approval(world)[2] == []


def test_without_a_policy_an_edit_voids_the_decisions_too(world: World) -> None:
    world.document(total="100.00")
    world.approvals.request_approval(OFFICE, "doc1", "tok")
    world.edit("150.00")
    assert approval(world) == (1, ["anna", "kim", "piet", "sync"], [])
    assert approve(world, "kim") == "approved"


# --- an edit below the thresholds: a person who was asked still decides --------------------------------------


def test_an_edit_below_auto_approve_below_does_not_approve_a_document_under_review(world: World) -> None:
    set_policy(world, EXAMPLE)
    requested(world, "121.00")
    world.edit("40.00")
    assert world.status() == "awaiting_approval" and world.tasks.succeeded == []
    assert approval(world) == (1, ["piet", "anna"], [])  # the step that applies to 40.00 still applies
    assert approve(world, "piet") == "approved"


def test_an_edit_below_every_step_still_needs_one_of_the_policys_approvers(world: World) -> None:
    set_policy(world, {"steps": [{"min_amount": "100.00", "approvers": ["piet"]}]})
    world.document(total="60.00", document_id="fresh")
    assert world.approvals.request_approval(OFFICE, "fresh", "tok-fresh") == "auto_approved"  # nobody was asked
    requested(world, "121.00")
    world.edit("60.00")
    assert world.status() == "awaiting_approval" and approval(world) == (1, ["piet"], [])
    with pytest.raises(errors.NotAnApprover):
        approve(world, "kim")
    assert approve(world, "piet") == "approved"
    assert [token for token, _ in world.tasks.succeeded] == ["tok-fresh", "tok-doc1"]


# --- races ----------------------------------------------------------------------------------------------------


def test_a_decision_on_the_old_version_never_completes_the_new_one(world: World) -> None:
    set_policy(world, TWO_STEPS)
    requested(world, "4967.36")
    # piet has read the document (version 0, his step alone settles it); the edit lands before his decision does.
    add_decision = world.store.add_decision
    edit = once(lambda: world.edit("10890.00"))

    def edit_first(*args: Any) -> None:
        edit()
        add_decision(*args)

    world.store.add_decision = edit_first  # type: ignore[method-assign]
    with pytest.raises(errors.InvalidStatus, match="changed while you decided"):
        approve(world, "piet")
    world.store.add_decision = add_decision  # type: ignore[method-assign]
    assert world.status() == "awaiting_approval" and world.version() == 1
    assert world.tasks.succeeded == []
    assert approval(world) == (2, ["piet", "anna"], [])
    assert approve(world, "piet") == "awaiting_approval"
    assert approve(world, "anna") == "approved"


def before_saving(world: World, event: str, action: Callable[[], None]) -> None:
    """Run ``action`` once, right before the document is written with a history entry ``event``: after every
    check its writer made by reading, so only the conditional write itself can tell."""
    save_if = world.documents.save_if
    run = once(action)

    def hooked(transition: Any, **condition: Any) -> bool:
        if transition.entry.event == event:
            run()
        return save_if(transition, **condition)

    world.documents.save_if = hooked  # type: ignore[method-assign]


def test_an_edit_written_while_the_approval_is_written_wins_only_one_way(world: World) -> None:
    set_policy(world, TWO_STEPS)
    requested(world, "4967.36")
    # piet's approval has checked everything and is about to be written when the edit is written first.
    before_saving(world, "approved", lambda: world.edit("10890.00"))
    with pytest.raises(errors.InvalidStatus, match="changed while you decided"):
        approve(world, "piet")
    assert world.status() == "awaiting_approval" and world.tasks.succeeded == []
    assert approval(world) == (2, ["piet", "anna"], [])


def test_an_approval_written_while_an_edit_is_written_makes_the_edit_fail(world: World) -> None:
    set_policy(world, TWO_STEPS)
    requested(world, "4967.36")
    # The edit has read the document (awaiting approval) when piet's approval is written first.
    before_saving(world, "edited", lambda: approve(world, "piet"))
    with pytest.raises(errors.InvalidStatus, match="changed while you edited"):
        world.edit("10890.00")
    doc = world.documents.docs["doc1"]
    assert doc.status == "approved" and doc.proposal_version == 0
    assert doc.proposal is not None and doc.proposal.total_incl_vat == Decimal("4967.36")
    assert len(world.tasks.succeeded) == 1


def test_an_edit_after_the_approval_was_concluded_is_refused(world: World) -> None:
    set_policy(world, TWO_STEPS)
    requested(world, "4967.36")
    # The approval is written, the token not yet sent: an edit now must not change what is booked.
    complete = world.store.complete
    refused: list[Exception] = []

    def edit_then_complete(*args: Any) -> Any:
        try:
            world.edit("10890.00")
        except errors.InvalidStatus as exc:
            refused.append(exc)
        return complete(*args)

    world.store.complete = edit_then_complete  # type: ignore[method-assign]
    assert approve(world, "piet") == "approved"
    assert len(refused) == 1
    doc = world.documents.docs["doc1"]
    assert doc.proposal is not None and doc.proposal.total_incl_vat == Decimal("4967.36") and doc.proposal_version == 0
    assert len(world.tasks.succeeded) == 1


def test_an_edit_while_approval_is_requested_is_not_auto_approved(world: World) -> None:
    set_policy(world, EXAMPLE)
    world.document(total="40.00")
    # RequestApproval has read the document (40.00: below auto_approve_below) when the edit to 6050.00 lands.
    get_policy = world.store.get_policy
    edit = once(lambda: world.edit("6050.00"))

    def edit_first(*args: Any) -> Any:
        edit()
        return get_policy(*args)

    world.store.get_policy = edit_first  # type: ignore[method-assign]
    assert world.approvals.request_approval(OFFICE, "doc1", "tok") == "awaiting_approval"
    assert world.tasks.succeeded == []
    assert approval(world) == (2, ["piet", "anna"], [])
    parked = world.store.pending(OFFICE, "doc1")
    assert parked is not None and parked.version == 1


def test_approvals_and_edits_at_the_same_moment_never_approve_an_unapproved_amount(world: World) -> None:
    set_policy(world, TWO_STEPS)
    rounds = [f"doc{i}" for i in range(8)]
    for document_id in rounds:
        requested(world, "4967.36", document_id)
    for document_id in rounds:
        barrier = threading.Barrier(2)

        def decide(document_id: str = document_id, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            with contextlib.suppress(errors.InvalidStatus):  # the edit came first: piet must decide again
                approve(world, "piet", document_id)

        def edit(document_id: str = document_id, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            with contextlib.suppress(errors.InvalidStatus):  # the approval came first: the edit is refused
                world.edit("10890.00", document_id=document_id)

        threads = [threading.Thread(target=decide), threading.Thread(target=edit)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    approved = 0
    for document_id in rounds:
        doc = world.documents.docs[document_id]
        assert doc.proposal is not None
        if doc.status == "approved":
            approved += 1
            # Only piet decided: what was approved is the version his step alone settles.
            assert doc.proposal.total_incl_vat == Decimal("4967.36") and doc.proposal_version == 0
        else:
            assert doc.status == "awaiting_approval" and doc.proposal_version == 1
            assert doc.proposal.total_incl_vat == Decimal("10890.00")
    assert len(world.tasks.succeeded) == approved


# --- every record under its office --------------------------------------------------------------------------


def test_records_keyed_under_their_office_are_out_of_reach_of_another(world: World) -> None:
    from boekstuk.domain.approvals import BookingTarget, PendingApproval
    from boekstuk.domain.documents import Decision

    requested(world, "121.00")
    approve(world, "piet")
    store, t0 = world.store, world.clock.now()
    # Another office using the same document id reaches none of it, and writes only its own records.
    assert store.pending("other", "doc1") is None
    assert store.decisions("other", "doc1", 0) == []
    assert world.documents.history("other", "doc1") == []
    assert store.get_policy("other", "adm1") is None
    store.park(PendingApproval(office_code="other", document_id="doc1", task_token="theirs", steps=None,
                               targets=[BookingTarget(connection_id="c", package="p", administration_id="a")],
                               requested_at=t0))
    store.add_decision("other", "doc1", 0, Decision(user="piet", decision="rejected", at=t0))
    assert store.claim_booking("other", "doc1", "con1", "their-exec", t0).owner == "their-exec"
    mine = store.pending(OFFICE, "doc1")
    assert mine is not None and mine.task_token == "tok-doc1" and mine.completed
    assert [(d.user, d.decision) for d in store.decisions(OFFICE, "doc1", 0)] == [("piet", "approved")]
    assert store.claim_booking(OFFICE, "doc1", "con1", "my-exec", t0).owner == "my-exec"
