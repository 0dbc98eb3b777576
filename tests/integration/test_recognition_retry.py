"""A document whose read the recognition service refused for a moment (Textract throttling) is read again when
Lambda retries the S3 event, under the function's own role: the failed invocation removes its idempotency record,
and the retry reads the original the first attempt kept. Never `unreadable`."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests

from boekstuk.domain.errors import RecognitionUnavailable
from boekstuk_local import lambda_hook
from boekstuk_local.samples import SampleLine, make_document
from boekstuk_local.simulators.seed import ADMINISTRATIONS, NAMED_SUPPLIERS
from boekstuk_local.testing import LocalAws
from tests.integration.conftest import SnelStartOffice, document_when, snelstart_office, workflow_aws


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with workflow_aws() as harness:
        yield harness


def s3_event(bucket: str, key: str, size: int, etag: str) -> dict[str, Any]:
    """The ObjectCreated event S3 sends (and Lambda delivers again after a failed invocation)."""
    return {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "eu-west-1",
                         "eventName": "ObjectCreated:Put", "eventTime": "2026-12-05T12:00:00.000Z",
                         "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                                "object": {"key": key, "size": size, "eTag": etag}}}]}


def test_a_throttled_read_is_retried_and_the_document_proposed(aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> None:
    from boekstuk.bootstrap import services

    office: SnelStartOffice = snelstart_office(aws)
    buyer = next(a for a in ADMINISTRATIONS if a.name == office.administration_name)
    sample = make_document(7990, supplier=NAMED_SUPPLIERS[0], buyer=buyer, fmt="pdf", layout="classic",
                           invoice_number="RT-7990",
                           lines=[SampleLine("Kantoorartikelen", Decimal(1), Decimal("80.00"), Decimal(21))])
    status, _, upload = aws.api_call(
        "POST", f"/v1/offices/{office.code}/administrations/{office.administration_id}/documents",
        {"filename": sample.filename, "content_type": sample.content_type}, token=office.token)
    assert status == 201, upload
    doc = upload["document_id"]

    def throttled(*_: Any, **__: Any) -> Any:
        raise RecognitionUnavailable("Textract is not available (ThrottlingException).")

    monkeypatch.setattr(services().intake._recognizer, "recognize", throttled)
    assert requests.put(upload["upload"]["url"], data=sample.content, headers=upload["upload"]["headers"],
                        timeout=30).status_code == 200
    waiting = document_when(aws, office.code, office.token, doc, lambda d: d["status"] == "recognizing")
    assert waiting["error"] is None
    monkeypatch.undo()

    # Lambda's retry of the failed asynchronous invocation: the same event, the same function.
    bucket = aws.environment["DOCUMENTS_BUCKET"]
    key = f"uploads/{office.code}/{office.administration_id}/{doc}/{sample.filename}"
    head = aws.client("s3").head_object(Bucket=bucket, Key=key)
    fn = aws.provisioned.functions["ProcessInvoiceFunction"]
    _, exc, _ = lambda_hook.run_handler(fn.name, s3_event(bucket, key, len(sample.content), head["ETag"].strip('"')),
                                        memory_size=fn.memory_size, timeout=fn.timeout)
    assert exc is None
    proposed = document_when(aws, office.code, office.token, doc, lambda d: d["status"] == "awaiting_approval")
    assert proposed["proposal"]["total_incl_vat"] == "96.80"
