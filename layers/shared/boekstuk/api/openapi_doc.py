"""The one OpenAPI document of the whole API, merged from every API function's resolver.

Each Lambda has its own resolver, so the document is built by merging their generated schemas. The result is
committed as ``boekstuk/api/openapi.json`` (``boekstuk openapi --write``), served by the api_docs function, and
a contract test fails when it is stale or disagrees with API.md.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from boekstuk import __version__
from boekstuk.api.openapi import Problem
from boekstuk.api.problems import PROBLEM_CONTENT_TYPE

TITLE = "boekstuk API"


def build_openapi(apps: list[APIGatewayRestResolver]) -> dict[str, Any]:
    """Merge the OpenAPI schemas of ``apps`` into one document (paths and component schemas)."""
    doc: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for app in apps:
        part = json.loads(app.get_openapi_json_schema(title=TITLE, version=__version__))
        doc = doc or part
        for path, operations in part.get("paths", {}).items():
            paths.setdefault(path, {}).update(operations)
        schemas.update(part.get("components", {}).get("schemas", {}))
    schemas["Problem"] = Problem.model_json_schema()
    for operations in paths.values():
        for operation in operations.values():
            _describe_answers_as_given(operation)
    doc["paths"] = dict(sorted(paths.items()))
    doc.setdefault("components", {})["schemas"] = dict(sorted(schemas.items()))
    doc["info"] = {"title": TITLE, "version": __version__,
                   "description": "Onboarding, packages, documents, proposals, approval and booking. See API.md."}
    doc["components"]["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT (Cognito access token)"}
    }
    return doc


_PROBLEM = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
# What the resolver itself answers, before any route, to every request with a body (``BoekstukResolver``).
_BODY_PROBLEMS = {"413": {"description": "Problem: `payload_too_large`", "content": _PROBLEM},
                  "415": {"description": "Problem: `unsupported_media_type`", "content": _PROBLEM}}


def _describe_answers_as_given(operation: dict[str, Any]) -> None:
    """Correct what Powertools generates where it differs from the answers: a 204, a redirect or a route that
    declares ``content: {}`` has no body; every 422 and every documented problem is problem+json (the resolver's
    error map); an operation with a body also answers 413 and 415."""
    responses: dict[str, Any] = operation.get("responses", {})
    for status, response in responses.items():
        if status == "204" or status.startswith("3") or response.get("content") == {}:
            response.pop("content", None)
        elif status == "422" or response.get("description", "").startswith("Problem"):
            if status == "422" and not response.get("description", "").startswith("Problem"):
                response["description"] = "Problem: `validation_error`"
            response["content"] = _PROBLEM
    if "requestBody" in operation:
        responses.update({status: dict(answer) for status, answer in _BODY_PROBLEMS.items()})
    operation["responses"] = dict(sorted(responses.items()))


def committed_openapi() -> dict[str, Any]:
    """The committed document shipped in the layer."""
    text = resources.files("boekstuk.api").joinpath("openapi.json").read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


SWAGGER_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>boekstuk API</title>
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css"></head>
<body><div id="swagger-ui"><p>Loading the API description from <a href="openapi.json">openapi.json</a>...</p></div>
<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>window.onload = () => { if (window.SwaggerUIBundle) { SwaggerUIBundle({url: "openapi.json", dom_id: "#swagger-ui"}); } };</script>
</body></html>
"""
