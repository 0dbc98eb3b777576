"""Intake safety: every bad input is refused as ``unreadable`` with its own reason; good inputs pass."""

from __future__ import annotations

import io

import pytest
from reportlab.lib import pdfencrypt
from reportlab.pdfgen import canvas

from boekstuk.adapters.recognition.limits import IntakeLimits
from boekstuk.adapters.recognition.sniff import REASONS, FileKind, check_intake, parse_xml, sniff
from boekstuk.domain.errors import UnreadableDocument
from tests.unit.recognition_intake import docs

UBL = b"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>F1</cbc:ID></Invoice>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&lol9;</ID></Invoice>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&xxe;</ID></Invoice>"""

XXE_PARAMETER = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>1</ID></Invoice>"""


def reason_of(content: bytes, filename: str = "upload", limits: IntakeLimits | None = None) -> str:
    with pytest.raises(UnreadableDocument) as caught:
        check_intake(content, filename=filename, limits=limits or IntakeLimits())
    assert caught.value.code == "unreadable"
    assert caught.value.detail and caught.value.detail != caught.value.default_detail
    reason = caught.value.extra["reason"]
    assert reason in REASONS
    return str(reason)


def test_empty_file_is_refused() -> None:
    assert reason_of(b"", "factuur.pdf") == "empty_file"
    assert reason_of(b"  \n\t ", "factuur.pdf") == "empty_file"


def test_file_over_the_size_limit_is_refused_before_it_is_parsed() -> None:
    content = docs.text_pdf()
    assert reason_of(content, "f.pdf", IntakeLimits(max_bytes=len(content) - 1)) == "too_large"
    assert check_intake(content, filename="f.pdf", limits=IntakeLimits(max_bytes=len(content))).kind is FileKind.PDF


def test_default_limit_is_twenty_megabytes() -> None:
    assert IntakeLimits().max_bytes == 20 * 1024 * 1024
    assert reason_of(b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024), "f.pdf") == "too_large"


def test_truncated_pdf_is_refused() -> None:
    content = docs.text_pdf()
    assert reason_of(content[: len(content) // 2], "factuur.pdf") == "pdf_truncated"


def test_corrupt_pdf_is_refused() -> None:
    assert reason_of(b"%PDF-1.7\n" + b"garbage " * 200 + b"\n%%EOF\n", "factuur.pdf") == "pdf_corrupt"


def test_encrypted_pdf_is_refused() -> None:
    assert reason_of(docs.text_pdf(password="geheim"), "factuur.pdf") == "pdf_encrypted"


def test_pdf_with_too_many_pages_is_refused() -> None:
    content = docs.blank_pdf(200)
    assert reason_of(content, "catalogus.pdf") == "too_many_pages"
    assert check_intake(docs.blank_pdf(50), filename="f.pdf").pages == 50


def test_pdf_with_a_giant_page_is_refused() -> None:
    assert reason_of(docs.blank_pdf(1, width=14000, height=14000), "poster.pdf") == "page_too_large"


def test_pdf_that_is_really_a_png_is_refused() -> None:
    assert reason_of(docs.image("PNG"), "factuur.pdf") == "type_mismatch"
    with pytest.raises(UnreadableDocument, match="presented as a PDF, but its content is a PNG image"):
        check_intake(docs.image("PNG"), filename="factuur.pdf")


def test_pdf_that_is_really_a_zip_is_refused() -> None:
    assert reason_of(docs.zip_file(["a.txt"]), "factuur.pdf") == "type_mismatch"


def test_declared_content_type_counts_as_a_claim() -> None:
    with pytest.raises(UnreadableDocument) as caught:
        check_intake(docs.image("PNG"), filename="upload", content_type="application/pdf")
    assert caught.value.extra["reason"] == "type_mismatch"


def test_zip_and_office_files_are_unsupported() -> None:
    assert reason_of(docs.zip_file(["a.txt"]), "bijlagen.zip") == "unsupported_type"
    assert sniff(docs.zip_file(["[Content_Types].xml", "word/document.xml"])).kind is FileKind.OFFICE
    assert reason_of(docs.zip_file(["[Content_Types].xml"]), "factuur.docx") == "unsupported_type"
    assert reason_of(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "factuur.doc") == "unsupported_type"


def test_other_files_are_unsupported() -> None:
    assert reason_of(docs.image("GIF"), "logo.gif") == "unsupported_type"
    assert reason_of(b"<!DOCTYPE html><html><body>hoi</body></html>", "page.html") == "unsupported_type"
    assert reason_of(b"just some text", "notes.txt") == "unsupported_type"


def test_decompression_bomb_png_is_refused_from_its_header() -> None:
    bomb = docs.png_with_header(100_000, 100_000)
    assert len(bomb) < 200
    assert reason_of(bomb, "scan.png") == "image_too_large"


def test_pillow_bomb_check_applies_even_above_our_own_limit() -> None:
    # Our limit set absurdly high: Pillow's MAX_IMAGE_PIXELS still refuses the bomb (as an error, not a warning).
    limits = IntakeLimits(max_image_pixels=10**12)
    assert reason_of(docs.png_with_header(100_000, 100_000), "scan.png", limits) == "image_too_large"


def test_image_over_the_pixel_limit_is_refused() -> None:
    limits = IntakeLimits(max_image_pixels=1000)
    assert reason_of(docs.image("JPEG", (50, 30)), "bon.jpg", limits) == "image_too_large"
    assert check_intake(docs.image("JPEG", (20, 30)), filename="bon.jpg", limits=limits).kind is FileKind.JPEG


def test_zero_by_zero_image_is_refused() -> None:
    assert reason_of(docs.png_with_header(0, 0), "scan.png") == "image_empty"
    assert reason_of(docs.png_with_header(100, 0), "scan.png") == "image_empty"


def test_corrupt_image_is_refused() -> None:
    png = docs.image("PNG", (200, 200))
    assert reason_of(png[:40] + b"\x00" * 30, "scan.png") == "image_corrupt"
    assert reason_of(b"\xff\xd8\xff\xe0" + b"\x00" * 10, "scan.jpg") == "image_corrupt"


def test_tiff_pages_are_counted_and_limited() -> None:
    assert check_intake(docs.tiff(3), filename="scan.tif").pages == 3
    assert reason_of(docs.tiff(4), "scan.tif", IntakeLimits(max_pages=3)) == "too_many_pages"


def test_billion_laughs_is_refused() -> None:
    assert reason_of(BILLION_LAUGHS, "factuur.xml") == "xml_entities"


def test_external_entity_is_refused_and_never_read() -> None:
    assert reason_of(XXE, "factuur.xml") == "xml_entities"
    assert reason_of(XXE_PARAMETER, "factuur.xml") == "xml_entities"
    # Even parsing directly never substitutes the file's contents.
    with pytest.raises(UnreadableDocument):
        parse_xml(XXE)


def test_doctype_without_entities_is_refused() -> None:
    content = b'<?xml version="1.0"?><!DOCTYPE Invoice SYSTEM "invoice.dtd"><Invoice/>'
    assert reason_of(content, "factuur.xml") == "xml_doctype"


def test_malformed_and_foreign_xml_are_refused() -> None:
    assert reason_of(b"<Invoice><ID>1</Invoice>", "factuur.xml") == "malformed_xml"
    assert reason_of(b"<order xmlns='urn:example'><id>1</id></order>", "order.xml") == "not_an_invoice_xml"


def test_every_bad_case_has_a_distinct_reason() -> None:
    cases = {
        "empty": reason_of(b"", "a.pdf"),
        "truncated": reason_of(docs.text_pdf()[:300], "a.pdf"),
        "corrupt": reason_of(b"%PDF-1.4\nxx\n%%EOF", "a.pdf"),
        "encrypted": reason_of(docs.text_pdf(password="x"), "a.pdf"),
        "pages": reason_of(docs.blank_pdf(51), "a.pdf"),
        "mismatch": reason_of(docs.image("PNG"), "a.pdf"),
        "bomb": reason_of(docs.png_with_header(50_000, 50_000), "a.png"),
        "zero": reason_of(docs.png_with_header(0, 0), "a.png"),
        "entities": reason_of(BILLION_LAUGHS, "a.xml"),
        "zip": reason_of(docs.zip_file(["x"]), "a.zip"),
    }
    assert len(set(cases.values())) == len(cases), cases


def test_kind_is_decided_by_the_bytes_not_the_name() -> None:
    assert check_intake(docs.image("PNG"), filename="scan").kind is FileKind.PNG
    assert (
        check_intake(docs.text_pdf(), filename="document.bin", content_type="application/octet-stream").kind
        is FileKind.PDF
    )
    assert check_intake(UBL, filename="export.txt").kind is FileKind.UBL
    # Images are interchangeable: a JPEG saved as .png by a phone app is still read.
    assert check_intake(docs.image("JPEG"), filename="foto.png").kind is FileKind.JPEG


def test_pdf_header_may_follow_leading_bytes() -> None:
    content = b"\r\n" * 10 + docs.text_pdf()
    assert sniff(content).kind is FileKind.PDF


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (UBL, FileKind.UBL),
        (
            UBL.replace(b"Invoice-2", b"CreditNote-2")
            .replace(b"<Invoice", b"<CreditNote")
            .replace(b"</Invoice", b"</CreditNote"),
            FileKind.UBL,
        ),
        (
            b"<rsm:CrossIndustryInvoice xmlns:rsm='urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100'/>",
            FileKind.CII,
        ),
        (b"<rsm:CrossIndustryDocument xmlns:rsm='urn:ferd:CrossIndustryDocument:invoice:1p0'/>", FileKind.CII),
        (b"\xef\xbb\xbf" + UBL, FileKind.UBL),
        (UBL.decode().replace("UTF-8", "UTF-16").encode("utf-16"), FileKind.UBL),
    ],
)
def test_einvoice_roots_are_recognised(content: bytes, kind: FileKind) -> None:
    assert sniff(content).kind is kind


def test_peppol_envelope_is_unwrapped() -> None:
    envelope = (
        b"<StandardBusinessDocument xmlns='http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader'>"
        b"<StandardBusinessDocumentHeader/>" + UBL.split(b"?>", 1)[1] + b"</StandardBusinessDocument>"
    )
    sniffed = sniff(envelope)
    assert sniffed.kind is FileKind.UBL
    assert sniffed.xml_root is not None and sniffed.xml_root.tag.endswith("Invoice")


def test_tiff_frames_are_counted_only_up_to_the_limit() -> None:
    assert reason_of(docs.tiff(60, size=(8, 8)), "scan.tiff") == "too_many_pages"


def test_xml_over_the_parser_safety_limits_is_refused_with_its_own_reason() -> None:
    huge_text = UBL.replace(b"<cbc:ID>F1</cbc:ID>", b"<cbc:Note>" + b"QUJD" * 2_750_000 + b"</cbc:Note>")
    assert reason_of(huge_text, "factuur.xml") == "xml_too_large"
    deep = b"<Invoice>" + b"<a>" * 300 + b"</a>" * 300 + b"</Invoice>"
    assert reason_of(deep, "factuur.xml") == "xml_too_large"


def test_pdf_with_only_an_owner_password_is_accepted() -> None:
    # Permission-only encryption (no password to open) is common on invoices from accounting software.
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, encrypt=pdfencrypt.StandardEncryption("", ownerPassword="eigenaar", canModify=0))
    pdf.drawString(72, 800, "Factuur 1")
    pdf.save()
    assert check_intake(buffer.getvalue(), filename="factuur.pdf").pages == 1
