"""Intake limits: what recognition agrees to open at all.

Every limit bounds time or memory before any expensive work starts (decoding an image, rendering a page,
expanding XML). The values are configuration, passed in by the composition root; the defaults follow
API.md (20 MB uploads) and what a purchase invoice plausibly is.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MB = 1024 * 1024


class IntakeLimits(BaseModel):
    """Upper bounds for one document; exceeding any one makes the document ``unreadable``."""

    model_config = ConfigDict(frozen=True)

    max_bytes: int = Field(default=20 * MB, gt=0)
    """API.md: uploads are at most 20 MB."""
    max_pages: int = Field(default=50, gt=0)
    """A purchase invoice with more pages is a catalogue or a mistake; OCR time grows with every page."""
    max_image_pixels: int = Field(default=60_000_000, gt=0)
    """Width x height of one image or TIFF frame: an A4 scan at 600 dpi is 35 MP, A3 at 600 dpi 70 MP.
    Decompression bombs declare far more; the header is checked before any pixel is decoded."""
    max_page_points: float = Field(default=5000.0, gt=0)
    """Longest side of a PDF page in points (1/72 in): about 1.76 m. Rendering a larger page for OCR
    would allocate a bitmap of gigabytes at scan resolution."""
    max_xml_bytes: int = Field(default=20 * MB, gt=0)
    """An XML attachment inside a PDF is held to the same bound as an upload."""
    max_stream_bytes: int = Field(default=256 * MB, gt=0)
    """One compressed part (stream) of a PDF, decompressed: a page's drawing is kilobytes, a 600 dpi colour scan of
    an A4 page about 100 MB. A 1 MB file can declare a stream of 1 GB; it is counted before any reader inflates it."""
    max_inflated_bytes: int = Field(default=2048 * MB, gt=0)
    """All compressed parts of a PDF together, decompressed: bounds the time counting them may take (seconds)."""


DEFAULT_LIMITS = IntakeLimits()
