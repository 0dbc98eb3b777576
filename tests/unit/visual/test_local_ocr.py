"""Local OCR: splitting RapidOCR's glued lines into words (fast, no model) and one real OCR run (slow)."""

from __future__ import annotations

import io
import os
from decimal import Decimal

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from boekstuk.adapters.recognition import local_ocr
from boekstuk.adapters.recognition.local_ocr import LocalOcr, split_line
from boekstuk.domain.errors import UnreadableDocument
from boekstuk.domain.extraction import extract_fields
from boekstuk.domain.recognition import PageWords
from tests.unit.recognition_intake import docs
from tests.unit.visual.conftest import VERA


def _line(chars: str, starts: list[float], width: float = 9.0, top: float = 100.0, height: float = 22.0) -> list:
    """A RapidOCR result line as ``return_word_box=True`` gives it: box, text, score, char boxes, chars, scores."""
    boxes = [[[x, top], [x + width, top], [x + width, top + height], [x, top + height]] for x in starts]
    box = [[starts[0], top], [starts[-1] + width, top], [starts[-1] + width, top + height], [starts[0], top + height]]
    return [box, chars, 0.97, boxes, list(chars), [0.97] * len(chars)]


def _advance(pitch: list[float], x: float = 100.0) -> list[float]:
    starts = [x]
    for step in pitch:
        starts.append(starts[-1] + step)
    return starts


def test_split_at_wide_gaps_and_at_letter_digit_changes() -> None:
    text = "Factuurnr2024/51802"
    # normal pitch 9-10 px; a 14 px step between "r" and "2" (the lost space)
    pitch = [10, 9, 9, 10, 9, 9, 10, 9, 14, 9, 10, 9, 9, 10, 9, 9, 10, 9]
    words = split_line(_line(text, _advance(pitch)))
    assert [w.text for w in words] == ["Factuurnr", "2024/51802"]
    assert words[0].x1 <= words[1].x0
    assert all(w.confidence == pytest.approx(0.97) for w in words)


def test_split_after_a_colon_and_at_lower_to_upper_change() -> None:
    text = "Totaal:EURDecodedLeather"
    pitch = [9] * 6 + [12, 9, 9] + [10] + [9] * 6 + [13] + [9] * 6
    words = split_line(_line(text, _advance(pitch)))
    # upper case to upper case ("EURDecoded") is not split on a small gap: all-caps words look the same
    assert [w.text for w in words] == ["Totaal:", "EURDecoded", "Leather"]


def test_tight_letters_stay_one_word() -> None:
    words = split_line(_line("Sessamestreet", _advance([9, 11, 11, 13, 15, 12, 9, 9, 9, 9, 9, 9])))
    assert [w.text for w in words] == ["Sessamestreet"]


def test_engine_spaces_are_kept() -> None:
    starts = _advance([9, 9, 9, 9, 9, 9, 9])
    line = _line("1025 RX ", starts)
    assert [w.text for w in split_line(line)] == ["1025", "RX"]


def test_line_without_character_boxes_is_split_on_its_spaces() -> None:
    line = [[[0, 0], [100, 0], [100, 20], [0, 20]], "BTW 21%", 0.9]
    words = split_line(line)
    assert [w.text for w in words] == ["BTW", "21%"]
    assert words[0].x1 < words[1].x0


def test_not_an_image_is_unreadable() -> None:
    with pytest.raises(UnreadableDocument):
        LocalOcr().words_from_image(b"this is text, not an image")


def _receipt_image() -> bytes:
    font = ImageFont.truetype(str(VERA), 28)
    image = Image.new("RGB", (560, 900), "white")
    draw = ImageDraw.Draw(image)
    for y, text in [(40, "BAKKERIJ DE ZON B.V."), (90, "Kassabon 4711"), (140, "Datum 05-03-2024"),
                    (260, "Brood      3,50"), (310, "Koffie      2,75"), (400, "TOTAAL      6,25"),
                    (450, "BTW 9%      0,52")]:
        draw.text((40, y), text, fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.slow
def test_rapidocr_reads_a_rendered_receipt() -> None:
    ocr = LocalOcr()
    page = ocr.words_from_image(_receipt_image())
    assert page.width == 560 and page.height == 900
    texts = " ".join(w.text for w in page.words)
    assert "TOTAAL" in texts
    result = extract_fields([page], engine="local")
    assert result.document_kind == "receipt"
    assert result.fields.total_incl_vat == Decimal("6.25")
    assert result.fields.invoice_date == "2024-03-05"
    # RapidOCR may drop the space inside all-caps text ("BAKKERIJDE ZON"): compare without spaces
    assert (result.fields.supplier_name or "").replace(" ", "") == "BAKKERIJDEZONB.V."
    assert 0.5 < result.confidence["total_incl_vat"] <= 1.0


class _RecordingEngine:
    """Stands in for RapidOCR: records the array its detector is given and finds nothing."""

    text_score = 0.5

    def __init__(self) -> None:
        self.arrays: list[np.ndarray] = []

    def text_det(self, array: np.ndarray) -> tuple[None, float]:
        self.arrays.append(array)
        return None, 0.0


def test_the_engine_gets_a_contiguous_bgr_array() -> None:
    # OpenCV copies a strided array for every line it crops: a flipped view made OCR ~15 % slower.
    ocr = LocalOcr()
    engine = _RecordingEngine()
    ocr._engine = engine
    ocr.words_from_image(_receipt_image())
    (array,) = engine.arrays
    assert array.flags["C_CONTIGUOUS"]
    assert array.shape == (900, 560, 3)
    assert tuple(array[0, 0]) == (255, 255, 255)


def test_cli_workers_share_the_cores() -> None:
    from boekstuk.adapters.recognition import cli

    cores = os.cpu_count() or 1
    one = cli._recognizer(False, 1).ocr
    two = cli._recognizer(True, 2).ocr
    assert isinstance(one, LocalOcr) and isinstance(two, LocalOcr)
    assert one.threads == cores
    assert two.threads == max(1, cores // 2)


def test_an_amount_is_not_cut_at_its_decimal_comma() -> None:
    # The comma is narrow and sits in its own gap (~0.2 line height on each side): one word, not "382 ,66".
    words = split_line(_line("382,66", _advance([9, 9, 13, 6, 9])))
    assert [w.text for w in words] == ["382,66"]


def test_line_builder_joins_an_amount_cut_before_its_decimals() -> None:
    from boekstuk.domain.extraction.layout import build_lines
    from boekstuk.domain.recognition import PageWords, Word

    page = PageWords(page=1, width=600, height=800, words=[
        Word(text="Totaal", x0=10, y0=10, x1=60, y1=30), Word(text="382", x0=300, y0=10, x1=330, y1=30),
        Word(text=",66", x0=334, y0=10, x1=355, y1=30)])
    assert build_lines([page])[0].text.endswith("382,66")


@pytest.mark.slow
def test_onnxruntime_sessions_keep_their_memory_arena() -> None:
    # Lines are recognised one by one at their own width: without the arena every call allocates anew.
    engine = LocalOcr()._get_engine()
    assert engine.text_rec.session.session.get_session_options().enable_cpu_mem_arena
    assert engine.text_det.infer.session.get_session_options().enable_cpu_mem_arena
    from rapidocr_onnxruntime.utils import infer_engine

    assert not infer_engine.OrtInferSession._init_sess_opts({}).enable_cpu_mem_arena  # only while building ours


def test_a_poster_sized_page_is_rendered_within_the_pixel_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    rendered: list[tuple[int, int]] = []

    def record(image: Image.Image, max_side: int) -> Image.Image:
        rendered.append(image.size)  # the bitmap pdfium rendered, before it is scaled down for OCR
        return image.resize((10, 10))

    monkeypatch.setattr(local_ocr, "_bounded", record)
    monkeypatch.setattr(LocalOcr, "_ocr", lambda self, image, page: PageWords(page=page, width=10, height=10, words=[]))
    # 4900 pt square passes the intake's page-size check; at 150 dpi it would be 10208 x 10208 px (417 MB).
    ocr = LocalOcr(max_pixels=60_000_000)
    ocr.words_from_pdf(docs.blank_pdf(1, width=4900, height=4900), max_pages=1)
    ocr.words_from_pdf(docs.blank_pdf(1), max_pages=1)  # A4 keeps its 150 dpi
    (poster_w, poster_h), a4 = rendered
    assert poster_w * poster_h <= 60_000_000 and poster_w > 7000
    assert a4[0] == 1240 and abs(a4[1] - 842 * 150 / 72) < 1
