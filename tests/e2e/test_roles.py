"""What each role may do, for every endpoint that needs a token, as docs/ROLES.md says (issue 15, item 3).

One office with a user of each role (the sync user, an admin, an approver, a submitter) and real resources:
every operation of the OpenAPI document is called as each role, the roles the table says `no` first, on a
resource where a permitted role succeeds (a document awaiting approval, a failed booking, an existing rule), so
a 403 comes from the role and nothing else. Calls that use a resource up (approving, rejecting) get a fresh one
per role.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from boekstuk_local.simulators.registry import DEMO_LOGINS
from boekstuk_local.stack import StackHandle
from tests.api_operations import Operation, operations
from tests.e2e.conftest import PASSWORD, Api, SnelStartOffice, snelstart_office, unique
from tests.e2e.documents import approval_requested, invoice, settled, upload, user

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROLES_MD = Path(__file__).resolve().parents[2] / "docs" / "ROLES.md"
ROLES = ("submitter", "approver", "admin", "sync user")
ROW = re.compile(r"^\| `(?P<op>[A-Z]+ /v1/\S+)` \|(?P<cells>.*)\|\s*$")


def roles_table() -> dict[str, dict[str, bool]]:
    """docs/ROLES.md's table: operation -> role -> may call it."""
    table: dict[str, dict[str, bool]] = {}
    for line in ROLES_MD.read_text(encoding="utf-8").splitlines():
        row = ROW.match(line)
        if row:
            cells = [c.strip().rstrip("¹") for c in row["cells"].split("|")]
            assert len(cells) == len(ROLES) and set(cells) <= {"yes", "no"}, line
            assert row["op"] not in table, f"two rows for {row['op']}"
            table[row["op"]] = {role: cell == "yes" for role, cell in zip(ROLES, cells, strict=True)}
    return table


@dataclass
class RolesOffice:
    setup: SnelStartOffice
    tokens: dict[str, str]  # role -> access token
    connection: str
    policy_administration: str  # policies are tried here, so the documents' administration keeps none
    supplier: str
    gl_account: str
    vat_code: str
    awaiting: list[str] = field(default_factory=list)  # documents awaiting approval, one used per approve/reject
    edited: str = ""  # a document awaiting approval that is only edited and read
    failed: str = ""


@pytest.fixture(scope="module")
def office(stack: StackHandle) -> RolesOffice:
    api = Api(stack.url)
    setup = snelstart_office(api)
    tokens = {"sync user": api.token}
    for role in ("admin", "approver", "submitter"):
        tokens[role] = user(api, setup, unique(f"{role}-"), role)
    base = f"/v1/offices/{setup.office}"
    connection = api.ok("GET", f"{base}/connections")["connections"][0]["connection_id"]
    listed = api.ok("GET", f"{base}/connections/{connection}/administrations")["administrations"]
    code = next(a["code"] for a in listed if a["accessible"] and not a["linked"])
    second = api.ok("POST", f"{base}/connections/{connection}/administrations", {"codes": [code]},
                    status=201)["added"][0]["administration_id"]
    adm = f"{base}/administrations/{setup.administration_id}"
    office = RolesOffice(setup, tokens, connection, second,
                         supplier=api.ok("GET", f"{adm}/suppliers")["suppliers"][0]["code"],
                         gl_account=api.ok("GET", f"{adm}/gl-accounts")["gl_accounts"][0]["code"],
                         vat_code=api.ok("GET", f"{adm}/vat-codes")["vat_codes"][0]["code"])
    documents = [upload(api, setup, invoice(f"{200 + n}.00"))[0] for n in range(8)]
    for document_id in documents:
        approval_requested(api, setup, document_id)
    office.edited, failing, *office.awaiting = documents
    faults = stack.simulators["snelstart"].simulator.faults
    faults.inject(status=400, count=1, path_contains="inkoopboekingen", method="POST")
    try:
        api.ok("POST", f"{base}/documents/{failing}/approve", {"comment": ""})
        assert settled(api, setup, failing, ("booked", "failed"))["status"] == "failed"
    finally:
        faults.clear()
    office.failed = failing
    return office


def free_administration(api: Api, office: RolesOffice) -> str:
    base = f"/v1/offices/{office.setup.office}/connections/{office.connection}/administrations"
    listed = api.ok("GET", base, token=office.tokens["sync user"])["administrations"]
    return next(a["code"] for a in listed if a["accessible"] and not a["linked"])


Prepared = tuple[dict[str, str], Any]  # path ids, body


def prepare(api: Api, office: RolesOffice, op: Operation, allowed: bool) -> Prepared:
    """Ids and a body for one call of ``op``: valid, on a resource a permitted role can act on."""
    ids = {"office": office.setup.office, "administration_id": office.setup.administration_id,
           "connection_id": office.connection, "document_id": office.edited, "code": office.supplier}
    sync = office.tokens["sync user"]
    builders: dict[str, Callable[[], Any]] = {
        "POST /v1/offices/{office}/users":
            lambda: {"username": unique("new-"), "role": "submitter", "password": PASSWORD},
        "POST /v1/offices/{office}/connections":
            lambda: {"package": "snelstart", "description": "Nog een", "credentials": DEMO_LOGINS["snelstart"]},
        "POST /v1/offices/{office}/connections/{connection_id}/administrations":
            lambda: {"codes": [free_administration(api, office)]},
        "PUT /v1/offices/{office}/administrations/{administration_id}/approval-policy":
            lambda: {"steps": [{"min_amount": "0.00", "approvers": ["sync"], "required": 1}]},
        "POST /v1/offices/{office}/administrations/{administration_id}/documents":
            lambda: {"filename": "bon.jpg", "content_type": "image/jpeg", "kind": "receipt"},
        "PUT /v1/offices/{office}/administrations/{administration_id}/suppliers/{code}/rule":
            lambda: {"gl_account": office.gl_account, "vat_code": office.vat_code},
        "PUT /v1/offices/{office}/documents/{document_id}/proposal":
            lambda: api.ok("GET", f"/v1/offices/{office.setup.office}/documents/{office.edited}",
                           token=sync)["proposal"],
        "POST /v1/offices/{office}/documents/{document_id}/approve": lambda: {"comment": ""},
        "POST /v1/offices/{office}/documents/{document_id}/reject": lambda: {"reason": "Niet van ons"},
    }
    if op.path.endswith("/approval-policy"):
        ids["administration_id"] = office.policy_administration
    if op.path.endswith(("/approve", "/reject")):
        ids["document_id"] = office.awaiting.pop() if allowed else office.awaiting[-1]
    if op.path.endswith("/retry-booking"):
        ids["document_id"] = office.failed
    if op.key.startswith("DELETE ") and op.path.endswith("/rule"):
        rule = f"/v1/offices/{office.setup.office}/administrations/{office.setup.administration_id}" \
               f"/suppliers/{office.supplier}/rule"
        api.ok("PUT", rule, {"gl_account": office.gl_account, "vat_code": office.vat_code}, token=sync)
    if op.has_body:
        assert op.key in builders, f"{op}: add a valid body to prepare()"
        return ids, builders[op.key]()
    return ids, None


def test_the_roles_table_has_a_row_for_every_endpoint_that_needs_a_token() -> None:
    needing = {op.key for op in operations() if op.needs_token}
    table = set(roles_table())
    assert table == needing, (f"docs/ROLES.md has no row for {sorted(needing - table)}; "
                              f"rows for endpoints that are gone or need no token: {sorted(table - needing)}")


def test_each_role_may_do_what_the_table_says_and_nothing_more(api: Api, office: RolesOffice) -> None:
    table = roles_table()
    failures: list[str] = []
    calls = 0
    for op in (op for op in operations() if op.needs_token):
        # The refused roles first: the resource is still as a permitted role needs it.
        for role in sorted(ROLES, key=lambda r: table[op.key][r]):
            allowed = table[op.key][role]
            ids, body = prepare(api, office, op, allowed)
            answer = api.call(op.method, op.url(ids), body, token=office.tokens[role], allow_redirects=False)
            calls += 1
            if allowed and (answer.status_code in (401, 403, 404) or answer.status_code >= 500):
                failures.append(f"{op} as {role}: the table says yes, got {answer.status_code} {answer.text[:160]}")
            elif not allowed and (answer.status_code != 403 or
                                  answer.json().get("code") not in ("not_an_admin", "not_an_approver")):
                failures.append(f"{op} as {role}: the table says no, got {answer.status_code} {answer.text[:160]}")
    assert not failures, f"{len(failures)} of {calls} calls disagree with docs/ROLES.md:\n" + "\n".join(failures)
    print(f"roles: {len(table)} endpoints x {len(ROLES)} roles, {calls} calls, all as docs/ROLES.md says")
