"""Health check, the OpenAPI document and Swagger UI."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from boekstuk.api.openapi_doc import SWAGGER_HTML, committed_openapi
from boekstuk.api.problems import problem
from boekstuk.api.resolver import make_resolver
from boekstuk.bootstrap import services
from boekstuk.observability import logger, metrics, tracer

app = make_resolver()


class Health(BaseModel):
    status: str


@app.get("/v1/health", summary="Health", tags=["meta"],
         responses={200: {"description": "The system can serve requests"},
                    503: {"description": "Problem: `unavailable`"}})
def handle_health() -> Response[Any]:
    if not services().health_check():
        return problem(503, "unavailable", "The system cannot serve requests yet.")
    return Response(status_code=200, content_type="application/json", body=Health(status="ok"))


@app.get("/v1/openapi.json", summary="The OpenAPI document", tags=["meta"])
def handle_openapi() -> dict[str, Any]:
    return committed_openapi()


@app.get("/v1/docs", summary="Swagger UI", tags=["meta"],
         responses={200: {"description": "The Swagger UI page", "content": {"text/html": {"schema": {"type": "string"}}}}})
def handle_docs() -> Response[str]:
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=SWAGGER_HTML)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
