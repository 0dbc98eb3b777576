"""A PDF upload that fails after the package posted the entry: the workflow's retry finds the entry without its
PDF, attaches it, and only then records the document ``booked`` (SnelStart simulator, Step Functions under moto
with Retry intervals of 1 s)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from boekstuk_local.testing import LocalAws
from tests.integration.conftest import (
    SnelStartOffice,
    document_when,
    snelstart_office,
    upload_invoice,
    workflow_aws,
)

_seeds = itertools.count(7300)


Office = SnelStartOffice


@dataclass
class Uploaded:
    document_id: str
    filename: str
    size: int


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with workflow_aws() as harness:
        yield harness


@pytest.fixture(scope="module")
def office(aws: LocalAws) -> Office:
    return snelstart_office(aws)


def upload(aws: LocalAws, office: Office) -> Uploaded:
    """A generated invoice of Kantoorhuis Utrecht, uploaded through an upload slot."""
    seed = next(_seeds)
    document_id, sample = upload_invoice(aws, office.code, office.token, office.administration_id,
                                         office.administration_name, seed=seed, number=f"PDF-{seed}",
                                         price="180.00", days_ago=2)
    return Uploaded(document_id, sample.filename, len(sample.content))


def wait_for(aws: LocalAws, office: Office, document_id: str, done: Callable[[dict[str, Any]], bool],
             timeout: float = 60.0) -> dict[str, Any]:
    return document_when(aws, office.code, office.token, document_id, done, timeout)


def test_pdf_upload_failing_after_the_post_is_attached_on_the_retry(aws: LocalAws, office: Office) -> None:
    faults = aws.simulators["snelstart"].simulator.faults
    uploaded = upload(aws, office)
    doc = uploaded.document_id
    waiting = wait_for(aws, office, doc, lambda d: d["status"] != "awaiting_approval" or d["approval"] is not None)
    assert waiting["status"] == "awaiting_approval", waiting.get("error")
    # The inkoopboeking is posted; its PDF upload answers 500 once (a POST the connector does not repeat).
    faults.inject(status=500, count=1, path_contains="documenten/Inkoopboekingen", method="POST")
    try:
        status, _, decided = aws.api_call("POST", f"/v1/offices/{office.code}/documents/{doc}/approve",
                                          {"comment": ""}, token=office.token)
        assert status == 200, decided
        booked = wait_for(aws, office, doc, lambda d: d["status"] in ("booked", "failed"))
        assert faults.pending() == 0, "the upload never failed: nothing was exercised"
    finally:
        faults.clear()
    assert booked["status"] == "booked", booked.get("error")
    number = booked["proposal"]["invoice_number"]
    status, _, inspection = aws.api_call(
        "GET", f"/_local/packages/snelstart/administrations/{office.administration_code}/entries")
    assert status == 200, inspection
    [entry] = [e for e in inspection["entries"] if e["invoice_number"] == number]
    assert entry["attachment"] == {"filename": uploaded.filename, "size": uploaded.size}
    [booking] = booked["bookings"]
    assert booking["status"] == "booked" and booking["entry_id"] == entry["entry_id"]
    [event] = [h for h in booked["history"] if h["event"] == "booked"]
    assert "PDF attached on this retry" in event["detail"]
