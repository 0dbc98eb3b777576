"""One document being read: its lines, its pages, the parties' blocks, and the fields chosen so far.

Every field family reads from a ``Reading`` and records its winners in it; the families run in a fixed order
(``extractor``) because later ones use earlier results (the due date must follow the invoice date, the
supplier's name sits near its VAT id). The label helpers here are shared by the families that pair values
with labels (dates, totals).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from boekstuk.domain.extraction import labels as L
from boekstuk.domain.extraction import weights as W
from boekstuk.domain.extraction.candidate import Candidate, ChosenFields, Span
from boekstuk.domain.extraction.known import KnownParties
from boekstuk.domain.extraction.layout import Line, build_lines, cell_at, make_line, same_type
from boekstuk.domain.extraction.parse import find_amounts
from boekstuk.domain.recognition import FieldLocation, KnownParty, PageWords, ReadingHints

LabelKinds = tuple[tuple[str, re.Pattern[str]], ...]
"""Label patterns by the kind of value they announce (``("due", L.DUE_DATE)``), in order of preference."""


class LabelHit(NamedTuple):
    """A label found in a line's text: characters ``start:end``, announcing a value of ``kind``."""

    start: int
    end: int
    kind: str


class LabelBox(NamedTuple):
    """A label's kind and its horizontal extent on the page (to find the values in its column)."""

    kind: str
    x0: float
    x1: float


@dataclass(frozen=True, slots=True)
class Region:
    """A rectangle on one page (a party's address block)."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float

    def holds(self, line: Line, start: int, end: int) -> bool:
        """Whether the centre of characters ``start:end`` of ``line`` lies inside."""
        x0, y0, x1, y1 = line.box(start, end)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        return line.page == self.page and self.x0 <= cx <= self.x1 and self.y0 <= cy <= self.y1


class Reading:
    """The state of one extraction, shared by the field families."""

    def __init__(self, pages: list[PageWords], hints: ReadingHints | None = None) -> None:
        self.pages = pages
        self.known = KnownParties.of(hints)
        self.known_supplier: KnownParty | None = None
        """The synced supplier whose id the page prints (set by ``parties``)."""
        self.lines = build_lines(pages)
        self.all_text = "\n".join(line.text for line in self.lines)
        self.fields = ChosenFields()
        self.warnings: list[str] = []
        self.buyer_regions: list[Region] = []
        self.supplier_regions: list[Region] = []
        self._label_cache: dict[tuple[int, tuple[str, ...]], list[LabelBox] | None] = {}
        self._pages_by_number = {page.page: page for page in pages}

    def put(self, name: str, winner: Candidate[Any]) -> None:
        """Record the winning candidate of field ``name``."""
        self.fields.put(name, winner)

    def warn_once(self, warning: str) -> None:
        """Add a warning unless it was given already."""
        if warning not in self.warnings:
            self.warnings.append(warning)

    def location(self, span: Span) -> FieldLocation | None:
        """Where the page shows ``span``: its words' box as fractions of the page as displayed."""
        page = self._pages_by_number.get(span.line.page)
        return page.location(*span.box) if page is not None else None

    def cell_below(self, line: Line, offset: int) -> Line | None:
        """The words right under the label ending at ``offset`` (a column header), as their own line."""
        label_start, _ = cell_at(line.text, max(0, offset))
        x0, _, x1, _ = line.box(label_start, offset + 1)
        for other in self.lines[line.index + 1: line.index + 4]:
            if other.page != line.page or other.y0 - line.y1 > 3 * line.height:
                break
            words = [w for w in other.words if w.x1 > x0 - 2 and w.x0 < x1 + 2 * line.height]
            if words:
                return make_line(self.pages[other.page - 1], words) if self.pages else None
        return None

    def words_above(self, line: Line, x0: float) -> Span | None:
        """The words of the line right above ``line`` (same page, at most about a line's height higher) that
        start where ``x0`` does, up to the first gap wider than a word space or change of type (a column's
        edge)."""
        if line.index == 0:
            return None
        above = self.lines[line.index - 1]
        if above.page != line.page or line.y0 - above.y1 > 1.5 * line.height:
            return None
        words = above.words
        first = next((i for i, word in enumerate(words) if abs(word.x0 - x0) <= line.height), None)
        if first is None:
            return None
        last = first
        while (last + 1 < len(words) and words[last + 1].x0 - words[last].x1 <= W.WORD_SPACE * line.height
               and same_type(words[last], words[last + 1])):
            last += 1
        return Span(above, above.spans[first][0], above.spans[last][1])

    def label_above(self, line: Line, start: int, end: int, kinds: LabelKinds) -> str | None:
        """The kind of label printed right above a value (tables with a header row)."""
        x0, _, x1, _ = line.box(start, end)
        for other in reversed(self.lines[max(0, line.index - 6): line.index]):
            if other.page != line.page or line.y0 - other.y1 > 6 * line.height:
                break
            labels = self.label_boxes(other, kinds)
            if labels is None:
                return None  # amounts under a product table's header are line amounts, never totals
            for label in labels:
                if label.x0 - line.height < x1 and x0 < label.x1 + line.height:
                    return label.kind
        return None

    def label_boxes(self, line: Line, kinds: LabelKinds) -> list[LabelBox] | None:
        """A line's labels of ``kinds`` with their x extent, in ``kinds`` order; None for an item-table header.

        Memoised: every amount on the page asks about the same few lines above it.
        """
        key = (line.index, tuple(kind for kind, _ in kinds))  # each kind name stands for one pattern
        if key not in self._label_cache:
            found: list[LabelBox] | None = None
            if not is_item_header(line.text):
                found = []
                for kind, pattern in kinds:
                    for match in pattern.finditer(line.text):
                        lx0, _, lx1, _ = line.box(match.start(), match.end())
                        found.append(LabelBox(kind, lx0, lx1))
            self._label_cache[key] = found
        return self._label_cache[key]


def is_item_header(text: str) -> bool:
    """A product table's header: a description column plus at least two more column titles, no amounts."""
    present = [k for k, p in L.TABLE_HEADER_WORDS.items() if p.search(text)]
    return "description" in present and len(present) >= 3 and not find_amounts(text)


def label_hits(text: str, kinds: LabelKinds) -> list[LabelHit]:
    """All label matches on a line, left to right; the longest label wins where labels overlap."""
    matches: list[tuple[int, int, str, int]] = []
    for order, (kind, pattern) in enumerate(kinds):
        for match in pattern.finditer(text):
            if match.end() > match.start():
                matches.append((match.start(), match.end(), kind, order))
    matches.sort(key=lambda m: (-(m[1] - m[0]), m[3]))
    hits: list[LabelHit] = []
    for start, end, kind, _ in matches:
        if any(hit.start < end and start < hit.end for hit in hits):
            continue
        hits.append(LabelHit(start, end, kind))
    hits.sort()
    return hits


STRONG_KINDS = frozenset({"excl", "incl_strong", "vat_total", "invoice", "due", "other", "not"})
"""Label kinds that a weaker word after them in the same cell does not override."""


def nearest_label(hits: list[LabelHit], offset: int, text: str = "") -> str | None:
    """The kind of label a value belongs to: the last one before it, unless a weak word (``BTW`` in
    ``Totaal excl. BTW``) only follows a stronger label in the same cell."""
    # A label may end inside the amount's currency sign ("total (RM)" reads the RM of "TOTAL RM152.00"),
    # never inside its digits (a date label "vom 1" that took a digit of the date is not before it).
    before = [h for h in hits if h.end <= offset or (h.start < offset and not re.search(r"\d", text[offset:h.end]))]
    if not before:
        return None
    last = before[-1]
    if last.kind not in STRONG_KINDS and text:
        cell_start, _ = cell_at(text, last.start)
        for hit in reversed(before[:-1]):
            if hit.start >= cell_start and hit.kind in STRONG_KINDS and hit.kind != "not":
                return hit.kind
    return last.kind
