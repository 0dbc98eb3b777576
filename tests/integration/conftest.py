"""Integration fixtures: one provisioned template per module (provisioning costs about a second)."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import re
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from boekstuk_local import moto_patches
from boekstuk_local.samples import SampleLine, make_document
from boekstuk_local.samples.generator import SampleDocument
from boekstuk_local.simulators.base import complete_oauth_login
from boekstuk_local.simulators.registry import DEMO_LOGINS
from boekstuk_local.simulators.seed import ADMINISTRATIONS, NAMED_SUPPLIERS
from boekstuk_local.testing import LocalAws, local_aws

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    moto_patches.install()
    with local_aws() as harness:
        yield harness


@contextlib.contextmanager
def workflow_aws() -> Iterator[LocalAws]:
    """The template in-process with the package simulators and booking retries 1 s apart. At the end every
    execution still parked on its task token is failed: its threads would outlive the harness."""
    moto_patches.install()
    with local_aws(simulators=True, parameters={"BookingRetryIntervalSeconds": "1"}) as harness:
        yield harness
        items = harness.client("dynamodb").scan(TableName=harness.environment["TABLE_NAME"])["Items"]
        for item in items:
            if item["sk"]["S"] == "APPROVAL" and not item["completed"]["BOOL"]:
                harness.client("stepfunctions").send_task_failure(taskToken=item["task_token"]["S"],
                                                                  error="TestEnded")


def unique(prefix: str) -> str:
    """A name no other test in the session uses."""
    return f"{prefix}{next(_counter)}"


def code_from_mail(aws: LocalAws, to: str) -> str:
    """The six-digit code of the newest mail to ``to``."""
    body = aws.mail(to)[-1].body
    match = re.search(r"\b(\d{6})\b", body)
    assert match, body
    return match.group(1)


def signup_body(email: str, plan: str = "trial", **overrides: Any) -> dict[str, Any]:
    body = {"company_name": "Bakkerij De Vries B.V.", "contact_name": "Anna de Vries", "email": email,
            "phone": "+31 20 123 4567", "plan": plan, "plan_confirmation": plan, "accept_terms": True}
    body.update(overrides)
    return body


def confirmed_token(aws: LocalAws, email: str, plan: str = "trial") -> str:
    status, _, body = aws.api_call("POST", "/v1/signups", signup_body(email, plan))
    assert status == 201, body
    status, _, confirmed = aws.api_call("POST", f"/v1/signups/{body['signup_id']}/confirmation",
                                        {"code": code_from_mail(aws, email)})
    assert status == 200, confirmed
    return str(confirmed["activation_token"])


def onboarded_office(aws: LocalAws, username: str = "sync") -> tuple[str, str]:
    """A fresh activated office; returns (office_code, access token of its sync user)."""
    office = unique("office-")
    token = confirmed_token(aws, f"{office}@example.nl")
    status, _, body = aws.api_call("POST", "/v1/activations", {"activation_token": token, "office_code": office,
                                                                "username": username, "password": PASSWORD})
    assert status == 201, body
    status, _, session = aws.api_call("POST", "/v1/sessions", {"office_code": office, "username": username,
                                                               "password": PASSWORD})
    assert status == 200, session
    return office, str(session["access_token"])


def assert_problem(response: tuple, status: int, code: str) -> dict:
    got_status, headers, body = response
    assert got_status == status, body
    assert headers.get("Content-Type", "").startswith("application/problem+json"), headers
    assert body["code"] == code and body["status"] == status and body["detail"] and body["title"]
    return body


def link(aws: LocalAws, office: str, token: str, package: str) -> str:
    """Link ``package`` the way a person does; returns the connection id."""
    login = DEMO_LOGINS[package]
    if package in ("twinfield", "snelstart"):
        status, _, body = aws.api_call("POST", f"/v1/offices/{office}/connections",
                                       {"package": package, "description": f"{package} kantoor", "credentials": login},
                                       token=token)
        assert status == 201 and body["status"] == "verified", body
        return str(body["connection_id"])
    status, _, body = aws.api_call("POST", f"/v1/offices/{office}/connections",
                                   {"package": package, "description": f"{package} kantoor"}, token=token)
    assert status == 201 and body["status"] == "pending_authorization", body
    code, state = complete_oauth_login(body["authorize_url"], login["username"], login["password"])
    query = urllib.parse.urlencode({"code": code, "state": state})
    status, _, done = aws.api_call("GET", f"/v1/oauth/callback?{query}", headers={"Accept": "application/json"})
    assert status == 200 and done["status"] == "verified", done
    # The state is single use.
    assert_problem(aws.api_call("GET", f"/v1/oauth/callback?{query}", headers={"Accept": "application/json"}),
                   400, "invalid_oauth_state")
    return str(body["connection_id"])


@dataclass
class SnelStartOffice:
    code: str
    token: str  # the sync user, an office admin: without a policy one approval by them is enough
    administration_id: str
    administration_code: str
    administration_name: str


def snelstart_office(aws: LocalAws) -> SnelStartOffice:
    """A fresh office with SnelStart linked and its first accessible administration added."""
    code, token = onboarded_office(aws)
    connection = link(aws, code, token, "snelstart")
    [adm] = add_accessible(aws, code, token, connection, 1)
    return SnelStartOffice(code, token, adm["administration_id"], adm["code"], adm["name"])


def add_accessible(aws: LocalAws, office: str, token: str, connection: str, count: int) -> list[dict[str, Any]]:
    """Add the first ``count`` administrations the package user has access to; the ``added`` entries."""
    base = f"/v1/offices/{office}/connections/{connection}/administrations"
    _, _, listed = aws.api_call("GET", base, token=token)
    codes = [a["code"] for a in listed["administrations"] if a["accessible"]][:count]
    status, _, added = aws.api_call("POST", base, {"codes": codes}, token=token)
    assert status == 201, added
    return list(added["added"])


def document_when(aws: LocalAws, office_code: str, token: str, document_id: str,
                  done: Callable[[dict[str, Any]], bool], timeout: float = 60.0) -> dict[str, Any]:
    """GET the document until ``done`` holds (the workflow runs in Step Functions' own threads)."""
    deadline = time.monotonic() + timeout
    while True:
        status, _, body = aws.api_call("GET", f"/v1/offices/{office_code}/documents/{document_id}", token=token)
        assert status == 200, body
        if done(body):
            return dict(body)
        assert time.monotonic() < deadline, f"gave up waiting: {body['status']} {body.get('error')}"
        time.sleep(0.1)


def upload_invoice(aws: LocalAws, office_code: str, token: str, administration_id: str, administration_name: str,
                   *, seed: int, number: str, price: str = "250.00", days_ago: int = 3) -> tuple[str, SampleDocument]:
    """A generated PDF invoice of Kantoorhuis Utrecht uploaded through an upload slot: (document id, sample).

    The S3 event runs process_invoice inside put_object (in-process moto), as a presigned PUT would.
    """
    buyer = next(a for a in ADMINISTRATIONS if a.name == administration_name)
    sample = make_document(seed, supplier=NAMED_SUPPLIERS[0], buyer=buyer, fmt="pdf", layout="classic",
                           invoice_number=number, invoice_date=dt.date.today() - dt.timedelta(days=days_ago),
                           lines=[SampleLine("Kantoorartikelen", Decimal(1), Decimal(price), Decimal(21))])
    status, _, slot = aws.api_call(
        "POST", f"/v1/offices/{office_code}/administrations/{administration_id}/documents",
        {"filename": sample.filename, "content_type": sample.content_type, "kind": "purchase_invoice"},
        token=token)
    assert status == 201, slot
    document_id = str(slot["document_id"])
    aws.client("s3").put_object(
        Bucket=aws.environment["DOCUMENTS_BUCKET"], Body=sample.content, ContentType=sample.content_type,
        Key=f"uploads/{office_code}/{administration_id}/{document_id}/{sample.filename}")
    return document_id, sample
