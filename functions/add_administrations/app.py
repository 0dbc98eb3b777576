"""Onboarding step 4: list a connection's administrations, add at most 5 at a time; the office's list."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from boekstuk.api.identity import current_caller
from boekstuk.api.openapi import responses
from boekstuk.api.resolver import make_resolver
from boekstuk.bootstrap import services
from boekstuk.domain import errors
from boekstuk.observability import logger, metrics, tracer
from boekstuk.services.administrations import (
    AddAdministrationsRequest,
    AddAdministrationsResponse,
    AdministrationList,
    PackageAdministrationList,
)

app = make_resolver()


@app.get(
    "/v1/offices/<office>/connections/<connection_id>/administrations",
    summary="Administrations the linked package user can see",
    tags=["administrations"],
    responses=responses(errors.NotFound, errors.ConnectionNotReady, errors.PackageUnavailable,
                        errors.InvalidPackageCredentials, validates_input=False),
)
def handle_list_package_administrations(office: str, connection_id: str) -> PackageAdministrationList:
    caller = current_caller(app)
    caller.require_office(office)
    return services().administration_service.package_administrations(caller.office_code, caller.username, connection_id)


@app.post(
    "/v1/offices/<office>/connections/<connection_id>/administrations",
    summary="Add administrations (step 4): at most 5, all or nothing",
    tags=["administrations"],
    responses={201: {"description": "Added; each starts a supplier sync"},
               **responses(errors.TooManyAdministrations, errors.NoAdministrations, errors.UnknownAdministration,
                           errors.AdministrationAlreadyLinked, errors.AdministrationAccessDenied, errors.NotAnAdmin,
                           errors.NotFound, errors.ConnectionNotReady, errors.PackageUnavailable, success=None)},
)
def handle_add_administrations(office: str, connection_id: str,
                               body: AddAdministrationsRequest) -> Response[AddAdministrationsResponse]:
    caller = current_caller(app)
    caller.require_office(office)
    added = services().administration_service.add(caller.office_code, caller.username, connection_id, body)
    return Response(status_code=201, content_type="application/json", body=added)


@app.get("/v1/offices/<office>/administrations", summary="The office's administrations", tags=["administrations"],
         responses=responses(errors.NotFound, validates_input=False))
def handle_list_administrations(office: str) -> AdministrationList:
    caller = current_caller(app)
    caller.require_office(office)
    return services().administration_service.list_linked(caller.office_code, caller.username)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
