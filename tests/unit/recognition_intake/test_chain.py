"""The recognizer chain: which engine reads which document, and how failures surface."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from boekstuk.adapters.recognition.chain import LocalRecognizer
from boekstuk.domain.errors import UnreadableDocument
from boekstuk.domain.recognition import PageWords, Word
from boekstuk.ports import Recognizer
from tests.unit.recognition_intake import docs

EINVOICE_FIXTURES = Path(__file__).parent.parent / "einvoice" / "fixtures"
INVOICE_LINES = [
    "Molen De Hoop B.V.",
    "Factuurnummer: F2024-0815",
    "Factuurdatum: 01-03-2024",
    "Omschrijving Bedrag",
    "Tarwebloem 100,00",
    "Subtotaal 100,00",
    "BTW 21% 21,00",
    "Totaal 121,00",
]


class RecordingOcr:
    """A test double for the OCR engine: returns fixed words and records what it was asked."""

    def __init__(self, words: list[str] | None = None, fail: Exception | None = None) -> None:
        self.words = words if words is not None else INVOICE_LINES
        self.fail = fail
        self.calls: list[str] = []

    def _page(self, number: int) -> PageWords:
        return PageWords(
            page=number,
            width=1000,
            height=1400,
            words=[Word(text=t, x0=100, y0=100 + 30 * i, x1=400, y1=120 + 30 * i) for i, t in enumerate(self.words)],
        )

    def words_from_image(self, content: bytes) -> PageWords:
        self.calls.append("image")
        if self.fail:
            raise self.fail
        Image.open(io.BytesIO(content)).verify()  # the chain hands over a real image
        return self._page(1)

    def words_from_pdf(self, content: bytes, *, max_pages: int) -> list[PageWords]:
        self.calls.append(f"pdf:{max_pages}")
        if self.fail:
            raise self.fail
        return [self._page(1)]


def test_local_recognizer_implements_the_port() -> None:
    recognizer: Recognizer = LocalRecognizer(ocr=RecordingOcr())
    assert recognizer.recognize((EINVOICE_FIXTURES / "credit_note.xml").read_bytes(), "cn.xml").engine == "ubl"


def test_xml_einvoice_never_touches_ocr() -> None:
    ocr = RecordingOcr()
    rec = LocalRecognizer(ocr=ocr).recognize(
        (EINVOICE_FIXTURES / "cii_invoice.xml").read_bytes(), "inv.xml", "application/xml"
    )
    assert rec.engine == "cii"
    assert ocr.calls == []


def test_hybrid_pdf_uses_the_xml_unless_told_to_read_it_visually() -> None:
    pdf = docs.pdf_with_attachments(
        {"factur-x.xml": (EINVOICE_FIXTURES / "cii_invoice.xml").read_bytes()}, base=docs.text_pdf(INVOICE_LINES)
    )
    assert LocalRecognizer(ocr=RecordingOcr()).recognize(pdf, "f.pdf").engine == "cii"
    ocr = RecordingOcr()
    visual = LocalRecognizer(ocr=ocr, ignore_embedded_xml=True).recognize(pdf, "f.pdf")
    assert visual.engine == "pdf_text"
    assert visual.fields.invoice_number == "F2024-0815"  # read from the page, not the XML (KM-2024-1201)
    assert visual.fields.total_incl_vat == Decimal("121.00")
    assert ocr.calls == []


def test_scanned_pdf_goes_to_ocr() -> None:
    ocr = RecordingOcr()
    rec = LocalRecognizer(ocr=ocr).recognize(docs.blank_pdf(2), "scan.pdf")
    assert ocr.calls == ["pdf:50"]
    assert rec.engine == "local"
    assert rec.pages == 2
    assert rec.fields.invoice_number == "F2024-0815"


def test_multipage_tiff_is_read_frame_by_frame() -> None:
    ocr = RecordingOcr()
    rec = LocalRecognizer(ocr=ocr).recognize(docs.tiff(3), "scan.tiff")
    assert ocr.calls == ["image"] * 3
    assert rec.pages == 3


def test_blank_scan_is_unreadable() -> None:
    with pytest.raises(UnreadableDocument) as caught:
        LocalRecognizer(ocr=RecordingOcr(words=[])).recognize(docs.image("PNG"), "scan.png")
    assert caught.value.extra["reason"] == "no_text"


def test_engine_crash_becomes_unreadable_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    ocr = RecordingOcr(fail=RuntimeError("onnx session exploded"))
    with pytest.raises(UnreadableDocument) as caught:
        LocalRecognizer(ocr=ocr).recognize(docs.image("JPEG"), "bon.jpg")
    assert caught.value.extra["reason"] == "engine_error"
    assert "RuntimeError" in caught.value.detail
    # The traceback stays visible in the logs (programming errors must not hide behind "unreadable").
    errors = [r for r in caplog.records if r.levelname == "ERROR" and r.exc_info]
    assert errors and isinstance(errors[0].exc_info[1], RuntimeError)  # type: ignore[index]
    assert "onnx session exploded" in caplog.text


def test_intake_refusal_comes_before_any_engine() -> None:
    ocr = RecordingOcr()
    with pytest.raises(UnreadableDocument) as caught:
        LocalRecognizer(ocr=ocr).recognize(docs.png_with_header(60_000, 60_000), "scan.png")
    assert caught.value.extra["reason"] == "image_too_large"
    assert ocr.calls == []


@pytest.mark.slow
def test_image_is_read_by_real_local_ocr() -> None:
    page = Image.new("RGB", (900, 500), "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=28)
    for i, line in enumerate(["Factuurnummer: F2024-0815", "Factuurdatum: 01-03-2024", "Totaal EUR 121,00"]):
        draw.text((40, 60 + 70 * i), line, fill="black", font=font)
    buffer = io.BytesIO()
    page.save(buffer, format="PNG")
    rec = LocalRecognizer().recognize(buffer.getvalue(), "scan.png", "image/png")
    assert rec.engine == "local"
    assert rec.fields.total_incl_vat == Decimal("121.00")


def test_hybrid_pdf_whose_page_shows_another_invoice_gets_a_warning() -> None:
    xml = (EINVOICE_FIXTURES / "cii_invoice.xml").read_bytes()  # KM-2024-1201, total 94.40
    other = docs.pdf_with_attachments({"factur-x.xml": xml}, base=docs.text_pdf(INVOICE_LINES))
    rec = LocalRecognizer(ocr=RecordingOcr()).recognize(other, "f.pdf")
    assert rec.engine == "cii" and rec.fields.invoice_number == "KM-2024-1201"  # the XML still wins
    assert any("does not show the invoice number or total" in w for w in rec.warnings)

    lines = ["De Koksmaat B.V. Amersfoort", "Factuur KM-2024-1201", "Totaal te betalen EUR 94,40", *INVOICE_LINES[3:]]
    same = docs.pdf_with_attachments({"factur-x.xml": xml}, base=docs.text_pdf(lines))
    assert LocalRecognizer(ocr=RecordingOcr()).recognize(same, "f.pdf").warnings == []
    total_only = docs.pdf_with_attachments(
        {"factur-x.xml": xml}, base=docs.text_pdf([*INVOICE_LINES, "Te betalen 94,40"])
    )
    assert LocalRecognizer(ocr=RecordingOcr()).recognize(total_only, "f.pdf").warnings == []


def test_an_engine_refusal_keeps_its_detail_and_gains_a_reason() -> None:
    ocr = RecordingOcr(fail=UnreadableDocument("Textract cannot read this document (BadDocumentException)."))
    with pytest.raises(UnreadableDocument) as caught:
        LocalRecognizer(ocr=ocr).recognize(docs.image("PNG"), "scan.png")
    assert caught.value.detail == "Textract cannot read this document (BadDocumentException)."
    assert caught.value.extra["reason"] == "engine_refused"
