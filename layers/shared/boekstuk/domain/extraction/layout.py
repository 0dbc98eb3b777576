"""Reading order: words into lines, line text that maps back to word boxes, and a line's cells."""

from __future__ import annotations

import bisect
import re
import statistics
import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple

from boekstuk.domain.extraction import weights as W
from boekstuk.domain.recognition import PageWords, Word

WIDE_GAP = "   "
"""Words far apart on one line (table columns, label and value far apart) are joined by three spaces."""


@dataclass(slots=True)
class Line:
    """One visual line: its words left to right, their joined text and each word's character span."""

    page: int
    words: list[Word]
    page_width: float
    page_height: float
    text: str = ""
    spans: list[tuple[int, int]] = field(default_factory=list)
    index: int = 0  # position in reading order over the whole document

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def y0(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def y1(self) -> float:
        return max(w.y1 for w in self.words)

    @property
    def height(self) -> float:
        return statistics.median(w.y1 - w.y0 for w in self.words)

    @property
    def rel_top(self) -> float:
        """Top of the line as a fraction of the page height (0 = top edge)."""
        return self.y0 / self.page_height if self.page_height else 0.0

    def box(self, start: int, end: int) -> tuple[float, float, float, float]:
        """The box of the words covering characters ``start:end`` of ``text``."""
        chosen = [w for w, (s, e) in zip(self.words, self.spans, strict=True) if s < end and start < e]
        if not chosen:
            chosen = self.words
        return (min(w.x0 for w in chosen), min(w.y0 for w in chosen), max(w.x1 for w in chosen),
                max(w.y1 for w in chosen))

    def x_at(self, offset: int) -> float:
        """Left x of the word holding character ``offset``."""
        for word, (s, e) in zip(self.words, self.spans, strict=True):
            if s <= offset < e or offset < s:
                return word.x0
        return self.x1

    def confidence(self, start: int, end: int) -> float:
        """The lowest engine confidence among the words covering ``start:end``."""
        chosen = [w.confidence for w, (s, e) in zip(self.words, self.spans, strict=True) if s < end and start < e]
        return min(chosen) if chosen else 1.0

    def source(self, start: int, end: int) -> str:
        """``page N (x0,y0)-(x1,y1)`` of the characters ``start:end``."""
        x0, y0, x1, y1 = self.box(start, end)
        return f"page {self.page} ({round(x0)},{round(y0)})-({round(x1)},{round(y1)})"


def build_lines(pages: list[PageWords]) -> list[Line]:
    """Group each page's words into lines (by vertical overlap) in reading order: top to bottom, left to right."""
    lines: list[Line] = []
    for page in pages:
        words = sorted((w for w in page.words if w.text.strip()), key=lambda w: ((w.y0 + w.y1) / 2, w.x0))
        rows: list[list[Word]] = []
        bounds: list[tuple[float, float]] = []  # each row's median top and bottom, updated as it grows
        edges: list[tuple[list[float], list[float]]] = []  # each row's tops and bottoms, kept sorted
        for word in words:
            mid = (word.y0 + word.y1) / 2
            height = max(word.y1 - word.y0, 1.0)
            best: int | None = None
            for index in range(max(0, len(rows) - 6), len(rows)):  # only recent rows can still overlap
                row_top, row_bottom = bounds[index]
                row_height = max(row_bottom - row_top, 1.0)
                if row_top - 0.1 * row_height <= mid <= row_bottom + 0.1 * row_height and (
                    abs(row_height - height) < 1.2 * max(row_height, height)
                ):
                    best = index
            if best is None:
                rows.append([word])
                bounds.append((word.y0, word.y1))
                edges.append(([word.y0], [word.y1]))
            else:
                rows[best].append(word)
                tops, bottoms = edges[best]
                bisect.insort(tops, word.y0)
                bisect.insort(bottoms, word.y1)
                bounds[best] = (_median(tops), _median(bottoms))
        for row in rows:
            row.sort(key=lambda w: w.x0)
            lines.append(make_line(page, row))
    for index, line in enumerate(lines):
        line.index = index
    return lines


_DECIMALS = re.compile(r"^[,.](?:\d{2}(?!\d)|\d{3}(?:[.,]\d{3})*[.,]\d{2}(?!\d))")
"""The rest of an amount after a stray OCR space: ",66" or ".395,95"."""


def _median(ordered: list[float]) -> float:
    """``statistics.median`` of a list that is already sorted."""
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def make_line(page: PageWords, words: list[Word]) -> Line:
    """One line from words already in left-to-right order (wide gaps become ``WIDE_GAP``)."""
    height = statistics.median(w.y1 - w.y0 for w in words)
    text = ""
    spans: list[tuple[int, int]] = []
    for i, word in enumerate(words):
        # NFKC: OCR engines trained on CJK text return full-width punctuation ("5.286，19", "Amount（RM）").
        word_text = unicodedata.normalize("NFKC", word.text)
        if i:
            gap = word.x0 - words[i - 1].x1
            if _DECIMALS.match(word_text) and text[-1:].isdigit() and gap < height:
                pass  # OCR cut an amount at a separator ("382 ,66", "4 .395,95"): join it again
            else:
                # Far apart, or in clearly different type (a letterhead's name running into a heading set
                # smaller beside it): separate cells.
                text += WIDE_GAP if gap > 1.5 * height or not same_type(word, words[i - 1]) else " "
        spans.append((len(text), len(text) + len(word_text)))
        text += word_text
    return Line(page=page.page, words=words, page_width=page.width, page_height=page.height, text=text, spans=spans)


def same_type(a: Word, b: Word) -> bool:
    """Whether two words are set in about the same type size (their heights within ``W.TYPE_SIZE_STEP``)."""
    low, high = sorted((a.y1 - a.y0, b.y1 - b.y0))
    return high <= W.TYPE_SIZE_STEP * low


class Cell(NamedTuple):
    """The characters ``start:end`` of one cell of a line's text (a part set off by ``WIDE_GAP``)."""

    start: int
    end: int


def cells(text: str) -> list[Cell]:
    """The cells of a line's text, left to right (parts separated by a wide gap)."""
    found: list[Cell] = []
    start = 0
    while True:
        gap = text.find(WIDE_GAP, start)
        if gap < 0:
            found.append(Cell(start, len(text)))
            return found
        found.append(Cell(start, gap))
        start = gap + len(WIDE_GAP)
        while start < len(text) and text[start] == " ":
            start += 1


def cell_at(text: str, offset: int) -> Cell:
    """The cell holding character ``offset`` (the gap after a cell counts as part of it)."""
    for cell in cells(text):
        if cell.start <= offset < cell.end + len(WIDE_GAP):
            return cell
    return Cell(0, len(text))


def same_cell(words: list[Word]) -> list[Word]:
    """The leading words that stand together (no gap wider than 1.5 line heights, as ``WIDE_GAP`` marks)."""
    group = words[:1]
    for word in words[1:]:
        if word.x0 - group[-1].x1 > 1.5 * max(word.y1 - word.y0, 1.0):
            break
        group.append(word)
    return group
