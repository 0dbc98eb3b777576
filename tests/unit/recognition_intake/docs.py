"""Small documents made on the fly for intake tests: PDFs (reportlab, pypdfium2), PNG/JPEG/TIFF (Pillow, raw chunks)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pypdfium2 as pdfium
from PIL import Image
from reportlab.lib import pdfencrypt
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def text_pdf(lines: list[str] | None = None, *, password: str | None = None) -> bytes:
    """A one-page A4 PDF with a text layer (optionally encrypted with a user password)."""
    buffer = io.BytesIO()
    encrypt = pdfencrypt.StandardEncryption(password, ownerPassword="owner-" + password) if password else None
    pdf = canvas.Canvas(buffer, pagesize=A4, encrypt=encrypt)
    y = 800.0
    for line in lines or ["Factuur F2024-0815", "Bakkerij De Vries B.V.", "Totaal EUR 121,00"]:
        pdf.drawString(72, y, line)
        y -= 16
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def blank_pdf(pages: int, *, width: float = 595, height: float = 842) -> bytes:
    """A PDF of ``pages`` empty pages, made with pdfium (200 pages take milliseconds)."""
    pdf = pdfium.PdfDocument.new()
    for _ in range(pages):
        pdf.new_page(width, height)
    buffer = io.BytesIO()
    pdf.save(buffer)
    pdf.close()
    return buffer.getvalue()


def pdf_with_attachments(attachments: dict[str, bytes], base: bytes | None = None) -> bytes:
    """A PDF (a text page by default) carrying the given embedded files, as Factur-X/ZUGFeRD do."""
    pdf = pdfium.PdfDocument(base or text_pdf())
    for name, data in attachments.items():
        pdf.new_attachment(name).set_data(data)
    buffer = io.BytesIO()
    pdf.save(buffer)
    pdf.close()
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_with_header(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width`` x ``height`` but which carries almost no data (a bomb's shape)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def image(kind: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    """A small real image in the given Pillow format."""
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format=kind)
    return buffer.getvalue()


def tiff(frames: int, size: tuple[int, int] = (40, 30)) -> bytes:
    """A multi-page TIFF."""
    buffer = io.BytesIO()
    pages = [Image.new("L", size, 255) for _ in range(frames)]
    pages[0].save(buffer, format="TIFF", save_all=True, append_images=pages[1:])
    return buffer.getvalue()


def zip_file(names: list[str]) -> bytes:
    """A ZIP archive holding empty files with these names (``[Content_Types].xml`` makes it an Office file)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, b"x")
    return buffer.getvalue()
