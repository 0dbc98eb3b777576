"""What recognition produces: the ``recognition`` object of API.md, engine-independent.

Every engine (UBL/CII, PDF text layer, local OCR, Textract) yields the same ``Recognition``. Visual engines
first produce ``PageWords`` (positioned words) and hand them to the one shared field extractor.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

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


class Word(BaseModel):
    """One word (or OCR text fragment) on a page, with its box in page coordinates (points or pixels)."""

    model_config = ConfigDict(frozen=True)

    text: str
    x0: float
    y0: float  # top
    x1: float
    y1: float  # bottom
    confidence: float = 1.0


class PageWords(BaseModel):
    """The words of one page and the page's size in the same unit as the word boxes."""

    page: int  # 1-based
    width: float
    height: float
    words: list[Word]


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


class Recognition(BaseModel):
    """The engine-independent result of reading one document."""

    engine: Engine
    document_kind: DocumentKind = "invoice"
    fields: RecognisedFields = Field(default_factory=RecognisedFields)
    vat_lines: list[VatLine] = Field(default_factory=list)
    line_items: list[LineItem] = Field(default_factory=list)
    confidence: dict[str, float] = Field(default_factory=dict)
    source: dict[str, str] = Field(default_factory=dict)  # field -> "page 1 (412,88)-(520,100)" or an XPath
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
