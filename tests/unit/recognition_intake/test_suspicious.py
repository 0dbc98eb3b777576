"""Active and hidden content in PDFs: found, described in plain words, and the document still read.

Suppliers do send PDFs with scripts, automatic actions, attachments or data appended to them; the
bookkeeper reads them, but should know and never open the original in a browser.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from boekstuk.adapters.recognition.chain import LocalRecognizer
from boekstuk.adapters.recognition.sniff import check_intake
from boekstuk.domain.errors import UnreadableDocument
from tests.unit.recognition_intake import bombs, docs
from tests.unit.recognition_intake.test_chain import INVOICE_LINES

CII = (Path(__file__).parent.parent / "einvoice" / "fixtures" / "cii_invoice.xml").read_bytes()
APPENDED_ZIP = docs.zip_file([f"payload-{n}.txt" for n in range(40)])  # about 4 KB


def findings(content: bytes) -> tuple[str, ...]:
    return check_intake(content, filename="factuur.pdf").suspicious


@pytest.mark.parametrize(("content", "expected"), [
    (bombs.text_pdf_with(catalog=b"/OpenAction " + bombs.JS_ACTION),
     ["JavaScript", "an action that runs as soon as the document is opened (/OpenAction)"]),
    (bombs.text_pdf_with(catalog=b"/Names << /JavaScript << /Names [(x) 5 0 R] >> >>", extra=[bombs.JS_ACTION]),
     ["JavaScript"]),
    (bombs.text_pdf_with(page=b"/AA << /O << /S /URI /URI (https://example.com/x) >> >>"),
     ["actions that run by themselves when a page or form field is opened or closed (/AA)"]),
    (bombs.text_pdf_with(catalog=b"/OpenAction << /S /Launch /F (cmd.exe) >>"),
     ["an action that runs as soon as the document is opened (/OpenAction)",
      "a command that starts a program or opens a file (/Launch)"]),
    (bombs.text_pdf_with(page=b"/Annots [<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] "
                              b"/FS << /Type /Filespec /F (x.exe) /EF << /F 5 0 R >> >> >>]",
                         extra=[bombs.stream(b"MZ", b"/Type /EmbeddedFile ")]),
     ["a file attached to a page (/FileAttachment)"]),
], ids=["open-action-js", "document-js", "page-aa", "launch", "file-attachment"])
def test_active_content_is_found_and_described(content: bytes, expected: list[str]) -> None:
    assert list(findings(content)) == expected


def test_names_hidden_by_escapes_or_in_a_compressed_object_stream_are_found() -> None:
    escaped = bombs.text_pdf_with(catalog=b"/OpenAction << /S /Java#53cript /J#53 (app.alert\\(1\\)) >>")
    assert b"/JS" not in escaped and b"/JavaScript" not in escaped
    assert "JavaScript" in findings(escaped)
    hidden = bombs.object_stream_pdf(b"/OpenAction " + bombs.JS_ACTION)
    assert b"JavaScript" not in hidden and b"/JS" not in hidden
    assert list(findings(hidden)) == ["JavaScript", "an action that runs as soon as the document is opened (/OpenAction)"]


def test_embedded_files_other_than_the_invoice_xml_are_found() -> None:
    assert findings(docs.pdf_with_attachments({"factur-x.xml": CII})) == ()
    assert findings(docs.pdf_with_attachments({"factur-x.xml": CII, "setup.exe": b"MZ\x90\x00"})) == \
        ("embedded file 'setup.exe'",)


def test_data_before_or_after_the_pdf_is_found() -> None:
    assert len(APPENDED_ZIP) > 2048  # past the window the old truncation check looked in
    appended = docs.text_pdf(INVOICE_LINES) + APPENDED_ZIP
    (found,) = findings(appended)
    assert found.endswith(" KB after the end of the PDF (a ZIP archive)") and found[0].isdigit()
    assert findings(docs.text_pdf() + b"\r\n\x00 \n") == ()  # trailing whitespace is no content
    prefix = b"X-Scanner: junk a gateway left\n"  # markup before the header is refused instead (a polyglot)
    assert findings(prefix + docs.text_pdf()) == (f"{len(prefix)} bytes of other data before the start of the PDF",)


def test_ordinary_pdfs_have_no_findings() -> None:
    assert findings(docs.text_pdf(INVOICE_LINES)) == ()
    assert findings(bombs.text_pdf_with(catalog=b"/OpenAction [3 0 R /Fit]")) == ()  # opening at a page: no action
    assert findings(docs.blank_pdf(2)) == ()


def test_a_pdf_cut_off_in_an_incremental_update_is_still_truncated() -> None:
    original = docs.text_pdf()
    with pytest.raises(UnreadableDocument) as caught:
        check_intake(original + b"7 0 obj\n<< /Type /Annot", filename="factuur.pdf")
    assert caught.value.extra["reason"] == "pdf_truncated"


def test_a_suspicious_pdf_is_still_read_and_its_recognition_says_what_was_found() -> None:
    content = bombs.one_page_pdf(
        bombs.stream(b"BT /F1 11 Tf 72 770 Td 14 TL " + b" ".join(b"(%s) '" % line.encode() for line in INVOICE_LINES)
                     + b" ET"),
        catalog=b"/OpenAction " + bombs.JS_ACTION, after_eof=APPENDED_ZIP)
    recognition = LocalRecognizer().recognize(content, "factuur.pdf")
    assert recognition.engine == "pdf_text" and recognition.fields.invoice_number == "F2024-0815"
    assert recognition.suspicious_content is not None
    assert recognition.suspicious_content.startswith(
        "The PDF contains JavaScript, an action that runs as soon as the document is opened (/OpenAction) and 4 KB "
        "after the end of the PDF (a ZIP archive). It was read as usual; open the original only as a download")
    assert recognition.warnings[-1] == f"suspicious_content: {recognition.suspicious_content}"
    clean = LocalRecognizer().recognize(docs.text_pdf(INVOICE_LINES), "factuur.pdf")
    assert clean.suspicious_content is None and not any(w.startswith("suspicious") for w in clean.warnings)
