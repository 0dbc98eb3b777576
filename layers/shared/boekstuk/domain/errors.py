"""Domain errors.

Every error carries a stable machine-readable ``code`` (part of the HTTP contract, see API.md) and a
``detail`` sentence a person understands. The class names are part of the state-machine contract:
``Retry``/``Catch`` in the ASL refer to them by name, so never rename one without the ASL.
The HTTP status for each error lives in ``boekstuk.api.errors``, not here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

_BY_NAME: dict[str, type[DomainError]] = {}


class DomainError(Exception):
    """Base of every error the services raise on purpose."""

    code: str = "domain_error"
    default_detail: str = "The request could not be processed."
    package_outage: ClassVar[bool] = False
    """The package did not answer or asked to slow down: the state machine retries it with back-off (the ASL's
    Retry names exactly these classes), and a booking that still ends on it can be retried later by hand."""
    explains_a_failed_booking: ClassVar[bool] = False
    """Its detail tells a person why a booking failed (shown on the document); any other error is reported as
    unexpected, by its name only."""
    failed_booking_advice: ClassVar[str] = ""
    """What a person does about a booking that failed on this error, said after the error's own sentence."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _BY_NAME[cls.__name__] = cls

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        self.detail = detail or self.default_detail
        self.extra: dict[str, Any] = extra
        super().__init__(self.detail)


def by_name(name: str) -> type[DomainError] | None:
    """The domain error class of this name: what a Lambda error's ``errorType`` and a Catch's ``Error`` carry."""
    return _BY_NAME.get(name)


# --- generic -----------------------------------------------------------------------------------------


class ValidationFailed(DomainError):
    """Input is well-formed JSON but breaks a rule; ``errors`` lists one entry per field."""

    code = "validation_error"
    default_detail = "The request has invalid fields."


class NotFound(DomainError):
    code = "not_found"
    default_detail = "The resource does not exist."
    explains_a_failed_booking = True


class Forbidden(DomainError):
    code = "forbidden"
    default_detail = "You are not allowed to do this."


class Unauthorized(DomainError):
    code = "unauthorized"
    default_detail = "Authentication is required."


class Conflict(DomainError):
    code = "conflict"
    default_detail = "The resource changed or already exists."


class TooManyRequests(DomainError):
    """Slow down: ``retry_after`` (seconds), when known, becomes the answer's ``Retry-After`` header."""

    code = "too_many_requests"
    default_detail = "Too many requests; try again later."

    def __init__(self, detail: str | None = None, retry_after: int | None = None, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = retry_after


# --- step 1: signup ----------------------------------------------------------------------------------


class PlanNotConfirmed(DomainError):
    code = "plan_not_confirmed"
    default_detail = "The plan confirmation does not match the chosen plan."


class TermsNotAccepted(DomainError):
    code = "terms_not_accepted"
    default_detail = "The terms and conditions must be accepted."


class InvalidConfirmationCode(DomainError):
    code = "invalid_confirmation_code"
    default_detail = "The confirmation code is not correct."


class TooManyAttempts(TooManyRequests):
    code = "too_many_attempts"
    default_detail = "Too many wrong codes: this signup is locked. Sign up again later or contact support."


class SignupMailLimit(TooManyRequests):
    code = "too_many_attempts"
    default_detail = "Too many signup e-mails were asked for; try again later."


class ConfirmationExpired(DomainError):
    code = "confirmation_expired"
    default_detail = "The confirmation code has expired; sign up again to receive a new one."


class SignupNotFound(NotFound):
    code = "signup_not_found"
    default_detail = "No such signup."


class AlreadyConfirmed(DomainError):
    code = "already_confirmed"
    default_detail = "This signup was already confirmed."


# --- step 2: activation ------------------------------------------------------------------------------


class OfficeCodeTaken(DomainError):
    code = "office_code_taken"
    default_detail = "This office code is already in use."


class WeakPassword(DomainError):
    code = "weak_password"
    default_detail = "The password must be at least 12 characters long."


class InvalidActivationToken(DomainError):
    code = "invalid_activation_token"
    default_detail = "The activation token is not valid."


class AlreadyActivated(DomainError):
    code = "already_activated"
    default_detail = "This subscription was already activated."


class ActivationExpired(DomainError):
    code = "activation_expired"
    default_detail = "The activation link has expired."


# --- login and users ---------------------------------------------------------------------------------


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    default_detail = "Office code, username or password is not correct."


class LoginThrottled(TooManyRequests):
    code = "too_many_attempts"
    default_detail = "Too many failed logins; try again after the number of seconds in Retry-After."


class UsernameTaken(Conflict):
    code = "username_taken"
    default_detail = "A user with this username already exists in this office."


class NotAnAdmin(Forbidden):
    code = "not_an_admin"
    default_detail = "Only office admins may do this."


# --- password reset ----------------------------------------------------------------------------------


class InvalidResetCode(DomainError):
    """A wrong, expired or already used reset code; the same for a user that does not exist."""

    code = "invalid_code"
    default_detail = "The code is not correct or has expired; ask for a new one."


class ResetThrottled(TooManyRequests):
    code = "too_many_attempts"
    default_detail = "Too many password resets were asked for or tried; try again after Retry-After seconds."


# --- step 3: packages --------------------------------------------------------------------------------


class UnknownPackage(DomainError):
    code = "unknown_package"
    default_detail = "This accounting package is not supported."


class DescriptionRequired(DomainError):
    code = "description_required"
    default_detail = "A description is required for a connection to this package."


class InvalidOAuthState(DomainError):
    code = "invalid_oauth_state"
    default_detail = "The authorization response is not valid or was already used."


class ConnectionNotReady(Conflict):
    code = "connection_not_ready"
    default_detail = "This connection has not been authorised at the package yet."


class PackageError(DomainError):
    """Base of what an accounting package answered (or failed to answer)."""

    explains_a_failed_booking = True


class InvalidPackageCredentials(PackageError):
    code = "invalid_package_credentials"
    default_detail = "The accounting package refused these credentials."
    # The connectors' messages say what the package answered and never carry a secret; retrying cannot help.
    failed_booking_advice = ("The package no longer accepts this system's link: link the package again (its "
                             "credentials or authorisation under connections), then retry the booking.")


_OUTAGE_ADVICE = ("The package kept failing through every automatic retry; retry the booking once the package is "
                  "available again.")


class PackageUnavailable(PackageError):
    code = "package_unavailable"
    default_detail = "The accounting package did not answer; try again later."
    package_outage = True
    failed_booking_advice = _OUTAGE_ADVICE


class PackageRateLimited(PackageError):
    code = "package_rate_limited"
    default_detail = "The accounting package asks us to slow down; try again later."
    package_outage = True
    failed_booking_advice = _OUTAGE_ADVICE

    def __init__(self, detail: str | None = None, retry_after: float | None = None, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = retry_after


class PackageRejected(PackageError):
    """The package refused the request; ``detail`` carries the package's own message."""

    code = "package_rejected"
    default_detail = "The accounting package refused the request."


class PackageAccessDenied(PackageError):
    code = "administration_access_denied"
    default_detail = "The package user has no access to this administration."


# --- step 4: administrations -------------------------------------------------------------------------


class TooManyAdministrations(DomainError):
    code = "too_many_administrations"
    default_detail = "At most 5 administrations can be added per request."


class NoAdministrations(DomainError):
    code = "validation_error"
    default_detail = "Give at least one administration code."


class AdministrationAlreadyLinked(DomainError):
    code = "administration_already_linked"
    default_detail = "Some administrations are already linked."


class InboxAddressTaken(DomainError):
    """A new administration's random inbox address is already another's (the service draws a new one)."""

    code = "inbox_address_taken"
    default_detail = "The inbox address is taken."


class AdministrationAccessDenied(DomainError):
    code = "administration_access_denied"
    default_detail = "The package user has no access to some administrations."


class UnknownAdministration(DomainError):
    code = "unknown_administration"
    default_detail = "Some administration codes are not known in the package."


# --- documents ---------------------------------------------------------------------------------------


class UnsupportedContentType(DomainError):
    code = "unsupported_content_type"
    default_detail = "This file type is not supported."


class DocumentTooLarge(DomainError):
    code = "document_too_large"
    default_detail = "The document is larger than 20 MB."


class UnreadableDocument(DomainError):
    """Recognition cannot read the file; the document ends as ``unreadable`` with this reason."""

    code = "unreadable"
    default_detail = "The document cannot be read."


class RecognitionUnavailable(DomainError):
    """The recognition service throttled, failed on its side or did not answer in time: nothing is wrong with the
    document. The intake lets it fail the invocation, so Lambda delivers the upload again (and after its retries
    the event waits in the failed-events queue); the document is never ended ``unreadable`` for it."""

    code = "recognition_unavailable"
    default_detail = "The recognition service is not available right now; the document is read again later."


class UnknownSupplier(ValidationFailed):
    """An edit names a supplier code the administration does not have (``errors`` lists every problem)."""

    code = "unknown_supplier"
    default_detail = "The supplier does not exist in this administration."


class ProposalChanged(Conflict):
    """An approval was given for a proposal version that is no longer the current one."""

    code = "proposal_changed"
    default_detail = ("The proposal was changed since you opened it; review the current version and approve that "
                      "one.")


class InvalidStatus(Conflict):
    code = "invalid_status"
    default_detail = "The document is not in a state that allows this."
    explains_a_failed_booking = True


class IllegalTransition(InvalidStatus):
    """A step the document lifecycle's table (``boekstuk.domain.lifecycle``) does not allow from the document's
    status. Answered like every refusal because of the document's state: 409 ``invalid_status``."""

    default_detail = "The document's status does not allow this step."


class DocumentLocked(IllegalTransition):
    """The document is booked: no step of the lifecycle leaves ``booked``, so nothing about it changes any more."""

    code = "document_locked"
    default_detail = "The document is booked and locked: it can no longer be edited, approved, rejected or retried."


class NotAnApprover(Forbidden):
    code = "not_an_approver"
    default_detail = "You are not one of the approvers of this document."


class AlreadyDecided(Conflict):
    code = "already_decided"
    default_detail = "You already decided on this document."


# --- approval and booking workflow -------------------------------------------------------------------


class DocumentRejected(DomainError):
    """Sent as the task-failure ``error`` when a person rejects: the ASL catches it by this name."""

    code = "document_rejected"
    default_detail = "The document was rejected."


class ProposalIncomplete(ValidationFailed):
    """The proposal lacks what a booking needs (a GL account or VAT code on a line)."""

    code = "proposal_incomplete"
    default_detail = "The proposal is not complete enough to book."
    explains_a_failed_booking = True


class BookingInProgress(Conflict):
    """Another workflow execution holds the booking of this document into this connection."""

    code = "booking_in_progress"
    default_detail = "This document is being booked by another run."


def failure_reason(error: Mapping[str, Any] | None) -> str:
    """A failed booking's reason, from the ``{"Error", "Cause"}`` a Catch hands over; never a stack trace.

    The error's name finds its class (``by_name``): an error that explains itself gives its message, followed by
    what the person can do when its class says so (an outage: it was retried already, retry later; refused
    credentials: link the package again); anything else is unexpected and shows only its name.
    """
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
    cls = by_name(name)
    if cls is not None and cls.failed_booking_advice:
        return f"{(message[:400] or name).rstrip('. ')}. {cls.failed_booking_advice}"
    if cls is not None and cls.explains_a_failed_booking:
        return message[:500] or name
    return f"Booking failed unexpectedly ({name[:100]})."
