"""Hostile uploads through the intake: a decompression bomb ends unreadable with its reason, a PDF with active
content is read with a warning, and no original is ever served to a browser to open inline."""

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
from tests.unit.recognition_intake import bombs
from tests.unit.recognition_intake.test_chain import INVOICE_LINES


def invoice_with_a_script_and_a_zip() -> bytes:
    """A readable one-page invoice that opens with JavaScript and has a ZIP archive appended."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as packed:
        packed.writestr("readme.txt", "x" * 100)
    text = b" ".join(b"(%s) '" % line.encode() for line in INVOICE_LINES)
    return bombs.one_page_pdf(bombs.stream(b"BT /F1 11 Tf 72 770 Td 14 TL " + text + b" ET"),
                              catalog=b"/OpenAction " + bombs.JS_ACTION, after_eof=archive.getvalue())


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
