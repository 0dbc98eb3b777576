"""The approval and booking workflow: approval policies, the Step Functions tasks, approve/reject/retry.

One execution per document (statemachine/approval_and_booking.asl.json):
``RequestApproval`` (``request_approval``: auto-approve, or park the task token and mail the approvers) ->
the approvals API (``approve``/``reject``: completes the token server-side) -> ``Book`` per target
(``book``: exactly once per (document, connection)) -> ``RecordBookingFailure`` (``record_failure``) when the
package keeps failing. The task token is stored only in the workflow store and is never part of any answer.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Sequence
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from boekstuk.domain import errors
from boekstuk.domain.approvals import (
    ApprovalPolicy,
    BookingTarget,
    PendingApproval,
    PolicyStep,
    StoredPolicy,
    auto_approves,
    eligible,
    required_approvals,
    steps_satisfied,
    steps_to_ask,
    unsatisfiable_step,
)
from boekstuk.domain.documents import (
    MAX_DOCUMENT_BYTES,
    Approval,
    Booking,
    Decision,
    Document,
    HistoryEntry,
    Proposal,
    changes_what_is_approved,
)
from boekstuk.domain.links import Administration
from boekstuk.domain.onboarding import DECIDING_ROLES, User
from boekstuk.domain.packages import Attachment, BookingLine, BookingResult, PurchaseBooking
from boekstuk.domain.timestamps import api_timestamp
from boekstuk.observability import logger
from boekstuk.ports import (
    AdministrationRepository,
    Clock,
    ConnectionRepository,
    DocumentRepository,
    DocumentStorage,
    Mailer,
    OfficeRepository,
    PackageOpener,
    TaskTokens,
    WorkflowStore,
)
from boekstuk.services.access import require_admin, require_member

REJECTED_ERROR = errors.DocumentRejected.__name__  # the ASL's Catch matches this name
REQUEST_ATTEMPTS = 5  # an edit landing while approval is requested makes the request start over (rarely twice)


class SupplierProvisioner(Protocol):
    def ensure_supplier(self, document: Document) -> str:
        """The creditor code to book on (a ``new`` supplier created in the package exactly once)."""
        ...


class BookingLearner(Protocol):
    def record_booked(self, document: Document, supplier_code: str | None = None) -> None:
        """Remember what the supplier was booked on, for the next proposal."""
        ...

    def release_claims(self, document: Document) -> None:
        """A rejected document no longer blocks its file and invoice number."""
        ...


# --- API shapes ------------------------------------------------------------------------------------------


class ApproveRequest(BaseModel):
    comment: str = Field(default="", max_length=1000)


class RejectRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


class ApprovalPolicyView(BaseModel):
    """``GET .../approval-policy``: the stored policy, or the default (``is_default``: one decider approves)."""

    steps: list[PolicyStep]
    auto_approve_below: str | None = None
    is_default: bool = False
    updated_at: str | None = None
    updated_by: str | None = None


class DecisionResult(BaseModel):
    document_id: str
    status: str
    approval: Approval


class RetryResult(BaseModel):
    document_id: str
    status: str
    bookings: list[Booking]


class BookOutcome(BaseModel):
    """What a ``Book`` task returns into the execution (no secrets, no token)."""

    connection_id: str
    status: Literal["booked", "failed"]
    entry_id: str | None = None
    already_booked: bool = False
    error: str | None = None


def failure_reason(error: dict[str, Any] | None) -> str:
    """A sentence from the ``{"Error", "Cause"}`` a Catch hands over; never a stack trace."""
    if not error:
        return "Booking failed."
    name = str(error.get("Error") or "Error")
    cause = error.get("Cause")
    message = ""
    if isinstance(cause, str):
        try:
            parsed = json.loads(cause)
        except ValueError:
            parsed = None
        # A Lambda error's cause is its error document; anything else (a States.* error) is plain text.
        message = str(parsed.get("errorMessage") or "") if isinstance(parsed, dict) else cause
    if name in ("PackageUnavailable", "PackageRateLimited"):
        # The state machine retried these for about a minute already: say so, and what the person can do.
        return (f"{message[:400] or name}. The package kept failing through every automatic retry; "
                "retry the booking once the package is available again.")
    if name.startswith("Package") or name in ("ProposalIncomplete", "InvalidStatus", "NotFound"):
        return message[:500] or name
    return f"Booking failed unexpectedly ({name[:100]})."


class WorkflowService:
    """Approval policies, the workflow's tasks and the approvals API."""

    def __init__(self, *, documents: DocumentRepository, store: WorkflowStore, offices: OfficeRepository,
                 administrations: AdministrationRepository, connections: ConnectionRepository,
                 packages: PackageOpener, storage: DocumentStorage, mailer: Mailer, tasks: TaskTokens,
                 provisioning: SupplierProvisioner, learner: BookingLearner, clock: Clock,
                 link_base_url: str = "") -> None:
        self._documents = documents
        self._store = store
        self._offices = offices
        self._administrations = administrations
        self._connections = connections
        self._packages = packages
        self._storage = storage
        self._mailer = mailer
        self._tasks = tasks
        self._provisioning = provisioning
        self._learner = learner
        self._clock = clock
        self._link_base_url = link_base_url.rstrip("/")

    # --- approval policy ---------------------------------------------------------------------------------

    def _administration(self, office_code: str, administration_id: str) -> Administration:
        adm = self._administrations.get(office_code, administration_id)
        if adm is None:
            raise errors.NotFound("No such administration.")
        return adm

    def put_policy(self, office_code: str, username: str, administration_id: str,
                   policy: ApprovalPolicy) -> ApprovalPolicyView:
        """Set the administration's policy (office admins); 422 with one entry per wrong field."""
        require_admin(self._offices, office_code, username)
        self._administration(office_code, administration_id)
        self._validate(office_code, policy)
        stored = StoredPolicy(administration_id=administration_id, office_code=office_code, policy=policy,
                              updated_at=self._clock.now(), updated_by=username)
        self._store.put_policy(stored)
        return self._view(stored)

    def get_policy(self, office_code: str, username: str, administration_id: str) -> ApprovalPolicyView:
        """The policy, or the default: one approval by an admin or approver."""
        require_member(self._offices, office_code, username)
        self._administration(office_code, administration_id)
        stored = self._store.get_policy(office_code, administration_id)
        if stored is None:
            deciders = self._deciders(office_code)
            return ApprovalPolicyView(steps=[PolicyStep(approvers=deciders)] if deciders else [], is_default=True)
        return self._view(stored)

    @staticmethod
    def _view(stored: StoredPolicy) -> ApprovalPolicyView:
        below = stored.policy.auto_approve_below
        return ApprovalPolicyView(steps=stored.policy.steps, auto_approve_below=f"{below:.2f}" if below is not None else None,
                                  updated_at=api_timestamp(stored.updated_at), updated_by=stored.updated_by)

    def _validate(self, office_code: str, policy: ApprovalPolicy) -> None:
        users = {u.username: u for u in self._offices.list_users(office_code)}
        problems: list[dict[str, str]] = []
        if policy.auto_approve_below is not None and policy.auto_approve_below < 0:
            problems.append({"field": "auto_approve_below", "message": "Must not be negative."})
        for i, step in enumerate(policy.steps):
            if step.min_amount < 0:
                problems.append({"field": f"steps[{i}].min_amount", "message": "Must not be negative."})
            for j, name in enumerate(step.approvers):
                user = users.get(name)
                if user is None:
                    problems.append({"field": f"steps[{i}].approvers[{j}]",
                                     "message": f"'{name[:64]}' is not a user of this office."})
                elif user.role not in DECIDING_ROLES:
                    problems.append({"field": f"steps[{i}].approvers[{j}]",
                                     "message": f"'{name}' has role {user.role}; only admins and approvers may decide."})
            if len(set(step.approvers)) != len(step.approvers):
                problems.append({"field": f"steps[{i}].approvers", "message": "An approver is named twice."})
            if step.required > len(set(step.approvers)):
                problems.append({"field": f"steps[{i}].required",
                                 "message": f"Needs {step.required} approvals but names {len(set(step.approvers))} people."})
        if not problems:
            stuck = unsatisfiable_step(policy)
            if stuck is not None:
                problems.append({"field": f"steps[{stuck}].approvers",
                                 "message": "From this amount on the steps together need more different people "
                                            "than they name (one person's approval counts once)."})
        if problems:
            raise errors.ValidationFailed("The approval policy has invalid fields.", errors=problems)

    def _deciders(self, office_code: str) -> list[str]:
        return [u.username for u in self._offices.list_users(office_code) if u.role in DECIDING_ROLES]

    # --- RequestApproval task ------------------------------------------------------------------------------

    def _document(self, office_code: str, document_id: str) -> Document:
        document = self._documents.get(office_code, document_id)
        if document is None:
            raise errors.NotFound("No such document.")
        return document

    def targets(self, document: Document) -> list[BookingTarget]:
        """Where the document is booked: the connection its administration is linked through."""
        adm = self._administration(document.office_code, document.administration_id)
        return [BookingTarget(connection_id=adm.connection_id, package=adm.package,
                              administration_id=adm.administration_id)]

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
        document = self._document(office_code, document_id)
        pending = self._store.pending(office_code, document_id)
        if pending is not None and pending.task_token == task_token and document.status != "awaiting_approval":
            # This request parked already and a decision concluded it meanwhile: the completer sends the token.
            self._send_outcome(document)
            return document.status
        targets = self.targets(document)
        if document.status in ("approved", "booking"):
            # retry-booking starts a new execution for a document people already approved.
            self._tasks.succeed(task_token, self._output(targets))
            return "already_approved"
        if document.status != "awaiting_approval" or document.proposal is None:
            raise errors.InvalidStatus(f"The document is {document.status}; there is nothing to approve.")
        version = document.proposal_version
        stored = self._store.get_policy(office_code, document.administration_id)
        # Asked before (a repeated request, an edit after the first one): from then on only people approve it.
        asked = pending is not None
        total = document.proposal.total_incl_vat
        now = self._clock.now()
        if stored is not None and not asked and auto_approves(stored.policy, total):
            below = stored.policy.auto_approve_below
            why = (f"total {total:.2f} below {below:.2f}" if below is not None and abs(total) < below
                   else "no policy step applies to this amount")
            decision = Decision(user="system", decision="approved", at=now, comment=f"Auto-approved: {why}.")
            approved = document.model_copy(update={
                "status": "approved", "updated_at": now,
                "approval": Approval(required=0, approvers=[], decisions=[decision]),
                "bookings": [Booking(connection_id=t.connection_id, package=t.package, status="pending")
                             for t in targets]})
            if not self._documents.save_if(approved, HistoryEntry(at=now, event="approved", actor="system",
                                                                  detail=f"auto-approved: {why}"),
                                           status="awaiting_approval", version=version):
                return None  # edited meanwhile: the new version may need people
            self._tasks.succeed(task_token, self._output(targets))
            return "auto_approved"
        steps = steps_to_ask(stored.policy, total, asked=asked) if stored is not None else None
        approvers = eligible(steps) if steps is not None else self._deciders(office_code)
        required = required_approvals(steps) if steps is not None else 1
        self._store.park(PendingApproval(office_code=office_code, document_id=document_id, task_token=task_token,
                                         steps=steps, version=version, targets=targets, requested_at=now))
        # People may have decided before the request was parked (the document is awaiting_approval from the
        # moment it is proposed): if their decisions on this version already settle it, complete now.
        current = self._document(office_code, document_id)
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
        waiting = current.model_copy(update={
            "updated_at": now, "approval": Approval(required=required, approvers=approvers, decisions=early)})
        if not self._documents.save_if(waiting, HistoryEntry(
                at=now, event="approval_requested", actor="workflow",
                detail=f"{required} approval(s) by {', '.join(approvers) or 'nobody'}"),
                status="awaiting_approval", version=version):
            return None
        self._notify(office_code, waiting, approvers)
        return "awaiting_approval"

    def _notify(self, office_code: str, document: Document, approvers: list[str]) -> None:
        proposal = document.proposal
        assert proposal is not None  # request_approval checked it
        subject = f"Ter goedkeuring: {proposal.supplier.name} {proposal.invoice_number or ''}".strip()
        link = f"{self._link_base_url}/documents/{document.document_id}" if self._link_base_url else document.document_id
        body = (f"Een document wacht op uw goedkeuring.\n\nLeverancier: {proposal.supplier.name}\n"
                f"Factuurnummer: {proposal.invoice_number or '-'}\nBedrag: {proposal.currency} "
                f"{proposal.total_incl_vat:.2f}\n\nBekijk en beoordeel het document: {link}\n")
        for name in approvers:
            user = self._offices.get_user(office_code, name)
            if user is None or not user.email:
                continue
            try:
                self._mailer.send(user.email, subject, body)
            except Exception:  # noqa: BLE001 - a mail outage must not block the approval itself
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
                comment: str) -> DecisionResult:
        user = require_member(self._offices, office_code, username)
        document = self._document(office_code, document_id)
        # The decision is on the proposal as it is now: it is stored with this version and counts for no other.
        version = document.proposal_version
        pending = self._store.pending(office_code, document_id)
        steps = self._steps_for(document, pending)
        if not self._may_decide(user, steps):
            raise errors.NotAnApprover()
        if any(d.user == username for d in self._store.decisions(office_code, document_id, version)):
            raise errors.AlreadyDecided()
        if document.status != "awaiting_approval":
            raise errors.InvalidStatus(f"The document is {document.status}; it is not awaiting approval.")
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
        current = document.model_copy(update={"approval": approval, "updated_at": now})
        if not self._documents.save_if(current, HistoryEntry(at=now, event="approval_given", actor=f"api:{username}",
                                                             detail=comment),
                                       status="awaiting_approval", version=version):
            return self._after_race(office_code, document_id, version)
        if done and self._store.pending(office_code, document_id) is not None:
            # Parked meanwhile: whichever of us concludes first sends the token (the write is conditional).
            return self._concluded(office_code, document_id, version, verdict, username, comment)
        return DecisionResult(document_id=document_id, status=current.status, approval=approval)

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
        current = self._document(office_code, document_id)
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
        document = self._document(office_code, document_id)
        if document.status != "awaiting_approval" or document.proposal_version != version:
            return None
        pending = self._store.pending(office_code, document_id)
        targets = pending.targets if pending is not None else self.targets(document)
        now = self._clock.now()
        actor = "system" if username == "system" else f"api:{username}"
        approval = (document.approval or Approval()).model_copy(
            update={"decisions": self._store.decisions(office_code, document_id, version)})
        if verdict == "rejected":
            final = document.model_copy(update={"status": "rejected", "approval": approval, "updated_at": now,
                                                "error": f"Rejected by {username}: {comment}"})
        else:
            final = document.model_copy(update={
                "status": "approved", "approval": approval, "updated_at": now,
                "bookings": [Booking(connection_id=t.connection_id, package=t.package, status="pending")
                             for t in targets]})
        if not self._documents.save_if(final, HistoryEntry(at=now, event=verdict, actor=actor, detail=comment),
                                       status="awaiting_approval", version=version):
            return None
        if verdict == "rejected":
            # A corrected re-upload of this invoice must not be called a duplicate of the rejected one.
            self._learner.release_claims(final)
        self._send_outcome(final)
        return final

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
        update: dict[str, Any] = {"proposal": proposal, "proposal_version": version, "updated_at": now}
        pending = self._store.pending(office_code, document_id) if changed else None
        steps: list[PolicyStep] | None = None
        approvers: list[str] = []
        detail = "proposal edited"
        if changed:
            stored = self._store.get_policy(office_code, document.administration_id)
            asked = pending is not None or document.approval is not None
            steps = steps_to_ask(stored.policy, proposal.total_incl_vat, asked=asked) if stored is not None else None
            approvers = eligible(steps) if steps is not None else self._deciders(office_code)
            required = required_approvals(steps) if steps is not None else 1
            if document.approval is not None:
                update["approval"] = Approval(required=required, approvers=approvers, decisions=[])
            detail = (f"proposal edited (version {version}): approval policy re-applied, {required} approval(s) by "
                      f"{', '.join(approvers) or 'nobody'}; earlier decisions no longer count")
        edited = document.model_copy(update=update)
        if not self._documents.save_if(edited, HistoryEntry(at=now, event="edited", actor=f"api:{editor}",
                                                            detail=detail),
                                       status="awaiting_approval", version=document.proposal_version):
            raise errors.InvalidStatus("The document changed while you edited it (approved, rejected or edited by "
                                       "someone else); reload it and edit again.")
        if changed and pending is not None and not pending.completed:
            self._store.reapply(office_code, document_id, version, steps)
            self._notify(office_code, edited, approvers)
        return edited

    def approve(self, office_code: str, username: str, document_id: str, request: ApproveRequest) -> DecisionResult:
        """One approval; the last one needed approves the document and lets the workflow book it."""
        return self._decide(office_code, username, document_id, "approved", request.comment)

    def reject(self, office_code: str, username: str, document_id: str, request: RejectRequest) -> DecisionResult:
        """Any one approver's rejection ends the document as ``rejected``."""
        return self._decide(office_code, username, document_id, "rejected", request.reason)

    def retry_booking(self, office_code: str, username: str, document_id: str) -> RetryResult:
        """Re-queue a ``failed`` booking in a new execution (the claim lets only one request do it)."""
        user = require_member(self._offices, office_code, username)
        if user.role not in DECIDING_ROLES:
            raise errors.NotAnApprover("Only admins and approvers may retry a booking.")
        document = self._document(office_code, document_id)
        if document.status != "failed":
            raise errors.InvalidStatus(f"Only a failed booking can be retried (the document is {document.status}).")
        now = self._clock.now()
        failed = [b for b in document.bookings if b.status == "failed"] or [
            Booking(connection_id=t.connection_id, package=t.package, status="failed") for t in self.targets(document)]
        if not all(self._store.reopen(office_code, document_id, b.connection_id, now) for b in failed):
            raise errors.InvalidStatus("This booking is already being retried.")
        bookings = [b.model_copy(update={"status": "pending", "error": None}) if b.status == "failed" else b
                    for b in (document.bookings or failed)]
        document = document.model_copy(update={"status": "approved", "error": None, "bookings": bookings,
                                               "updated_at": now})
        self._documents.save(document, HistoryEntry(at=now, event="booking_retried", actor=f"api:{username}"))
        execution = self._tasks.start_again(office_code, document_id)
        logger.info("booking retried", document_id=document_id, execution=execution.rsplit(":", 1)[-1])
        return RetryResult(document_id=document_id, status=document.status, bookings=bookings)

    # --- Book task ------------------------------------------------------------------------------------------

    def _with_booking(self, document: Document, target: BookingTarget, **changes: Any) -> list[Booking]:
        bookings = list(document.bookings)
        for i, b in enumerate(bookings):
            if b.connection_id == target.connection_id:
                bookings[i] = b.model_copy(update=changes)
                return bookings
        base = {"connection_id": target.connection_id, "package": target.package, "status": "pending"}
        return [*bookings, Booking.model_validate({**base, **changes})]

    def book(self, office_code: str, document_id: str, target: BookingTarget, execution: str) -> BookOutcome:
        """Post the document into one connection, exactly once and with its PDF; package errors propagate by class
        name. An entry found without its PDF (the upload after the post failed) gets it attached first."""
        document = self._document(office_code, document_id)
        now = self._clock.now()
        claim = self._store.claim_booking(office_code, document_id, target.connection_id, execution, now)
        if claim.status == "booked":
            logger.info("already booked; not posted again", document_id=document_id)
            return BookOutcome(connection_id=target.connection_id, status="booked", entry_id=claim.entry_id,
                               already_booked=True)
        if document.status not in ("approved", "booking"):
            raise errors.InvalidStatus(f"The document is {document.status}; only an approved document is booked.")
        if document.status != "booking":
            document = document.model_copy(update={
                "status": "booking", "updated_at": now,
                "bookings": self._with_booking(document, target, status="booking", error=None)})
            self._documents.save(document, HistoryEntry(at=now, event="booking", actor="workflow",
                                                        detail=target.package))
        connection = self._connections.get(office_code, target.connection_id)
        adm = self._administration(office_code, target.administration_id)
        if connection is None:
            raise errors.NotFound("The connection of this administration no longer exists.")
        supplier_code = self._provisioning.ensure_supplier(document)
        booking = self.purchase_booking(document, supplier_code)
        package = self._packages.open(connection)
        # A run that posted but died before recording it finds its own entry here instead of posting twice.
        result: BookingResult | None = package.find_booking(adm.code, supplier_code, booking.invoice_number)
        found = result is not None
        attached_now = False
        if result is None:
            result = package.book_purchase(adm.code, booking.model_copy(update={"attachment": self._attachment(document)}))
        elif not result.has_attachment:
            # Posted, but the PDF upload after the post failed (most packages take the PDF in a second call).
            # The entry only counts as booked once it carries its source document; errors propagate (retried).
            package.attach_document(adm.code, result, self._attachment(document))
            attached_now = True
        booked_at = self._clock.now()
        self._store.mark_booked(office_code, document_id, target.connection_id, execution, result.entry_id, booked_at)
        document = self._document(office_code, document_id)
        bookings = self._with_booking(document, target, status="booked", entry_id=result.entry_id,
                                      booked_at=booked_at, error=None)
        status = "booked" if all(b.status == "booked" for b in bookings) else document.status
        document = document.model_copy(update={"status": status, "bookings": bookings, "updated_at": booked_at,
                                               "error": None})
        self._documents.save(document, HistoryEntry(
            at=booked_at, event="booked", actor="workflow",
            detail=f"{target.package} entry {result.entry_number or result.entry_id}"
                   + (" (found in the package without its PDF, not posted again; PDF attached on this retry)"
                      if attached_now else " (found in the package, not posted again)" if found else "")))
        try:
            self._learner.record_booked(document, supplier_code)
        except Exception:  # noqa: BLE001 - the booking stands; a missed lesson only costs a better proposal
            logger.exception("learning from the booking failed", document_id=document_id)
        return BookOutcome(connection_id=target.connection_id, status="booked", entry_id=result.entry_id,
                           already_booked=found)

    def purchase_booking(self, document: Document, supplier_code: str) -> PurchaseBooking:
        """The package-neutral booking from the approved proposal (without the attachment)."""
        proposal = document.proposal
        if proposal is None:
            raise errors.ProposalIncomplete("The document has no proposal to book.")
        missing = [f"lines[{i}].{name}" for i, line in enumerate(proposal.lines)
                   for name in ("gl_account", "vat_code") if getattr(line, name) is None]
        if missing or not proposal.lines:
            raise errors.ProposalIncomplete(
                "The proposal is missing " + (", ".join(missing) if missing else "its lines") + "; edit it and retry.")
        credit = proposal.total_incl_vat < 0
        lines = [BookingLine(gl_account=str(line.gl_account), description=line.description or proposal.supplier.name,
                             amount_excl_vat=line.amount_excl_vat, vat_code=str(line.vat_code),
                             vat_amount=line.vat_amount, cost_centre=line.cost_centre) for line in proposal.lines]
        # Receipts often carry no number; the document id keeps the package's duplicate check meaningful.
        number = proposal.invoice_number or f"BS-{document.document_id[:12].upper()}"
        description = proposal.description or f"{proposal.supplier.name} {number}"
        return PurchaseBooking(supplier_code=supplier_code, invoice_number=number,
                               invoice_date=proposal.invoice_date or document.created_at.date(),
                               due_date=proposal.due_date, currency=proposal.currency, description=description[:200],
                               kind="credit_note" if credit else "invoice", lines=lines,
                               total_incl_vat=proposal.total_incl_vat)

    def _attachment(self, document: Document) -> Attachment:
        """The original the intake kept (never the upload key, which a client could write again)."""
        if document.original_key is None:
            raise errors.NotFound("The original file of this document is not stored; it cannot be booked.")
        content_type = (document.content_type or mimetypes.guess_type(document.filename)[0]
                        or "application/octet-stream")
        return Attachment(filename=document.filename, content_type=content_type,
                          content=self._storage.read(document.original_key, MAX_DOCUMENT_BYTES))

    def record_failure(self, office_code: str, document_id: str, target: BookingTarget, execution: str,
                       error: dict[str, Any] | None) -> BookOutcome:
        """The package kept failing (or refused): booking and document ``failed`` with the reason."""
        reason = failure_reason(error)
        now = self._clock.now()
        if not self._store.mark_failed(office_code, document_id, target.connection_id, execution, reason, now):
            # Another run holds (or completed) this booking: its outcome stands.
            logger.warning("failure of a run that does not hold the booking ignored", document_id=document_id)
            return BookOutcome(connection_id=target.connection_id, status="failed", error=reason)
        document = self._document(office_code, document_id)
        if document.status in ("approved", "booking"):
            document = document.model_copy(update={
                "status": "failed", "error": reason, "updated_at": now,
                "bookings": self._with_booking(document, target, status="failed", error=reason)})
            self._documents.save(document, HistoryEntry(at=now, event="booking_failed", actor="workflow",
                                                        detail=reason))
        return BookOutcome(connection_id=target.connection_id, status="failed", error=reason)
