"""Schemathesis against the generated OpenAPI document (issue 15, item 4): no 5xx and no answer that breaks the
document, for every operation.

A bounded, deterministic run in the normal suite: a few generated requests per operation (valid and invalid
ones, ``derandomize`` so every run sends the same), authenticated as the sync user of a real office whose ids
fill the path, so the requests reach the handlers rather than a 404. The stack is its own (not the e2e one):
the fuzzer's failed logins and signups count against the loopback address's limits, which the e2e tests share.
Its log lines and answers are searched at the end for the secrets the stack issued or keeps (tokens, mailed codes,
package credentials), as the e2e stack's are; not for the fuzzer's own made-up passwords and codes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from boekstuk.api.openapi_doc import committed_openapi
from boekstuk_local.secret_audit import TRAFFIC, audit_stack, read_jsonl
from boekstuk_local.stack import StackHandle, start_stack_in_thread, wait_until_healthy
from tests.e2e.conftest import KNOWN_SECRETS, Api, snelstart_office
from tests.e2e.documents import approval_requested, invoice, upload

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

EXAMPLES = 4  # per operation (38); Schemathesis adds more of its own: 1,378 requests in all on 2026-12-05
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance, checks.response_headers_conformance]
"""No 5xx, and every answer as the document describes it (status, media type, body, headers)."""

schema = schemathesis.openapi.from_dict(committed_openapi())


@dataclass(frozen=True)
class Target:
    url: str
    token: str
    ids: dict[str, str]  # path parameter -> an id of the office


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    handle: StackHandle = start_stack_in_thread(port=0, audit_dir=tmp_path_factory.mktemp("fuzz-audit"))
    try:
        wait_until_healthy(handle.url, timeout=30)
        api = Api(handle.url)
        setup = snelstart_office(api)
        base = f"/v1/offices/{setup.office}"
        document_id, _ = upload(api, setup, invoice("150.00"))
        approval_requested(api, setup, document_id)
        adm = f"{base}/administrations/{setup.administration_id}"
        ids = {"office": setup.office, "administration_id": setup.administration_id, "document_id": document_id,
               "connection_id": api.ok("GET", f"{base}/connections")["connections"][0]["connection_id"],
               "code": api.ok("GET", f"{adm}/suppliers")["suppliers"][0]["code"]}
        yield Target(handle.url, api.token, ids)
        findings = audit_stack(handle, KNOWN_SECRETS, request_fields=False)  # the fuzzer's values are made up
        assert not findings, "secrets where they must never be:\n" + "\n".join(map(str, findings[:20]))
        print(f"\nschemathesis: {fuzz_summary(handle.audit.directory if handle.audit else None)}")
    finally:
        handle.stop()


def fuzz_summary(directory: Path | None) -> str:
    """One line for bench/README.md: the requests the run sent to /v1 and the status codes they got."""
    assert directory is not None
    statuses = Counter(r["status"] for r in read_jsonl(directory / TRAFFIC) if r["path"].startswith("/v1/"))
    return (f"{sum(statuses.values())} requests to /v1 (the fixture's own included), by status: "
            + ", ".join(f"{status} x{count}" for status, count in sorted(statuses.items())))


@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_server_error_and_no_answer_outside_the_document(case: schemathesis.Case, target: Target) -> None:
    for name in case.path_parameters or {}:
        if name in target.ids:
            case.path_parameters[name] = target.ids[name]
    case.call_and_validate(base_url=target.url, headers={"Authorization": f"Bearer {target.token}"},
                           checks=CHECKS, allow_redirects=False, timeout=60)

