"""Words from a PDF's text layer: positions, reading order, ligatures, rotated pages, scans without text."""

from __future__ import annotations

import io
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from boekstuk.adapters.recognition.pdf_text import extract_words, has_text_layer
from boekstuk.domain.errors import UnreadableDocument
from boekstuk.domain.extraction import extract_fields
from tests.unit.visual.conftest import INVOICE_LINES, make_pdf


def test_words_with_positions_in_points_from_the_top_left(invoice_pdf: bytes) -> None:
    pages = extract_words(invoice_pdf, max_pages=5)
    assert len(pages) == 1
    page = pages[0]
    assert (round(page.width), round(page.height)) == (595, 842)
    words = {w.text: w for w in page.words}
    number = words["2024/51802"]
    label = words["Factuurnummer:"]
    assert label.x0 == pytest.approx(50, abs=1)
    assert number.x0 > label.x1  # a separate word to the right of its label
    assert 228 <= number.y0 < number.y1 <= 245  # drawn at 230 pt from the top, 10 pt high
    assert has_text_layer(pages)


def test_the_extractor_reads_a_generated_dutch_pdf(invoice_pdf: bytes) -> None:
    result = extract_fields(extract_words(invoice_pdf, max_pages=5), engine="pdf_text")
    f = result.fields
    assert f.supplier_name == "Drukkerij Van Dijk B.V."
    assert f.supplier_vat_id == "NL810433941B01"
    assert f.supplier_kvk == "24330087"
    assert f.supplier_iban == "NL91ABNA0417164300"
    assert f.invoice_number == "2024/51802"
    assert (f.invoice_date, f.due_date) == ("2024-03-05", "2024-04-04")
    assert (f.total_excl_vat, f.vat_total, f.total_incl_vat) == (Decimal("1234.56"), Decimal("259.26"), Decimal("1493.82"))
    assert result.buyer is not None and result.buyer.vat_id == "NL000099998B57"


def test_max_pages_is_respected() -> None:
    pages = extract_words(make_pdf(INVOICE_LINES, pages=3), max_pages=2)
    assert [p.page for p in pages] == [1, 2]


def test_ligatures_become_plain_letters() -> None:
    pages = extract_words(make_pdf([(50, 50, "Verzendkosten ﬁets ﬂyer"), (50, 70, "Totaal € 12,50")]), max_pages=1)
    texts = [w.text for w in pages[0].words]
    assert "fiets" in texts and "flyer" in texts


def test_rotated_page_is_read_upright() -> None:
    """A /Rotate entry turns the page for display; the words come out in upright reading order regardless."""
    plain = {w.text: w for w in extract_words(make_pdf(INVOICE_LINES), max_pages=1)[0].words}
    for rotation in (90, 180, 270):
        pdf = pdfium.PdfDocument(make_pdf(INVOICE_LINES))
        pdf[0].set_rotation(rotation)
        buffer = io.BytesIO()
        pdf.save(buffer)
        page = extract_words(buffer.getvalue(), max_pages=1)[0]
        assert (round(page.width), round(page.height)) == (595, 842)
        words = {w.text: w for w in page.words}
        for text in ("Factuurnummer:", "2024/51802", "€", "1.493,82"):
            assert words[text].x0 == pytest.approx(plain[text].x0, abs=1.5), (rotation, text)
            assert words[text].y0 == pytest.approx(plain[text].y0, abs=1.5), (rotation, text)
        result = extract_fields([page], engine="pdf_text")
        assert result.fields.invoice_number == "2024/51802"
        assert result.fields.total_incl_vat == Decimal("1493.82")


def test_sideways_margin_text_does_not_break_lines() -> None:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(50, 700, "Factuurnummer: 2024-77")
    pdf.drawString(50, 680, "Factuurdatum: 05-03-2024 Vervaldatum: 04-04-2024")
    pdf.saveState()
    pdf.translate(20, 600)
    pdf.rotate(90)
    pdf.drawString(0, 0, "Druk: Drukkerij Sideways 123456")
    pdf.restoreState()
    pdf.showPage()
    pdf.save()
    words = [w.text for w in extract_words(buffer.getvalue(), max_pages=1)[0].words]
    assert words == ["Factuurnummer:", "2024-77", "Factuurdatum:", "05-03-2024", "Vervaldatum:", "04-04-2024"]


def test_scanned_pdf_has_no_text_layer() -> None:
    image = Image.new("RGB", (200, 100), "white")
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.drawImage(ImageReader(image), 50, 500, width=200, height=100)
    pdf.drawString(500, 20, "1")  # a page number alone is no text layer
    pdf.showPage()
    pdf.save()
    pages = extract_words(buffer.getvalue(), max_pages=5)
    assert len(pages) == 1
    assert not has_text_layer(pages)


def test_corrupt_pdf_is_unreadable() -> None:
    with pytest.raises(UnreadableDocument):
        extract_words(b"%PDF-1.7\nthis is not really a pdf", max_pages=1)


def test_page_whose_media_box_does_not_start_at_zero() -> None:
    """Coordinates are relative to the displayed page, also when its MediaBox is shifted (cropped scans)."""
    plain = {w.text: w for w in extract_words(make_pdf(INVOICE_LINES), max_pages=1)[0].words}
    pdf = pdfium.PdfDocument(make_pdf(INVOICE_LINES))
    pdf[0].set_mediabox(50, 100, 645, 942)  # the same 595 x 842, its corner moved right and up
    buffer = io.BytesIO()
    pdf.save(buffer)
    page = extract_words(buffer.getvalue(), max_pages=1)[0]
    words = {w.text: w for w in page.words}
    assert (round(page.width), round(page.height)) == (595, 842)
    assert words["1.493,82"].x0 == pytest.approx(plain["1.493,82"].x0 - 50, abs=1.5)
    assert words["1.493,82"].y0 == pytest.approx(plain["1.493,82"].y0 + 100, abs=1.5)  # y counts from the top
