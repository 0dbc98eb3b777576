"""Amazon Textract for the AWS deployment: words for the shared extractor plus AnalyzeExpense's summary.

- Words: DetectDocumentText blocks parsed with textract-trp (``trp.Document``), turned into ``PageWords``
  and read by the same Dutch-aware extractor as every other visual engine.
- AnalyzeExpense knows the standard fields but is English-only: its summary fields only fill gaps the
  extractor left, or replace a value the extractor was unsure of when Textract is sure.
- Single images and one-page PDFs go synchronously as bytes; multi-page PDFs must be in S3 and use the
  asynchronous Start*/Get* APIs, polled with a bounded wait (``sleep`` is injectable for tests).

Textract reports positions as fractions of the page; they are scaled to a nominal A4 page of 1000 units
wide so the extractor's distances (line heights, gaps) keep their meaning (``PageWords.location`` divides them
back into fractions). A value taken from AnalyzeExpense is located by its own ``BoundingBox``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError
from trp import Document as TrpDocument

from boekstuk.domain.errors import RecognitionUnavailable, UnreadableDocument
from boekstuk.domain.extraction import extract_fields
from boekstuk.domain.extraction.parse import find_amounts, parse_date
from boekstuk.domain.recognition import FieldLocation, PageWords, ReadingHints, Recognition, Word

PAGE_WIDTH = 1000.0
PAGE_HEIGHT = 1414.0  # A4 proportions

_UNREADABLE_CODES = {
    "UnsupportedDocumentException",
    "BadDocumentException",
    "DocumentTooLargeException",
    "InvalidParameterException",
}
# Textract is busy or failing, not the document: read it again later. (botocore already retried these a few times.)
_TRANSIENT_CODES = {
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "LimitExceededException",
    "InternalServerError",
    "ServiceUnavailableException",
    "ServiceQuotaExceededException",
}

# AnalyzeExpense summary type -> (our field, kind)
_EXPENSE_FIELDS: dict[str, tuple[str, str]] = {
    "VENDOR_NAME": ("supplier_name", "text"),
    "INVOICE_RECEIPT_ID": ("invoice_number", "text"),
    "INVOICE_RECEIPT_DATE": ("invoice_date", "date"),
    "DUE_DATE": ("due_date", "date"),
    "TOTAL": ("total_incl_vat", "money"),
    "AMOUNT_DUE": ("total_incl_vat", "money"),
    "SUBTOTAL": ("total_excl_vat", "money"),
    "TAX": ("vat_total", "money"),
}


class TextractTimeout(RecognitionUnavailable):
    """An asynchronous Textract job did not finish within the allowed wait (read again later)."""


class TextractEngine:
    """Recognise documents with Amazon Textract; ``client`` is a boto3 ``textract`` client (injected)."""

    def __init__(
        self,
        client: Any,
        *,
        max_wait_seconds: float = 240.0,
        poll_seconds: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        trust_expense_above: float = 0.9,
    ) -> None:
        self.client = client
        self.max_wait_seconds = max_wait_seconds
        self.poll_seconds = poll_seconds
        self.sleep = sleep
        self.trust_expense_above = trust_expense_above

    # --- public ---------------------------------------------------------------------------------------

    def recognize_bytes(self, content: bytes, *, hints: ReadingHints | None = None) -> Recognition:
        """Read an image or a one-page PDF given as bytes (synchronous APIs); ``hints`` go to the extractor."""
        document = {"Bytes": content}
        text = self._call("detect_document_text", Document=document)
        expense = self._call("analyze_expense", Document=document)
        return self._combine([text], [expense], hints)

    def recognize_s3(self, bucket: str, key: str, *, hints: ReadingHints | None = None) -> Recognition:
        """Read a (multi-page) document stored in S3 with the asynchronous APIs, polling until done."""
        location = {"S3Object": {"Bucket": bucket, "Name": key}}
        text_job = self._call("start_document_text_detection", DocumentLocation=location)["JobId"]
        expense_job = self._call("start_expense_analysis", DocumentLocation=location)["JobId"]
        text_pages = self._collect("get_document_text_detection", text_job)
        expense_pages = self._collect("get_expense_analysis", expense_job)
        return self._combine(text_pages, expense_pages, hints)

    # --- calls ----------------------------------------------------------------------------------------

    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        try:
            response: dict[str, Any] = getattr(self.client, operation)(**params)
            return response
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in _UNREADABLE_CODES:
                raise UnreadableDocument(f"Textract cannot read this document ({code}).") from exc
            if code in _TRANSIENT_CODES or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500:
                raise RecognitionUnavailable(f"Textract is not available ({code}).") from exc
            raise
        except (BotoConnectionError, HTTPClientError) as exc:  # connect/read timeout, unreachable, reset
            raise RecognitionUnavailable(f"Textract did not answer ({type(exc).__name__}).") from exc

    def _collect(self, operation: str, job_id: str) -> list[dict[str, Any]]:
        """Poll one asynchronous job until it succeeds, then follow ``NextToken`` through all result pages."""
        waited = 0.0
        while True:
            response = self._call(operation, JobId=job_id)
            status = response.get("JobStatus")
            if status in ("SUCCEEDED", "PARTIAL_SUCCESS"):
                break
            if status == "FAILED":
                raise UnreadableDocument(f"Textract could not read this document: {response.get('StatusMessage', '')}".strip())
            if waited >= self.max_wait_seconds:
                raise TextractTimeout(f"Textract job {job_id} still {status} after {waited:.0f} s")
            self.sleep(self.poll_seconds)
            waited += self.poll_seconds
        responses = [response]
        while response.get("NextToken"):
            response = self._call(operation, JobId=job_id, NextToken=response["NextToken"])
            responses.append(response)
        return responses

    # --- results --------------------------------------------------------------------------------------

    def _combine(self, text_responses: list[dict[str, Any]], expense_responses: list[dict[str, Any]],
                 hints: ReadingHints | None) -> Recognition:
        pages = pages_from_blocks(text_responses)
        recognition = extract_fields(pages, engine="textract", hints=hints)
        summary = expense_summary(expense_responses)
        return merge_expense(recognition, summary, trust_above=self.trust_expense_above)


def pages_from_blocks(responses: list[dict[str, Any]]) -> list[PageWords]:
    """WORD blocks of DetectDocumentText/AnalyzeDocument responses as ``PageWords`` (via textract-trp)."""
    blocks = [{"Blocks": r.get("Blocks", [])} for r in responses if r.get("Blocks")]
    if not blocks:
        return []
    document = TrpDocument(blocks)
    result: list[PageWords] = []
    for number, page in enumerate(document.pages, start=1):
        words: list[Word] = []
        for line in page.lines:
            for word in line.words:
                box = word.geometry.boundingBox
                words.append(
                    Word(
                        text=word.text,
                        x0=box.left * PAGE_WIDTH,
                        y0=box.top * PAGE_HEIGHT,
                        x1=(box.left + box.width) * PAGE_WIDTH,
                        y1=(box.top + box.height) * PAGE_HEIGHT,
                        confidence=round(float(word.confidence) / 100, 4),
                    )
                )
        result.append(PageWords(page=number, width=PAGE_WIDTH, height=PAGE_HEIGHT, words=words))
    return result


@dataclass(frozen=True, slots=True)
class ExpenseValue:
    """One AnalyzeExpense summary value: its text, confidence (0..1), where it is and its currency code."""

    text: str
    confidence: float
    source: str
    location: FieldLocation | None
    currency: str | None


def expense_summary(responses: list[dict[str, Any]]) -> dict[str, ExpenseValue]:
    """The best AnalyzeExpense summary value per field."""
    best: dict[str, ExpenseValue] = {}
    for response in responses:
        for document in response.get("ExpenseDocuments", []):
            for field in document.get("SummaryFields", []):
                kind = field.get("Type", {}).get("Text", "")
                if kind not in _EXPENSE_FIELDS:
                    continue
                value = field.get("ValueDetection", {})
                text = str(value.get("Text", "")).strip()
                if not text:
                    continue
                confidence = min(float(value.get("Confidence", 0)), float(field.get("Type", {}).get("Confidence", 100)))
                confidence /= 100
                ours = _EXPENSE_FIELDS[kind][0]
                page = int(field.get("PageNumber", 1))
                found = ExpenseValue(text, confidence, _source(value.get("Geometry"), page),
                                     _location(value.get("Geometry"), page), field.get("Currency", {}).get("Code"))
                # AMOUNT_DUE is what is left to pay; TOTAL wins when both are there.
                if kind == "AMOUNT_DUE" and ours in best:
                    continue
                if ours not in best or confidence > best[ours].confidence or kind == "TOTAL":
                    best[ours] = found
    return best


def merge_expense(recognition: Recognition, summary: dict[str, ExpenseValue], *, trust_above: float) -> Recognition:
    """Fill what the extractor missed from AnalyzeExpense; replace an unsure value when Textract is sure."""
    fields = recognition.fields.model_copy()
    confidence = dict(recognition.confidence)
    source = dict(recognition.source)
    locations = dict(recognition.locations)
    for name, found in summary.items():
        value = _normalise(name, found.text)
        if value is None:
            continue
        ours = getattr(fields, name)
        ours_confidence = confidence.get(name, 0.0)
        if ours is not None and not (found.confidence >= trust_above and ours_confidence < 0.6):
            continue
        setattr(fields, name, value)
        confidence[name] = round(found.confidence * 0.9, 3)  # English-only model on Dutch documents: a little less sure
        if found.source:
            source[name] = found.source
        locations.pop(name, None)  # the words the extractor chose no longer show this value
        if found.location is not None:
            locations[name] = found.location
        if found.currency and fields.currency is None:
            fields.currency = found.currency
            confidence["currency"] = round(found.confidence * 0.9, 3)
    return recognition.model_copy(update={"fields": fields, "confidence": confidence, "source": source,
                                          "locations": locations})


def _normalise(name: str, text: str) -> Any:
    kind = next(kind for ours, kind in _EXPENSE_FIELDS.values() if ours == name)
    if kind == "date":
        parsed = parse_date(text)
        return parsed.isoformat() if parsed else None
    if kind == "money":
        amounts = find_amounts(text if any(ch in text for ch in ".,") else f"{text},00")
        return Decimal(amounts[-1].value) if amounts else None
    return text


def _location(geometry: dict[str, Any] | None, page: int) -> FieldLocation | None:
    """A Geometry's BoundingBox (already fractions of the page) as a location; None without a usable box."""
    if not geometry or "BoundingBox" not in geometry:
        return None
    box = geometry["BoundingBox"]
    left, top = float(box["Left"]), float(box["Top"])
    right, bottom = left + float(box["Width"]), top + float(box["Height"])
    clipped = [round(min(1.0, max(0.0, v)), 4) for v in (left, top, right, bottom)]
    if clipped[0] > clipped[2] or clipped[1] > clipped[3]:
        return None
    return FieldLocation(page=max(1, page), box=clipped)


def _source(geometry: dict[str, Any] | None, page: int) -> str:
    if not geometry or "BoundingBox" not in geometry:
        return ""
    box = geometry["BoundingBox"]
    x0, y0 = box["Left"] * PAGE_WIDTH, box["Top"] * PAGE_HEIGHT
    x1, y1 = x0 + box["Width"] * PAGE_WIDTH, y0 + box["Height"] * PAGE_HEIGHT
    return f"page {page} ({round(x0)},{round(y0)})-({round(x1)},{round(y1)})"
