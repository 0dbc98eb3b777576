"""Login through Cognito, token refresh, logout, and password reset by an e-mailed code."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from boekstuk.api.identity import source_ip
from boekstuk.api.openapi import responses
from boekstuk.api.resolver import make_resolver
from boekstuk.bootstrap import services
from boekstuk.domain import errors
from boekstuk.observability import logger, metrics, tracer
from boekstuk.services.password_resets import PasswordResetConfirmation, PasswordResetRequest
from boekstuk.services.sessions import LoginRequest, LogoutRequest, RefreshRequest, TokenResponse

app = make_resolver()


@app.post(
    "/v1/sessions",
    summary="Log in",
    tags=["sessions"],
    responses=responses(errors.InvalidCredentials, errors.LoginThrottled),
)
def handle_login(body: LoginRequest) -> TokenResponse:
    return services().sessions.login(body, source_ip(app))


@app.post(
    "/v1/sessions/refresh",
    summary="Refresh an access token",
    tags=["sessions"],
    responses=responses(errors.InvalidCredentials),
)
def handle_refresh(body: RefreshRequest) -> TokenResponse:
    return services().sessions.refresh(body)


@app.delete(
    "/v1/sessions",
    summary="Log out: end the session",
    description="The refresh token stops refreshing, and the access tokens it gave out answer 401 from the next "
                "request on. Holding the refresh token is what counts, so no access token is needed (one that has "
                "expired cannot stop a session from logging out).",
    tags=["sessions"],
    responses={204: {"description": "Logged out (also when the token was dead already)"},
               **responses(success=None)},
)
def handle_logout(body: LogoutRequest) -> Response[str]:
    services().sessions.logout(body)
    return _empty(204)


@app.post(
    "/v1/password-resets",
    summary="Ask for a password reset code by e-mail",
    description="Always 202, whether or not the user exists; the user's e-mail address gets a 6-digit code that "
                "is valid 30 minutes.",
    tags=["sessions"],
    responses={202: {"description": "Accepted (the same answer for every office code and username)", "content": {}},
               **responses(errors.ResetThrottled, success=None)},
)
def handle_request_reset(body: PasswordResetRequest) -> Response[str]:
    services().password_resets.request(body, source_ip(app))
    return _empty(202)


@app.post(
    "/v1/password-resets/confirmation",
    summary="Set a new password with the e-mailed code",
    description="Every session of the user ends: refresh tokens issued before stop working and their access "
                "tokens answer 401.",
    tags=["sessions"],
    responses={204: {"description": "Password changed"},
               **responses(errors.InvalidResetCode, errors.WeakPassword, errors.TooManyAttempts, success=None)},
)
def handle_confirm_reset(body: PasswordResetConfirmation) -> Response[str]:
    services().password_resets.confirm(body, source_ip(app))
    return _empty(204)


def _empty(status: int) -> Response[str]:
    """An answer with a status and no body."""
    return Response(status_code=status, content_type="application/json", body="")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
