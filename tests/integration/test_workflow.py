"""The approval and booking workflow end to end: upload -> awaiting_approval -> approve/reject -> booked in the
SnelStart simulator, with Step Functions executing for real under moto (Retry intervals of 1 s)."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from boekstuk_local import moto_patches
from boekstuk_local.testing import LocalAws, local_aws
from tests.integration.conftest import (
    PASSWORD,
    assert_problem,
    document_when,
    link,
    onboarded_office,
    upload_invoice,
)

_seeds = itertools.count(4100)


@dataclass
class Adm:
    administration_id: str
    code: str
    name: str


@dataclass
class Office:
    code: str
    token: str  # the sync user: an office admin
    submitter_token: str
    approvers: Adm  # no policy: one approval by an admin or approver
    automatic: Adm  # a policy that auto-approves below 1000.00
    connection: str


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    moto_patches.install()
    with local_aws(simulators=True, parameters={"BookingRetryIntervalSeconds": "1"}) as harness:
        yield harness
        # Never leave an execution parked on its task token: its threads would outlive the harness.
        for item in parked(harness):
            harness.client("stepfunctions").send_task_failure(taskToken=item["task_token"]["S"], error="TestEnded")


def parked(aws: LocalAws, document_id: str | None = None) -> list[dict[str, Any]]:
    """The parked approvals (task tokens) still open, straight from the table."""
    items = aws.client("dynamodb").scan(TableName=aws.environment["TABLE_NAME"])["Items"]
    return [i for i in items if i["sk"]["S"] == "APPROVAL" and not i["completed"]["BOOL"]
            and (document_id is None or i["pk"]["S"].endswith(f"#DOC#{document_id}"))]


@pytest.fixture(scope="module")
def office(aws: LocalAws) -> Office:
    code, token = onboarded_office(aws)
    connection = link(aws, code, token, "snelstart")
    base = f"/v1/offices/{code}/connections/{connection}/administrations"
    _, _, listed = aws.api_call("GET", base, token=token)
    accessible = [a for a in listed["administrations"] if a["accessible"]][:2]
    status, _, added = aws.api_call("POST", base, {"codes": [a["code"] for a in accessible]}, token=token)
    assert status == 201, added
    adms = [Adm(a["administration_id"], a["code"], a["name"]) for a in added["added"]]
    status, _, body = aws.api_call("POST", f"/v1/offices/{code}/users",
                                   {"username": "kees", "role": "submitter", "password": PASSWORD}, token=token)
    assert status == 201, body
    _, _, session = aws.api_call("POST", "/v1/sessions", {"office_code": code, "username": "kees",
                                                          "password": PASSWORD})
    policy = {"steps": [{"min_amount": "0.00", "approvers": ["sync"], "required": 1}],
              "auto_approve_below": "1000.00"}
    status, _, saved = aws.api_call("PUT", f"/v1/offices/{code}/administrations/{adms[1].administration_id}"
                                           "/approval-policy", policy, token=token)
    assert status == 200, saved
    return Office(code, token, str(session["access_token"]), adms[0], adms[1], connection)


def session_token(aws: LocalAws, office: Office, username: str, role: str) -> str:
    """A new user of the office, logged in."""
    status, _, body = aws.api_call("POST", f"/v1/offices/{office.code}/users",
                                   {"username": username, "role": role, "password": PASSWORD}, token=office.token)
    assert status == 201, body
    _, _, session = aws.api_call("POST", "/v1/sessions", {"office_code": office.code, "username": username,
                                                          "password": PASSWORD})
    return str(session["access_token"])


def one_more_administration(aws: LocalAws, office: Office) -> Adm:
    """Another accessible administration of the package linked to the office (a test's own policy)."""
    base = f"/v1/offices/{office.code}/connections/{office.connection}/administrations"
    _, _, listed = aws.api_call("GET", base, token=office.token)
    linked = {office.approvers.code, office.automatic.code}
    code = next(a["code"] for a in listed["administrations"] if a["accessible"] and a["code"] not in linked)
    status, _, added = aws.api_call("POST", base, {"codes": [code]}, token=office.token)
    assert status == 201, added
    [adm] = added["added"]
    return Adm(adm["administration_id"], adm["code"], adm["name"])


def edit_body(proposal: dict[str, Any], excl: str, vat: str, total: str) -> dict[str, Any]:
    """The ``PUT .../proposal`` body of ``proposal`` with its one line and total changed."""
    [line] = proposal["lines"]
    return {"supplier_code": proposal["supplier"]["code"], "invoice_number": proposal["invoice_number"],
            "invoice_date": proposal["invoice_date"], "due_date": proposal["due_date"],
            "currency": proposal["currency"], "description": proposal.get("description"), "total_incl_vat": total,
            "lines": [{"gl_account": line["gl_account"], "description": line["description"],
                       "amount_excl_vat": excl, "vat_code": line["vat_code"], "vat_amount": vat}]}


def upload(aws: LocalAws, office: Office, adm: Adm, price: str = "250.00", number: str | None = None) -> str:
    """A generated invoice of Kantoorhuis Utrecht to ``adm``, uploaded through an upload slot; its id."""
    seed = next(_seeds)
    document_id, _ = upload_invoice(aws, office.code, office.token, adm.administration_id, adm.name, seed=seed,
                                    number=number or f"KH-{seed}", price=price)
    return document_id


def get(aws: LocalAws, office: Office, document_id: str) -> dict[str, Any]:
    status, _, body = aws.api_call("GET", f"/v1/offices/{office.code}/documents/{document_id}", token=office.token)
    assert status == 200, body
    return dict(body)


def wait_for(aws: LocalAws, office: Office, document_id: str, done: Callable[[dict[str, Any]], bool],
             timeout: float = 60.0) -> dict[str, Any]:
    """The document once ``done`` holds."""
    return document_when(aws, office.code, office.token, document_id, done, timeout)


def awaiting(aws: LocalAws, office: Office, document_id: str) -> dict[str, Any]:
    """Awaiting approval with the task token parked (``approval`` set by the RequestApproval task)."""
    return wait_for(aws, office, document_id, lambda d: d["status"] != "awaiting_approval" or d["approval"] is not None)


def decide(aws: LocalAws, office: Office, document_id: str, verb: str, body: dict[str, str],
           token: str | None = None) -> tuple[int, dict[str, str], Any]:
    return aws.api_call("POST", f"/v1/offices/{office.code}/documents/{document_id}/{verb}", body,
                        token=token or office.token)


def entries(aws: LocalAws, office: Office, adm: Adm, invoice_number: str) -> list[dict[str, Any]]:
    """What the SnelStart simulator booked for this invoice number (through the local inspection page)."""
    status, _, body = aws.api_call("GET", f"/_local/packages/snelstart/administrations/{adm.code}/entries")
    assert status == 200, body
    return [e for e in body["entries"] if e["invoice_number"] == invoice_number]


def execution_status(aws: LocalAws, document_id: str) -> str:
    sfn = aws.client("stepfunctions")
    machine = sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    arn = machine.replace(":stateMachine:", ":execution:") + f":doc-{document_id}"
    deadline = time.monotonic() + 30
    while True:
        status = str(sfn.describe_execution(executionArn=arn)["status"])
        if status != "RUNNING" or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def test_approve_books_once_into_the_package(aws: LocalAws, office: Office) -> None:
    doc = upload(aws, office, office.approvers)
    body = awaiting(aws, office, doc)
    assert body["status"] == "awaiting_approval", body.get("error")
    assert body["approval"]["required"] == 1 and "sync" in body["approval"]["approvers"]
    assert "kees" not in body["approval"]["approvers"]
    [token] = [i["task_token"]["S"] for i in parked(aws, doc)]
    assert token not in json.dumps(body)
    assert_problem(decide(aws, office, doc, "approve", {"comment": ""}, office.submitter_token), 403, "not_an_approver")
    status, _, decided = decide(aws, office, doc, "approve", {"comment": "Klopt"})
    assert status == 200 and decided["status"] == "approved", decided
    assert_problem(decide(aws, office, doc, "approve", {"comment": ""}), 409, "already_decided")
    booked = wait_for(aws, office, doc, lambda d: d["status"] in ("booked", "failed"))
    assert booked["status"] == "booked", booked.get("error")
    [booking] = booked["bookings"]
    assert booking["package"] == "snelstart" and booking["status"] == "booked" and booking["entry_id"]
    number = booked["proposal"]["invoice_number"]
    [entry] = entries(aws, office, office.approvers, number)
    assert entry["total_incl_vat"] == booked["proposal"]["total_incl_vat"] == "302.50"
    assert entry["attachment"] is not None
    assert [d["user"] for d in booked["approval"]["decisions"]] == ["sync"]
    events = [h["event"] for h in booked["history"]]
    assert events.index("approval_requested") < events.index("approved") < events.index("booking") \
        < events.index("booked")
    assert execution_status(aws, doc) == "SUCCEEDED"
    assert_problem(decide(aws, office, doc, "reject", {"reason": "te laat"}, office.submitter_token), 403,
                   "not_an_approver")


def test_reject_ends_the_workflow(aws: LocalAws, office: Office) -> None:
    doc = upload(aws, office, office.approvers)
    awaiting(aws, office, doc)
    assert_problem(decide(aws, office, doc, "reject", {"reason": ""}), 422, "validation_error")
    status, _, decided = decide(aws, office, doc, "reject", {"reason": "Niet voor ons bestemd"})
    assert status == 200 and decided["status"] == "rejected", decided
    assert execution_status(aws, doc) == "SUCCEEDED"
    body = get(aws, office, doc)
    assert body["status"] == "rejected" and body["bookings"] == []
    assert_problem(decide(aws, office, doc, "approve", {"comment": ""}), 409, "already_decided")
    assert entries(aws, office, office.approvers, body["proposal"]["invoice_number"]) == []
    assert_problem(aws.api_call("POST", f"/v1/offices/{office.code}/documents/{doc}/retry-booking",
                                token=office.token), 409, "invalid_status")
    # A corrected invoice with the same number is a new document, not a duplicate of the rejected one.
    again = upload(aws, office, office.approvers, price="260.00", number=body["proposal"]["invoice_number"])
    assert awaiting(aws, office, again)["status"] == "awaiting_approval"


def test_outage_is_retried_then_booked(aws: LocalAws, office: Office) -> None:
    faults = aws.simulators["snelstart"].simulator.faults
    doc = upload(aws, office, office.approvers)
    awaiting(aws, office, doc)
    # Three 503s exhaust the connector's own attempts once: one PackageUnavailable for the state machine.
    faults.inject(status=503, count=3, path_contains="inkoopboekingen", method="POST")
    try:
        decide(aws, office, doc, "approve", {"comment": ""})
        booked = wait_for(aws, office, doc, lambda d: d["status"] in ("booked", "failed"))
        assert faults.pending() == 0
    finally:
        faults.clear()
    assert booked["status"] == "booked", booked.get("error")
    assert len(entries(aws, office, office.approvers, booked["proposal"]["invoice_number"])) == 1


def test_failed_booking_then_retry_books_it_once(aws: LocalAws, office: Office) -> None:
    faults = aws.simulators["snelstart"].simulator.faults
    doc = upload(aws, office, office.approvers)
    awaiting(aws, office, doc)
    # One outage (retried by the state machine), then a refusal that no retry can fix.
    faults.inject(status=503, count=3, path_contains="inkoopboekingen", method="POST")
    faults.inject(status=400, count=1, path_contains="inkoopboekingen", method="POST")
    try:
        decide(aws, office, doc, "approve", {"comment": ""})
        failed = wait_for(aws, office, doc, lambda d: d["status"] in ("booked", "failed"))
    finally:
        faults.clear()
    assert failed["status"] == "failed" and failed["error"], failed
    assert failed["bookings"][0]["status"] == "failed" and failed["bookings"][0]["error"] == failed["error"]
    assert "Traceback" not in failed["error"] and "File " not in failed["error"]
    assert execution_status(aws, doc) == "SUCCEEDED"
    number = failed["proposal"]["invoice_number"]
    assert entries(aws, office, office.approvers, number) == []
    assert_problem(aws.api_call("POST", f"/v1/offices/{office.code}/documents/{doc}/retry-booking",
                                token=office.submitter_token), 403, "not_an_approver")
    status, _, retried = aws.api_call("POST", f"/v1/offices/{office.code}/documents/{doc}/retry-booking",
                                      token=office.token)
    assert status == 202 and retried["status"] == "approved", retried
    booked = wait_for(aws, office, doc, lambda d: d["status"] in ("booked", "failed"))
    assert booked["status"] == "booked", booked.get("error")
    assert len(entries(aws, office, office.approvers, number)) == 1
    # API.md: a booked document is locked (409 document_locked for edit, approve, reject and retry-booking).
    assert_problem(aws.api_call("POST", f"/v1/offices/{office.code}/documents/{doc}/retry-booking",
                                token=office.token), 409, "document_locked")
    proposal = booked["proposal"]
    edit = {"invoice_number": proposal["invoice_number"], "invoice_date": proposal["invoice_date"],
            "total_incl_vat": proposal["total_incl_vat"],
            "lines": [{key: line[key] for key in ("gl_account", "amount_excl_vat", "vat_code", "vat_amount")}
                      for line in proposal["lines"]]}
    assert_problem(aws.api_call("PUT", f"/v1/offices/{office.code}/documents/{doc}/proposal", edit,
                                token=office.token), 409, "document_locked")
    assert "booking_failed" in [h["event"] for h in booked["history"]]


@pytest.mark.slow
def test_an_outage_that_outlasts_every_retry_ends_failed_and_can_be_retried(aws: LocalAws, office: Office) -> None:
    # The package stays down: the state machine tries 1 + 6 times (1, 2, 4, ... 32 s apart with the test's
    # 1 s interval), each try the connector's own 3 attempts; then the Catch records the failure.
    faults = aws.simulators["snelstart"].simulator.faults
    doc = upload(aws, office, office.approvers)
    awaiting(aws, office, doc)
    planted = 1000
    faults.inject(status=503, count=planted, path_contains="inkoopboekingen", method="POST")
    try:
        decide(aws, office, doc, "approve", {"comment": ""})
        failed = wait_for(aws, office, doc, lambda d: d["status"] in ("booked", "failed"), timeout=240)
        posts = planted - faults.pending()
    finally:
        faults.clear()
    assert failed["status"] == "failed", failed
    assert posts == 7 * 3, posts  # every retry really reached the package, and no more
    assert "503" in failed["error"] and "retry the booking" in failed["error"], failed["error"]
    assert "Traceback" not in failed["error"]
    assert failed["bookings"][0]["status"] == "failed"
    assert execution_status(aws, doc) == "SUCCEEDED"  # caught and recorded, not a crashed execution
    number = failed["proposal"]["invoice_number"]
    assert entries(aws, office, office.approvers, number) == []
    status, _, retried = aws.api_call("POST", f"/v1/offices/{office.code}/documents/{doc}/retry-booking",
                                      token=office.token)
    assert status == 202, retried
    booked = wait_for(aws, office, doc, lambda d: d["status"] in ("booked", "failed"))
    assert booked["status"] == "booked", booked.get("error")
    assert len(entries(aws, office, office.approvers, number)) == 1


def test_auto_approval_below_the_threshold_books_without_a_person(aws: LocalAws, office: Office) -> None:
    doc = upload(aws, office, office.automatic, price="100.00")
    booked = wait_for(aws, office, doc, lambda d: d["status"] in ("booked", "failed"))
    assert booked["status"] == "booked", booked.get("error")
    assert [d["user"] for d in booked["approval"]["decisions"]] == ["system"]
    assert len(entries(aws, office, office.automatic, booked["proposal"]["invoice_number"])) == 1


def test_above_the_threshold_the_named_approver_decides(aws: LocalAws, office: Office) -> None:
    doc = upload(aws, office, office.automatic, price="1000.00")
    body = awaiting(aws, office, doc)
    assert body["status"] == "awaiting_approval" and body["approval"]["approvers"] == ["sync"]
    status, _, decided = decide(aws, office, doc, "reject", {"reason": "Dubbel besteld"})
    assert status == 200 and decided["status"] == "rejected"
    assert execution_status(aws, doc) == "SUCCEEDED"


def test_policy_api(aws: LocalAws, office: Office) -> None:
    url = f"/v1/offices/{office.code}/administrations/{office.approvers.administration_id}/approval-policy"
    status, _, default = aws.api_call("GET", url, token=office.submitter_token)
    assert status == 200 and default["is_default"] and default["steps"][0]["approvers"] == ["sync"]
    bad = {"steps": [{"min_amount": "0.00", "approvers": ["sync", "kees", "nobody"], "required": 1}]}
    body = assert_problem(aws.api_call("PUT", url, bad, token=office.token), 422, "validation_error")
    assert {e["field"] for e in body["errors"]} == {"steps[0].approvers[1]", "steps[0].approvers[2]"}
    assert_problem(aws.api_call("PUT", url, {"steps": [{"approvers": ["sync"]}]}, token=office.submitter_token),
                   403, "not_an_admin")
    assert_problem(aws.api_call("PUT", url, {"steps": "x"}, token=office.token), 422, "validation_error")
    other = f"/v1/offices/{office.code}/administrations/nope/approval-policy"
    assert_problem(aws.api_call("GET", other, token=office.token), 404, "not_found")
    status, _, stored = aws.api_call("GET", url.replace(office.approvers.administration_id,
                                                        office.automatic.administration_id), token=office.token)
    assert status == 200 and stored["auto_approve_below"] == "1000.00" and not stored["is_default"]


def test_an_edit_past_the_second_step_needs_its_approver_before_it_is_booked(aws: LocalAws, office: Office) -> None:
    adm = one_more_administration(aws, office)
    anna = session_token(aws, office, "anna", "approver")
    policy = {"steps": [{"min_amount": "0.00", "approvers": ["sync"], "required": 1},
                        {"min_amount": "5000.00", "approvers": ["anna"], "required": 1}]}
    status, _, saved = aws.api_call("PUT", f"/v1/offices/{office.code}/administrations/{adm.administration_id}"
                                           "/approval-policy", policy, token=office.token)
    assert status == 200, saved
    doc = upload(aws, office, adm, price="4105.26")
    body = awaiting(aws, office, doc)
    assert body["proposal"]["total_incl_vat"] == "4967.36", body["proposal"]
    assert body["approval"]["required"] == 1 and body["approval"]["approvers"] == ["sync"]
    # The submitter raises the total past the second step.
    status, _, edited = aws.api_call("PUT", f"/v1/offices/{office.code}/documents/{doc}/proposal",
                                     edit_body(body["proposal"], "9000.00", "1890.00", "10890.00"),
                                     token=office.submitter_token)
    assert status == 200 and edited["total_incl_vat"] == "10890.00", edited
    body = get(aws, office, doc)
    assert body["approval"] == {"required": 2, "approvers": ["sync", "anna"], "decisions": []}
    assert "policy re-applied" in body["history"][-1]["detail"]
    # The first step's approver alone no longer books it.
    status, _, decided = decide(aws, office, doc, "approve", {"comment": "akkoord"})
    assert status == 200 and decided["status"] == "awaiting_approval", decided
    number = body["proposal"]["invoice_number"]
    assert get(aws, office, doc)["status"] == "awaiting_approval" and entries(aws, office, adm, number) == []
    status, _, decided = decide(aws, office, doc, "approve", {"comment": "akkoord"}, token=anna)
    assert status == 200 and decided["status"] == "approved", decided
    booked = wait_for(aws, office, doc, lambda d: d["status"] in ("booked", "failed"))
    assert booked["status"] == "booked", booked.get("error")
    [entry] = entries(aws, office, adm, number)
    assert entry["total_incl_vat"] == "10890.00"
    assert [d["user"] for d in booked["approval"]["decisions"]] == ["sync", "anna"]

