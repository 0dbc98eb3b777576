"""TextractEngine against botocore's Stubber with recorded-shape responses (no network, no AWS account)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from boekstuk.adapters.recognition.textract import TextractEngine, TextractTimeout, pages_from_blocks
from boekstuk.domain.errors import RecognitionUnavailable, UnreadableDocument

FIXTURES = Path(__file__).parent / "fixtures" / "textract"
LOCATION = {"S3Object": {"Bucket": "documents", "Name": "inbox/office/adm/factuur.pdf"}}


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


@pytest.fixture()
def client() -> Any:
    return boto3.client("textract", region_name="eu-west-1", aws_access_key_id="test", aws_secret_access_key="test")


def test_words_from_blocks_keep_positions_and_confidence() -> None:
    pages = pages_from_blocks([load("detect_document_text.json")])
    assert len(pages) == 1
    words = {w.text: w for w in pages[0].words}
    assert "Factuurnummer:" in words
    word = words["F2024-0815"]
    assert 0.9 < word.confidence < 1.0
    assert word.x0 > words["Factuurnummer:"].x1  # the value sits right of its label
    assert word.y0 == pytest.approx(0.28 * 1414, abs=0.5)


def test_sync_bytes_uses_the_extractor_and_fills_gaps_from_analyze_expense(client: Any) -> None:
    content = b"%PDF-1.7 one page"
    with Stubber(client) as stub:
        stub.add_response("detect_document_text", load("detect_document_text.json"), {"Document": {"Bytes": content}})
        stub.add_response("analyze_expense", load("analyze_expense.json"), {"Document": {"Bytes": content}})
        result = TextractEngine(client).recognize_bytes(content)
        stub.assert_no_pending_responses()
    f = result.fields
    assert result.engine == "textract"
    # from the extractor (Dutch labels, check digits, parties)
    assert f.supplier_name == "Bakkerij De Korenschoof B.V."  # AnalyzeExpense's shorter "Bakkerij" does not win
    assert f.supplier_vat_id == "NL810433941B01"
    assert result.buyer is not None and result.buyer.vat_id == "NL000099998B57"
    assert f.supplier_iban == "NL91ABNA0417164300"
    assert f.invoice_number == "F2024-0815"
    assert f.invoice_date == "2024-03-01"
    assert (f.total_excl_vat, f.vat_total, f.total_incl_vat) == (Decimal("1000.00"), Decimal("210.00"), Decimal("1210.00"))
    # "Vervaldag" (Flemish) is not a label the extractor knows: AnalyzeExpense's DUE_DATE fills it
    assert f.due_date == "2024-03-31"
    assert result.source["due_date"].startswith("page 1 (")


def test_async_multi_page_polls_and_follows_next_token(client: Any) -> None:
    sleeps: list[float] = []
    with Stubber(client) as stub:
        stub.add_response("start_document_text_detection", {"JobId": "text-1"}, {"DocumentLocation": LOCATION})
        stub.add_response("start_expense_analysis", {"JobId": "exp-1"}, {"DocumentLocation": LOCATION})
        stub.add_response("get_document_text_detection", {"JobStatus": "IN_PROGRESS"}, {"JobId": "text-1"})
        stub.add_response("get_document_text_detection", load("get_document_text_detection_1.json"), {"JobId": "text-1"})
        stub.add_response("get_document_text_detection", load("get_document_text_detection_2.json"),
                          {"JobId": "text-1", "NextToken": "token-2"})
        stub.add_response("get_expense_analysis", load("get_expense_analysis.json"), {"JobId": "exp-1"})
        engine = TextractEngine(client, poll_seconds=5, sleep=sleeps.append)
        result = engine.recognize_s3("documents", "inbox/office/adm/factuur.pdf")
        stub.assert_no_pending_responses()
    assert sleeps == [5]
    assert result.pages == 2
    assert result.fields.total_incl_vat == Decimal("1210.00")
    assert result.source["total_incl_vat"].startswith("page 2 ")
    assert result.fields.invoice_number == "F2024-0815"


def test_async_wait_is_bounded(client: Any) -> None:
    sleeps: list[float] = []
    with Stubber(client) as stub:
        stub.add_response("start_document_text_detection", {"JobId": "t"}, {"DocumentLocation": LOCATION})
        stub.add_response("start_expense_analysis", {"JobId": "e"}, {"DocumentLocation": LOCATION})
        for _ in range(4):
            stub.add_response("get_document_text_detection", {"JobStatus": "IN_PROGRESS"}, {"JobId": "t"})
        engine = TextractEngine(client, max_wait_seconds=6, poll_seconds=2, sleep=sleeps.append)
        with pytest.raises(TextractTimeout):
            engine.recognize_s3("documents", "inbox/office/adm/factuur.pdf")
    assert sum(sleeps) == 6


def test_failed_job_is_unreadable(client: Any) -> None:
    with Stubber(client) as stub:
        stub.add_response("start_document_text_detection", {"JobId": "t"}, {"DocumentLocation": LOCATION})
        stub.add_response("start_expense_analysis", {"JobId": "e"}, {"DocumentLocation": LOCATION})
        stub.add_response("get_document_text_detection", {"JobStatus": "FAILED", "StatusMessage": "Corrupt page"},
                          {"JobId": "t"})
        with pytest.raises(UnreadableDocument, match="Corrupt page"):
            TextractEngine(client, sleep=lambda _: None).recognize_s3("documents", "inbox/office/adm/factuur.pdf")


def test_unsupported_document_is_unreadable(client: Any) -> None:
    with Stubber(client) as stub:
        stub.add_client_error("detect_document_text", service_error_code="UnsupportedDocumentException",
                              service_message="Request has unsupported document format", http_status_code=400)
        with pytest.raises(UnreadableDocument, match="UnsupportedDocumentException"):
            TextractEngine(client).recognize_bytes(b"not a document")


def test_throttling_is_transient_not_unreadable(client: Any) -> None:
    # Was: the ClientError itself surfaced (and the chain turned it into `unreadable`). Issue 14: a throttled
    # or failing service is RecognitionUnavailable, which the intake lets fail the invocation for a retry.
    with Stubber(client) as stub:
        stub.add_client_error("detect_document_text", service_error_code="ProvisionedThroughputExceededException",
                              http_status_code=400)
        with pytest.raises(RecognitionUnavailable, match="ProvisionedThroughputExceededException"):
            TextractEngine(client).recognize_bytes(b"x")


def test_a_connection_failure_is_transient() -> None:
    from botocore.config import Config
    from botocore.exceptions import ReadTimeoutError

    client = boto3.client("textract", region_name="eu-west-1", aws_access_key_id="test", aws_secret_access_key="test",
                          config=Config(retries={"total_max_attempts": 1}))

    def time_out(**_: Any) -> None:
        raise ReadTimeoutError(endpoint_url="https://textract.eu-west-1.amazonaws.com")

    client.meta.events.register("before-send.textract.DetectDocumentText", time_out)
    with pytest.raises(RecognitionUnavailable):
        TextractEngine(client).recognize_bytes(b"x")


def test_a_job_still_running_after_the_wait_is_transient() -> None:
    assert issubclass(TextractTimeout, RecognitionUnavailable)
