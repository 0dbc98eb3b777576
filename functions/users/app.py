"""Office users with roles, and the calling user."""

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
from boekstuk.services.sessions import CreateUserRequest, UserList, UserView

app = make_resolver()


@app.post(
    "/v1/offices/<office>/users",
    summary="Add a user to the office (office admins)",
    tags=["users"],
    responses={201: {"description": "User created"},
               **responses(errors.NotAnAdmin, errors.UsernameTaken, errors.WeakPassword, errors.NotFound, success=None)},
)
def handle_create_user(office: str, body: CreateUserRequest) -> Response[UserView]:
    caller = current_caller(app)
    caller.require_office(office)
    user = services().users.create_user(caller.office_code, caller.username, body)
    return Response(status_code=201, content_type="application/json", body=user)


@app.get("/v1/offices/<office>/users", summary="List the office's users", tags=["users"],
         responses=responses(errors.NotFound, validates_input=False))
def handle_list_users(office: str) -> UserList:
    caller = current_caller(app)
    caller.require_office(office)
    return services().users.list_users(caller.office_code, caller.username)


@app.get("/v1/me", summary="The calling user", tags=["users"], responses=responses(validates_input=False))
def handle_me() -> UserView:
    caller = current_caller(app)
    return services().users.me(caller.office_code, caller.username)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
