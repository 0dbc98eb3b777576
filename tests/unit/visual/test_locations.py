"""``recognition.locations`` per engine: the text layer, RapidOCR and Textract each put a field where the page
shows it, as fractions of the page as displayed."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from botocore.stub import Stubber
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from boekstuk.adapters.recognition.chain import LocalRecognizer
from boekstuk.adapters.recognition.local_ocr import LocalOcr
from boekstuk.adapters.recognition.pdf_text import extract_words
from boekstuk.adapters.recognition.textract import TextractEngine
from boekstuk.domain.extraction import extract_fields
from boekstuk.domain.recognition import FieldLocation, Recognition
from boekstuk_local.samples import LAYOUTS
from tests.unit.visual.conftest import INVOICE_LINES
from tests.unit.visual.drawn import generated, shows

TEXTRACT = Path(__file__).parent / "fixtures" / "textract"


def _well_formed(recognition: Recognition) -> None:
    """Every field read from the page has a location on one of its pages, and nothing else has one."""
    page_fields = {name for name, source in recognition.source.items() if source.startswith("page ")}
    assert set(recognition.locations) == page_fields
    for location in recognition.locations.values():
        left, top, right, bottom = location.box
        assert 0 <= left <= right <= 1 and 0 <= top <= bottom <= 1
        assert 1 <= location.page <= recognition.pages


# --- the text layer ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_text_pdf_locates_the_invoice_number_where_the_generator_drew_it(layout: str) -> None:
    sample, drawn = generated(21, layout=layout, kind="receipt" if layout == "receipt" else "invoice", fmt="pdf")
    recognition = LocalRecognizer().recognize(sample.content, sample.filename, sample.content_type)
    assert recognition.engine == "pdf_text"
    number = sample.spec.number
    assert recognition.fields.invoice_number == number
    assert shows(recognition.locations["invoice_number"], drawn, number), (recognition.locations, number)
    _well_formed(recognition)


def test_text_pdf_locates_the_amounts_and_ids_where_they_are_printed() -> None:
    sample, drawn = generated(5, layout="classic", fmt="pdf")
    recognition = LocalRecognizer().recognize(sample.content, sample.filename, sample.content_type)
    vat_id = recognition.fields.supplier_vat_id
    assert vat_id == sample.spec.supplier.vat_id
    assert any(shows(recognition.locations["supplier_vat_id"], drawn, printed)
               for printed in {vat_id, vat_id[:2] + " " + vat_id[2:]} if any(printed in d.text for d in drawn))
    total = recognition.fields.total_incl_vat
    assert total == abs(Decimal(str(sample.truth["fields"]["total_incl_vat"])))
    printed_total = f"{total:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")  # 1.234,56
    assert shows(recognition.locations["total_incl_vat"], drawn, printed_total)


def test_sideways_text_is_located_on_the_page_as_displayed() -> None:
    """A portrait page whose text runs upwards (a landscape table printed sideways) is read turned, but the
    boxes are given on the page as it is shown."""
    lines = [(x, y, text) for x, y, text in INVOICE_LINES if y < 500] + [(50, 540, "IBAN NL91 ABNA 0417 1643 00")]
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("Helvetica", 10)
    pdf.rotate(90)  # x now runs up the page, y to the left: the text reads upwards
    for x, y, text in lines:
        # Upright (the page turned clockwise), the line starts 60 + x pt from the left, its top y pt from the top.
        pdf.drawString(60 + x, -(y + 10), text)
    pdf.showPage()
    pdf.save()
    pages = extract_words(buffer.getvalue(), max_pages=1)
    assert pages[0].turned == 1 and pages[0].width > pages[0].height  # read upright: the page turned clockwise
    recognition = extract_fields(pages, engine="pdf_text")
    assert recognition.fields.invoice_number == "2024/51802"
    # On the displayed page the number runs up from 60 + 50 + width("Factuurnummer: ") pt above the bottom, in
    # the column 230-240 pt from the left.
    start = 110 + stringWidth("Factuurnummer: ", "Helvetica", 10)
    end = start + stringWidth("2024/51802", "Helvetica", 10)
    expected = [230 / A4[0], (A4[1] - end) / A4[1], 240 / A4[0], (A4[1] - start) / A4[1]]
    assert recognition.locations["invoice_number"].box == pytest.approx(expected, abs=0.01)
    _well_formed(recognition)


# --- RapidOCR ----------------------------------------------------------------------------------------------------


def _scanned_pdf(png: bytes) -> bytes:
    """An image-only PDF of one page (as a scanner writes), the page the size of the image at 150 dpi."""
    buffer = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(buffer, format="PDF", resolution=150)
    return buffer.getvalue()


@pytest.mark.slow
def test_rapidocr_locates_the_invoice_number_on_a_rendered_scan_and_a_scanned_pdf() -> None:
    sample, drawn = generated(33, layout="modern_right", fmt="png")
    recognizer = LocalRecognizer()
    number = sample.spec.number
    for content, name in ((sample.content, sample.filename), (_scanned_pdf(sample.content), "scan.pdf")):
        recognition = recognizer.recognize(content, name)
        assert recognition.engine == "local"
        assert recognition.fields.invoice_number == number
        # OCR boxes hug the ink (the drawn box spans the font's whole ascent and descent): a little slack.
        assert shows(recognition.locations["invoice_number"], drawn, number, slack=0.003), recognition.locations
        _well_formed(recognition)


class _SidewaysEngine:
    """Stands in for RapidOCR's parts on a portrait scan of a page lying on its side: detection finds tall lines
    down the scan's left edge, the direction classifier votes ``vote`` on their crops (a tall crop is turned a
    quarter counter-clockwise first), recognition reads one line."""

    text_score = 0.5

    def __init__(self, vote: str) -> None:
        self.vote = vote

    def text_det(self, array: np.ndarray) -> tuple[np.ndarray, float]:
        assert array.shape[:2] == (600, 400)  # detection runs once, on the scan as it lies
        boxes = [[[30 + 30 * i, 40], [50 + 30 * i, 40], [50 + 30 * i, 120], [30 + 30 * i, 120]] for i in range(5)]
        return np.array(boxes, dtype=np.float32), 0.0

    def sorted_boxes(self, boxes: np.ndarray) -> list[np.ndarray]:
        return list(boxes)

    def get_crop_img_list(self, array: np.ndarray, boxes: list[np.ndarray]) -> list[np.ndarray]:
        return [np.zeros((20, 80, 3), dtype=np.uint8) for _ in boxes]

    def text_cls(self, crops: list[np.ndarray]) -> tuple[list[np.ndarray], list[list[Any]], float]:
        return crops, [[self.vote, 0.99] for _ in crops], 0.0

    def text_rec(self, crops: list[np.ndarray], word_box: bool) -> tuple[list[Any], float]:
        return [("Factuur 2024-001" if i == 0 else "Regel tekst", 0.99) for i in range(len(crops))], 0.0

    def cal_rec_boxes(self, crops: list[np.ndarray], boxes: list[np.ndarray], rec: list[Any]) -> list[Any]:
        return [[text, score, [], [], []] for text, score in rec]


@pytest.mark.parametrize(("vote", "quarters"), [("0", 3), ("180", 1)])
def test_a_page_scanned_sideways_is_located_on_the_scan_as_displayed(vote: str, quarters: int) -> None:
    # Text running down the page reads upright in a tall line's crop turned counter-clockwise (vote 0): the page
    # lies turned clockwise and is turned back counter-clockwise (3 quarters clockwise); vote 180: the other side.
    image = Image.new("RGB", (400, 600), "white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    ocr = LocalOcr()
    ocr._engine = _SidewaysEngine(vote)
    page = ocr.words_from_image(buffer.getvalue())
    assert page.turned == quarters and (page.width, page.height) == (600, 400)
    line = [w for w in page.words if w.text in ("Factuur", "2024-001")]
    box = (min(w.x0 for w in line), min(w.y0 for w in line), max(w.x1 for w in line), max(w.y1 for w in line))
    # Wherever the turn put it, the line goes back to where the scan shows it: x 30-50 of 400, y 40-120 of 600.
    assert page.location(*box).box == pytest.approx([0.075, 40 / 600, 0.125, 0.2], abs=1e-4)


# --- Textract ----------------------------------------------------------------------------------------------------


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((TEXTRACT / name).read_text())
    return data


def _word_box(response: dict[str, Any], text: str) -> list[float]:
    (word,) = [b for b in response["Blocks"] if b["BlockType"] == "WORD" and b["Text"] == text]
    box = word["Geometry"]["BoundingBox"]
    return [box["Left"], box["Top"], box["Left"] + box["Width"], box["Top"] + box["Height"]]


def test_textract_locations_are_its_own_bounding_boxes() -> None:
    import boto3

    client = boto3.client("textract", region_name="eu-west-1", aws_access_key_id="test", aws_secret_access_key="test")
    content = b"%PDF-1.7 one page"
    text, expense = _load("detect_document_text.json"), _load("analyze_expense.json")
    with Stubber(client) as stub:
        stub.add_response("detect_document_text", text, {"Document": {"Bytes": content}})
        stub.add_response("analyze_expense", expense, {"Document": {"Bytes": content}})
        recognition = TextractEngine(client).recognize_bytes(content)
    number = recognition.locations["invoice_number"]
    assert number.page == 1 and number.box == pytest.approx(_word_box(text, "F2024-0815"), abs=1e-4)
    # The due date came from AnalyzeExpense ("Vervaldag" is no label the extractor knows): its box is the
    # ValueDetection's.
    (due,) = [f for d in expense["ExpenseDocuments"] for f in d["SummaryFields"] if f["Type"]["Text"] == "DUE_DATE"]
    box = due["ValueDetection"]["Geometry"]["BoundingBox"]
    expected = FieldLocation(page=1, box=[box["Left"], box["Top"], box["Left"] + box["Width"], box["Top"] + box["Height"]])
    assert recognition.locations["due_date"].box == pytest.approx(expected.box, abs=1e-4)
    _well_formed(recognition)


def test_the_text_layer_of_the_shared_fixture_is_located_in_points(invoice_pdf: bytes) -> None:
    """The conftest invoice draws "Factuurnummer: 2024/51802" at 50 pt from the left, 230 pt from the top."""
    recognition = extract_fields(extract_words(invoice_pdf, max_pages=1), engine="pdf_text")
    left, top, right, bottom = recognition.locations["invoice_number"].box
    assert 50 / 595 < left < right < 300 / 595
    assert top == pytest.approx(230 / 842, abs=0.006) and bottom == pytest.approx(240 / 842, abs=0.006)
