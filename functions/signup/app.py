"""Onboarding step 1: sign up with the plan confirmed twice, then confirm with the e-mailed code."""

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
from boekstuk.services.onboarding import ConfirmationRequest, ConfirmationResponse, SignupRequest, SignupResponse

app = make_resolver()


@app.post(
    "/v1/signups",
    summary="Sign up (step 1)",
    tags=["onboarding"],
    responses={201: {"description": "Signup created; a code was e-mailed"},
               200: {"description": "Pending signup for this e-mail: a new code was sent"},
               **responses(errors.PlanNotConfirmed, errors.TermsNotAccepted, errors.TooManyAttempts,
                          errors.SignupMailLimit, success=None)},
)
def handle_create_signup(body: SignupRequest) -> Response[SignupResponse]:
    result, created = services().onboarding.sign_up(body, source_ip(app))
    return Response(status_code=201 if created else 200, content_type="application/json", body=result)


@app.post(
    "/v1/signups/<signup_id>/confirmation",
    summary="Confirm a signup with the e-mailed code",
    tags=["onboarding"],
    responses=responses(errors.InvalidConfirmationCode, errors.TooManyAttempts, errors.ConfirmationExpired,
                        errors.SignupNotFound, errors.AlreadyConfirmed),
)
def handle_confirm_signup(signup_id: str, body: ConfirmationRequest) -> ConfirmationResponse:
    return services().onboarding.confirm(signup_id, body, source_ip(app))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
