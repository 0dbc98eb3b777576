"""The intake against objects it must not trust: a second PUT to a used upload URL, a key naming another
office's document, the same object delivered twice. The booked document, its stored original, its history,
decisions and booking never change; every such object ends in a defined state of its own. In-process, with
Step Functions and the SnelStart simulator."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests

from boekstuk_local.samples import SampleLine, make_document
from boekstuk_local.samples.generator import SampleDocument
from boekstuk_local.simulators.seed import ADMINISTRATIONS, NAMED_SUPPLIERS
from boekstuk_local.testing import LocalAws
from tests.integration.conftest import (
    SnelStartOffice,
    assert_problem,
    document_when,
    snelstart_office,
    workflow_aws,
)

_seeds = itertools.count(7100)
SETTLED = ("awaiting_approval", "approved", "booking", "booked", "rejected", "duplicate", "unreadable", "failed")


Office = SnelStartOffice


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with workflow_aws() as harness:
        yield harness


@pytest.fixture(scope="module")
def offices(aws: LocalAws) -> tuple[Office, Office]:
    return snelstart_office(aws), snelstart_office(aws)


def invoice(office: Office, price: str) -> SampleDocument:
    """A generated PDF invoice of Kantoorhuis Utrecht to the office's administration, with its own number."""
    seed = next(_seeds)
    buyer = next(a for a in ADMINISTRATIONS if a.name == office.administration_name)
    return make_document(seed, supplier=NAMED_SUPPLIERS[0], buyer=buyer, fmt="pdf", layout="classic",
                         invoice_number=f"UI-{seed}",
                         lines=[SampleLine("Kantoorartikelen", Decimal(1), Decimal(price), Decimal(21))])


def slot(aws: LocalAws, office: Office, sample: SampleDocument) -> dict[str, Any]:
    status, _, body = aws.api_call(
        "POST", f"/v1/offices/{office.code}/administrations/{office.administration_id}/documents",
        {"filename": sample.filename, "content_type": sample.content_type}, token=office.token)
    assert status == 201, body
    return dict(body)


def document(aws: LocalAws, office: Office, document_id: str) -> dict[str, Any]:
    status, _, body = aws.api_call("GET", f"/v1/offices/{office.code}/documents/{document_id}", token=office.token)
    assert status == 200, body
    return dict(body)


def when(aws: LocalAws, office: Office, document_id: str, statuses: tuple[str, ...]) -> dict[str, Any]:
    return document_when(aws, office.code, office.token, document_id, lambda d: d["status"] in statuses)


def approve(aws: LocalAws, office: Office, document_id: str) -> dict[str, Any]:
    # Awaiting approval with the request parked, then approved, then booked.
    document_when(aws, office.code, office.token, document_id, lambda d: d["approval"] is not None)
    status, _, body = aws.api_call("POST", f"/v1/offices/{office.code}/documents/{document_id}/approve",
                                   {"comment": ""}, token=office.token)
    assert status == 200, body
    booked = when(aws, office, document_id, ("booked", "failed"))
    assert booked["status"] == "booked", booked.get("error")
    return booked


def content(aws: LocalAws, office: Office, document_id: str) -> bytes:
    status, headers, _ = aws.api_call("GET", f"/v1/offices/{office.code}/documents/{document_id}/content",
                                      token=office.token)
    assert status == 302
    return requests.get(headers["Location"], timeout=10).content


def entries(aws: LocalAws, office: Office, number: str) -> list[dict[str, Any]]:
    status, _, body = aws.api_call("GET", f"/_local/packages/snelstart/administrations/{office.administration_code}"
                                          "/entries")
    assert status == 200, body
    return [e for e in body["entries"] if e["invoice_number"] == number]


def others(aws: LocalAws, office: Office, known: set[str]) -> list[dict[str, Any]]:
    status, _, page = aws.api_call("GET", f"/v1/offices/{office.code}/documents?limit=200", token=office.token)
    assert status == 200, page
    return [d for d in page["documents"] if d["document_id"] not in known]


def arrived(aws: LocalAws, office: Office, known: set[str], timeout: float = 30.0) -> list[dict[str, Any]]:
    """The office's documents not in ``known``, once there are any: S3 notifies the intake asynchronously."""
    deadline = time.monotonic() + timeout
    while not (found := others(aws, office, known)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


def original(aws: LocalAws, office: Office, document_id: str) -> dict[str, Any]:
    """The kept original straight from the bucket: its bytes and ETag."""
    got = aws.client("s3").get_object(Bucket=aws.environment["DOCUMENTS_BUCKET"],
                                      Key=f"originals/{office.code}/{office.administration_id}/{document_id}")
    return {"content": got["Body"].read(), "etag": got["ETag"]}


def test_a_second_upload_to_a_booked_documents_url_changes_nothing(aws: LocalAws,
                                                                   offices: tuple[Office, Office]) -> None:
    office = offices[0]
    first, second = invoice(office, "250.00"), invoice(office, "990.00")
    upload = slot(aws, office, first)
    url, headers, doc = upload["upload"]["url"], upload["upload"]["headers"], upload["document_id"]
    assert requests.put(url, data=first.content, headers=headers, timeout=30).status_code == 200
    booked = approve(aws, office, doc)
    assert content(aws, office, doc) == first.content
    kept = original(aws, office, doc)
    assert kept["content"] == first.content
    number = booked["proposal"]["invoice_number"]
    assert len(entries(aws, office, number)) == 1

    # The same URL again with the headers it came with: S3 refuses a second object for the key.
    again = requests.put(url, data=second.content, headers=headers, timeout=30)
    assert again.status_code == 412, again.text
    assert document(aws, office, doc) == booked
    # A client that drops If-None-Match gets through the emulator (in AWS the signature would not match).
    forced = requests.put(url, data=second.content, headers={"Content-Type": headers["Content-Type"]}, timeout=30)
    assert forced.status_code == 200, forced.text

    assert document(aws, office, doc) == booked  # status, proposal, approval, bookings, history: all as they were
    assert original(aws, office, doc) == kept and content(aws, office, doc) == first.content
    # The bucket is versioned (template.yaml): the overwritten upload is not gone either.
    key = f"uploads/{office.code}/{office.administration_id}/{doc}/{first.filename}"
    versions = aws.client("s3").list_object_versions(Bucket=aws.environment["DOCUMENTS_BUCKET"], Prefix=key)
    assert len(versions["Versions"]) == 2
    assert len(entries(aws, office, number)) == 1
    # The second object is a document of its own, in a defined state, saying where it came from.
    [new] = arrived(aws, office, {doc})
    settled = when(aws, office, new["document_id"], SETTLED)
    assert settled["status"] == "awaiting_approval", settled.get("error")
    assert settled["proposal"]["invoice_number"] == second.truth["fields"]["invoice_number"]
    assert f"second upload to the upload slot of document {doc}" in settled["history"][0]["detail"]
    assert content(aws, office, new["document_id"]) == second.content
    assert entries(aws, office, settled["proposal"]["invoice_number"]) == []


def test_the_same_object_delivered_again_is_harmless(aws: LocalAws, offices: tuple[Office, Office]) -> None:
    from boekstuk.bootstrap import services
    from boekstuk.services.documents import S3Object

    office = offices[0]
    sample = invoice(office, "120.00")
    upload = slot(aws, office, sample)
    doc = upload["document_id"]
    assert requests.put(upload["upload"]["url"], data=sample.content, headers=upload["upload"]["headers"],
                        timeout=30).status_code == 200
    booked = approve(aws, office, doc)
    known = {d["document_id"] for d in others(aws, office, set())}
    key = f"uploads/{office.code}/{office.administration_id}/{doc}/{sample.filename}"
    head = aws.client("s3").head_object(Bucket=aws.environment["DOCUMENTS_BUCKET"], Key=key)
    again = S3Object(bucket=aws.environment["DOCUMENTS_BUCKET"], key=key, size=len(sample.content),
                     etag=head["ETag"].strip('"'))
    # Past the idempotency record (it expires after a week): the intake itself recognises the object.
    result = services().intake.receive(again)
    assert result is not None and result.document_id == doc and result.status == "booked"
    assert document(aws, office, doc) == booked
    assert others(aws, office, known) == []


def test_an_object_naming_another_offices_document_touches_none_of_its_records(
        aws: LocalAws, offices: tuple[Office, Office]) -> None:
    mine, theirs = offices
    sample = invoice(theirs, "410.00")
    upload = slot(aws, theirs, sample)
    doc = upload["document_id"]
    assert requests.put(upload["upload"]["url"], data=sample.content, headers=upload["upload"]["headers"],
                        timeout=30).status_code == 200
    before = document_when(aws, theirs.code, theirs.token, doc, lambda d: d["approval"] is not None)
    assert before["status"] == "awaiting_approval", before.get("error")
    known = {d["document_id"] for d in others(aws, mine, set())}

    # A process that can write this office's upload prefix names the other office's document.
    forged = invoice(mine, "77.00")
    aws.client("s3").put_object(Bucket=aws.environment["DOCUMENTS_BUCKET"], Body=forged.content,
                                Key=f"uploads/{mine.code}/{mine.administration_id}/{doc}/x.pdf")
    # This office has no document under that id: nothing to read, nothing to decide.
    assert_problem(aws.api_call("GET", f"/v1/offices/{mine.code}/documents/{doc}", token=mine.token),
                   404, "not_found")
    assert_problem(aws.api_call("POST", f"/v1/offices/{mine.code}/documents/{doc}/approve", {"comment": ""},
                                token=mine.token), 404, "not_found")
    # The object became this office's own document, under an id of its own.
    [new] = arrived(aws, mine, known)
    assert new["document_id"] != doc
    settled = when(aws, mine, new["document_id"], SETTLED)
    assert "names no upload slot" in settled["history"][0]["detail"]
    assert settled["status"] == "awaiting_approval", settled.get("error")
    # This office's approver decides on this office's document only.
    mine_booked = approve(aws, mine, new["document_id"])
    assert len(entries(aws, mine, mine_booked["proposal"]["invoice_number"])) == 1
    # The other office's document: history, approval and bookings untouched, still waiting for its own approver.
    assert document(aws, theirs, doc) == before
    booked = approve(aws, theirs, doc)
    assert [d["user"] for d in booked["approval"]["decisions"]] == ["sync"]
    assert len(entries(aws, theirs, booked["proposal"]["invoice_number"])) == 1
    assert original(aws, theirs, doc)["content"] == sample.content
