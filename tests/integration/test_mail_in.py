"""E-mail-in through the template's resources in-process: ``POST /_local/inbound-mail`` stores the message where
the receipt rule's S3 action does and invokes MailInFunction as its Lambda action does; the documents go through
the intake like uploads, replies land in the local mailbox, and every administration has its inbox address."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest

from boekstuk.bootstrap import components
from boekstuk.domain import inbox
from boekstuk_local.samples import make_document
from boekstuk_local.simulators.seed import ADMINISTRATIONS, NAMED_SUPPLIERS
from boekstuk_local.testing import LocalAws
from tests.integration.conftest import SnelStartOffice, document_when, snelstart_office, workflow_aws

SENDER = "jan@leverancier.nl"


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    """With the simulators; the approvals the mailed documents park are ended with the harness."""
    with workflow_aws() as harness:
        yield harness


@pytest.fixture(scope="module")
def office(aws: LocalAws) -> SnelStartOffice:
    return snelstart_office(aws)


def inbox_email(aws: LocalAws, office: SnelStartOffice) -> str:
    status, _, listed = aws.api_call("GET", f"/v1/offices/{office.code}/administrations", token=office.token)
    assert status == 200, listed
    return str(next(a for a in listed["administrations"]
                    if a["administration_id"] == office.administration_id)["inbox_email"])


def mail(to: str, subject: str = "Facturen maart", sender: str = SENDER) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = f"Jan <{sender}>", to, subject
    message["Message-ID"] = "<facturen-maart@leverancier.nl>"
    message.set_content("Zie bijlagen.")
    return message


def deliver(aws: LocalAws, message: EmailMessage | bytes, **query: str) -> str:
    raw = message if isinstance(message, bytes) else message.as_bytes()
    path = "/_local/inbound-mail" + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    status, _, body = aws.api_call("POST", path, raw)
    assert status == 202, body
    return str(body["message_id"])


def mailed_documents(aws: LocalAws, office: SnelStartOffice, message_id: str) -> list[dict[str, Any]]:
    status, _, page = aws.api_call("GET", f"/v1/offices/{office.code}/documents?limit=200", token=office.token)
    assert status == 200, page
    found = []
    for summary in page["documents"]:
        _, _, doc = aws.api_call("GET", f"/v1/offices/{office.code}/documents/{summary['document_id']}",
                                 token=office.token)
        if doc["mail_message_id"] == message_id:
            found.append(doc)
    return sorted(found, key=lambda d: d["filename"])


def raw_message(aws: LocalAws, message_id: str) -> bytes:
    obj = aws.client("s3").get_object(Bucket=aws.environment["DOCUMENTS_BUCKET"], Key=f"mail/raw/{message_id}")
    return bytes(obj["Body"].read())


def test_every_administration_has_its_own_unguessable_inbox_address(aws: LocalAws, office: SnelStartOffice) -> None:
    address = inbox_email(aws, office)
    local, _, domain = address.partition("@")
    assert domain == "inbox.boekstuk.example" and inbox.is_local_part(local)
    assert local.startswith(inbox.name_part(office.administration_name) + ".")
    assert inbox_email(aws, office) == address  # stable


def test_two_pdfs_and_a_ubl_body_become_three_documents_and_the_message_is_kept(aws: LocalAws,
                                                                                office: SnelStartOffice) -> None:
    message = mail(inbox_email(aws, office))
    ubl = make_document(7101, supplier=NAMED_SUPPLIERS[1], buyer=ADMINISTRATIONS[0], fmt="ubl")
    message.set_content(ubl.content, maintype="application", subtype="xml")
    pdfs = [make_document(seed, supplier=NAMED_SUPPLIERS[0], buyer=ADMINISTRATIONS[0], fmt="pdf", layout="classic")
            for seed in (7102, 7103)]
    for pdf in pdfs:
        message.add_attachment(pdf.content, maintype="application", subtype="octet-stream", filename=pdf.filename)
    message_id = deliver(aws, message)

    documents = [document_when(aws, office.code, office.token, d["document_id"],
                               lambda d: d["status"] not in ("received", "recognizing"))
                 for d in mailed_documents(aws, office, message_id)]
    assert [d["filename"] for d in documents] == ["e-factuur.xml", *sorted(p.filename for p in pdfs)]
    assert {d["administration_id"] for d in documents} == {office.administration_id}
    assert [d["status"] for d in documents] == ["awaiting_approval"] * 3, [d.get("error") for d in documents]
    assert {d["source"] for d in documents} == {"email"}
    assert documents[0]["recognition"]["engine"] == "ubl"
    assert documents[0]["proposal"]["invoice_number"] == ubl.truth["fields"]["invoice_number"]
    first = documents[0]["history"][0]
    assert (first["event"], first["actor"]) == ("received", "email")
    assert f"kept at mail/raw/{message_id}" in first["detail"]
    assert raw_message(aws, message_id) == message.as_bytes()
    assert aws.mail(SENDER) == []  # everything was taken: nobody is answered


def test_an_unknown_address_and_a_message_without_documents_are_answered(aws: LocalAws,
                                                                         office: SnelStartOffice) -> None:
    sender = "piet@leverancier.nl"
    unknown = "bakkerij-de-vries.aaaaaaaa@inbox.boekstuk.example"
    message = mail(unknown, sender=sender)
    message.add_attachment(b"%PDF-1.4 factuur", maintype="application", subtype="pdf", filename="factuur.pdf")
    first = deliver(aws, message)
    [reply] = aws.mail(sender)
    assert reply.subject == "Niet verwerkt / Not processed: Facturen maart"
    assert f"Uw e-mail aan {unknown} is niet verwerkt" in reply.body and "this address belongs to no" in reply.body
    assert raw_message(aws, first) == message.as_bytes()

    zipped = mail(inbox_email(aws, office), subject="Archief", sender=sender)
    zipped.add_attachment(b"PK\x03\x04" + b"\x00" * 40, maintype="application", subtype="zip", filename="maart.zip")
    second = deliver(aws, zipped)
    replies = aws.mail(sender)
    assert len(replies) == 2 and "maart.zip: een ZIP-archief" in replies[1].body
    assert mailed_documents(aws, office, second) == []
    assert raw_message(aws, second) == zipped.as_bytes()

    # A bounce to the same address is never answered.
    bounce = mail(unknown, subject="Undeliverable", sender=sender)
    bounce["Return-Path"] = "<>"
    deliver(aws, bounce)
    assert len(aws.mail(sender)) == 2


def test_an_attachment_over_the_document_limit_ends_unreadable_with_the_reason(aws: LocalAws,
                                                                               office: SnelStartOffice) -> None:
    message = mail(inbox_email(aws, office), subject="Groot")
    message.add_attachment(b"%PDF-1.4\n" + b"0" * (21 * 1024 * 1024), maintype="application", subtype="pdf",
                           filename="groot.pdf")
    message_id = deliver(aws, message)
    [doc] = mailed_documents(aws, office, message_id)
    done = document_when(aws, office.code, office.token, doc["document_id"], lambda d: d["status"] == "unreadable")
    assert "limit" in done["error"], done["error"]


def test_mail_for_an_address_no_receipt_rule_takes_is_refused_as_ses_refuses_it(aws: LocalAws) -> None:
    status, _, body = aws.api_call("POST", "/_local/inbound-mail", mail("boekhouding@devries.nl").as_bytes())
    assert status == 422 and body["code"] == "no_receipt_rule", body
    status, _, body = aws.api_call("POST", "/_local/inbound-mail", b"")
    assert status == 422 and body["code"] == "validation_error", body


def test_an_administration_linked_before_e_mail_in_gets_its_address_once(aws: LocalAws) -> None:
    office = snelstart_office(aws)
    table = aws.client("dynamodb")
    table.update_item(TableName=aws.environment["TABLE_NAME"],
                      Key={"pk": {"S": f"OFFICE#{office.code}"}, "sk": {"S": f"ADMIN#{office.administration_id}"}},
                      UpdateExpression="REMOVE inbox_local")
    seen: list[str] = []
    threads = [threading.Thread(target=lambda: seen.append(inbox_email(aws, office))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 4 and len(set(seen)) == 1, seen
    local = seen[0].partition("@")[0]
    administrations = components().administrations
    found = administrations.find_by_inbox(local)
    assert found is not None and found.administration_id == office.administration_id
    # The address is taken for good; the administration keeps the one it has.
    assert administrations.assign_inbox(office.code, office.administration_id, "other.abcdefgh") == "already_assigned"
    other = snelstart_office(aws)
    table.update_item(TableName=aws.environment["TABLE_NAME"],
                      Key={"pk": {"S": f"OFFICE#{other.code}"}, "sk": {"S": f"ADMIN#{other.administration_id}"}},
                      UpdateExpression="REMOVE inbox_local")
    assert administrations.assign_inbox(other.code, other.administration_id, local) == "address_taken"
