"""Intake safety: decide what a file really is from its bytes, and refuse what cannot be read safely.

The file name and declared content type are only claims: the bytes decide. Every refusal raises
``UnreadableDocument`` with a sentence in ``detail`` and a stable machine code in ``extra["reason"]``
(the codes are listed in ``REASONS``), in bounded time and memory: the size is checked first, images are
judged by their header before any pixel is decoded, PDFs first by their raw bytes (``pdf_screen``: streams
counted as they inflate, data outside the PDF) and then by pdfium's cross-reference table, XML by a parser
that expands no entities, loads no DTD and opens no network connection. A PDF with active content
(JavaScript, automatic actions, embedded files) is accepted; ``Intake.suspicious`` says what it carries.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from lxml import etree
from PIL import Image, UnidentifiedImageError

from boekstuk.adapters.recognition.limits import DEFAULT_LIMITS, IntakeLimits
from boekstuk.adapters.recognition.pdf_screen import screen_pdf
from boekstuk.domain.errors import UnreadableDocument


class FileKind(StrEnum):
    """What the bytes are."""

    PDF = "pdf"
    JPEG = "jpeg"
    PNG = "png"
    TIFF = "tiff"
    UBL = "ubl"
    CII = "cii"
    XML = "xml"  # well-formed XML, but not an invoice we know
    ZIP = "zip"
    OFFICE = "office"  # ZIP-based (docx, xlsx, odt) or OLE2 (doc, xls)
    EMPTY = "empty"
    OTHER = "other"


IMAGE_KINDS: Final = frozenset({FileKind.JPEG, FileKind.PNG, FileKind.TIFF})
EINVOICE_KINDS: Final = frozenset({FileKind.UBL, FileKind.CII})

REASONS: Final = frozenset(
    {
        "empty_file",
        "too_large",
        "unsupported_type",
        "type_mismatch",
        "xml_entities",
        "xml_doctype",
        "malformed_xml",
        "xml_too_large",
        "not_an_invoice_xml",
        "pdf_encrypted",
        "pdf_corrupt",
        "pdf_truncated",
        "polyglot",  # a PDF that is a web page too (HTML or script before its header)
        "decompression_bomb",  # a compressed part of a PDF expands past the limits
        "pdf_no_pages",
        "too_many_pages",
        "page_too_large",
        "image_corrupt",
        "image_empty",
        "image_too_large",
        "no_text",  # chain: nothing legible on the pages
        "engine_error",  # chain: an engine failed unexpectedly (logged with its traceback)
        "engine_refused",  # chain: an engine (pdfium, OCR, Textract) said it cannot read the document
        "too_much_memory",  # isolation: reading needed more memory than the worker process may use
        "too_slow",  # isolation: reading took longer than allowed
        "reader_crashed",  # isolation: the worker process died on the document
    }
)
"""The ``extra["reason"]`` codes of ``UnreadableDocument`` from recognition: stable, one per distinct cause."""

NS_UBL_INVOICE: Final = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_UBL_CREDIT_NOTE: Final = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS_CII_D16B: Final = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
NS_ZUGFERD1: Final = "urn:ferd:CrossIndustryDocument:invoice:1p0"
NS_SBDH: Final = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"

_EINVOICE_ROOTS: Final[dict[tuple[str, str], FileKind]] = {
    (NS_UBL_INVOICE, "Invoice"): FileKind.UBL,
    (NS_UBL_CREDIT_NOTE, "CreditNote"): FileKind.UBL,
    (NS_CII_D16B, "CrossIndustryInvoice"): FileKind.CII,
    (NS_ZUGFERD1, "CrossIndustryDocument"): FileKind.CII,
}

_PDF_ERRORS: Final[dict[int, tuple[str, str]]] = {
    pdfium_c.FPDF_ERR_PASSWORD: ("pdf_encrypted", "The PDF is protected with a password; send it without one."),
    pdfium_c.FPDF_ERR_SECURITY: ("pdf_encrypted", "The PDF uses an encryption scheme that cannot be opened."),
    pdfium_c.FPDF_ERR_FORMAT: ("pdf_corrupt", "The PDF is damaged: its structure cannot be read."),
    pdfium_c.FPDF_ERR_FILE: ("pdf_corrupt", "The PDF is damaged: the file cannot be read."),
}

_DECLARED_TYPES: Final[dict[str, str]] = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "image/jpeg": "image",
    "image/jpg": "image",
    "image/pjpeg": "image",
    "image/png": "image",
    "image/tiff": "image",
    "application/xml": "xml",
    "text/xml": "xml",
}
_DECLARED_EXTENSIONS: Final[dict[str, str]] = {
    "pdf": "pdf",
    "jpg": "image",
    "jpeg": "image",
    "png": "image",
    "tif": "image",
    "tiff": "image",
    "xml": "xml",
}
_FAMILY_NAMES: Final = {"pdf": "a PDF", "image": "an image", "xml": "an XML e-invoice"}


def _family(kind: FileKind) -> str:
    if kind is FileKind.PDF:
        return "pdf"
    if kind in IMAGE_KINDS:
        return "image"
    if kind in EINVOICE_KINDS or kind is FileKind.XML:
        return "xml"
    return kind.value


@dataclass(frozen=True, eq=False)
class Sniffed:
    """The kind of a file and a short human description of it."""

    kind: FileKind
    description: str
    xml_root: etree._Element | None = None
    """For UBL/CII: the invoice element (a Peppol business-document envelope already unwrapped)."""


@dataclass(frozen=True, eq=False)
class Intake:
    """A file that passed every intake check, with what was learned on the way."""

    kind: FileKind
    description: str
    pages: int = 1
    xml_root: etree._Element | None = None
    suspicious: tuple[str, ...] = ()
    """Active or hidden content found in a PDF, in plain words ("JavaScript", "12 KB after the end of the PDF")."""


def refuse(reason: str, detail: str) -> UnreadableDocument:
    """Build the ``UnreadableDocument`` for an intake refusal (``reason`` is one of ``REASONS``)."""
    return UnreadableDocument(detail, reason=reason)


# --- XML ---------------------------------------------------------------------------------------------


def safe_xml_parser() -> etree.XMLParser:
    """An lxml parser that expands no entities, loads no DTD, never touches the network, keeps size limits."""
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _mentions_entities(content: bytes) -> bool:
    needle = "<!ENTITY"
    return any(needle.encode(enc) in content for enc in ("utf-8", "utf-16-le", "utf-16-be"))


MAX_XML_ELEMENTS: Final = 500_000
"""An e-invoice of 10,000 lines has about 300,000 elements. lxml needs about 120 bytes per element: a 16 MB file
of empty elements would otherwise become a 500 MB tree."""


def parse_xml(content: bytes) -> etree._Element:
    """Parse XML safely and return its root; any DTD or entity declaration is refused as unreadable."""
    # Every element opens with "<" and all but empty ones close with "</": the difference counts the elements
    # (and a few comments), at memchr speed, before any tree is built.
    elements = content.count(b"<") - content.count(b"</")
    if elements > MAX_XML_ELEMENTS:
        raise refuse(
            "xml_too_large",
            f"The XML has about {elements:,} elements; an e-invoice has far fewer (10,000 invoice lines are about "
            "300,000), so it is refused for safety.",
        )
    try:
        root = etree.fromstring(content, safe_xml_parser())
    except etree.XMLSyntaxError as exc:
        if _mentions_entities(content):
            raise refuse(
                "xml_entities", "The XML declares entities (entity expansion or external entities); refused for safety."
            ) from exc
        if "Resource limit exceeded" in (exc.msg or "") or "huge" in (exc.msg or "").lower():
            # libxml2's safety limits (huge_tree off): a text node over 10 MB, nesting over 256 levels.
            raise refuse(
                "xml_too_large",
                "The XML exceeds the parser's safety limits (a text part over 10 MB, such as a very large embedded "
                "attachment, or nesting too deep); refused for safety.",
            ) from exc
        raise refuse("malformed_xml", f"The XML is not well-formed: {exc.msg}.") from exc
    if root is None:  # lxml returns None for some recoverable empty inputs
        raise refuse("malformed_xml", "The XML has no root element.")
    docinfo = root.getroottree().docinfo
    dtd = docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise refuse(
            "xml_entities", "The XML declares entities (entity expansion or external entities); refused for safety."
        )
    if dtd is not None or docinfo.doctype or docinfo.system_url:
        raise refuse("xml_doctype", "The XML carries a DOCTYPE; e-invoices never do, so it is refused for safety.")
    return root


def _qname(element: etree._Element) -> tuple[str, str]:
    q = etree.QName(element)
    return (q.namespace or "", q.localname)


def _sniff_xml(content: bytes) -> Sniffed:
    root = parse_xml(content)
    ns, local = _qname(root)
    if (ns, local) == (NS_SBDH, "StandardBusinessDocument"):
        # A Peppol envelope: the invoice is the child after the header.
        for child in root:
            if isinstance(child.tag, str) and _qname(child) in _EINVOICE_ROOTS:
                root = child
                ns, local = _qname(child)
                break
    kind = _EINVOICE_ROOTS.get((ns, local))
    if kind is FileKind.UBL:
        return Sniffed(kind, f"a UBL {local}", root)
    if kind is FileKind.CII:
        return Sniffed(kind, "a ZUGFeRD 1 CII invoice" if ns == NS_ZUGFERD1 else "a UN/CEFACT CII invoice", root)
    return Sniffed(FileKind.XML, f"an XML document <{local}>{f' in namespace {ns}' if ns else ''}")


# --- sniffing ----------------------------------------------------------------------------------------


def _strip_xml_start(content: bytes) -> bytes:
    head = content[:4096]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    # UTF-16 XML has NULs between ASCII characters; dropping them is enough to see the first '<'.
    return head.replace(b"\x00", b"").lstrip()


def sniff(content: bytes) -> Sniffed:
    """Classify a file by its bytes. Raises ``UnreadableDocument`` only for XML that cannot be parsed safely."""
    if not content or not content.strip():
        return Sniffed(FileKind.EMPTY, "an empty file")
    if b"%PDF-" in content[:1024]:  # readers accept the header anywhere in the first KB
        return Sniffed(FileKind.PDF, "a PDF")
    if content.startswith(b"\xff\xd8\xff"):
        return Sniffed(FileKind.JPEG, "a JPEG image")
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed(FileKind.PNG, "a PNG image")
    if content[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return Sniffed(FileKind.TIFF, "a TIFF image")
    if content[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return _sniff_zip(content)
    if content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return Sniffed(FileKind.OFFICE, "a legacy Microsoft Office document (doc/xls)")
    other = _other_signature(content)
    if other:
        return Sniffed(FileKind.OTHER, other)
    start = _strip_xml_start(content)
    if start.startswith(b"<"):
        if start[:15].lower().startswith((b"<!doctype html", b"<html")):
            return Sniffed(FileKind.OTHER, "an HTML page")
        return _sniff_xml(content)
    return Sniffed(FileKind.OTHER, "of an unknown type")


def _sniff_zip(content: bytes) -> Sniffed:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()  # reads the central directory only, never decompresses
    except (zipfile.BadZipFile, ValueError, OSError):
        return Sniffed(FileKind.ZIP, "a damaged ZIP archive")
    if "[Content_Types].xml" in names:
        return Sniffed(FileKind.OFFICE, "a Microsoft Office document (docx/xlsx/pptx)")
    if "mimetype" in names:
        return Sniffed(FileKind.OFFICE, "an OpenDocument file (odt/ods)")
    return Sniffed(FileKind.ZIP, f"a ZIP archive with {len(names)} file(s)")


def _other_signature(content: bytes) -> str | None:
    if content.startswith((b"GIF87a", b"GIF89a")):
        return "a GIF image"
    if content.startswith(b"BM"):
        return "a BMP image"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "a WebP image"
    if content[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypavif"):
        return "a HEIC/AVIF image"
    if content.startswith((b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")):
        return "a compressed archive"
    if content.startswith((b"\x7fELF", b"MZ")):
        return "a program"
    return None


# --- the intake check --------------------------------------------------------------------------------


def declared_family(filename: str, content_type: str | None) -> set[str]:
    """What the uploader claims the file is (``pdf``, ``image``, ``xml``), from content type and extension."""
    claims: set[str] = set()
    if content_type:
        family = _DECLARED_TYPES.get(content_type.split(";")[0].strip().lower())
        if family:
            claims.add(family)
    if "." in filename:
        family = _DECLARED_EXTENSIONS.get(filename.rsplit(".", 1)[1].strip().lower())
        if family:
            claims.add(family)
    return claims


def check_intake(
    content: bytes,
    *,
    filename: str = "",
    content_type: str | None = None,
    limits: IntakeLimits = DEFAULT_LIMITS,
) -> Intake:
    """Sniff a file and apply every limit; return what it is, or raise ``UnreadableDocument`` with a reason."""
    if len(content) > limits.max_bytes:
        raise refuse(
            "too_large",
            f"The file is {len(content) / 1024 / 1024:.1f} MB; at most {limits.max_bytes // 1024 // 1024} MB is accepted.",
        )
    sniffed = sniff(content)
    if sniffed.kind is FileKind.EMPTY:
        raise refuse("empty_file", "The file is empty.")
    claims = declared_family(filename, content_type)
    actual = _family(sniffed.kind)
    if claims and actual not in claims:
        named = " or ".join(sorted(_FAMILY_NAMES.get(c, c) for c in claims))
        raise refuse("type_mismatch", f"The file is presented as {named}, but its content is {sniffed.description}.")
    if sniffed.kind in (FileKind.ZIP, FileKind.OFFICE, FileKind.OTHER):
        raise refuse(
            "unsupported_type",
            f"The file is {sniffed.description}; send a PDF, JPEG, PNG or TIFF, or a UBL/CII e-invoice.",
        )
    if sniffed.kind is FileKind.XML:
        raise refuse("not_an_invoice_xml", f"The file is {sniffed.description}, not a UBL or CII e-invoice.")
    if sniffed.kind is FileKind.PDF:
        found = screen_pdf(content, limits)  # before pdfium: bombs are refused before anything inflates them
        pages, attached = check_pdf(content, limits)
        return Intake(sniffed.kind, sniffed.description, pages=pages, suspicious=tuple(found + attached))
    if sniffed.kind in IMAGE_KINDS:
        return Intake(sniffed.kind, sniffed.description, pages=check_image(content, limits))
    return Intake(sniffed.kind, sniffed.description, xml_root=sniffed.xml_root)


def check_pdf(content: bytes, limits: IntakeLimits = DEFAULT_LIMITS) -> tuple[int, list[str]]:
    """Open a PDF with pdfium and check it is unencrypted and within the page limits.

    Returns its page count and its embedded files other than XML (the e-invoice of a Factur-X/ZUGFeRD PDF), each
    as a finding in plain words. ``screen_pdf`` runs first: it refuses truncated files and decompression bombs.
    """
    try:
        pdf = pdfium.PdfDocument(content)
    except pdfium.PdfiumError as exc:
        reason, detail = _PDF_ERRORS.get(
            getattr(exc, "err_code", None) or -1, ("pdf_corrupt", "The PDF is damaged and cannot be opened.")
        )
        raise refuse(reason, detail) from exc
    try:
        pages = len(pdf)
        if pages == 0:
            raise refuse("pdf_no_pages", "The PDF has no pages.")
        if pages > limits.max_pages:
            raise refuse("too_many_pages", f"The PDF has {pages} pages; at most {limits.max_pages} are accepted.")
        for index in range(pages):
            try:
                width, height = pdf.get_page_size(index)
            except pdfium.PdfiumError as exc:
                raise refuse("pdf_corrupt", f"The PDF is damaged: page {index + 1} cannot be read.") from exc
            if max(width, height) > limits.max_page_points:
                raise refuse(
                    "page_too_large",
                    f"Page {index + 1} of the PDF is {width / 72 * 2.54:.0f} x {height / 72 * 2.54:.0f} cm; too large to read.",
                )
            if width <= 0 or height <= 0:
                raise refuse("pdf_corrupt", f"Page {index + 1} of the PDF has no size.")
        try:
            pdf[0].close()  # a broken page tree shows up when the first page is loaded
        except pdfium.PdfiumError as exc:
            raise refuse("pdf_corrupt", "The PDF is damaged: its first page cannot be loaded.") from exc
        return pages, _attachments(pdf)
    finally:
        pdf.close()


def _attachments(pdf: pdfium.PdfDocument) -> list[str]:
    """The embedded files that are not XML, as findings (an e-invoice PDF carries exactly its XML)."""
    names: list[str] = []
    for index in range(pdf.count_attachments()):
        try:
            name = pdf.get_attachment(index).get_name() or "(no name)"
        except pdfium.PdfiumError:
            name = "(unreadable name)"
        if not name.lower().endswith(".xml"):
            names.append(name)
    if not names:
        return []
    shown = ", ".join(f"'{name[:80]}'" for name in names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return [f"embedded file{'s' if len(names) > 1 else ''} {shown}"]


def check_image(content: bytes, limits: IntakeLimits = DEFAULT_LIMITS) -> int:
    """Check an image's header (and every TIFF frame) against the pixel limits; return its frame count."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and content[12:16] == b"IHDR":
        # Pillow refuses a 0x0 PNG as "unidentified"; read the header first to say what is wrong.
        _check_size((int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")), 0, 1, limits)
    try:
        with warnings.catch_warnings():
            # Pillow chatters about damaged metadata (UserWarning); the verdict below says what matters.
            warnings.simplefilter("ignore", UserWarning)
            # Pillow's own bomb check (MAX_IMAGE_PIXELS) becomes an error too, not just a warning.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                frames = _count_frames(image, limits)
                for frame in range(frames):
                    if frame:
                        image.seek(frame)
                    _check_size(image.size, frame, frames, limits)
                if image.format == "PNG":
                    image.verify()  # checks chunk CRCs and the end marker without decoding pixels
            return frames
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise refuse(
            "image_too_large",
            "The image declares more pixels than can be read safely; at most "
            f"{limits.max_image_pixels // 1_000_000} megapixels are accepted.",
        ) from exc
    except UnidentifiedImageError as exc:
        raise refuse("image_corrupt", "The image is damaged or in a format that cannot be read.") from exc
    except UnreadableDocument:
        raise
    except Exception as exc:
        # Pillow's header parsers report damage as many kinds (OSError, SyntaxError, ValueError, TypeError,
        # KeyError, struct.error, ...: found by fuzzing damaged TIFFs); all mean the same for us.
        raise refuse("image_corrupt", f"The image is damaged: {exc or type(exc).__name__}.") from exc


def _count_frames(image: Image.Image, limits: IntakeLimits) -> int:
    """Frames of a multi-page image, counted only up to the page limit: a TIFF can chain millions of IFDs."""
    if image.format != "TIFF" and not getattr(image, "is_animated", False):
        return 1
    frames = 0
    try:
        while True:
            image.seek(frames)
            frames += 1
            if frames > limits.max_pages:
                raise refuse(
                    "too_many_pages",
                    f"The image has more than {limits.max_pages} pages; at most that many are accepted.",
                )
    except EOFError:
        pass
    image.seek(0)
    return frames


def _check_size(size: tuple[int, int], frame: int, frames: int, limits: IntakeLimits) -> None:
    width, height = size
    where = f" (page {frame + 1})" if frames > 1 else ""
    if width <= 0 or height <= 0:
        raise refuse("image_empty", f"The image{where} has no pixels ({width}x{height}).")
    if width * height > limits.max_image_pixels:
        raise refuse(
            "image_too_large",
            f"The image{where} is {width}x{height} pixels; at most {limits.max_image_pixels // 1_000_000} megapixels are accepted.",
        )
