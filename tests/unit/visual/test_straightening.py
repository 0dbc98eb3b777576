"""Local OCR straightens pages: scanned sideways, upside down or crooked, the key fields are still read, and the
word boxes still point at the place on the scan as the user sees it.

The pages are the project's own (``boekstuk_local.samples``, rendered clean and then turned here by a known angle),
so the expected places are the generator's drawing positions turned the same way.
"""

from __future__ import annotations

import io
import math
from decimal import Decimal

import numpy as np
import pytest
from PIL import Image, ImageFilter

from boekstuk.adapters.recognition.chain import LocalRecognizer
from boekstuk.adapters.recognition.local_ocr import (
    _clockwise_from_top_left,
    _turn_box,
    level_line,
    line_skew,
)
from boekstuk.domain.recognition import PageWords
from tests.unit.visual.drawn import Drawn, generated

# --- geometry, no model -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("quarters", [1, 2, 3])
def test_a_detected_box_turns_with_its_page(quarters: int) -> None:
    # A wide box at the top left of a 600 x 800 page.
    box = np.array([[60, 40], [180, 40], [180, 80], [60, 80]], dtype=np.float32)
    turned = _turn_box(box, quarters, 600, 800)
    expected = {1: [[720, 60], [760, 60], [760, 180], [720, 180]],  # clockwise: the left edge is now the top
                2: [[420, 720], [540, 720], [540, 760], [420, 760]],
                3: [[40, 420], [80, 420], [80, 540], [40, 540]]}[quarters]
    assert turned.tolist() == expected  # corners again top-left, top-right, bottom-right, bottom-left


def test_corners_are_ordered_as_the_detector_orders_them() -> None:
    shuffled = np.array([[10, 30], [50, 32], [8, 10], [48, 12]], dtype=np.float32)
    assert _clockwise_from_top_left(shuffled).tolist() == [[8, 10], [48, 12], [50, 32], [10, 30]]


def _sloping_line(x: float, y: float, length: float, degrees: float, height: float = 20.0) -> list[object]:
    """A RapidOCR line whose box starts at (x, y) and runs ``length`` px at ``degrees`` (falling to the right)."""
    cos, sin = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    top_left = (x, y)
    top_right = (x + length * cos, y + length * sin)
    bottom_right = (top_right[0] - height * sin, top_right[1] + height * cos)
    bottom_left = (x - height * sin, y + height * cos)
    box = [list(top_left), list(top_right), list(bottom_right), list(bottom_left)]
    return [box, "Totaal 1.234,56", 0.95]


@pytest.mark.parametrize("degrees", [-5.5, -2.0, 3.0, 6.0])
def test_the_slope_of_the_text_lines_is_measured_and_levelled(degrees: float) -> None:
    lines = [_sloping_line(100, 100 + 60 * i, 500 + 20 * i, degrees) for i in range(8)]
    lines.append(_sloping_line(100, 700, 40, 30.0))  # a short stamp at an angle: no evidence
    skew = line_skew(lines)
    assert skew == pytest.approx(degrees, abs=0.05)
    levelled = [level_line(line, skew, 600, 400) for line in lines[:8]]
    for line in levelled:
        (x0, y0), (x1, y1) = line[0][0], line[0][1]
        assert y1 == pytest.approx(y0, abs=0.01) and x1 > x0


def test_too_few_long_lines_say_nothing_about_the_slope() -> None:
    assert line_skew([_sloping_line(100, 100, 500, 4.0)] * 2) == 0.0


def test_a_levelled_box_is_located_where_it_lies_on_the_crooked_page() -> None:
    # A word on a 1000 x 1400 scan whose text falls 5 degrees to the right: levelled about the centre, then
    # located, its box is the box around the word as it lies on the scan.
    word = _sloping_line(300, 500, 120, 5.0, height=18)
    xs, ys = [p[0] for p in word[0]], [p[1] for p in word[0]]  # type: ignore[union-attr]
    on_scan = [min(xs) / 1000, min(ys) / 1400, max(xs) / 1000, max(ys) / 1400]
    (levelled_box, *_) = level_line(word, 5.0, 500, 700)
    lx, ly = [p[0] for p in levelled_box], [p[1] for p in levelled_box]
    page = PageWords(page=1, width=1000, height=1400, words=[], skew=5.0)
    assert page.location(min(lx), min(ly), max(lx), max(ly)).box == pytest.approx(on_scan, abs=2e-4)


def test_skew_and_a_quarter_turn_combine() -> None:
    # Read turned clockwise (a 1400 x 1000 frame) and levelled by 3 degrees; the box goes back through both.
    page = PageWords(page=1, width=1400, height=1000, words=[], turned=1, skew=3.0)
    plain = PageWords(page=1, width=1400, height=1000, words=[], turned=1)
    box = (650.0, 480.0, 750.0, 520.0)  # around the centre, where levelling moves it least
    assert page.location(*box).box == pytest.approx(plain.location(*box).box, abs=0.01)


# --- real OCR on the project's own pages ---------------------------------------------------------------------------


def _turned_point(x: float, y: float, size: tuple[int, int], turned_size: tuple[int, int],
                  degrees: float) -> tuple[float, float]:
    """Where pixel (x, y) of an image of ``size`` lands when PIL turns it ``degrees`` counter-clockwise with
    ``expand=True`` (centre to centre)."""
    cos, sin = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    dx, dy = x - size[0] / 2, y - size[1] / 2
    return turned_size[0] / 2 + dx * cos + dy * sin, turned_size[1] / 2 - dx * sin + dy * cos


def _expected_box(drawn: list[Drawn], value: str, size: tuple[int, int], turned_size: tuple[int, int],
                  degrees: float) -> list[float]:
    """The box around ``value`` as the generator drew it, turned with the page: fractions of the turned image."""
    box = next(b for b in (d.fraction_box(value) for d in drawn if d.page == 1) if b is not None)
    corners = [(box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3])]
    turned = [_turned_point(fx * size[0], fy * size[1], size, turned_size, degrees) for fx, fy in corners]
    xs, ys = [p[0] for p in turned], [p[1] for p in turned]
    return [min(xs) / turned_size[0], min(ys) / turned_size[1], max(xs) / turned_size[0], max(ys) / turned_size[1]]


def _scan(png: bytes, degrees: float) -> tuple[bytes, tuple[int, int], tuple[int, int]]:
    """The clean page turned ``degrees`` counter-clockwise on grey paper, slightly blurred, as a JPEG; with the
    page's and the scan's sizes."""
    page = Image.open(io.BytesIO(png)).convert("L")
    scan = page.rotate(degrees, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=235)
    scan = scan.filter(ImageFilter.GaussianBlur(0.6)).point(lambda v: int(v * 0.9 + 12))
    out = io.BytesIO()
    scan.save(out, format="JPEG", quality=80)
    return out.getvalue(), page.size, scan.size


@pytest.fixture(scope="module")
def recognizer() -> LocalRecognizer:
    return LocalRecognizer()


# (degrees counter-clockwise as PIL turns the page, the quarter turns clockwise that read it upright)
TURNS = [(90.0, 1), (181.0, 2), (269.0, 3), (4.5, 0), (-5.5, 0)]


@pytest.mark.slow
@pytest.mark.parametrize(("degrees", "quarters"), TURNS, ids=[f"{d:g}deg" for d, _ in TURNS])
def test_a_turned_or_crooked_scan_is_read_and_located(recognizer: LocalRecognizer, degrees: float,
                                                       quarters: int) -> None:
    sample, drawn = generated(7, layout="classic", fmt="png")
    content, size, turned_size = _scan(sample.content, degrees)
    page = recognizer.ocr.words_from_image(content)
    assert page.turned == quarters
    assert page.skew == pytest.approx(-(degrees - 90 * round(degrees / 90)), abs=0.6)
    recognition = recognizer.recognize(content, "scan.jpg", "image/jpeg")
    spec, fields = sample.spec, recognition.fields
    assert fields.invoice_number == spec.number
    assert fields.invoice_date == spec.issue_date.isoformat()
    assert (fields.supplier_iban or "").replace(" ", "") == spec.supplier.iban.replace(" ", "")
    truth = sample.truth["fields"]
    assert fields.total_incl_vat == abs(Decimal(str(truth["total_incl_vat"])))
    assert fields.vat_total == abs(Decimal(str(truth["vat_total"])))
    # The number's box, back on the scan as the user sees it, holds where the generator drew it, turned.
    expected = _expected_box(drawn, spec.number, size, turned_size, degrees)
    left, top, right, bottom = recognition.locations["invoice_number"].box
    centre = ((expected[0] + expected[2]) / 2, (expected[1] + expected[3]) / 2)
    assert left <= centre[0] <= right and top <= centre[1] <= bottom, (recognition.locations, expected)
    assert right - left <= 1.5 * (expected[2] - expected[0]) + 0.02
    assert bottom - top <= 1.5 * (expected[3] - expected[1]) + 0.02
