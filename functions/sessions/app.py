"""Login through Cognito and token refresh."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from boekstuk.api.identity import source_ip
from boekstuk.api.openapi import responses
from boekstuk.api.resolver import make_resolver
from boekstuk.bootstrap import services
from boekstuk.domain import errors
from boekstuk.observability import logger, metrics, tracer
from boekstuk.services.sessions import LoginRequest, RefreshRequest, TokenResponse

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


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
