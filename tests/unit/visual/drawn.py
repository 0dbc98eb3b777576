"""Where the sample generator draws each string, recorded from its own drawing calls (not read back from the PDF).

``generated(seed, ...)`` makes a ``boekstuk_local.samples`` document while recording every ``Sheet.text`` call:
the string, its page, and its box in points from the top left computed from the font metrics the generator
drew it with. Tests compare ``recognition.locations`` with these positions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth

from boekstuk.domain.recognition import FieldLocation
from boekstuk_local.samples import SampleDocument, make_document
from boekstuk_local.samples import pdf as sample_pdf


@dataclass(frozen=True)
class Drawn:
    """One string the generator drew: its page, where its text starts, its baseline and its font."""

    page: int
    text: str
    x0: float
    baseline: float  # points below the top of the page
    font: str
    size: float
    page_width: float
    page_height: float

    def box_of(self, part: str) -> tuple[float, float, float, float] | None:
        """``(left, top, right, bottom)`` in points from the top left of ``part`` inside this string."""
        index = self.text.find(part)
        if index < 0:
            return None
        left = self.x0 + stringWidth(self.text[:index], self.font, self.size)
        right = left + stringWidth(part, self.font, self.size)
        ascent, descent = getAscentDescent(self.font, self.size)
        return left, self.baseline - ascent, right, self.baseline - descent

    def fraction_box(self, part: str) -> tuple[float, float, float, float] | None:
        """``box_of`` as fractions of the page."""
        box = self.box_of(part)
        if box is None:
            return None
        left, top, right, bottom = box
        return (left / self.page_width, top / self.page_height, right / self.page_width, bottom / self.page_height)


@contextmanager
def recording() -> Iterator[list[tuple[int, Drawn]]]:
    """Record every ``Sheet.text`` call as ``(id of its canvas, Drawn)`` while the block runs."""
    calls: list[tuple[int, Drawn]] = []
    original = sample_pdf.Sheet.text

    def text(self: Any, x: float, y: float, value: str, *, size: float = 9, bold: bool = False,
             align: str = "left", **kwargs: Any) -> None:
        font = self.bold if bold else self.style.font
        width = stringWidth(value, font, size)
        left = x - width if align == "right" else x - width / 2 if align == "center" else x
        calls.append((id(self.c), Drawn(self.c.getPageNumber(), value, left, y, font, size, self.width, self.height)))
        original(self, x, y, value, size=size, bold=bold, align=align, **kwargs)  # type: ignore[arg-type]

    sample_pdf.Sheet.text = text  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        sample_pdf.Sheet.text = original  # type: ignore[method-assign]


def generated(seed: int, **options: Any) -> tuple[SampleDocument, list[Drawn]]:
    """``make_document(seed, **options)`` and the strings drawn on the pages it returns (a layout that draws
    twice to count its pages keeps the second drawing)."""
    with recording() as calls:
        sample = make_document(seed, **options)
    last = calls[-1][0] if calls else None
    return sample, [drawn for canvas, drawn in calls if canvas == last]


def shows(location: FieldLocation, drawn: list[Drawn], value: str, *, slack: float = 0.0) -> bool:
    """Whether ``location`` holds the centre of ``value`` where the generator drew it (on the same page), and
    is no more than a line taller and a few characters wider than it (not a whole block or page)."""
    left, top, right, bottom = location.box
    for item in drawn:
        box = item.fraction_box(value) if item.page == location.page else None
        if box is None:
            continue
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        inside = left - slack <= cx <= right + slack and top - slack <= cy <= bottom + slack
        tight = (right - left) <= 2 * (box[2] - box[0]) + 0.05 and (bottom - top) <= 3 * (box[3] - box[1])
        if inside and tight:
            return True
    return False
