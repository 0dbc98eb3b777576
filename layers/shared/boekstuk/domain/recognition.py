"""What recognition produces: the ``recognition`` object of API.md, engine-independent.

Every engine (UBL/CII, PDF text layer, local OCR, Textract) yields the same ``Recognition``. Visual engines
first produce ``PageWords`` (positioned words) and hand them to the one shared field extractor.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from boekstuk.domain.money import Money

Engine = Literal["ubl", "cii", "pdf_text", "local", "textract"]
"""Which engine read the document. ``local`` is local OCR; ``pdf_text`` a PDF's own text layer."""

DocumentKind = Literal["invoice", "credit_note", "receipt"]

FIELD_NAMES: tuple[str, ...] = (
    "supplier_name",
    "supplier_vat_id",
    "supplier_kvk",
    "supplier_iban",
    "invoice_number",
    "invoice_date",
    "due_date",
    "currency",
    "total_incl_vat",
    "total_excl_vat",
    "vat_total",
)
"""The key fields, in the order API.md and the CLI print them."""


UnitFraction = Annotated[float, Field(ge=0.0, le=1.0)]
"""A fraction of the page's width or height."""


class FieldLocation(BaseModel):
    """Where the page shows a field (API.md ``recognition.locations``), so a client can draw it over any rendering.

    ``page`` counts from 1; ``box`` is ``[left, top, right, bottom]`` as fractions of the page's width and height,
    origin at the top left of the page as a viewer displays it.
    """

    model_config = ConfigDict(frozen=True)

    page: int = Field(ge=1)
    box: Annotated[list[UnitFraction], Field(min_length=4, max_length=4)]

    @model_validator(mode="after")
    def _ordered(self) -> FieldLocation:
        left, top, right, bottom = self.box
        if left > right or top > bottom:
            raise ValueError("a box is [left, top, right, bottom] with left <= right and top <= bottom")
        return self


class Word(BaseModel):
    """One word (or OCR text fragment) on a page, with its box in the page's unit (points or pixels), origin at
    the top left of the page as the engine read it (see ``PageWords.turned``)."""

    model_config = ConfigDict(frozen=True)

    text: str
    x0: float
    y0: float  # top
    x1: float
    y1: float  # bottom
    confidence: float = 1.0


class PageWords(BaseModel):
    """The words of one page and the page's size in the same unit as the word boxes.

    Each engine's adapter converts its own coordinates into this frame once (pdfium's points from the bottom
    left, RapidOCR's pixel quadrilaterals, Textract's page fractions); ``location`` turns a box of this frame
    into fractions of the page as displayed.
    """

    page: int  # 1-based
    width: float
    height: float
    words: list[Word]
    turned: int = Field(default=0, ge=0, le=3)
    """Quarter turns clockwise the engine turned the displayed page to read its text upright (a page scanned
    sideways, a PDF page whose text runs sideways); the word boxes are in the turned page's frame."""
    skew: float = Field(default=0.0, ge=-45.0, le=45.0)
    """Degrees the text lines of the turned page sloped (clockwise as seen, y pointing down: positive when a line
    falls towards the right) before the engine levelled the word boxes by turning them back about the page's
    centre (a scan fed crooked). The page keeps its size; ``location`` turns a box's corners forward again."""

    def location(self, x0: float, y0: float, x1: float, y1: float) -> FieldLocation:
        """A box of this page's frame as fractions of the page as displayed (turned back, clipped to the page)."""
        width, height = self.width or 1.0, self.height or 1.0
        if self.skew:
            x0, y0, x1, y1 = _unlevel((x0, y0, x1, y1), self.skew, width / 2, height / 2)
        left, top, right, bottom = (_fraction(x0 / width), _fraction(y0 / height), _fraction(x1 / width),
                                    _fraction(y1 / height))
        if self.turned == 1:  # the page was turned clockwise: turn the box back counter-clockwise
            left, top, right, bottom = top, 1 - right, bottom, 1 - left
        elif self.turned == 2:
            left, top, right, bottom = 1 - right, 1 - bottom, 1 - left, 1 - top
        elif self.turned == 3:  # turned counter-clockwise: turn back clockwise
            left, top, right, bottom = 1 - bottom, left, 1 - top, right
        return FieldLocation(page=self.page, box=[round(v, 4) for v in (left, top, right, bottom)])


def turned_about(points: Sequence[Sequence[float]], degrees: float, cx: float, cy: float) -> list[list[float]]:
    """``(x, y)`` points turned by ``degrees`` (clockwise as seen, y pointing down) about (cx, cy). The OCR
    levels a crooked page's boxes with ``-skew``; ``location`` turns them back with ``skew``."""
    cos, sin = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return [[cx + (x - cx) * cos - (y - cy) * sin, cy + (x - cx) * sin + (y - cy) * cos] for x, y in points]


def _unlevel(box: tuple[float, float, float, float], degrees: float, cx: float, cy: float
             ) -> tuple[float, float, float, float]:
    """The box around a levelled box's corners turned by ``degrees`` (clockwise as seen) about (cx, cy): where
    the words lie on the sloping page."""
    x0, y0, x1, y1 = box
    corners = turned_about(((x0, y0), (x1, y0), (x1, y1), (x0, y1)), degrees, cx, cy)
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _fraction(value: float) -> float:
    return min(1.0, max(0.0, value))


class RecognisedFields(BaseModel):
    """The key fields. Absent means: not found on the document."""

    supplier_name: str | None = None
    supplier_vat_id: str | None = None
    supplier_kvk: str | None = None
    supplier_iban: str | None = None
    invoice_number: str | None = None
    invoice_date: str | None = None  # ISO YYYY-MM-DD
    due_date: str | None = None  # ISO YYYY-MM-DD
    currency: str | None = None  # ISO 4217
    total_incl_vat: Money | None = None
    total_excl_vat: Money | None = None
    vat_total: Money | None = None


class VatLine(BaseModel):
    """VAT per rate. ``rate`` is a percentage string (``"21"``, ``"9"``, ``"0"``); ``reverse_charge`` for verlegd."""

    rate: str
    base: Money
    amount: Money
    reverse_charge: bool = False
    category: str | None = None  # UNCL5305 code when the e-invoice gives one (S, Z, E, AE, K, ...)


class LineItem(BaseModel):
    description: str
    quantity: str | None = None
    unit_price: Money | None = None
    amount_excl_vat: Money | None = None
    vat_rate: str | None = None


class Buyer(BaseModel):
    """The party the invoice is addressed to (our administration, normally)."""

    name: str | None = None
    vat_id: str | None = None
    kvk: str | None = None
    iban: str | None = None
    """The buyer's own account, printed for a direct debit ("wordt afgeschreven van uw rekening NL...")."""


class KnownParty(BaseModel):
    """A party the system knows before it reads a document: the administration, or one of its suppliers."""

    name: str | None = None
    vat_id: str | None = None
    kvk: str | None = None
    iban: str | None = None
    code: str | None = None
    """The supplier's code in the package (for whoever reads a debug dump; the extractor reports what it read)."""


class ReadingHints(BaseModel):
    """What marks the parties on a page: the administration's own name and ids mark the buyer, and its synced
    suppliers are the names and ids the page is searched for. Every part is optional."""

    buyer: KnownParty | None = None
    suppliers: list[KnownParty] = Field(default_factory=list)


class Recognition(BaseModel):
    """The engine-independent result of reading one document."""

    engine: Engine
    document_kind: DocumentKind = "invoice"
    fields: RecognisedFields = Field(default_factory=RecognisedFields)
    vat_lines: list[VatLine] = Field(default_factory=list)
    line_items: list[LineItem] = Field(default_factory=list)
    confidence: dict[str, float] = Field(default_factory=dict)
    source: dict[str, str] = Field(default_factory=dict)  # field -> "page 1 (412,88)-(520,100)" or an XPath
    locations: dict[str, FieldLocation] = Field(default_factory=dict)
    """Field -> where the page shows it, for every field read from a page (none for XML, none for a value
    computed from others)."""
    buyer: Buyer | None = None
    supplier_address: str | None = None
    pages: int = 1
    warnings: list[str] = Field(default_factory=list)
    # Added by recognition intake/e-invoice (additive; absent for engines that cannot tell):
    supplier_legal_name: str | None = None  # registered name when it differs from the trading name in fields
    amount_due: Money | None = None  # what is left to pay (total minus prepaid, rounding, split payment)
    document_type_code: str | None = None  # UNCL1001 type code of an e-invoice (380, 381, 384, 389, ...)
    suspicious_content: str | None = None
    """What active or hidden content the file carries (JavaScript, automatic actions, embedded files, data before
    or after the PDF), as a sentence; ``None`` for a clean file. Such a file is still read; its warning says so."""
