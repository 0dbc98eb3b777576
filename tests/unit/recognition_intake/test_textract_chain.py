"""The AWS chain: the same engine order, with Amazon Textract (botocore Stubber, no network) for scans."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from boekstuk.adapters.recognition.chain import TextractRecognizer
from boekstuk.domain.errors import UnreadableDocument
from tests.unit.recognition_intake import docs

EINVOICE_FIXTURES = Path(__file__).parent.parent / "einvoice" / "fixtures"
LINES = ["Molen De Hoop B.V.", "Factuurnummer: F2024-0815", "Factuurdatum: 01-03-2024", "Totaal EUR 121,00"]


def geometry(left: float, top: float, width: float, height: float) -> dict[str, Any]:
    """A Textract Geometry: the box and its polygon, as the real service returns both."""
    corners = [(left, top), (left + width, top), (left + width, top + height), (left, top + height)]
    return {
        "BoundingBox": {"Left": left, "Top": top, "Width": width, "Height": height},
        "Polygon": [{"X": x, "Y": y} for x, y in corners],
    }


def detect_response(lines: list[str], page: int = 1) -> dict[str, Any]:
    """A DetectDocumentText response (PAGE -> LINE -> WORD blocks) for these lines of text."""
    blocks: list[dict[str, Any]] = []
    line_ids: list[str] = []
    for i, line in enumerate(lines):
        word_ids: list[str] = []
        x = 0.1
        for j, word in enumerate(line.split()):
            width = 0.012 * len(word)
            word_id = f"w{page}-{i}-{j}"
            word_ids.append(word_id)
            blocks.append(
                {
                    "BlockType": "WORD",
                    "Id": word_id,
                    "Text": word,
                    "Confidence": 99.0,
                    "Page": page,
                    "Geometry": geometry(x, 0.1 + 0.03 * i, width, 0.015),
                }
            )
            x += width + 0.01
        line_id = f"l{page}-{i}"
        line_ids.append(line_id)
        blocks.append(
            {
                "BlockType": "LINE",
                "Id": line_id,
                "Text": line,
                "Confidence": 99.0,
                "Page": page,
                "Geometry": geometry(0.1, 0.1 + 0.03 * i, x - 0.1, 0.015),
                "Relationships": [{"Type": "CHILD", "Ids": word_ids}],
            }
        )
    page_block = {
        "BlockType": "PAGE",
        "Id": f"p{page}",
        "Page": page,
        "Geometry": geometry(0.0, 0.0, 1.0, 1.0),
        "Relationships": [{"Type": "CHILD", "Ids": line_ids}],
    }
    return {"DocumentMetadata": {"Pages": 1}, "Blocks": [page_block, *blocks]}


@pytest.fixture()
def client() -> Any:
    return boto3.client("textract", region_name="eu-west-1", aws_access_key_id="test", aws_secret_access_key="test")


def test_einvoices_and_text_pdfs_never_call_textract(client: Any) -> None:
    with Stubber(client) as stub:  # no responses queued: any call would fail the test
        recognizer = TextractRecognizer(client)
        assert recognizer.recognize((EINVOICE_FIXTURES / "nlcius_invoice.xml").read_bytes(), "f.xml").engine == "ubl"
        assert (
            recognizer.recognize(docs.text_pdf(LINES + ["Omschrijving Tarwebloem 100,00"]), "f.pdf").engine
            == "pdf_text"
        )
        stub.assert_no_pending_responses()


def test_image_is_read_by_textract(client: Any) -> None:
    image = docs.image("PNG", (300, 400))
    with Stubber(client) as stub:
        stub.add_response("detect_document_text", detect_response(LINES), {"Document": {"Bytes": image}})
        stub.add_response("analyze_expense", {"ExpenseDocuments": []}, {"Document": {"Bytes": image}})
        rec = TextractRecognizer(client).recognize(image, "bon.png")
        stub.assert_no_pending_responses()
    assert rec.engine == "textract"
    assert rec.fields.invoice_number == "F2024-0815"
    assert rec.fields.total_incl_vat == Decimal("121.00")


def test_multi_page_scan_is_staged_in_s3_and_read_asynchronously(client: Any) -> None:
    staged: list[tuple[int, str]] = []

    def stage(content: bytes, filename: str) -> tuple[str, str]:
        staged.append((len(content), filename))
        return "documents", f"textract/{filename}"

    location = {"S3Object": {"Bucket": "documents", "Name": "textract/scan.pdf"}}
    scan = docs.blank_pdf(2)
    with Stubber(client) as stub:
        stub.add_response("start_document_text_detection", {"JobId": "t1"}, {"DocumentLocation": location})
        stub.add_response("start_expense_analysis", {"JobId": "e1"}, {"DocumentLocation": location})
        stub.add_response(
            "get_document_text_detection", {"JobStatus": "SUCCEEDED", **detect_response(LINES)}, {"JobId": "t1"}
        )
        stub.add_response("get_expense_analysis", {"JobStatus": "SUCCEEDED", "ExpenseDocuments": []}, {"JobId": "e1"})
        rec = TextractRecognizer(client, stage_in_s3=stage).recognize(scan, "scan.pdf")
        stub.assert_no_pending_responses()
    assert staged == [(len(scan), "scan.pdf")]
    assert rec.engine == "textract"
    assert rec.pages == 2
    assert rec.fields.invoice_number == "F2024-0815"


def test_multi_page_scan_without_staging_is_unreadable_not_a_crash(client: Any) -> None:
    with Stubber(client), pytest.raises(UnreadableDocument) as caught:
        TextractRecognizer(client).recognize(docs.tiff(2), "scan.tiff")
    assert caught.value.extra["reason"] == "engine_error"


def test_s3_stager_puts_the_scan_under_its_hash() -> None:
    from moto import mock_aws

    from boekstuk.adapters.recognition.chain import s3_stager

    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-west-1")
        s3.create_bucket(Bucket="documents", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        scan = docs.blank_pdf(2)
        bucket, key = s3_stager(s3, "documents")(scan, "Scan 12.PDF")
        assert bucket == "documents"
        assert key.startswith("textract-staging/") and key.endswith(".pdf")
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == scan


@pytest.mark.parametrize("code", ["ThrottlingException", "ProvisionedThroughputExceededException",
                                  "InternalServerError", "LimitExceededException"])
def test_a_transient_textract_error_is_not_unreadable(client: Any, code: str) -> None:
    """Textract throttled or failed on its side: the document is read again later (the invocation fails and
    Lambda retries it), never ended ``unreadable`` for good."""
    from boekstuk.domain.errors import RecognitionUnavailable

    image = docs.image("PNG", (300, 400))
    with Stubber(client) as stub:
        stub.add_client_error("detect_document_text", service_error_code=code, http_status_code=400)
        with pytest.raises(RecognitionUnavailable) as caught:
            TextractRecognizer(client).recognize(image, "bon.png")
    assert not isinstance(caught.value, UnreadableDocument)
