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
    doc["paths"] = dict(sorted(paths.items()))
    doc.setdefault("components", {})["schemas"] = dict(sorted(schemas.items()))
    doc["info"] = {"title": TITLE, "version": __version__,
                   "description": "Onboarding, packages, documents, proposals, approval and booking. See API.md."}
    doc["components"]["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT (Cognito access token)"}
    }
    return doc


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
