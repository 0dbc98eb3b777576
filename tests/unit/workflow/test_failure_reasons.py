"""A failed booking's reason, from the ``{"Error", "Cause"}`` the state machine's Catch hands over: the error
name finds its domain error class, and the class (not its spelling) says whether it is a package outage and
whether its message is meant for the person."""

from __future__ import annotations

import json

import pytest

from boekstuk.domain import errors
from boekstuk.domain.errors import failure_reason


def caught(error: type[Exception] | str, message: str) -> dict[str, str]:
    name = error if isinstance(error, str) else error.__name__
    return {"Error": name, "Cause": json.dumps({"errorMessage": message, "errorType": name,
                                                "stackTrace": ["File secret.py"]})}


def test_a_name_finds_its_domain_error_class() -> None:
    assert errors.by_name("PackageRateLimited") is errors.PackageRateLimited
    assert errors.by_name("DocumentLocked") is errors.DocumentLocked
    assert errors.by_name("KeyError") is None and errors.by_name("States.Timeout") is None


@pytest.mark.parametrize("error", [errors.PackageUnavailable, errors.PackageRateLimited])
def test_an_outage_says_it_was_retried_and_what_to_do(error: type[errors.DomainError]) -> None:
    reason = failure_reason(caught(error, "SnelStart is down"))
    assert reason.startswith("SnelStart is down. The package kept failing through every automatic retry")


@pytest.mark.parametrize(("error", "message"), [
    (errors.PackageRejected, "Unknown GL 9999"), (errors.PackageAccessDenied, "No access to 101"),
    (errors.ProposalIncomplete, "The proposal is missing lines[0].gl_account; edit it and retry."),
    (errors.NotFound, "The connection of this administration no longer exists."),
    (errors.InvalidStatus, "The document is rejected; only an approved document is booked."),
    # A refusal by the lifecycle table is a refusal of the state like any other: its sentence is shown.
    (errors.IllegalTransition, "The document is failed; only an approved document is booked."),
])
def test_a_refusal_shows_its_own_sentence(error: type[errors.DomainError], message: str) -> None:
    assert failure_reason(caught(error, message)) == message


@pytest.mark.parametrize("error", ["KeyError", "BookingInProgress", "InvalidPackageCredentials", "States.Timeout"])
def test_anything_else_is_unexpected_and_keeps_its_text_to_itself(error: str) -> None:
    assert failure_reason(caught(error, "'secret'")) == f"Booking failed unexpectedly ({error})."


def test_no_error_and_a_plain_text_cause() -> None:
    assert failure_reason(None) == "Booking failed."
    assert failure_reason({"Error": "PackageRejected", "Cause": "plain text"}) == "plain text"
    assert failure_reason({"Error": "PackageRejected", "Cause": json.dumps({"errorMessage": ""})}) == \
        "PackageRejected"
