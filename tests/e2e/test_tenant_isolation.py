"""Tenant isolation for every endpoint, over real HTTP (issue 15, item 3).

Office B is seeded with real data: two connections (SnelStart, Exact Online), two administrations with synced
suppliers, users of every role, an approval policy, a posting rule and a document in each status a document can
reach here (awaiting approval, booked, rejected, duplicate, unreadable, failed). Then every operation of the
generated OpenAPI document under ``/v1/offices/{office}`` is called with office A's token

- on B's path with B's ids,
- on A's own path with B's ids (and B's administration as a query filter),

and each answer must be 404 (for the query filter: the answer an id that never existed gets), indistinguishable
from the answer for an office or id that does not exist, with none of B's ids, names or numbers in it; and
afterwards B's data, read with B's own token, is exactly what it was. Endpoints outside ``/v1/offices`` are
either public (listed below with why they need no office check) or answer the caller's own user.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from boekstuk_local.simulators.registry import DEMO_LOGINS
from boekstuk_local.stack import StackHandle
from tests.api_operations import Operation, operations
from tests.e2e.conftest import PASSWORD, Api, link_package, snelstart_office, unique, wait_for
from tests.e2e.documents import approval_requested, invoice, settled, upload, user

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

NOT_OFFICE_SCOPED: dict[str, str] = {
    "GET /v1/health": "public: says whether the system serves requests, nothing of any office",
    "GET /v1/openapi.json": "public: the API's description",
    "GET /v1/docs": "public: Swagger UI",
    "GET /v1/packages": "public: the package catalogue, the same for everyone",
    "POST /v1/signups": "public: starts a new signup; answers only about the signup it makes",
    "POST /v1/signups/{signup_id}/confirmation": "public: the unguessable signup id and the mailed code are the "
                                                 "credential (wrong codes counted and locked, 429)",
    "POST /v1/activations": "public: the mailed activation token is the credential",
    "POST /v1/office-code-checks": "public: only with a usable activation token; says whether a code is free",
    "POST /v1/sessions": "public: login; any wrong part answers the same 401",
    "POST /v1/sessions/refresh": "public: the refresh token is the credential",
    "DELETE /v1/sessions": "public: the refresh token is the credential; 204 whatever it was",
    "POST /v1/password-resets": "public: 202 for every office code and username",
    "POST /v1/password-resets/confirmation": "public: the mailed code is the credential; the same 422 otherwise",
    "GET /v1/oauth/callback": "public: the single-use state bound to one connection is the credential",
    "GET /v1/me": "the caller's own user, from the token: no office or id in the path (checked below)",
}


@dataclass
class Office:
    """One office as the sweep sees it: its ids per path parameter, and what a body needs to be valid there."""

    office: str
    token: str
    ids: dict[str, str] = field(default_factory=dict)  # path parameter -> one of this office's ids
    approver: str = "sync"
    free_administration: str = ""  # an accessible code not yet linked
    gl_account: str = ""
    vat_code: str = ""
    proposal: dict[str, Any] = field(default_factory=dict)
    documents: dict[str, str] = field(default_factory=dict)  # status -> document id
    markers: set[str] = field(default_factory=set)  # what must never be in an answer to another office


def master_data(api: Api, office: Office) -> None:
    """The supplier code, GL account and VAT code of the first administration (a rule needs them)."""
    base = f"/v1/offices/{office.office}/administrations/{office.ids['administration_id']}"
    office.ids["code"] = api.ok("GET", f"{base}/suppliers")["suppliers"][0]["code"]
    office.gl_account = api.ok("GET", f"{base}/gl-accounts")["gl_accounts"][0]["code"]
    office.vat_code = api.ok("GET", f"{base}/vat-codes")["vat_codes"][0]["code"]


def free_administration(api: Api, office: Office) -> str:
    listed = api.ok("GET", f"/v1/offices/{office.office}/connections/{office.ids['connection_id']}/administrations")
    return next(a["code"] for a in listed["administrations"] if a["accessible"] and not a["linked"])


def seed_office_a(api: Api) -> Office:
    """Office A: SnelStart, one administration, one document awaiting approval."""
    linked = snelstart_office(api)
    a = Office(linked.office, api.token, {"office": linked.office, "administration_id": linked.administration_id})
    a.ids["connection_id"] = api.ok("GET", f"/v1/offices/{a.office}/connections")["connections"][0]["connection_id"]
    master_data(api, a)
    a.free_administration = free_administration(api, a)
    document_id, _ = upload(api, linked, invoice("120.00"))
    a.proposal = approval_requested(api, linked, document_id)["proposal"]
    a.ids["document_id"] = document_id
    return a


def seed_office_b(api: Api, stack: StackHandle) -> Office:
    """Office B with a bit of everything (module docstring)."""
    linked = snelstart_office(api)
    b = Office(linked.office, api.token, {"office": linked.office, "administration_id": linked.administration_id})
    base = f"/v1/offices/{b.office}"
    b.ids["connection_id"] = api.ok("GET", f"{base}/connections")["connections"][0]["connection_id"]
    exact = link_package(api, b.office, "exact_online", "oauth2")
    second = api.ok("POST", f"{base}/connections/{b.ids['connection_id']}/administrations",
                    {"codes": [free_administration(api, b)]}, status=201)["added"][0]["administration_id"]
    master_data(api, b)
    b.free_administration = free_administration(api, b)
    suffix = secrets.token_hex(3)
    b.approver, submitter = f"b-anna-{suffix}", f"b-kees-{suffix}"
    user(api, linked, b.approver, "approver", email=f"{b.approver}@example.nl")
    user(api, linked, submitter, "submitter", email=f"{submitter}@example.nl")
    api.ok("PUT", f"{base}/administrations/{second}/approval-policy",
           {"steps": [{"min_amount": "0.00", "approvers": [b.approver], "required": 1}]})
    api.ok("PUT", f"{base}/administrations/{b.ids['administration_id']}/suppliers/{b.ids['code']}/rule",
           {"gl_account": b.gl_account, "vat_code": b.vat_code, "description_template": f"B-regel {suffix}"})

    numbers = []

    def document(price: str) -> tuple[str, bytes]:
        sample = invoice(price)
        numbers.append(sample.spec.number)
        b.markers.add(sample.filename)
        document_id, _ = upload(api, linked, sample)
        return document_id, sample.content

    awaiting, content = document("101.00")
    b.proposal = approval_requested(api, linked, awaiting)["proposal"]
    b.documents["awaiting_approval"] = awaiting
    booked, _ = document("102.00")
    approval_requested(api, linked, booked)
    api.ok("POST", f"{base}/documents/{booked}/approve", {"comment": ""})
    b.documents["booked"] = settled(api, linked, booked, ("booked", "failed"))["document_id"]
    rejected, _ = document("103.00")
    approval_requested(api, linked, rejected)
    api.ok("POST", f"{base}/documents/{rejected}/reject", {"reason": "Niet van ons"})
    b.documents["rejected"] = rejected
    slot = api.ok("POST", f"{base}/administrations/{b.ids['administration_id']}/documents",
                  {"filename": f"kopie-{suffix}.pdf", "content_type": "application/pdf"}, status=201)
    requests.put(slot["upload"]["url"], data=content, headers=slot["upload"]["headers"], timeout=60).raise_for_status()
    b.documents["duplicate"] = slot["document_id"]
    slot = api.ok("POST", f"{base}/administrations/{b.ids['administration_id']}/documents",
                  {"filename": f"kapot-{suffix}.pdf", "content_type": "application/pdf"}, status=201)
    requests.put(slot["upload"]["url"], data=b"%PDF-1.4 niets", headers=slot["upload"]["headers"],
                 timeout=60).raise_for_status()
    b.documents["unreadable"] = slot["document_id"]
    failing, _ = document("104.00")
    approval_requested(api, linked, failing)
    faults = stack.simulators["snelstart"].simulator.faults
    faults.inject(status=400, count=1, path_contains="inkoopboekingen", method="POST")
    try:
        api.ok("POST", f"{base}/documents/{failing}/approve", {"comment": ""})
        b.documents["failed"] = settled(api, linked, failing, ("booked", "failed"))["document_id"]
    finally:
        faults.clear()
    for status, document_id in b.documents.items():
        got = wait_for(lambda d=document_id, s=status: api.ok("GET", f"{base}/documents/{d}")["status"] == s, status)
        assert got
    b.ids["document_id"] = awaiting
    b.markers |= {b.office, b.approver, submitter, f"B-regel {suffix}", exact, second, *b.documents.values(),
                  *b.ids.values(), *numbers}
    b.markers -= {b.ids["code"]}  # a supplier code of the package: A's office has the same supplier
    return b


@pytest.fixture(scope="module")
def offices(stack: StackHandle) -> tuple[Office, Office]:
    a = seed_office_a(Api(stack.url))
    b = seed_office_b(Api(stack.url), stack)
    return a, b


BODIES: dict[str, Callable[[Office], Any]] = {
    "POST /v1/offices/{office}/users": lambda o: {"username": unique("x-"), "role": "approver", "password": PASSWORD},
    "POST /v1/offices/{office}/connections": lambda o: {"package": "snelstart", "description": "SnelStart",
                                                       "credentials": DEMO_LOGINS["snelstart"]},
    "POST /v1/offices/{office}/connections/{connection_id}/administrations":
        lambda o: {"codes": [o.free_administration]},
    "PUT /v1/offices/{office}/administrations/{administration_id}/approval-policy":
        lambda o: {"steps": [{"min_amount": "0.00", "approvers": [o.approver], "required": 1}]},
    "POST /v1/offices/{office}/administrations/{administration_id}/documents":
        lambda o: {"filename": "factuur.pdf", "content_type": "application/pdf", "kind": "purchase_invoice"},
    "PUT /v1/offices/{office}/administrations/{administration_id}/suppliers/{code}/rule":
        lambda o: {"gl_account": o.gl_account, "vat_code": o.vat_code},
    "PUT /v1/offices/{office}/documents/{document_id}/proposal": lambda o: o.proposal,
    "POST /v1/offices/{office}/documents/{document_id}/approve": lambda o: {"comment": ""},
    "POST /v1/offices/{office}/documents/{document_id}/reject": lambda o: {"reason": "Niet van ons"},
}
"""A body valid in the office it names: the request must get past validation, so only isolation can stop it."""

QUERY_IDS = {"GET /v1/offices/{office}/documents": "administration_id"}
"""Operations that take one of an office's ids as a query filter."""

NOT_AN_ID = {"q": "a search text", "status": "a document status", "limit": "a page size",
             "next": "an opaque cursor: an offset within the caller's own list"}
"""Query parameters that name nothing of an office, so another office's value cannot be tried."""


def call(api: Api, token: str, op: Operation, ids: dict[str, str], body: Any = None,
         params: dict[str, str] | None = None) -> requests.Response:
    return api.call(op.method, op.url(ids), body, token=token, params=params, allow_redirects=False)


def snapshot(api: Api, b: Office) -> dict[str, Any]:
    """B's data as B's sync user reads it."""
    base = f"/v1/offices/{b.office}"
    paths = [f"{base}/connections", f"{base}/administrations", f"{base}/users", f"{base}/documents",
             *(f"{base}/documents/{d}" for d in b.documents.values())]
    for adm in api.ok("GET", f"{base}/administrations", token=b.token)["administrations"]:
        paths += [f"{base}/administrations/{adm['administration_id']}/approval-policy",
                  f"{base}/administrations/{adm['administration_id']}/suppliers"]
    return {path: api.ok("GET", path, token=b.token) for path in paths}


def test_every_endpoint_is_office_scoped_or_says_why_not() -> None:
    outside = {op.key for op in operations() if not op.office_scoped}
    assert outside == set(NOT_OFFICE_SCOPED), (
        "An endpoint outside /v1/offices/{office} must be listed in NOT_OFFICE_SCOPED with why it needs no office "
        f"check; unlisted: {sorted(outside - set(NOT_OFFICE_SCOPED))}, gone: {sorted(set(NOT_OFFICE_SCOPED) - outside)}")
    assert all(op.needs_token for op in operations() if op.office_scoped)
    assert {op.key for op in operations() if not op.needs_token} == set(NOT_OFFICE_SCOPED) - {"GET /v1/me"}


def test_every_query_parameter_is_swept_or_names_nothing_of_an_office() -> None:
    unknown = sorted(f"{op}?{name}" for op in operations() for name in op.query
                     if QUERY_IDS.get(op.key) != name and name not in NOT_AN_ID)
    assert not unknown, ("A query parameter that takes an office's id belongs in QUERY_IDS (the sweep tries "
                         f"office B's value), one that does not in NOT_AN_ID with what it is: {unknown}")


def test_office_a_never_reaches_office_b(api: Api, offices: tuple[Office, Office]) -> None:
    a, b = offices
    before = snapshot(api, b)
    nobody = {name: "0" + secrets.token_hex(16) for name in ("administration_id", "connection_id", "document_id",
                                                             "code")}
    nobody["office"] = unique("nobody-")
    failures: list[str] = []
    calls = 0
    for op in (op for op in operations() if op.office_scoped):
        missing = [p for p in op.parameters if p not in b.ids]
        assert not missing, f"{op}: seed office B with an id for {missing}"
        if op.has_body:
            assert op.key in BODIES, f"{op}: add a body that is valid in the office it names to BODIES"
        variants = [("B's path and ids", b.ids, {**nobody, "office": nobody["office"]}, b)]
        if len(op.parameters) > 1:
            variants.append(("A's path with B's ids", {**b.ids, "office": a.office}, {**nobody, "office": a.office}, a))
        for what, ids, unknown_ids, context in variants:
            body = BODIES[op.key](context) if op.has_body else None
            answer = call(api, a.token, op, ids, body)
            unknown = call(api, a.token, op, unknown_ids, BODIES[op.key](context) if op.has_body else None)
            calls += 2
            if answer.status_code != 404:
                failures.append(f"{op} ({what}): {answer.status_code} {answer.text[:200]}")
            elif answer.json() != unknown.json():
                failures.append(f"{op} ({what}) answers otherwise than for one that does not exist: "
                                f"{answer.text[:200]} vs {unknown.text[:200]}")
            leaked = sorted(m for m in b.markers if m and m in answer.text)
            if leaked:
                failures.append(f"{op} ({what}) shows B's {leaked}")
        if op.key in QUERY_IDS:
            name = QUERY_IDS[op.key]
            own = {"office": a.office}
            answer = call(api, a.token, op, own, params={name: b.ids[name]})
            unknown = call(api, a.token, op, own, params={name: nobody[name]})
            calls += 2
            if (answer.status_code, answer.text) != (unknown.status_code, unknown.text):
                failures.append(f"{op}?{name}=<B's>: {answer.status_code} {answer.text[:200]} vs "
                                f"{unknown.status_code} {unknown.text[:200]}")
    me = api.ok("GET", "/v1/me", token=a.token)
    assert me["username"] == "sync" and not {m for m in b.markers if m in str(me)}, me
    assert not failures, f"{len(failures)} of {calls} calls:\n" + "\n".join(failures)
    assert snapshot(api, b) == before, "office A's calls changed office B's data"
    print(f"tenant isolation: {len({op.key for op in operations() if op.office_scoped})} office endpoints, "
          f"{calls} calls with office A's token on office B's paths and ids, 0 cross-office answers")
