"""Bodies a careless or hostile client sends: every one answers 422 ``validation_error`` naming the field,
never a 500 (issue 9, item 7)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from boekstuk_local import moto_patches
from boekstuk_local.testing import LocalAws, local_aws
from tests.integration.conftest import (
    assert_problem,
    document_when,
    link,
    onboarded_office,
    signup_body,
    unique,
    upload_invoice,
)


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    moto_patches.install()
    with local_aws(simulators=True) as harness:
        yield harness


@pytest.fixture(scope="module")
def office(aws: LocalAws) -> dict[str, str]:
    code, token = onboarded_office(aws)
    connection = link(aws, code, token, "snelstart")
    base = f"/v1/offices/{code}/connections/{connection}/administrations"
    _, _, listed = aws.api_call("GET", base, token=token)
    first = next(a for a in listed["administrations"] if a["accessible"])
    status, _, added = aws.api_call("POST", base, {"codes": [first["code"]]}, token=token)
    assert status == 201, added
    return {"code": code, "token": token, "administration_id": added["added"][0]["administration_id"],
            "name": added["added"][0]["name"]}


def fields(body: dict[str, Any]) -> set[str]:
    return {e["field"] for e in body["errors"]}


def test_a_body_that_is_not_utf8_is_a_validation_error(aws: LocalAws) -> None:
    raw = b'{"company_name": "Caf\xe9 \xff", "email": "x@example.nl"}'
    body = assert_problem(aws.api_call("POST", "/v1/signups", raw, headers={"Content-Type": "application/json"}),
                          422, "validation_error")
    assert fields(body) == {"body"}


def test_an_integer_of_5000_digits_is_a_validation_error(aws: LocalAws) -> None:
    raw = '{"plan": "trial", "phone": ' + "9" * 5000 + "}"
    body = assert_problem(aws.api_call("POST", "/v1/signups", raw, headers={"Content-Type": "application/json"}),
                          422, "validation_error")
    assert fields(body) == {"body"}
    assert "9999" not in str(body)


@pytest.mark.parametrize("amount", ["1e400", "1e30", "-1e20", "NaN", "Infinity", "1234567890123.00",
                                    "12.345", "1_000.00", " 12.00", "0x10", "1.2e3"])
def test_policy_amounts_must_be_plain_decimals_in_range(aws: LocalAws, office: dict[str, str], amount: str) -> None:
    url = f"/v1/offices/{office['code']}/administrations/{office['administration_id']}/approval-policy"
    for value in (amount, _number_or_none(amount)):
        if value is None:
            continue
        raw = ('{"steps": [{"min_amount": "0.00", "approvers": ["sync"], "required": 1}], "auto_approve_below": '
               + (f'"{value}"' if isinstance(value, str) else value.decode()) + "}")
        body = assert_problem(aws.api_call("PUT", url, raw, token=office["token"],
                                           headers={"Content-Type": "application/json"}), 422, "validation_error")
        assert fields(body) == {"auto_approve_below"}, body


def _number_or_none(text: str) -> bytes | None:
    """The same amount as a bare JSON number, where JSON can spell it."""
    return text.encode() if text.lstrip("-")[:1].isdigit() and "_" not in text and "x" not in text else None


def test_plain_amounts_are_still_accepted(aws: LocalAws, office: dict[str, str]) -> None:
    url = f"/v1/offices/{office['code']}/administrations/{office['administration_id']}/approval-policy"
    for value in ('"999999999999.99"', '"50"', '"50.5"', "50", "50.25"):
        raw = ('{"steps": [{"min_amount": "0.00", "approvers": ["sync"], "required": 1}], "auto_approve_below": '
               + value + "}")
        status, _, body = aws.api_call("PUT", url, raw, token=office["token"],
                                       headers={"Content-Type": "application/json"})
        assert status == 200, body
    assert body["auto_approve_below"] == "50.25"


def test_proposal_amounts_must_be_plain_decimals_in_range(aws: LocalAws, office: dict[str, str]) -> None:
    document_id, _ = upload_invoice(aws, office["code"], office["token"], office["administration_id"], office["name"],
                                    seed=9001, number=unique("HB-"))
    document = document_when(aws, office["code"], office["token"], document_id,
                             lambda d: d["status"] != "recognizing" and d["proposal"] is not None)
    proposal = document["proposal"]
    url = f"/v1/offices/{office['code']}/documents/{document_id}/proposal"
    for total in ("1e30", "-1e20", "1e400"):
        for value in (f'"{total}"', total):
            raw = _replace_total(proposal, value)
            body = assert_problem(aws.api_call("PUT", url, raw, token=office["token"],
                                               headers={"Content-Type": "application/json"}), 422, "validation_error")
            assert "total_incl_vat" in fields(body), body
    line_total = _replace_line_amount(proposal, "1e30")
    body = assert_problem(aws.api_call("PUT", url, line_total, token=office["token"],
                                       headers={"Content-Type": "application/json"}), 422, "validation_error")
    assert "lines.0.amount_excl_vat" in fields(body), body


def _replace_total(proposal: dict[str, Any], raw_value: str) -> str:
    import json

    marker = "__TOTAL__"
    text = json.dumps({**proposal, "total_incl_vat": marker})
    return text.replace(f'"{marker}"', raw_value)


def _replace_line_amount(proposal: dict[str, Any], raw_value: str) -> str:
    import json

    marker = "__AMOUNT__"
    lines = [{**proposal["lines"][0], "amount_excl_vat": marker}, *proposal["lines"][1:]]
    text = json.dumps({**proposal, "lines": lines})
    return text.replace(f'"{marker}"', raw_value)


def test_signup_with_garbage_types_is_a_validation_error(aws: LocalAws) -> None:
    body = signup_body("garbage@example.nl", accept_terms="yes please", plan=["trial"])
    got = assert_problem(aws.api_call("POST", "/v1/signups", body), 422, "validation_error")
    assert {"plan"} <= fields(got)


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data; boundary=x"])
def test_a_body_that_is_not_json_by_its_content_type_is_415(aws: LocalAws, office: dict[str, str],
                                                             content_type: str) -> None:
    """Found by Schemathesis: Powertools refuses such a body with an exception the error map did not know, a 500."""
    body = '{"username": "x-415", "role": "approver", "password": "correct horse battery staple"}'
    for path, token in ((f"/v1/offices/{office['code']}/users", office["token"]), ("/v1/sessions", None)):
        got = assert_problem(aws.api_call("POST", path, body, token=token, headers={"Content-Type": content_type}),
                             415, "unsupported_media_type")
        assert "application/json" in got["detail"]
    users = aws.api_call("GET", f"/v1/offices/{office['code']}/users", token=office["token"])[2]["users"]
    assert "x-415" not in {u["username"] for u in users}


def test_json_with_a_charset_or_a_json_suffix_is_json(aws: LocalAws) -> None:
    for content_type in ("application/json; charset=utf-8", "application/problem+json", "APPLICATION/JSON"):
        got = aws.api_call("POST", "/v1/sessions", {"office_code": "nobody", "username": "x", "password": "y"},
                           headers={"Content-Type": content_type})
        assert got[0] == 401, (content_type, got)
