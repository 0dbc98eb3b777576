"""Every operation of the API, as the generated OpenAPI document lists it, with what the template says about its
token: the security tests enumerate these instead of listing endpoints by hand, so a new endpoint is covered (or
makes them fail until someone says how it is isolated) the day it is added."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from boekstuk.api.openapi_doc import committed_openapi
from boekstuk_local.testing import load_local_app

OFFICE_PREFIX = "/v1/offices/{office}"


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    path: str  # "/v1/offices/{office}/documents/{document_id}" as in the OpenAPI document
    has_body: bool
    needs_token: bool  # the template's Cognito authorizer guards it
    query: tuple[str, ...] = ()  # the query parameters

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def parameters(self) -> list[str]:
        """The path parameters, in order."""
        return re.findall(r"{(\w+)}", self.path)

    @property
    def office_scoped(self) -> bool:
        return self.path.startswith(OFFICE_PREFIX)

    def url(self, values: dict[str, str]) -> str:
        """The path with each parameter replaced by ``values[name]``."""
        return re.sub(r"{(\w+)}", lambda m: values[m.group(1)], self.path)

    def __str__(self) -> str:
        return self.key


@functools.cache
def operations() -> tuple[Operation, ...]:
    """Every operation of the committed OpenAPI document (a contract test keeps it equal to the code's)."""
    doc: dict[str, Any] = committed_openapi()
    routes = load_local_app().routes
    found = []
    for path, methods in doc["paths"].items():
        for method, spec in methods.items():
            route = next((r for r in routes if r.method == method.upper() and r.path == path), None)
            assert route is not None, f"{method.upper()} {path} is in the OpenAPI document but not in template.yaml"
            query = tuple(p["name"] for p in spec.get("parameters", []) if p["in"] == "query")
            found.append(Operation(method.upper(), path, "requestBody" in spec, route.auth_required, query))
    return tuple(found)
