"""Hostile documents made on the fly: decompression bombs, giant images, page floods, active PDF content.

Everything here is small on disk and built in milliseconds; what matters is what it turns into when a
reader opens it. PDFs are written byte by byte (``raw_pdf``) so each trick is exactly what the test says.
"""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

MIB = 1024 * 1024
GIB = 1024 * MIB


def zeros_deflated(size: int) -> bytes:
    """zlib data that inflates to ``size`` zero bytes (a multiple of 1 MiB), made without compressing ``size`` bytes.

    One MiB of zeros is deflated twice with a full flush between: from the second time on the compressed bytes
    are identical, so the middle is that block repeated. The adler-32 of n zeros is ``(n mod 65521) << 16 | 1``.
    """
    block = MIB
    assert size % block == 0 and size >= 2 * block
    compressor = zlib.compressobj(9)
    first = compressor.compress(bytes(block)) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(bytes(block)) + compressor.flush(zlib.Z_FULL_FLUSH)
    final_block = compressor.flush()[:-4]  # the empty last block; its checksum covers only two blocks
    adler = ((size % 65521) << 16) | 1
    return first + repeated * (size // block - 1) + final_block + adler.to_bytes(4, "big")


def raw_pdf(objects: list[bytes], *, root: int = 1, after_eof: bytes = b"", before_header: bytes = b"") -> bytes:
    """A PDF of the given object bodies (object 1 is the first), with a correct cross-reference table."""
    out = bytearray(before_header + b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out) + after_eof


def stream(data: bytes, entries: bytes = b"") -> bytes:
    """An object body: a stream with its ``/Length`` and the given dictionary entries."""
    return b"<< /Length %d %s>>\nstream\n" % (len(data), entries) + data + b"\nendstream"


def one_page_pdf(contents: bytes, *, catalog: bytes = b"", page: bytes = b"", extra: list[bytes] | None = None,
                 after_eof: bytes = b"", before_header: bytes = b"") -> bytes:
    """A one-page PDF: catalog (1), pages (2), page (3), content stream body (4), then ``extra`` objects (5, ...)."""
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> " + page + b">>",
        contents,
        *(extra or []),
    ], after_eof=after_eof, before_header=before_header)


TEXT = stream(b"BT /F1 12 Tf 72 770 Td (Factuur F2024-0815 Molen De Hoop B.V. Totaal EUR 121,00) Tj ET")
"""A content stream with a line of text (object 4 of ``one_page_pdf``)."""


def flate_bomb_pdf(size: int = GIB, *, layers: int = 1) -> bytes:
    """A one-page PDF whose content stream inflates to ``size`` bytes of zeros, through ``layers`` FlateDecode filters.

    One layer: about 1 KB per MiB (a 1 GiB bomb is a 1 MB file). Two layers: a few KB for the same gigabyte.
    """
    data = zeros_deflated(size)
    for _ in range(layers - 1):
        data = zlib.compress(data, 9)
    filters = b"[" + b" ".join([b"/FlateDecode"] * layers) + b"]"
    return one_page_pdf(stream(data, b"/Filter " + filters + b" "))


def hex_flate_bomb_pdf(size: int = GIB) -> bytes:
    """A one-page PDF whose content stream, hex-encoded and then deflated, inflates to ``size`` bytes.

    The hex layer hides the zlib data from the intake's stream check: only the worker's memory limit stops it.
    """
    data = zeros_deflated(size).hex().encode() + b">"
    return one_page_pdf(stream(data, b"/Filter [/ASCIIHexDecode /FlateDecode] "))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width`` x ``height`` but which carries almost no pixel data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def tiff_header_only(width: int, height: int) -> bytes:
    """A TIFF whose first frame declares ``width`` x ``height`` (a small real TIFF with its size fields rewritten)."""
    buffer = io.BytesIO()
    Image.new("L", (1, 1), 255).save(buffer, format="TIFF")
    data = bytearray(buffer.getvalue())
    ifd = struct.unpack_from("<I", data, 4)[0]
    for index in range(struct.unpack_from("<H", data, ifd)[0]):
        entry = ifd + 2 + 12 * index
        tag, kind = struct.unpack_from("<HH", data, entry)
        if tag in (256, 257):  # ImageWidth, ImageLength
            value = width if tag == 256 else height
            if kind == 3:  # SHORT: widen to LONG so any size fits
                struct.pack_into("<HHII", data, entry, tag, 4, 1, value)
            else:
                struct.pack_into("<I", data, entry + 8, value)
    return bytes(data)


def nested_xml(depth: int) -> bytes:
    """A UBL invoice with ``depth`` nested elements inside it."""
    return (b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">' + b"<a>" * depth
            + b"</a>" * depth + b"</Invoice>")


def wide_xml(elements: int) -> bytes:
    """A UBL invoice with ``elements`` empty sibling elements: a big tree from a file within the size limit."""
    return b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">' + b"<a/>" * elements + b"</Invoice>"


# --- active and hidden content -----------------------------------------------------------------------

JS_ACTION = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"


def text_pdf_with(*, catalog: bytes = b"", page: bytes = b"", extra: list[bytes] | None = None,
                  after_eof: bytes = b"", before_header: bytes = b"") -> bytes:
    """The one-page text PDF of ``TEXT`` with extra catalog or page entries, objects (5, ...), or bytes around it."""
    return one_page_pdf(TEXT, catalog=catalog, page=page, extra=extra, after_eof=after_eof, before_header=before_header)


def object_stream_pdf(catalog_entries: bytes) -> bytes:
    """A PDF 1.5 whose catalog sits compressed in an object stream (so its names never appear in the file's bytes).

    Objects: 1 catalog (in object stream 5), 2 pages, 3 page, 4 contents, 5 the object stream, 6 the
    cross-reference stream that finds object 1 inside object 5.
    """
    catalog = b"<< /Type /Catalog /Pages 2 0 R " + catalog_entries + b" >>"
    objstm_header = b"1 0 "
    objstm = objstm_header + catalog
    plain = [
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
        TEXT,
        stream(zlib.compress(objstm), b"/Type /ObjStm /N 1 /First %d /Filter /FlateDecode " % len(objstm_header)),
    ]
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in enumerate(plain, start=2):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    offsets[6] = len(out)
    rows = [struct.pack(">BIH", 0, 0, 0xFFFF), struct.pack(">BIH", 2, 5, 0)]
    rows += [struct.pack(">BIH", 1, offsets[number], 0) for number in range(2, 7)]
    xref = zlib.compress(b"".join(rows))
    out += b"6 0 obj\n" + stream(xref, b"/Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode ") \
        + b"\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[6]
    return bytes(out)
