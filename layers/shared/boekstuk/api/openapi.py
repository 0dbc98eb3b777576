"""OpenAPI helpers: each route lists its error responses from the domain error classes it can raise,
so the generated document names every status and stable ``code`` (checked against API.md in a test)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pydantic import BaseModel

from boekstuk.api.problems import PROBLEM_CONTENT_TYPE, status_for
from boekstuk.domain.errors import DomainError, ValidationFailed


class Problem(BaseModel):
    """RFC 9457 problem document."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    errors: list[dict[str, str]] | None = None


def responses(*raised: type[DomainError], validates_input: bool = True, success: int | None = 200,
              success_description: str = "OK") -> dict[int, dict[str, Any]]:
    """The ``responses`` argument of a route: the success status (its schema comes from the return type) and
    one entry per error status, listing the error codes behind it."""
    by_status: dict[int, list[str]] = defaultdict(list)
    for cls in ((ValidationFailed,) if validates_input else ()) + raised:
        code = cls.code
        status = status_for(cls())
        if code not in by_status[status]:
            by_status[status].append(code)
    documented: dict[int, dict[str, Any]] = {success: {"description": success_description}} if success else {}
    return documented | {
        status: {
            "description": "Problem: " + ", ".join(f"`{c}`" for c in codes),
            "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status, codes in sorted(by_status.items())
    }
