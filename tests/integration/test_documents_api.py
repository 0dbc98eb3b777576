"""Documents through the API and the S3 drop: intake at most once per object, recognition, every upload in a
defined state. Runs the template in-process with the package simulators."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests

from boekstuk_local import moto_patches
from boekstuk_local.samples import make_document
from boekstuk_local.simulators.seed import ADMINISTRATIONS, NAMED_SUPPLIERS
from boekstuk_local.testing import LocalAws, local_aws
from tests.integration.conftest import add_accessible, assert_problem, link, onboarded_office

FINAL_OR_WAITING = {"awaiting_approval", "approved", "booking", "booked", "rejected", "duplicate", "unreadable", "failed"}


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    moto_patches.install()
    with local_aws(simulators=True, parameters={"BookingRetryIntervalSeconds": "1"}) as harness:
        yield harness


@pytest.fixture(scope="module")
def office(aws: LocalAws) -> dict[str, str]:
    office, token = onboarded_office(aws)
    connection = link(aws, office, token, "snelstart")
    added = add_accessible(aws, office, token, connection, 1)
    assert added[0]["name"] == ADMINISTRATIONS[0].name  # the buyer the generated invoices are addressed to
    return {"office": office, "token": token, "administration_id": added[0]["administration_id"]}


def upload(aws: LocalAws, office: dict[str, str], content: bytes, filename: str, content_type: str,
           kind: str = "purchase_invoice") -> dict[str, Any]:
    """Request a slot, PUT the bytes to the presigned URL (S3 fires process_invoice), return the document."""
    status, _, slot = aws.api_call(
        "POST", f"/v1/offices/{office['office']}/administrations/{office['administration_id']}/documents",
        {"filename": filename, "content_type": content_type, "kind": kind}, token=office["token"])
    assert status == 201, slot
    assert slot["upload"]["method"] == "PUT" and slot["expires_in"] == 900
    put = requests.put(slot["upload"]["url"], data=content, headers=slot["upload"]["headers"], timeout=30)
    assert put.status_code == 200, put.text
    return document(aws, office, slot["document_id"])


def document(aws: LocalAws, office: dict[str, str], document_id: str) -> dict[str, Any]:
    status, _, body = aws.api_call("GET", f"/v1/offices/{office['office']}/documents/{document_id}",
                                   token=office["token"])
    assert status == 200, body
    return dict(body)


def test_an_uploaded_invoice_is_recognised_and_proposed(aws: LocalAws, office: dict[str, str]) -> None:
    supplier = NAMED_SUPPLIERS[0]
    sample = make_document(101, supplier=supplier, fmt="pdf")
    doc = upload(aws, office, sample.content, sample.filename, sample.content_type)
    assert doc["status"] in FINAL_OR_WAITING - {"unreadable", "duplicate", "failed"}, doc
    fields = doc["recognition"]["fields"]
    assert fields["supplier_vat_id"] == supplier.vat_id
    assert fields["invoice_number"] == sample.truth["fields"]["invoice_number"]
    assert Decimal(fields["total_incl_vat"]) == Decimal(str(sample.truth["fields"]["total_incl_vat"]))
    assert doc["proposal"]["supplier"]["match"] == "vat_id"
    events = [h["event"] for h in doc["history"]]
    assert events[:3] == ["upload_requested", "received", "recognizing"] and "proposed" in events
    # The original file is served through a short-lived redirect.
    status, headers, _ = aws.api_call("GET", f"/v1/offices/{office['office']}/documents/{doc['document_id']}/content",
                                      token=office["token"])
    assert status == 302 and requests.get(headers["Location"], timeout=10).content == sample.content


def test_ubl_upload_is_read_exactly(aws: LocalAws, office: dict[str, str]) -> None:
    sample = make_document(202, supplier=NAMED_SUPPLIERS[1], fmt="ubl")
    doc = upload(aws, office, sample.content, sample.filename, "application/xml")
    assert doc["recognition"]["engine"] == "ubl"
    assert doc["recognition"]["fields"]["invoice_number"] == sample.truth["fields"]["invoice_number"]


def test_s3_drop_with_an_encoded_key_and_a_repeated_event_makes_one_document(aws: LocalAws,
                                                                               office: dict[str, str]) -> None:
    sample = make_document(303, supplier=NAMED_SUPPLIERS[2], fmt="pdf")
    key = f"inbox/{office['office']}/{office['administration_id']}/scanner map/factuur maart + april.pdf"
    s3 = aws.client("s3")
    s3.put_object(Bucket=aws.environment["DOCUMENTS_BUCKET"], Key=key, Body=sample.content)
    # S3 delivers at least once: hand process_invoice the same event again.
    head = s3.head_object(Bucket=aws.environment["DOCUMENTS_BUCKET"], Key=key)
    event = {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                          "awsRegion": "eu-west-1", "eventTime": "2026-03-01T10:00:00.000Z",
                          "s3": {"s3SchemaVersion": "1.0", "configurationId": "x",
                                 "bucket": {"name": aws.environment["DOCUMENTS_BUCKET"], "arn": "arn:aws:s3:::b"},
                                 "object": {"key": urllib.parse.quote_plus(key, safe="/"), "size": len(sample.content),
                                            "eTag": head["ETag"].strip('"'), "sequencer": "1"}}}]}
    function_name = aws.provisioned.functions["ProcessInvoiceFunction"].name
    aws.client("lambda").invoke(FunctionName=function_name, Payload=json.dumps(event).encode())
    status, _, page = aws.api_call("GET", f"/v1/offices/{office['office']}/documents?administration_id="
                                          f"{office['administration_id']}&limit=200", token=office["token"])
    assert status == 200
    dropped = [d for d in page["documents"] if d["filename"] == "factuur maart _ april.pdf"]
    assert len(dropped) == 1, [d["filename"] for d in page["documents"]]
    doc = document(aws, office, dropped[0]["document_id"])
    assert doc["recognition"]["fields"]["supplier_vat_id"] == NAMED_SUPPLIERS[2].vat_id
    assert [h["actor"] for h in doc["history"]][0] == "s3"


def test_the_same_file_twice_is_a_duplicate_naming_the_original(aws: LocalAws, office: dict[str, str]) -> None:
    sample = make_document(404, supplier=NAMED_SUPPLIERS[0], fmt="pdf")
    first = upload(aws, office, sample.content, "eerste.pdf", "application/pdf")
    second = upload(aws, office, sample.content, "tweede.pdf", "application/pdf")
    assert second["status"] == "duplicate" and second["duplicate_of"] == first["document_id"]
    assert first["document_id"] in second["error"]


@pytest.mark.parametrize("content,filename,reason", [
    (b"", "leeg.pdf", "empty"),
    (b"%PDF-1.7\n1 0 obj << /Type /Catalog", "afgebroken.pdf", "truncated"),
    (b"PK\x03\x04" + b"\x00" * 200, "eigenlijk-een-zip.pdf", "not"),
])
def test_unreadable_uploads_end_with_a_reason(aws: LocalAws, office: dict[str, str], content: bytes, filename: str,
                                              reason: str) -> None:
    doc = upload(aws, office, content, filename, "application/pdf")
    assert doc["status"] == "unreadable" and doc["error"], doc
    assert doc["history"][-1]["event"] == "unreadable"


def test_upload_slot_errors_and_isolation(aws: LocalAws, office: dict[str, str]) -> None:
    url = f"/v1/offices/{office['office']}/administrations/{office['administration_id']}/documents"
    body = assert_problem(aws.api_call("POST", url, {"filename": "x.docx", "content_type": "application/msword"},
                                       token=office["token"]), 422, "unsupported_content_type")
    assert "application/pdf" in body["allowed"]
    assert_problem(aws.api_call("POST", f"/v1/offices/{office['office']}/administrations/nope/documents",
                                {"filename": "x.pdf", "content_type": "application/pdf"}, token=office["token"]),
                   404, "not_found")
    other, other_token = onboarded_office(aws)
    assert_problem(aws.api_call("GET", f"/v1/offices/{office['office']}/documents", token=other_token), 404, "not_found")
    assert_problem(aws.api_call("GET", f"/v1/offices/{other}/documents/whatever", token=other_token), 404, "not_found")
    # A slot whose bytes never came is not listed.
    aws.api_call("POST", url, {"filename": "nooit.pdf", "content_type": "application/pdf"}, token=office["token"])
    _, _, page = aws.api_call("GET", f"/v1/offices/{office['office']}/documents?limit=200", token=office["token"])
    assert "nooit.pdf" not in [d["filename"] for d in page["documents"]]


def test_the_list_gives_each_document_its_invoice_and_due_date(aws: LocalAws, office: dict[str, str]) -> None:
    sample = make_document(505, supplier=NAMED_SUPPLIERS[1], fmt="pdf")
    doc = upload(aws, office, sample.content, sample.filename, sample.content_type)
    status, _, page = aws.api_call("GET", f"/v1/offices/{office['office']}/documents?administration_id="
                                          f"{office['administration_id']}&limit=200", token=office["token"])
    assert status == 200
    (listed,) = [d for d in page["documents"] if d["document_id"] == doc["document_id"]]
    proposal = doc["proposal"]
    assert (listed["invoice_date"], listed["due_date"], listed["currency"]) == (
        sample.truth["fields"]["invoice_date"], proposal["due_date"], proposal["currency"]), listed


def _letter(lines: list[tuple[float, float, str, float]]) -> bytes:
    """A one-page text PDF with each ``(x, y, text, size)`` placed at x/y (points from the top left)."""
    from io import BytesIO

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for x, y, text, size in lines:
        pdf.setFont("Helvetica-Bold" if size > 12 else "Helvetica", size)
        pdf.drawString(x, A4[1] - y, text)
    pdf.save()
    return buffer.getvalue()


def test_the_administration_and_its_synced_suppliers_mark_the_parties_of_an_upload(
        aws: LocalAws, office: dict[str, str]) -> None:
    # The buyer (the administration) prints as the only name with a legal form; the supplier, a synced creditor,
    # only as a letterhead in capitals, with no identifier anywhere: the page alone names the wrong party.
    administration = ADMINISTRATIONS[0].name
    supplier = NAMED_SUPPLIERS[0]
    letterhead = supplier.name.removesuffix(" B.V.").upper()
    content = _letter([
        (60, 60, administration, 11), (360, 60, letterhead, 16),
        (60, 74, "Dorpsstraat 3", 11), (60, 88, "1234 AB Ons Dorp", 11),
        (60, 200, "FACTUUR", 14), (60, 230, "Factuurnummer: HINT-2024-001", 10),
        (60, 244, "Factuurdatum: 4 maart 2024", 10),
        (330, 400, "Subtotaal", 10), (460, 400, "€ 400,00", 10),
        (330, 414, "BTW 21%", 10), (460, 414, "€ 84,00", 10),
        (330, 428, "Totaal te betalen", 10), (460, 428, "€ 484,00", 10),
    ])
    doc = upload(aws, office, content, "hints.pdf", "application/pdf")
    assert doc["status"] == "awaiting_approval", doc
    recognition = doc["recognition"]
    assert recognition["fields"]["supplier_name"] == letterhead
    assert recognition["buyer"]["name"] == administration
    proposal = doc["proposal"]
    assert proposal["supplier"]["match"] == "name"
    assert proposal["supplier"]["name"] == supplier.name
    assert "unknown_supplier" not in {w["code"] for w in proposal["warnings"]}
