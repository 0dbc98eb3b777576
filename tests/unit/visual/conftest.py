"""Documents generated on the fly with reportlab and Pillow (no files from outside the repository)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import reportlab
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

VERA = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"

INVOICE_LINES: list[tuple[float, float, str]] = [
    (330, 60, "Drukkerij Van Dijk B.V."),
    (330, 74, "Havenweg 3, 3011 AA Rotterdam"),
    (330, 88, "KvK 24330087"),
    (330, 102, "BTW NL810433941B01"),
    (50, 140, "Factuur aan"),
    (50, 154, "Klant Holding B.V."),
    (50, 168, "Uw BTW-nummer NL000099998B57"),
    (50, 230, "Factuurnummer: 2024/51802"),
    (50, 244, "Factuurdatum: 05-03-2024"),
    (50, 258, "Vervaldatum: 04-04-2024"),
    (320, 420, "Subtotaal"),
    (450, 420, "€ 1.234,56"),
    (320, 434, "BTW 21%"),
    (450, 434, "€ 259,26"),
    (320, 448, "Totaal te betalen"),
    (450, 448, "€ 1.493,82"),
    (50, 780, "IBAN NL91 ABNA 0417 1643 00"),
]


def make_pdf(lines: list[tuple[float, float, str]], *, size: tuple[float, float] = A4, font_size: float = 10,
             pages: int = 1) -> bytes:
    """A text PDF with each line drawn at (x, y-from-top) in points, in an embedded TrueType font."""
    if "Vera" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("Vera", str(VERA)))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=size)
    for _ in range(pages):
        pdf.setFont("Vera", font_size)
        for x, y, text in lines:
            pdf.drawString(x, size[1] - y - font_size, text)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.fixture(scope="session")
def invoice_pdf() -> bytes:
    return make_pdf(INVOICE_LINES)
