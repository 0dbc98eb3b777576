"""RFC 9457 problem documents and the one place that maps domain errors to HTTP statuses."""

from __future__ import annotations

import json
import math
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response

from boekstuk.domain import errors as e

PROBLEM_CONTENT_TYPE = "application/problem+json"

# Most specific class first is not needed: the lookup walks each error's MRO.
STATUS_BY_ERROR: dict[type[e.DomainError], int] = {
    e.ValidationFailed: 422,
    e.NotFound: 404,
    e.Forbidden: 403,
    e.Unauthorized: 401,
    e.Conflict: 409,
    e.TooManyRequests: 429,
    e.PlanNotConfirmed: 422,
    e.TermsNotAccepted: 422,
    e.InvalidConfirmationCode: 422,
    e.TooManyAttempts: 429,
    e.ConfirmationExpired: 410,
    e.AlreadyConfirmed: 409,
    e.OfficeCodeTaken: 409,
    e.WeakPassword: 422,
    e.InvalidActivationToken: 422,
    e.AlreadyActivated: 409,
    e.ActivationExpired: 410,
    e.InvalidCredentials: 401,
    e.UnknownPackage: 422,
    e.DescriptionRequired: 422,
    e.InvalidOAuthState: 400,
    e.InvalidPackageCredentials: 422,
    e.PackageUnavailable: 503,
    e.PackageRateLimited: 503,
    e.PackageRejected: 422,
    e.PackageAccessDenied: 403,
    e.TooManyAdministrations: 422,
    e.NoAdministrations: 422,
    e.AdministrationAlreadyLinked: 409,
    e.AdministrationAccessDenied: 403,
    e.UnknownAdministration: 422,
    e.UnsupportedContentType: 422,
    e.DocumentTooLarge: 413,
    e.UnreadableDocument: 422,
    e.IllegalTransition: 409,
    e.DocumentLocked: 409,
}


def status_for(error: e.DomainError) -> int:
    """The HTTP status for a domain error (500 for an unmapped one, which is a bug worth seeing)."""
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


# Extras that an error may carry for logs but that a client must not see (e.g. a package's HTTP status).
_PRIVATE_EXTRAS = frozenset({"status", "type", "title", "code", "detail", "url", "body", "response"})


def problem(status: int, code: str, detail: str, headers: dict[str, str] | None = None,
            extra: dict[str, Any] | None = None) -> Response[str]:
    """Build a problem+json response; ``extra`` members (e.g. ``errors``, ``suggestions``) are added,
    never overriding the standard members."""
    body: dict[str, Any] = {
        "type": f"urn:boekstuk:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "code": code,
        "detail": detail,
    }
    body.update({k: v for k, v in (extra or {}).items() if k not in _PRIVATE_EXTRAS})
    return Response(
        status_code=status,
        content_type=PROBLEM_CONTENT_TYPE,
        body=json.dumps(body, default=str),
        headers=headers or {},
    )


def problem_for(error: e.DomainError) -> Response[str]:
    """The problem response for a domain error, carrying its ``extra`` members."""
    headers: dict[str, str] = {}
    if isinstance(error, e.PackageRateLimited | e.TooManyRequests) and error.retry_after:
        headers["Retry-After"] = str(math.ceil(error.retry_after))
    return problem(status_for(error), error.code, error.detail, headers=headers, extra=error.extra)
