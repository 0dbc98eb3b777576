"""Onboarding step 3: link an accounting package (credentials verified first, or OAuth2 with a bound state)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from boekstuk.api.identity import current_caller
from boekstuk.api.openapi import responses
from boekstuk.api.resolver import make_resolver, request_base_url
from boekstuk.bootstrap import services
from boekstuk.domain import errors
from boekstuk.domain.packages import PackageInfo
from boekstuk.observability import logger, metrics, tracer
from boekstuk.services.connections import ConnectionList, ConnectionView, CreateConnectionRequest

app = make_resolver()


@app.get("/v1/packages", summary="Supported accounting packages", tags=["packages"],
         responses=responses(validates_input=False))
def handle_list_packages() -> list[PackageInfo]:
    return services().connection_service.packages()


@app.post(
    "/v1/offices/<office>/connections",
    summary="Link an accounting package (step 3)",
    tags=["packages"],
    responses={201: {"description": "Connection verified, or pending authorization with an authorize_url"},
               **responses(errors.InvalidPackageCredentials, errors.PackageUnavailable, errors.DescriptionRequired,
                           errors.UnknownPackage, errors.NotAnAdmin, errors.NotFound, success=None)},
)
def handle_create_connection(office: str, body: CreateConnectionRequest) -> Response[ConnectionView]:
    caller = current_caller(app)
    caller.require_office(office)
    view = services().connection_service.create(
        caller.office_code, caller.username, body, redirect_uri=f"{request_base_url(app)}/v1/oauth/callback")
    return Response(status_code=201, content_type="application/json", body=view)


@app.get("/v1/offices/<office>/connections", summary="The office's package connections", tags=["packages"],
         responses=responses(errors.NotFound, validates_input=False))
def handle_list_connections(office: str) -> ConnectionList:
    caller = current_caller(app)
    caller.require_office(office)
    return services().connection_service.list_connections(caller.office_code, caller.username)


@app.get(
    "/v1/oauth/callback",
    summary="Where the package sends the user back after logging in",
    tags=["packages"],
    responses={302: {"description": "Redirect to the web app"},
               **responses(errors.InvalidOAuthState, errors.InvalidPackageCredentials, errors.PackageUnavailable,
                           validates_input=False, success_description="Linked (JSON answer when Accept: application/json)")},
)
def handle_oauth_callback() -> Response[Any]:
    params = app.current_event.query_string_parameters or {}
    returned = services().connection_service.oauth_return(params.get("state"), params.get("code"), params.get("error"))
    accept = app.current_event.headers.get("Accept", "") or app.current_event.headers.get("accept", "")
    if "application/json" in accept or returned.web_app_location is None:
        return Response(status_code=200, content_type="application/json", body=returned.result)
    return Response(status_code=302, content_type="text/plain", body="",
                    headers={"Location": returned.web_app_location})


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
