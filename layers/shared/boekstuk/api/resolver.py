"""The one resolver factory every API handler uses: validation on, errors mapped to problem documents."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.utilities.typing import LambdaContext

from boekstuk.api.identity import authorizer_claims, current_caller, session_id
from boekstuk.api.problems import PROBLEM_CONTENT_TYPE, problem, problem_for
from boekstuk.domain.errors import DomainError
from boekstuk.domain.money import ExponentNumber
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


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


def _json_number(literal: str) -> float:
    return ExponentNumber(literal) if "e" in literal or "E" in literal else float(literal)


def read_json_body(body: str) -> Any:
    """The request body as the handlers see it: exponent numbers marked (money refuses them), no NaN/Infinity."""
    return json.loads(body, parse_float=_json_number, parse_constant=_reject_constant)


def _body_problem(body: str) -> str | None:
    """Why a JSON body cannot be read, in words; ``None`` when it is JSON (or empty).

    Parsed once here with the rules API.md sets (no NaN or infinities; Python refuses integers of more than
    4,300 digits with a ValueError that is not a JSONDecodeError), so no later parser meets them as a 500.
    """
    if not body.strip():
        return None
    try:
        read_json_body(body)
    except RecursionError:
        return "The body is nested too deeply."
    except ValueError:  # JSONDecodeError, the integer-digits limit, NaN/Infinity
        return "The body is not valid JSON."
    return None


def _plain_response(status: int, code: str, detail: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    payload = {"type": f"urn:boekstuk:problem:{code}", "title": HTTPStatus(status).phrase, "status": status,
               "code": code, "detail": detail, **(extra or {})}
    return {"statusCode": status, "headers": {"Content-Type": PROBLEM_CONTENT_TYPE},
            "body": json.dumps(payload), "isBase64Encoded": False}


def _is_json(content_type: str) -> bool:
    """``application/json`` or a ``+json`` type (``application/problem+json``), parameters ignored."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _with_json_content_type(event: Mapping[str, Any]) -> dict[str, Any]:
    """The event with its Content-Type said as ``application/json``, the one JSON type Powertools parses."""
    headers = {k: v for k, v in (event.get("headers") or {}).items() if k.lower() != "content-type"}
    multi = {k: v for k, v in (event.get("multiValueHeaders") or {}).items() if k.lower() != "content-type"}
    return {**event, "headers": {**headers, "Content-Type": "application/json"},
            **({"multiValueHeaders": {**multi, "Content-Type": ["application/json"]}}
               if event.get("multiValueHeaders") is not None else {})}


class BoekstukResolver(APIGatewayRestResolver):
    """Refuses oversized, undecodable, unparseable and non-JSON bodies before routing, so validation never meets
    them (Powertools would parse form data, and answer a type it does not know with an exception: a 500)."""

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        """Answer 413 for a body over the limit, 415 for one whose Content-Type is not JSON, 422 for one that is not
        UTF-8 JSON; otherwise resolve as usual."""
        body = event.get("body") or ""
        limit = get_settings().max_json_body_bytes
        if len(body) > limit:
            return _plain_response(413, "payload_too_large", f"The request body is larger than {limit} bytes.")
        if event.get("isBase64Encoded") and body:
            # API Gateway base64-encodes a body that is not valid UTF-8 text; JSON must be UTF-8 (RFC 8259).
            try:
                body = base64.b64decode(body, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return _plain_response(422, "validation_error", "The request has invalid or missing fields.",
                                       {"errors": [{"field": "body", "message": "The body is not UTF-8 text."}]})
            event = {**event, "body": body, "isBase64Encoded": False}
        content_type = next((str(v) for k, v in (event.get("headers") or {}).items() if k.lower() == "content-type"),
                            "")
        if body and content_type:
            if not _is_json(content_type):
                return _plain_response(415, "unsupported_media_type",
                                       "The request body must be JSON, sent as Content-Type: application/json.")
            event = _with_json_content_type(event)
        why = _body_problem(body) if event.get("httpMethod") in ("POST", "PUT", "PATCH") else None
        if why is not None:
            return _plain_response(422, "validation_error", "The request has invalid or missing fields.",
                                   {"errors": [{"field": "body", "message": why}]})
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


def require_open_session(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[Any]:
    """On every route behind the authorizer: the token's session must not have ended (logout, password change).
    The authorizer has checked signature and expiry; revocation is ours to check (``SessionCheck``)."""
    claims = authorizer_claims(app)
    if claims:
        caller = current_caller(app)
        # The composition root, imported here and not at module level: routes without the authorizer never need it.
        from boekstuk.bootstrap import services

        services().session_check.require_open(caller.office_code, caller.username, session_id(claims))
    return next_middleware(app)


def make_resolver(*routers: Router) -> APIGatewayRestResolver:
    """A REST resolver with request/response validation, the error map, the body-size limit and the open-session
    check on authenticated routes."""
    app = BoekstukResolver(enable_validation=True, json_body_deserializer=read_json_body)
    app.use(middlewares=[require_open_session])
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
