"""The one resolver factory every API handler uses: validation on, errors mapped to problem documents."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.utilities.typing import LambdaContext

from boekstuk.api.problems import PROBLEM_CONTENT_TYPE, problem, problem_for
from boekstuk.domain.errors import DomainError
from boekstuk.observability import logger
from boekstuk.settings import get_settings


def _field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """One entry per field, in words; never echo the submitted values (they may be secrets)."""
    out: list[dict[str, str]] = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body",)]
        field = ".".join(loc) or "body"
        kind = str(err.get("type", ""))
        if kind in ("json_invalid", "json_type"):
            out.append({"field": "body", "message": "The body is not valid JSON."})
        elif kind == "missing":
            out.append({"field": field, "message": "This field is required."})
        else:
            out.append({"field": field, "message": str(err.get("msg", "Invalid value."))})
    return out


class BoekstukResolver(APIGatewayRestResolver):
    """Refuses oversized bodies before routing: validation would otherwise parse them first."""

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        """Answer 413 for a body over the limit; otherwise resolve as usual."""
        body = event.get("body") or ""
        limit = get_settings().max_json_body_bytes
        if len(body) > limit:
            payload = {"type": "urn:boekstuk:problem:payload_too_large", "title": "Payload Too Large",
                       "status": 413, "code": "payload_too_large",
                       "detail": f"The request body is larger than {limit} bytes."}
            return {"statusCode": 413, "headers": {"Content-Type": PROBLEM_CONTENT_TYPE},
                    "body": json.dumps(payload), "isBase64Encoded": False}
        return super().resolve(event, context)


def request_base_url(app: APIGatewayRestResolver) -> str:
    """The public base URL of this API: configured, else derived from the request (domain and stage)."""
    configured = get_settings().api_base_url
    if configured:
        return configured.rstrip("/")
    ctx = app.current_event.request_context
    host = ctx.domain_name or app.current_event.headers.get("Host", "localhost")
    stage = f"/{ctx.stage}" if ctx.stage and ctx.stage != "$default" else ""
    return f"https://{host}{stage}"


def make_resolver(*routers: Router) -> APIGatewayRestResolver:
    """A REST resolver with request/response validation, the error map and the body-size limit."""
    app = BoekstukResolver(enable_validation=True)
    for router in routers:
        app.include_router(router)

    @app.exception_handler(RequestValidationError)
    def _validation(exc: RequestValidationError) -> Response[str]:
        return problem(422, "validation_error", "The request has invalid or missing fields.",
                       extra={"errors": _field_errors(exc)})

    @app.exception_handler(DomainError)
    def _domain(exc: DomainError) -> Response[str]:
        return problem_for(exc)

    @app.not_found
    def _not_found(exc: NotFoundError) -> Response[str]:
        return problem(404, "not_found", "There is nothing at this address.")

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response[str]:
        # The trace goes to the log, never to the client.
        logger.exception("unhandled error")
        return problem(500, "internal_error", "Something went wrong on our side.")

    return app
