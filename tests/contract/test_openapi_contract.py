"""The OpenAPI document: the committed copy is what the code generates now, and it agrees with API.md.

API.md is parsed, not copied: every ``METHOD /v1/...`` it names (``.../x`` shorthands resolved against the
endpoint named just before) and, per endpoint, the HTTP statuses and problem ``code``s its text gives. Every
such endpoint must be an operation of the OpenAPI document, every status one of its responses, and every
``code`` named in that response's description ("Problem: `plan_not_confirmed`, ...").
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from boekstuk.api.openapi_doc import build_openapi, committed_openapi
from boekstuk_local.paths import api_function_apps, project_root
from boekstuk_local.template import SamApp, match_path

REGENERATE = "boekstuk openapi --write"

# Endpoints API.md promises whose functions are not built yet (template.yaml declares the route; the code under
# functions/ is in progress). Strict xfail: once one is in the OpenAPI document its tests XPASS and fail, asking
# to delete its line here, so this list only shrinks. Documents, approvals and the approval policy have landed.
NOT_BUILT_YET: dict[tuple[str, str], str] = {}

# Endpoints served but left out of the generated document on purpose (strict xfail too).
SERVED_OUTSIDE_THE_SCHEMA: dict[tuple[str, str], str] = {}

# Statuses API.md names that the operation's ``responses=`` does not declare yet (Powertools adds its default
# 200 only when a route declares no responses). Reported to the owner of the handlers; strict xfail.
UNDECLARED_STATUSES: dict[tuple[str, str], str] = {}

METHODS = "GET|POST|PUT|DELETE|PATCH"
_ENDPOINT = re.compile(rf"`({METHODS}) ((?:/v1|\.\.\.)/[^`\s?]*)[^`]*`")
_SHORTHAND = re.compile(r"`(\.\.\./[^`\s?]+)`")  # "and `.../reject`": the method of the endpoint before it
_BARE_METHOD = re.compile(rf"`({METHODS})`")  # "`DELETE` removes it": the path of the endpoint before it
_PROBLEM = re.compile(r"\b([1-5]\d\d)\)?\s+`([a-z][a-z0-9_]*)`")  # 422 `plan_not_confirmed`
_STATUS = re.compile(r"\b(200|201|202|204|302|400|401|403|404|409|410|413|422|429|503)\b")
_HEADING = re.compile(r"^#{2,3} (.+)$")
_CODE_IN_DESCRIPTION = re.compile(r"`([a-z][a-z0-9_]*)`")


def api_md_path() -> Path:
    """API.md: ``$BOEKSTUK_API_MD``, a copy in the repository, or the team's shared folder."""
    candidates = [os.environ.get("BOEKSTUK_API_MD", ""), project_root() / "API.md", project_root() / "docs/API.md",
                  Path("/work/shared/API.md")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    pytest.fail("API.md not found: set BOEKSTUK_API_MD to the HTTP contract (API.md)")


@dataclass
class Endpoint:
    method: str
    path: str
    section: str
    statuses: set[int] = field(default_factory=set)
    problems: set[tuple[int, str]] = field(default_factory=set)

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _resolve(shorthand: str, previous: str | None) -> str:
    """``.../administrations/{id}/gl-accounts`` or ``.../reject`` against the full path named before it."""
    assert previous, f"API.md: {shorthand} comes before any full path"
    tail = shorthand[len("..."):]
    segments = previous.split("/")
    first = tail.split("/")[1]
    if first in segments:
        cut = len(segments) - 1 - segments[::-1].index(first)
        return "/".join(segments[:cut]) + tail
    return previous.rsplit("/", 1)[0] + tail  # a sibling of the last segment


def _blocks(text: str) -> list[tuple[str, str, bool]]:
    """``(section heading, text, starts with an endpoint)`` per paragraph or bullet; code fences left out."""
    out: list[tuple[str, str, bool]] = []
    section, lines, fenced = "", [], False

    def flush() -> None:
        if lines:
            out.append((section, " ".join(lines), lines[0].startswith("`")))
            lines.clear()

    for line in text.splitlines():
        if line.startswith("```"):
            flush()
            fenced = not fenced
            continue
        if fenced:
            continue
        heading = _HEADING.match(line)
        if heading or not line.strip() or line.startswith("- ") or line.startswith("`"):
            flush()
            if heading:
                section = heading.group(1)
                continue
        if line.strip():
            lines.append(line.strip())
    flush()
    return out


def parse_api_md(text: str) -> dict[tuple[str, str], Endpoint]:
    """Every endpoint API.md names, with the statuses and problem codes its text gives for it.

    A status or code belongs to the endpoints named before it in the same paragraph or bullet; in a bullet
    that names none, to the endpoint whose paragraph opened the block (``- ...`` under ``POST /v1/...``).
    In the conventions before the first section only bullets that start with an endpoint count.
    """
    endpoints: dict[tuple[str, str], Endpoint] = {}
    owner: Endpoint | None = None
    last: Endpoint | None = None
    current_section = None

    def endpoint(method: str, path: str, section: str) -> Endpoint:
        return endpoints.setdefault((method, path), Endpoint(method, path, section))

    for section, block, opens in _blocks(text):
        if section != current_section:
            owner = last = None
            current_section = section
        events: list[tuple[int, str, Any, Any]] = []
        events += [(m.start(), "endpoint", m.group(1), m.group(2)) for m in _ENDPOINT.finditer(block)]
        events += [(m.start(), "shorthand", None, m.group(1)) for m in _SHORTHAND.finditer(block)]
        events += [(m.start(), "method", m.group(1), None) for m in _BARE_METHOD.finditer(block)]
        events += [(m.start(), "problem", int(m.group(1)), m.group(2)) for m in _PROBLEM.finditer(block)]
        events += [(m.start(), "status", int(m.group(1)), None) for m in _STATUS.finditer(block)]
        named: list[Endpoint] = []
        for position, kind, first, second in sorted(events, key=lambda e: e[0]):
            if kind in ("endpoint", "shorthand", "method"):
                if kind == "endpoint":
                    method, path = first, second if second.startswith("/v1/") else _resolve(second, last and last.path)
                elif kind == "shorthand":
                    assert last, f"API.md: {second} before any endpoint"
                    method, path = last.method, _resolve(second, last.path)
                else:
                    if last is None:
                        continue
                    method, path = first, last.path
                last = endpoint(method, path, section)
                named.append(last)
                if position == 0 and opens:
                    owner = last
                continue
            if not section and not re.match(rf"(- )?`({METHODS}) ", block):
                continue  # the conventions: only a bullet that starts with an endpoint speaks about it
            targets = named or ([owner] if owner else [])
            for target in targets:
                if kind == "problem":
                    target.problems.add((first, second))
                target.statuses.add(first)
    return endpoints


API_MD = parse_api_md(api_md_path().read_text(encoding="utf-8"))
COMMITTED = committed_openapi()


def _operation(endpoint: Endpoint) -> dict[str, Any] | None:
    return COMMITTED.get("paths", {}).get(endpoint.path, {}).get(endpoint.method.lower())


def _params(pending: dict[tuple[str, str], str]) -> list[Any]:
    """One case per API.md endpoint; those in ``pending`` strictly expected to fail, with the reason."""
    params = []
    for key in sorted(API_MD):
        marks = []
        if key in pending:
            marks.append(pytest.mark.xfail(strict=True, reason=f"{pending[key]} (delete its line once it is fixed)"))
        params.append(pytest.param(key, id=f"{key[0]} {key[1]}", marks=marks))
    return params


# --- the committed document is fresh ------------------------------------------------------------------


def test_committed_openapi_is_what_the_code_generates() -> None:
    generated = json.loads(json.dumps(build_openapi(api_function_apps())))
    if generated != COMMITTED:
        added = sorted(set(generated.get("paths", {})) - set(COMMITTED.get("paths", {})))
        removed = sorted(set(COMMITTED.get("paths", {})) - set(generated.get("paths", {})))
        pytest.fail(f"layers/shared/boekstuk/api/openapi.json is stale: run `{REGENERATE}` and commit it "
                    f"(paths only in the code: {added}; only in the committed file: {removed})")


def test_committed_openapi_is_the_written_form() -> None:
    text = (project_root() / "layers/shared/boekstuk/api/openapi.json").read_text(encoding="utf-8")
    assert text == json.dumps(COMMITTED, indent=2, sort_keys=False) + "\n", f"reformatted by hand: run `{REGENERATE}`"


# --- the parser of API.md sees what it should ---------------------------------------------------------


def test_api_md_parser_finds_the_contract() -> None:
    signup = API_MD[("POST", "/v1/signups")]
    assert (422, "plan_not_confirmed") in signup.problems and {200, 201} <= signup.statuses
    confirmation = API_MD[("POST", "/v1/signups/{signup_id}/confirmation")]
    assert confirmation.problems == {(422, "invalid_confirmation_code"), (429, "too_many_attempts"),
                                     (410, "confirmation_expired")}
    assert API_MD[("GET", "/v1/oauth/callback")].problems == {(400, "invalid_oauth_state")}
    assert (422, "description_required") in API_MD[("POST", "/v1/offices/{office}/connections")].problems
    assert ("DELETE", "/v1/offices/{office}/administrations/{administration_id}/suppliers/{code}/rule") in API_MD
    assert ("GET", "/v1/offices/{office}/administrations/{administration_id}/vat-codes") in API_MD
    assert API_MD[("POST", "/v1/offices/{office}/documents/{document_id}/reject")].problems == {
        (403, "not_an_approver"), (409, "already_decided"), (409, "document_locked")}
    assert 429 in API_MD[("POST", "/v1/sessions")].statuses
    assert len(API_MD) >= 30


def test_pending_lists_name_only_api_md_endpoints_declared_in_the_template() -> None:
    app = SamApp.load(project_root() / "template.yaml")
    for method, path in {**NOT_BUILT_YET, **SERVED_OUTSIDE_THE_SCHEMA, **UNDECLARED_STATUSES}:
        assert (method, path) in API_MD, f"{method} {path} is not in API.md: drop it from the lists"
        assert any(r.method == method and match_path(r.path, path) is not None for r in app.routes), (
            f"{method} {path} has no route in template.yaml")


# --- every API.md endpoint is documented, with its statuses and problem codes -------------------------


@pytest.mark.parametrize("key", _params({**NOT_BUILT_YET, **SERVED_OUTSIDE_THE_SCHEMA}))
def test_api_md_endpoint_is_an_openapi_operation(key: tuple[str, str]) -> None:
    endpoint = API_MD[key]
    assert _operation(endpoint) is not None, (
        f"{endpoint} (API.md, section {endpoint.section!r}) is not in the OpenAPI document")


@pytest.mark.parametrize("key", _params(NOT_BUILT_YET))
def test_api_md_problem_codes_are_in_the_operation_responses(key: tuple[str, str]) -> None:
    endpoint = API_MD[key]
    responses = (_operation(endpoint) or {}).get("responses", {})
    missing = []
    for status, code in sorted(endpoint.problems):
        described = set(_CODE_IN_DESCRIPTION.findall(str(responses.get(str(status), {}).get("description", ""))))
        if code not in described:
            missing.append(f"{status} {code}")
    assert not missing, f"{endpoint}: API.md names {missing}; the OpenAPI responses do not"


@pytest.mark.parametrize("key", _params({**NOT_BUILT_YET, **UNDECLARED_STATUSES}))
def test_api_md_statuses_are_operation_responses(key: tuple[str, str]) -> None:
    endpoint = API_MD[key]
    responses = (_operation(endpoint) or {}).get("responses", {})
    missing = sorted(s for s in endpoint.statuses if str(s) not in responses)
    assert not missing, f"{endpoint}: API.md names statuses {missing}; the OpenAPI responses do not"
