"""Steps 3-4 and suppliers over real HTTP against the five package simulators of the started stack."""

from __future__ import annotations

import time
import urllib.parse
from typing import Any

import pytest

from boekstuk_local.simulators.seed import NAMED_SUPPLIERS
from tests.e2e.conftest import Api, assert_problem, link_package, onboard

pytestmark = pytest.mark.e2e

PACKAGES = ["exact_online", "twinfield", "snelstart", "accountview", "multivers"]


def auth_kinds(api: Api) -> dict[str, str]:
    """package id -> ``oauth2`` | ``credentials``, as the public catalogue says."""
    return {p["id"]: p["auth"] for p in api.ok("GET", "/v1/packages", auth=False)}


def test_link_all_five_packages_to_one_office(api: Api) -> None:
    kinds = auth_kinds(api)
    assert sorted(kinds) == sorted(PACKAGES)
    assert kinds["exact_online"] == "oauth2" and kinds["snelstart"] == "credentials"
    office, api.token = onboard(api)
    linked = {package: link_package(api, office, package, kinds[package]) for package in PACKAGES}
    connections = api.ok("GET", f"/v1/offices/{office}/connections")["connections"]
    assert {c["connection_id"]: c["package"] for c in connections} == {v: k for k, v in linked.items()}
    assert all(c["status"] == "verified" for c in connections), connections


def _suppliers(api: Api, url: str, query: str) -> list[dict[str, Any]]:
    """Suppliers matching ``query``; waits a little, in case the sync started on adding runs behind."""
    deadline = time.monotonic() + 20
    while True:
        found: list[dict[str, Any]] = api.ok("GET", f"{url}?q={urllib.parse.quote(query)}")["suppliers"]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.3)


@pytest.mark.parametrize("package", PACKAGES)
def test_administrations_limits_and_named_suppliers(api: Api, package: str) -> None:
    office, api.token = onboard(api)
    connection = link_package(api, office, package, auth_kinds(api)[package])
    base = f"/v1/offices/{office}/connections/{connection}/administrations"
    listed = api.ok("GET", base)["administrations"]
    assert len(listed) == 7 and not any(a["linked"] for a in listed)
    closed = [a for a in listed if not a["accessible"]]
    assert [a["name"] for a in closed] == ["Holding (geen toegang)"]
    open_codes = [a["code"] for a in listed if a["accessible"]]
    assert len(open_codes) == 6
    # A 6th administration in the same request is refused, and nothing is linked (all or nothing).
    assert_problem(api.call("POST", base, {"codes": open_codes}), 422, "too_many_administrations")
    refused = assert_problem(api.call("POST", base, {"codes": [open_codes[0], closed[0]["code"]]}),
                             403, "administration_access_denied")
    assert closed[0]["code"] in str(refused)
    assert not any(a["linked"] for a in api.ok("GET", base)["administrations"])
    added = api.ok("POST", base, {"codes": open_codes[:5]}, status=201)["added"]
    assert [a["code"] for a in added] == open_codes[:5]
    assert all(a["administration_id"] and a["name"] for a in added)
    again = assert_problem(api.call("POST", base, {"codes": [open_codes[0], open_codes[5]]}),
                           409, "administration_already_linked")
    assert open_codes[0] in str(again)
    assert [a["linked"] for a in api.ok("GET", base)["administrations"]].count(True) == 5
    mine = api.ok("GET", f"/v1/offices/{office}/administrations")["administrations"]
    assert sorted(a["code"] for a in mine) == sorted(open_codes[:5])
    assert {a["package"] for a in mine} == {package} and {a["connection_id"] for a in mine} == {connection}
    # The three named suppliers of the seed (seed.NAMED_SUPPLIERS), read back with their exact identifiers.
    suppliers_url = f"/v1/offices/{office}/administrations/{mine[0]['administration_id']}/suppliers"
    for named in NAMED_SUPPLIERS:
        found = _suppliers(api, suppliers_url, named.vat_id)
        assert len(found) == 1, found
        supplier = found[0]
        assert (supplier["name"], supplier["vat_id"], supplier["kvk"], supplier["iban"]) == (
            named.name, named.vat_id, named.kvk, named.iban)
        assert supplier["default_gl_account"] == named.default_gl
        assert supplier["payment_term_days"] == named.payment_term_days
