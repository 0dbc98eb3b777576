"""Steps 3-4 and supplier data through the API, against the five package simulators."""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Iterator

import pytest

from boekstuk_local import moto_patches
from boekstuk_local.simulators.registry import DEMO_LOGINS
from boekstuk_local.simulators.seed import NAMED_SUPPLIERS
from boekstuk_local.testing import LocalAws, local_aws
from tests.integration.conftest import PASSWORD, add_accessible, assert_problem, link, onboarded_office

PACKAGES = ["exact_online", "twinfield", "snelstart", "accountview", "multivers"]


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    moto_patches.install()
    with local_aws(simulators=True) as harness:
        yield harness


def test_package_catalogue_is_public(aws: LocalAws) -> None:
    status, _, packages = aws.api_call("GET", "/v1/packages")
    assert status == 200 and [p["id"] for p in packages] == PACKAGES
    snelstart = next(p for p in packages if p["id"] == "snelstart")
    assert snelstart["auth"] == "credentials"
    assert snelstart["credential_fields"] == [{"name": "client_key", "label": "Koppelsleutel", "secret": True}]


@pytest.mark.parametrize("package", PACKAGES)
def test_link_list_add_and_read_suppliers(aws: LocalAws, package: str) -> None:
    office, token = onboarded_office(aws)
    connection = link(aws, office, token, package)
    base = f"/v1/offices/{office}/connections/{connection}/administrations"
    status, _, listed = aws.api_call("GET", base, token=token)
    assert status == 200
    admins = listed["administrations"]
    assert len(admins) == 7 and not any(a["linked"] for a in admins)
    closed = [a for a in admins if not a["accessible"]]
    assert [a["name"] for a in closed] == ["Holding (geen toegang)"]
    open_codes = [a["code"] for a in admins if a["accessible"]]
    # A 6th code in one request is refused, and nothing is linked.
    assert_problem(aws.api_call("POST", base, {"codes": open_codes[:6]}, token=token), 422, "too_many_administrations")
    body = assert_problem(aws.api_call("POST", base, {"codes": [open_codes[0], closed[0]["code"]]}, token=token),
                          403, "administration_access_denied")
    assert body["codes"] == [closed[0]["code"]]
    assert_problem(aws.api_call("POST", base, {"codes": ["does-not-exist"]}, token=token), 422, "unknown_administration")
    assert_problem(aws.api_call("POST", base, {"codes": []}, token=token), 422, "validation_error")
    status, _, added = aws.api_call("POST", base, {"codes": open_codes[:5]}, token=token)
    assert status == 201, added
    assert [a["code"] for a in added["added"]] == open_codes[:5]
    body = assert_problem(aws.api_call("POST", base, {"codes": [open_codes[0], open_codes[5]]}, token=token),
                          409, "administration_already_linked")
    assert body["codes"] == [open_codes[0]]
    _, _, listed = aws.api_call("GET", base, token=token)
    assert [a["linked"] for a in listed["administrations"]].count(True) == 5
    # The sync ran on adding: the three named suppliers read back with their exact identifiers.
    _, _, mine = aws.api_call("GET", f"/v1/offices/{office}/administrations", token=token)
    first = mine["administrations"][0]
    assert first["package"] == package and first["suppliers"]["count"] >= 8 and first["suppliers"]["synced_at"]
    suppliers_url = f"/v1/offices/{office}/administrations/{first['administration_id']}/suppliers"
    for named in NAMED_SUPPLIERS:
        status, _, found = aws.api_call("GET", f"{suppliers_url}?q={urllib.parse.quote(named.vat_id)}", token=token)
        assert status == 200 and len(found["suppliers"]) == 1, found
        supplier = found["suppliers"][0]
        assert (supplier["name"], supplier["vat_id"], supplier["kvk"], supplier["iban"]) == (
            named.name, named.vat_id, named.kvk, named.iban)
        assert supplier["default_gl_account"] == named.default_gl
        assert supplier["payment_term_days"] == named.payment_term_days


def test_connection_errors(aws: LocalAws) -> None:
    office, token = onboarded_office(aws)
    url = f"/v1/offices/{office}/connections"
    assert_problem(aws.api_call("POST", url, {"package": "snelstart", "description": "x",
                                              "credentials": {"client_key": "wrong-key"}}, token=token),
                   422, "invalid_package_credentials")
    assert_problem(aws.api_call("POST", url, {"package": "snelstart", "credentials": DEMO_LOGINS["snelstart"]},
                                token=token), 422, "description_required")
    assert_problem(aws.api_call("POST", url, {"package": "quickbooks", "description": "x"}, token=token),
                   422, "unknown_package")
    body = assert_problem(aws.api_call("POST", url, {"package": "twinfield", "description": "x",
                                                     "credentials": {"username": "DEMO"}}, token=token),
                          422, "validation_error")
    assert {e["field"] for e in body["errors"]} == {"credentials.password", "credentials.organisation"}
    # Nothing was stored by any refused attempt.
    _, _, listed = aws.api_call("GET", url, token=token)
    assert listed["connections"] == []
    assert_problem(aws.api_call("GET", "/v1/oauth/callback?code=x&state=forged", headers={"Accept": "application/json"}),
                   400, "invalid_oauth_state")


def test_package_down_answers_503_and_stores_nothing(aws: LocalAws) -> None:
    office, token = onboarded_office(aws)
    aws.simulators["snelstart"].simulator.faults.inject(status=503, count=20)
    try:
        assert_problem(aws.api_call("POST", f"/v1/offices/{office}/connections",
                                    {"package": "snelstart", "description": "x", "credentials": DEMO_LOGINS["snelstart"]},
                                    token=token), 503, "package_unavailable")
    finally:
        aws.simulators["snelstart"].simulator.faults.clear()
    _, _, listed = aws.api_call("GET", f"/v1/offices/{office}/connections", token=token)
    assert listed["connections"] == []


def test_secrets_never_leave_the_server(aws: LocalAws) -> None:
    office, token = onboarded_office(aws)
    connection = link(aws, office, token, "snelstart")
    _, _, listed = aws.api_call("GET", f"/v1/offices/{office}/connections", token=token)
    assert listed["connections"][0]["connection_id"] == connection
    assert DEMO_LOGINS["snelstart"]["client_key"] not in str(listed)
    items = aws.client("dynamodb").scan(TableName=aws.environment["TABLE_NAME"])["Items"]
    assert DEMO_LOGINS["snelstart"]["client_key"] not in str(items)


def test_concurrent_requests_never_link_the_same_administration_twice(aws: LocalAws) -> None:
    office, token = onboarded_office(aws)
    connection = link(aws, office, token, "exact_online")
    base = f"/v1/offices/{office}/connections/{connection}/administrations"
    _, _, listed = aws.api_call("GET", base, token=token)
    code = next(a["code"] for a in listed["administrations"] if a["accessible"])
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def add() -> None:
        barrier.wait()
        statuses.append(aws.api_call("POST", base, {"codes": [code]}, token=token)[0])

    threads = [threading.Thread(target=add) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 409, 409, 409]
    _, _, mine = aws.api_call("GET", f"/v1/offices/{office}/administrations", token=token)
    assert [a["code"] for a in mine["administrations"]] == [code]


def test_rules_master_data_and_sync_on_request(aws: LocalAws) -> None:
    office, token = onboarded_office(aws)
    connection = link(aws, office, token, "snelstart")
    added = add_accessible(aws, office, token, connection, 1)
    adm = f"/v1/offices/{office}/administrations/{added[0]['administration_id']}"
    _, _, gl = aws.api_call("GET", f"{adm}/gl-accounts", token=token)
    assert {"4300", "1600"} <= {g["code"] for g in gl["gl_accounts"]} and len(gl["gl_accounts"]) >= 20
    _, _, vat = aws.api_call("GET", f"{adm}/vat-codes", token=token)
    assert {"high", "low", "zero", "reverse_charge", "eu"} <= {v["kind"] for v in vat["vat_codes"]}
    _, _, suppliers = aws.api_call("GET", f"{adm}/suppliers?q=Kantoorhuis", token=token)
    supplier = suppliers["suppliers"][0]
    high = next(v["code"] for v in vat["vat_codes"] if v["kind"] == "high")
    rule = {"gl_account": "4310", "vat_code": high, "description_template": "[supplier] [month-1] [year]", "cost_centre": None}
    status, _, saved = aws.api_call("PUT", f"{adm}/suppliers/{supplier['code']}/rule", rule, token=token)
    assert status == 200 and saved["gl_account"] == "4310"
    _, _, again = aws.api_call("GET", f"{adm}/suppliers?q=Kantoorhuis", token=token)
    assert again["suppliers"][0]["rule"]["gl_account"] == "4310"
    body = assert_problem(aws.api_call("PUT", f"{adm}/suppliers/{supplier['code']}/rule",
                                       {**rule, "gl_account": "9999"}, token=token), 422, "validation_error")
    assert body["errors"][0]["field"] == "gl_account"
    assert aws.api_call("DELETE", f"{adm}/suppliers/{supplier['code']}/rule", token=token)[0] == 204
    assert_problem(aws.api_call("DELETE", f"{adm}/suppliers/{supplier['code']}/rule", token=token), 404, "not_found")
    status, _, accepted = aws.api_call("POST", f"{adm}/supplier-sync", token=token)
    assert status == 202 and accepted["status"] == "sync_requested"
    # Paging with limit and the opaque cursor covers every supplier once.
    seen: list[str] = []
    url = f"{adm}/suppliers?limit=3"
    while url:
        _, _, page = aws.api_call("GET", url, token=token)
        seen += [s["code"] for s in page["suppliers"]]
        url = f"{adm}/suppliers?limit=3&next={page['next']}" if page["next"] else ""
    assert len(seen) == len(set(seen)) >= 8


def test_only_approvers_and_admins_keep_posting_rules(aws: LocalAws) -> None:
    """A rule decides the GL account and VAT code of a supplier's later invoices: the bookkeeper's call, like
    approving (docs/ROLES.md). A submitter reads the suppliers but gets 403 ``not_an_approver`` on a rule."""
    office, token = onboarded_office(aws)
    connection = link(aws, office, token, "snelstart")
    adm = f"/v1/offices/{office}/administrations/{add_accessible(aws, office, token, connection, 1)[0]['administration_id']}"
    tokens = {}
    for role in ("submitter", "approver"):
        status, _, body = aws.api_call("POST", f"/v1/offices/{office}/users",
                                       {"username": role, "role": role, "password": PASSWORD}, token=token)
        assert status == 201, body
        _, _, session = aws.api_call("POST", "/v1/sessions", {"office_code": office, "username": role,
                                                              "password": PASSWORD})
        tokens[role] = session["access_token"]
    supplier = aws.api_call("GET", f"{adm}/suppliers", token=tokens["submitter"])[2]["suppliers"][0]["code"]
    rule = {"gl_account": "4310", "vat_code": None, "description_template": None, "cost_centre": None}
    assert_problem(aws.api_call("PUT", f"{adm}/suppliers/{supplier}/rule", rule, token=tokens["submitter"]),
                   403, "not_an_approver")
    assert aws.api_call("PUT", f"{adm}/suppliers/{supplier}/rule", rule, token=tokens["approver"])[0] == 200
    assert_problem(aws.api_call("DELETE", f"{adm}/suppliers/{supplier}/rule", token=tokens["submitter"]),
                   403, "not_an_approver")
    assert aws.api_call("GET", f"{adm}/suppliers", token=tokens["submitter"])[2]["suppliers"][0]["rule"]
    assert aws.api_call("DELETE", f"{adm}/suppliers/{supplier}/rule", token=tokens["approver"])[0] == 204


def test_daily_schedule_syncs_every_administration(aws: LocalAws) -> None:
    office, token = onboarded_office(aws)
    connection = link(aws, office, token, "twinfield")
    mine = {a["administration_id"] for a in add_accessible(aws, office, token, connection, 2)}
    result = aws.fire_schedule("SyncSuppliersFunction")
    assert mine <= set(result["synced"]) and {result["synced"][a] for a in mine} == {"synced"}
    assert set(result["synced"].values()) == {"synced"}  # every other office's administrations too


def test_a_rate_limited_package_answers_503_promptly_instead_of_holding_the_request(aws: LocalAws) -> None:
    office, token = onboarded_office(aws)
    connection = link(aws, office, token, "snelstart")
    faults = aws.simulators["snelstart"].simulator.faults
    faults.inject(status=429, count=20, retry_after=60)  # a minute: far longer than a person should wait
    try:
        status, headers, body = aws.api_call("GET", f"/v1/offices/{office}/connections/{connection}/administrations",
                                             token=token)
    finally:
        faults.clear()
    assert status == 503 and body["code"] == "package_rate_limited", body
    assert int(headers["Retry-After"]) >= 59
