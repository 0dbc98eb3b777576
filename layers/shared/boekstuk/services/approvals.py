"""Approvals: the workflow's ``RequestApproval`` task, the approvals API (approve, reject) and what an edit of
the proposal does to an approval under way.

One execution per document (statemachine/approval_and_booking.asl.json): ``RequestApproval``
(``request_approval``: auto-approve, or park the task token and mail the approvers) -> the approvals API
(``approve``/``reject``: completes the token server-side) -> ``Book`` per target (``boekstuk.services.bookings``).
The task token is stored only in the approval store and is never part of any answer. An edit that changes what
is approved (``save_edit``) makes a new proposal version: the policy is applied again and earlier decisions no
longer count. Every step of the document goes through ``boekstuk.domain.lifecycle``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from boekstuk.domain import errors, lifecycle
from boekstuk.domain.approval_mail import approval_request, document_link
from boekstuk.domain.approvals import (
    BookingTarget,
    PendingApproval,
    PolicyStep,
    auto_approves,
    eligible,
    required_approvals,
    steps_satisfied,
    steps_to_ask,
)
from boekstuk.domain.documents import (
    Approval,
    Booking,
    Decision,
    Document,
    HistoryEvent,
    Proposal,
    changes_what_is_approved,
    missing_for_booking,
)
from boekstuk.domain.onboarding import DECIDING_ROLES, User
from boekstuk.observability import logger
from boekstuk.ports import (
    AdministrationRepository,
    ApprovalStore,
    Clock,
    DocumentRepository,
    Mailer,
    OfficeRepository,
    TaskTokens,
)
from boekstuk.services.access import require_member
from boekstuk.services.lookups import booking_targets, deciders, document_of

REJECTED_ERROR = errors.DocumentRejected.__name__  # the ASL's Catch matches this name
REQUEST_ATTEMPTS = 5  # an edit landing while approval is requested makes the request start over (rarely twice)


class ClaimReleaser(Protocol):
    def release_claims(self, document: Document) -> None:
        """A rejected document no longer blocks its file and invoice number."""
        ...


class ApproveRequest(BaseModel):
    comment: str = Field(default="", max_length=1000)
    proposal_version: int | None = Field(
        default=None, ge=0, description="The proposal version the approver saw (GET shows it): when the proposal "
                                        "changed since, 409 proposal_changed instead of approving another version.")


class RejectRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


class DecisionResult(BaseModel):
    document_id: str
    status: str
    approval: Approval


class Approvals:
    """Request approval (the workflow's task), approve, reject, and the approval side of a proposal edit."""

    def __init__(self, *, documents: DocumentRepository, store: ApprovalStore, offices: OfficeRepository,
                 administrations: AdministrationRepository, mailer: Mailer, tasks: TaskTokens,
                 claims: ClaimReleaser, clock: Clock, link_base_url: str = "") -> None:
        self._documents = documents
        self._store = store
        self._offices = offices
        self._administrations = administrations
        self._mailer = mailer
        self._tasks = tasks
        self._claims = claims
        self._clock = clock
        self._link_base_url = link_base_url.rstrip("/")

    def _output(self, targets: Sequence[BookingTarget]) -> dict[str, object]:
        return {"targets": [t.model_dump() for t in targets]}

    def request_approval(self, office_code: str, document_id: str, task_token: str) -> str:
        """Auto-approve (token completed at once) or park the token and mail the approvers.

        Returns what happened: ``auto_approved``, ``already_approved``, ``approved``/``rejected`` (people decided
        before the request was parked) or ``awaiting_approval``. Every write is conditional on the proposal version
        it was worked out for; when an edit lands meanwhile, the request is worked out again for the new version.
        """
        for _ in range(REQUEST_ATTEMPTS):
            outcome = self._request_once(office_code, document_id, task_token)
            if outcome is not None:
                return outcome
        raise errors.Conflict("The proposal kept changing while its approval was requested.")

    def _request_once(self, office_code: str, document_id: str, task_token: str) -> str | None:
        """One attempt of ``request_approval``; None when the proposal changed under it."""
        document = document_of(self._documents, office_code, document_id)
        pending = self._store.pending(office_code, document_id)
        if pending is not None and pending.task_token == task_token and document.status != "awaiting_approval":
            # This request parked already and a decision concluded it meanwhile: the completer sends the token.
            self._send_outcome(document)
            return document.status
        targets = booking_targets(self._administrations, document)
        if document.status in ("approved", "booking"):
            # retry-booking starts a new execution for a document people already approved.
            self._tasks.succeed(task_token, self._output(targets))
            return "already_approved"
        lifecycle.check(document.status, HistoryEvent.APPROVAL_REQUESTED)
        if document.proposal is None:
            raise errors.InvalidStatus("The document has no proposal to approve.")
        version = document.proposal_version
        stored = self._store.get_policy(office_code, document.administration_id)
        # Asked before (a repeated request, an edit after the first one): from then on only people approve it.
        asked = pending is not None
        total = document.proposal.total_incl_vat
        now = self._clock.now()
        # An incomplete proposal (a new supplier without a GL account, ...) would fail at the package: a person
        # fills it in, whatever its amount. It is then asked as an edited document is, by the policy's people.
        incomplete = missing_for_booking(document.proposal)
        if stored is not None and not asked and not incomplete and auto_approves(stored.policy, total):
            below = stored.policy.auto_approve_below
            why = (f"total {total:.2f} below {below:.2f}" if below is not None and abs(total) < below
                   else "no policy step applies to this amount")
            decision = Decision(user="system", decision="approved", at=now, comment=f"Auto-approved: {why}.")
            approved = lifecycle.transition(
                document, "approved", HistoryEvent.APPROVED, actor="system", at=now, detail=f"auto-approved: {why}",
                approval=Approval(required=0, approvers=[], decisions=[decision]),
                bookings=[Booking(connection_id=t.connection_id, package=t.package, status="pending")
                          for t in targets])
            if not self._documents.save_if(approved, version=version):
                return None  # edited meanwhile: the new version may need people
            self._tasks.succeed(task_token, self._output(targets))
            return "auto_approved"
        steps = steps_to_ask(stored.policy, total, asked=asked or bool(incomplete)) if stored is not None else None
        approvers = eligible(steps) if steps is not None else deciders(self._offices, office_code)
        required = required_approvals(steps) if steps is not None else 1
        self._store.park(PendingApproval(office_code=office_code, document_id=document_id, task_token=task_token,
                                         steps=steps, version=version, targets=targets, requested_at=now))
        # People may have decided before the request was parked (the document is awaiting_approval from the
        # moment it is proposed): if their decisions on this version already settle it, complete now.
        current = document_of(self._documents, office_code, document_id)
        if current.status != "awaiting_approval":
            self._send_outcome(current)
            return current.status
        if current.proposal_version != version:
            return None
        early = self._store.decisions(office_code, document_id, version)
        rejection = next((d for d in early if d.decision == "rejected"), None)
        approved_by = [d.user for d in early if d.decision == "approved"]
        if rejection is not None or (approved_by and (steps_satisfied(steps, approved_by) if steps is not None
                                                       else True)):
            decider = rejection or next(d for d in reversed(early) if d.decision == "approved")
            concluded = self._conclude(office_code, document_id, version, decider.decision, decider.user,
                                       decider.comment)
            return concluded.status if concluded is not None else None
        waiting = lifecycle.transition(
            current, "awaiting_approval", HistoryEvent.APPROVAL_REQUESTED, actor="workflow", at=now,
            detail=f"{required} approval(s) by {', '.join(approvers) or 'nobody'}",
            approval=Approval(required=required, approvers=approvers, decisions=early),
            approval_requested_at=current.approval_requested_at if asked and current.approval_requested_at else now)
        if not self._documents.save_if(waiting, version=version):
            return None
        self._notify(office_code, waiting.document, approvers, decided={d.user for d in early})
        return "awaiting_approval"

    def _notify(self, office_code: str, document: Document, approvers: list[str], decided: set[str]) -> None:
        """Mail each approver who has not decided yet the request to approve this proposal version, exactly once:
        a conditional write per (version, approver) decides who sends it, so a repeated request, or an edit and
        a request at the same moment, never mail anyone twice."""
        subject, body = approval_request(document, document_link(self._link_base_url, document.document_id))
        for name in approvers:
            if name in decided:
                continue
            user = self._offices.get_user(office_code, name)
            if user is None or not user.email:
                continue
            if not self._store.claim_notification(office_code, document.document_id, document.proposal_version, name):
                continue
            try:
                self._mailer.send(user.email, subject, body)
            except Exception:  # noqa: BLE001 - a mail outage must not block the approval itself
                self._store.release_notification(office_code, document.document_id, document.proposal_version, name)
                logger.exception("approval mail not sent", document_id=document.document_id)

    # --- approvals API --------------------------------------------------------------------------------------

    @staticmethod
    def _may_decide(user: User, steps: list[PolicyStep] | None) -> bool:
        if steps is not None:
            return user.username in eligible(steps)
        return user.role in DECIDING_ROLES

    def _steps_for(self, document: Document, pending: PendingApproval | None) -> list[PolicyStep] | None:
        """The steps of the document's current proposal version: the parked ones when they are of this version,
        otherwise worked out from the policy (an edit's new steps may not have reached the parked approval yet)."""
        if pending is not None and pending.version == document.proposal_version:
            return pending.steps
        stored = self._store.get_policy(document.office_code, document.administration_id)
        if stored is None or document.proposal is None:
            return None
        return steps_to_ask(stored.policy, document.proposal.total_incl_vat, asked=pending is not None)

    def _decide(self, office_code: str, username: str, document_id: str, verdict: Literal["approved", "rejected"],
                comment: str, seen_version: int | None = None) -> DecisionResult:
        user = require_member(self._offices, office_code, username)
        document = document_of(self._documents, office_code, document_id)
        # The decision is on the proposal as it is now: it is stored with this version and counts for no other.
        version = document.proposal_version
        pending = self._store.pending(office_code, document_id)
        steps = self._steps_for(document, pending)
        if not self._may_decide(user, steps):
            raise errors.NotAnApprover()
        if any(d.user == username for d in self._store.decisions(office_code, document_id, version)):
            self._resend_outcome(document)
            raise errors.AlreadyDecided()
        lifecycle.check(document.status, HistoryEvent.APPROVAL_GIVEN)  # booked: locked
        if seen_version is not None and seen_version != version:
            # The approver approves what they saw, or nothing: an edit since made another version.
            raise errors.ProposalChanged(f"You saw version {seen_version} of the proposal; it is at version {version} "
                                         "now. Review the current version and decide again.")
        if pending is not None and pending.completed:
            raise errors.InvalidStatus("The approval of this document is already complete.")
        now = self._clock.now()
        self._store.add_decision(office_code, document_id, version,
                                 Decision(user=username, decision=verdict, at=now, comment=comment))
        decisions = self._store.decisions(office_code, document_id, version)
        approved_by = [d.user for d in decisions if d.decision == "approved"]
        done = verdict == "rejected" or (
            steps_satisfied(steps, approved_by) if steps is not None else bool(approved_by))
        if done and self._store.pending(office_code, document_id) is not None:
            return self._concluded(office_code, document_id, version, verdict, username, comment)
        # Not settled yet, or the workflow has not parked its request yet (the document shows awaiting_approval as
        # soon as it is proposed): the decision is stored and shown; request_approval settles it when it parks.
        approval = (document.approval or Approval()).model_copy(update={"decisions": decisions})
        given = lifecycle.transition(document, "awaiting_approval", HistoryEvent.APPROVAL_GIVEN,
                                     actor=f"api:{username}", at=now, detail=comment, approval=approval)
        if not self._documents.save_if(given, version=version):
            return self._after_race(office_code, document_id, version)
        if done and self._store.pending(office_code, document_id) is not None:
            # Parked meanwhile: whichever of us concludes first sends the token (the write is conditional).
            return self._concluded(office_code, document_id, version, verdict, username, comment)
        return DecisionResult(document_id=document_id, status=given.document.status, approval=approval)

    def _concluded(self, office_code: str, document_id: str, version: int, verdict: Literal["approved", "rejected"],
                   username: str, comment: str) -> DecisionResult:
        concluded = self._conclude(office_code, document_id, version, verdict, username, comment)
        if concluded is None:
            return self._after_race(office_code, document_id, version)
        return DecisionResult(document_id=document_id, status=concluded.status,
                              approval=concluded.approval or Approval())

    def _after_race(self, office_code: str, document_id: str, version: int) -> DecisionResult:
        """The document changed while a decision on ``version`` was taken. A newer proposal version voids the
        decision (409: decide again on what the proposal says now); otherwise another decision settled the
        approval at the same moment and its outcome stands."""
        current = document_of(self._documents, office_code, document_id)
        if current.status == "awaiting_approval" and current.proposal_version != version:
            raise errors.InvalidStatus("The proposal was changed while you decided; your decision was on the earlier "
                                       "version and no longer counts. Review the proposal and decide again.")
        return DecisionResult(document_id=document_id, status=current.status, approval=current.approval or Approval())

    def _conclude(self, office_code: str, document_id: str, version: int, verdict: Literal["approved", "rejected"],
                  username: str, comment: str) -> Document | None:
        """Approve or reject proposal version ``version`` exactly once, then send the outcome to the parked task.

        The document is written on condition that it still awaits approval at ``version``: an edit that made a
        newer version, or another decision that concluded it, makes this one lose (None). It is saved before the
        token is sent: the Book task that follows expects an approved document.
        """
        document = document_of(self._documents, office_code, document_id)
        if document.status != "awaiting_approval" or document.proposal_version != version:
            return None
        pending = self._store.pending(office_code, document_id)
        targets = pending.targets if pending is not None else booking_targets(self._administrations, document)
        now = self._clock.now()
        actor = "system" if username == "system" else f"api:{username}"
        approval = (document.approval or Approval()).model_copy(
            update={"decisions": self._store.decisions(office_code, document_id, version)})
        if verdict == "rejected":
            step = lifecycle.transition(document, "rejected", HistoryEvent.REJECTED, actor=actor, at=now,
                                        detail=comment, approval=approval, error=f"Rejected by {username}: {comment}")
        else:
            step = lifecycle.transition(
                document, "approved", HistoryEvent.APPROVED, actor=actor, at=now, detail=comment, approval=approval,
                bookings=[Booking(connection_id=t.connection_id, package=t.package, status="pending")
                          for t in targets])
        if not self._documents.save_if(step, version=version):
            return None
        final = step.document
        if verdict == "rejected":
            # A corrected re-upload of this invoice must not be called a duplicate of the rejected one.
            self._claims.release_claims(final)
        self._send_outcome(final)
        return final

    def _resend_outcome(self, document: Document) -> None:
        """Send a concluded document's outcome to its task again. The decider's handler may have died after the
        decision was written and before the outcome left; the decider's retry (409 ``already_decided``) gets it
        through. Step Functions takes one outcome per token, so an outcome that did leave changes nothing."""
        if document.status not in ("approved", "rejected"):
            return  # still waiting for decisions, or the workflow went on: the outcome left
        pending = self._store.pending(document.office_code, document.document_id)
        if pending is None or not pending.completed:
            return  # nothing parked yet: request_approval sends the outcome when it parks
        if document.status == "rejected":
            self._tasks.fail(pending.task_token, REJECTED_ERROR, document.error or "Rejected.")
        else:
            self._tasks.succeed(pending.task_token, self._output(pending.targets))

    def _send_outcome(self, document: Document) -> None:
        """Send a concluded document's outcome to its parked task, exactly once: only the caller that completes
        the parked approval sends (none is parked yet: request_approval sends it when it parks)."""
        won = self._store.complete(document.office_code, document.document_id)
        if won is None:
            return
        if document.status == "rejected":
            self._tasks.fail(won.task_token, REJECTED_ERROR, document.error or "Rejected.")
        else:
            self._tasks.succeed(won.task_token, self._output(won.targets))

    # --- proposal edits ---------------------------------------------------------------------------------------

    def save_edit(self, document: Document, proposal: Proposal, editor: str) -> Document:
        """Store an edited proposal (``PUT .../proposal``), re-applying the approval policy when the edit changes
        the supplier, an amount or a line (``changes_what_is_approved``).

        Such an edit makes a new proposal version: decisions on earlier versions no longer count (each decision
        is stored with the version it was taken on), the steps are worked out again for the new total, and the
        parked approval and the document's ``approval`` (required, approvers, only this version's decisions) show
        them; the approvers get the request again. The write is conditional on the version the edit was made
        on: of an edit and a decision that settles the approval at the same moment exactly one wins (the edit
        answers 409 when the approval came first, and a decision on the old version never completes the new
        one). An edit that takes the total below ``auto_approve_below`` or below every step does not approve the
        document by itself once people were asked to approve it (``steps_to_ask``): one of them still decides.
        """
        office_code, document_id = document.office_code, document.document_id
        now = self._clock.now()
        changed = document.proposal is None or changes_what_is_approved(document.proposal, proposal)
        version = document.proposal_version + 1 if changed else document.proposal_version
        update: dict[str, Any] = {"proposal": proposal, "proposal_version": version}
        pending = self._store.pending(office_code, document_id) if changed else None
        steps: list[PolicyStep] | None = None
        approvers: list[str] = []
        detail = "proposal edited"
        if changed:
            stored = self._store.get_policy(office_code, document.administration_id)
            asked = pending is not None or document.approval is not None
            steps = steps_to_ask(stored.policy, proposal.total_incl_vat, asked=asked) if stored is not None else None
            approvers = eligible(steps) if steps is not None else deciders(self._offices, office_code)
            required = required_approvals(steps) if steps is not None else 1
            if document.approval is not None:
                update["approval"] = Approval(required=required, approvers=approvers, decisions=[])
                update["approval_requested_at"] = now  # asked again: reminders count from now
            detail = (f"proposal edited (version {version}): approval policy re-applied, {required} approval(s) by "
                      f"{', '.join(approvers) or 'nobody'}; earlier decisions no longer count")
        edited = lifecycle.transition(document, "awaiting_approval", HistoryEvent.EDITED, actor=f"api:{editor}",
                                      at=now, detail=detail, **update)
        if not self._documents.save_if(edited, version=document.proposal_version):
            raise errors.InvalidStatus("The document changed while you edited it (approved, rejected or edited by "
                                       "someone else); reload it and edit again.")
        if changed and pending is not None and not pending.completed:
            self._store.reapply(office_code, document_id, version, steps)
            self._notify(office_code, edited.document, approvers, decided=set())
        return edited.document

    def approve(self, office_code: str, username: str, document_id: str, request: ApproveRequest) -> DecisionResult:
        """One approval; the last one needed approves the document and lets the workflow book it."""
        return self._decide(office_code, username, document_id, "approved", request.comment, request.proposal_version)

    def reject(self, office_code: str, username: str, document_id: str, request: RejectRequest) -> DecisionResult:
        """Any one approver's rejection ends the document as ``rejected``."""
        return self._decide(office_code, username, document_id, "rejected", request.reason)
