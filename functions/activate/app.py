"""Onboarding step 2: activate the subscription - office, subscription and the synchronisation user - and check
an office code while it is being chosen."""

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
from boekstuk.services.onboarding import (
    ActivationRequest,
    ActivationResponse,
    OfficeCodeCheck,
    OfficeCodeCheckRequest,
)

app = make_resolver()


@app.post(
    "/v1/activations",
    summary="Activate the subscription (step 2)",
    tags=["onboarding"],
    responses={201: {"description": "Office, subscription and synchronisation user created"},
               **responses(errors.OfficeCodeTaken, errors.WeakPassword, errors.AlreadyActivated,
                           errors.ActivationExpired, errors.InvalidActivationToken, success=None)},
)
def handle_activate(body: ActivationRequest) -> Response[ActivationResponse]:
    result = services().onboarding.activate(body)
    return Response(status_code=201, content_type="application/json", body=result)


@app.post(
    "/v1/office-code-checks",
    summary="Check an office code while it is being chosen (step 2)",
    description="Whether the code is valid and free; when it is taken, up to three free suggestions. Only with a "
                "usable activation token, and limited per source and per token.",
    tags=["onboarding"],
    responses=responses(errors.AlreadyActivated, errors.ActivationExpired, errors.InvalidActivationToken,
                        errors.TooManyAttempts),
)
def handle_check_office_code(body: OfficeCodeCheckRequest) -> OfficeCodeCheck:
    return services().onboarding.check_office_code(body, source_ip(app))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
