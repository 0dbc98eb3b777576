"""E-mail-in over real HTTP against the started local stack: a message sent to an administration's inbox address
(``POST /_local/inbound-mail``, as SES delivers it) becomes that administration's documents and is booked like an
upload; a message the system cannot use, however hostile, is answered with the reason and never lost."""

from __future__ import annotations

from decimal import Decimal
from email.message import EmailMessage
from typing import Any

import boto3
import pytest

from boekstuk_local.samples import SampleLine, make_document
from boekstuk_local.simulators.seed import ADMINISTRATIONS, NAMED_SUPPLIERS
from boekstuk_local.stack import StackHandle
from tests.e2e.conftest import Api, SnelStartOffice, assert_problem, snelstart_office, unique, wait_for
from tests.e2e.documents import approve, content, document, entries, settled

pytestmark = pytest.mark.e2e


def inbox_email(api: Api, setup: SnelStartOffice) -> str:
    listed = api.ok("GET", f"/v1/offices/{setup.office}/administrations")["administrations"]
    return str(next(a for a in listed if a["administration_id"] == setup.administration_id)["inbox_email"])


def mail(to: str, sender: str, subject: str = "Facturen maart") -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = f"Jan <{sender}>", to, subject
    message["Message-ID"] = f"<{unique('m')}@leverancier.nl>"
    message.set_content("Zie bijlagen.")
    return message


def deliver(api: Api, raw: bytes) -> str:
    """POST the raw message as SES would deliver it; SES's message id."""
    answer = api.call("POST", "/_local/inbound-mail", data=raw, auth=False,
                      headers={"Content-Type": "message/rfc822"})
    assert answer.status_code == 202, answer.text
    return str(answer.json()["message_id"])


def replies(api: Api, sender: str, count: int) -> list[dict[str, Any]]:
    """The first ``count`` replies to ``sender`` (they are sent by the function SES invokes, asynchronously)."""
    found = wait_for(lambda: len(m := api.ok("GET", "/_local/mail", params={"to": sender}, auth=False)["messages"])
                     >= count and m, f"{count} replies to {sender}")
    return list(found)


def raw_message(stack: StackHandle, message_id: str) -> bytes:
    """The message as SES stored it (the receipt rule's S3 action), read from the stack's emulated bucket."""
    assert stack.provisioned is not None
    env = stack.provisioned.environment
    s3 = boto3.client("s3", endpoint_url=stack.moto_url, region_name=stack.provisioned.region,
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    return bytes(s3.get_object(Bucket=env["DOCUMENTS_BUCKET"], Key=f"mail/raw/{message_id}")["Body"].read())


def mailed(api: Api, setup: SnelStartOffice, message_id: str, count: int) -> list[dict[str, Any]]:
    """The ``count`` documents the message became, by file name, once recognised."""
    def found() -> list[dict[str, Any]] | None:
        listed = api.ok("GET", f"/v1/offices/{setup.office}/documents", params={"limit": 200})["documents"]
        docs = [d for d in (document(api, setup, s["document_id"]) for s in listed)
                if d.get("mail_message_id") == message_id]
        if len(docs) < count or any(d["status"] in ("received", "recognizing") for d in docs):
            return None
        return sorted(docs, key=lambda d: str(d["filename"]))

    return list(wait_for(found, f"the {count} documents of message {message_id}"))


def test_a_mailed_invoice_and_a_forwarded_scan_become_documents_and_the_invoice_is_booked(api: Api) -> None:
    setup = snelstart_office(api)
    address = inbox_email(api, setup)
    assert address.endswith("@inbox.boekstuk.example") and address == inbox_email(api, setup)  # stable
    sender = f"{unique('jan')}@leverancier.nl"
    invoice = make_document(9501, supplier=NAMED_SUPPLIERS[0], buyer=ADMINISTRATIONS[0], fmt="pdf", layout="classic",
                            invoice_number="MAIL-9501",
                            lines=[SampleLine("Kantoorartikelen", Decimal(1), Decimal("180.00"), Decimal(21))])
    scan = make_document(9502, supplier=NAMED_SUPPLIERS[1], buyer=ADMINISTRATIONS[0], fmt="png", layout="classic")
    forwarded = mail("boekhouding@devries.nl", "kees@devries.nl", subject="Fwd: scan")
    forwarded.add_attachment(scan.content, maintype="image", subtype="png", filename=scan.filename)
    message = mail(address, sender)
    message.add_attachment(invoice.content, maintype="application", subtype="pdf", filename=invoice.filename)
    message.add_attachment(forwarded)  # message/rfc822: read in its place
    message.add_attachment(b"PK\x03\x04" + b"\x00" * 40, maintype="application", subtype="zip", filename="maart.zip")
    message_id = deliver(api, message.as_bytes())

    docs = mailed(api, setup, message_id, 2)
    assert [d["filename"] for d in docs] == sorted([invoice.filename, scan.filename])
    assert {(d["status"], d["source"], d["administration_id"]) for d in docs} == \
        {("awaiting_approval", "email", setup.administration_id)}, [d.get("error") for d in docs]
    for doc in docs:
        first = doc["history"][0]
        assert (first["event"], first["actor"]) == ("received", "email")
        assert f"kept at mail/raw/{message_id}" in first["detail"]
    # The zip was not taken: the sender is told which file and why.
    [reply] = replies(api, sender, 1)
    assert "maart.zip" in reply["body"] and "ZIP" in reply["body"], reply

    # A mailed document is booked exactly like an upload, its mailed bytes attached.
    [mailed_invoice] = [d for d in docs if d["filename"] == invoice.filename]
    assert mailed_invoice["proposal"]["invoice_number"] == "MAIL-9501"
    assert mailed_invoice["proposal"]["supplier"]["name"] == NAMED_SUPPLIERS[0].name
    assert approve(api, setup, mailed_invoice["document_id"]) == "approved"
    booked = settled(api, setup, mailed_invoice["document_id"], ("booked", "failed"))
    assert booked["status"] == "booked", booked.get("error")
    [entry] = entries(api, setup, "MAIL-9501")
    assert entry["attachment"] is not None
    assert content(api, setup, mailed_invoice["document_id"]) == invoice.content


def test_unusable_and_hostile_messages_are_answered_with_the_reason(api: Api, stack: StackHandle) -> None:
    setup = snelstart_office(api)
    address = inbox_email(api, setup)
    sender = f"{unique('piet')}@leverancier.nl"

    # An address no administration has (a typo, or one guessed).
    unknown = address.split(".")[0] + ".aaaaaaaa@inbox.boekstuk.example"
    stray = mail(unknown, sender)
    stray.add_attachment(b"%PDF-1.4 factuur", maintype="application", subtype="pdf", filename="factuur.pdf")
    stray_id = deliver(api, stray.as_bytes())
    [first] = replies(api, sender, 1)
    assert f"Uw e-mail aan {unknown} is niet verwerkt" in first["body"], first

    # Nested far deeper than any mail program nests, with a broken base64 part and a name in no known charset.
    body = (b"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename*=x-unknown''%FF%FE.pdf\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64 at all===\r\n")
    for level in range(500):
        boundary = f"b{level}".encode()
        body = (b"Content-Type: multipart/mixed; boundary=" + boundary + b"\r\n\r\n--" + boundary + b"\r\n" + body
                + b"\r\n--" + boundary + b"--\r\n")
    hostile = (f"From: {sender}\r\nTo: {address}\r\nSubject: =?x-unknown?q?=FF=FE?=\r\n"
               f"Message-ID: <{unique('h')}@leverancier.nl>\r\nMIME-Version: 1.0\r\n").encode() + body
    hostile_id = deliver(api, hostile)
    second = replies(api, sender, 2)[1]
    assert second["subject"].startswith("Niet verwerkt / Not processed"), second
    assert "geen document" in second["body"] and "diep" in second["body"], second["body"]  # the reason, named

    # Both are kept as they came; nothing of either became a document.
    assert raw_message(stack, stray_id) == stray.as_bytes() and raw_message(stack, hostile_id) == hostile
    listed = api.ok("GET", f"/v1/offices/{setup.office}/documents")["documents"]
    assert all(document(api, setup, d["document_id"]).get("mail_message_id") != hostile_id for d in listed)

    # Not a message at all: the local endpoint says so, as SES would never deliver it.
    assert_problem(api.call("POST", "/_local/inbound-mail", data=b"   ", auth=False), 422, "validation_error")
