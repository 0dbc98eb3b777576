"""E-mail-in's use case against in-memory fakes (the throttle on an in-memory moto table): which documents of a
message are written where, which senders are answered and with what, and which never are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from boekstuk.adapters.content_sniffer import BytesSniffer
from boekstuk.adapters.dynamodb import DynamoThrottleStore
from boekstuk.domain import errors
from boekstuk.domain.inbound_mail import MAX_DOCUMENTS, raw_mail_key
from boekstuk.domain.links import Administration
from boekstuk.domain.throttling import ThrottlePolicy
from boekstuk.services.mail_in import InboundMail, MailIntake
from boekstuk.services.throttling import Throttle
from tests.fakes import FixedClock
from tests.unit.mail_in.messages import PDF, PNG, UBL, ZIP, attach, message

DOMAIN = "inbox.example.nl"
LOCAL = "bakkerij.abcdefgh"
ADDRESS = f"{LOCAL}@{DOMAIN}"
ADM = Administration(administration_id="adm1", office_code="devries", connection_id="c1", package="snelstart",
                     code="101", name="Bakkerij", linked_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), inbox_local=LOCAL)
SENDER = "jan@leverancier.nl"


@dataclass
class Storage:
    objects: dict[str, bytes] = field(default_factory=dict)
    types: dict[str, str | None] = field(default_factory=dict)

    def read(self, key: str, max_bytes: int, *, version_id: str | None = None, etag: str | None = None) -> bytes:
        content = self.objects[key]
        if len(content) > max_bytes:
            raise errors.DocumentTooLarge()
        return content

    def put_once(self, key: str, content: bytes, content_type: str | None) -> bool:
        if key in self.objects:
            return False
        self.objects[key], self.types[key] = content, content_type
        return True


class Administrations:
    def find_by_inbox(self, local_part: str) -> Administration | None:
        return ADM if local_part == LOCAL else None


@dataclass
class Replies:
    sent: list[tuple[str, str, str, str | None]] = field(default_factory=list)

    def send_auto_reply(self, to: str, subject: str, body: str, in_reply_to: str | None) -> None:
        self.sent.append((to, subject, body, in_reply_to))


@dataclass
class World:
    intake: MailIntake
    storage: Storage
    replies: Replies
    clock: FixedClock
    count: int = 0

    def receive(self, raw: bytes, recipients: list[str] | None = None, sender: str = SENDER,
                **verdicts: str) -> dict:
        self.count += 1
        message_id = f"msg{self.count}"
        self.storage.objects[raw_mail_key(message_id)] = raw
        mail = InboundMail(message_id=message_id, recipients=recipients or [ADDRESS], envelope_sender=sender,
                           verdicts={"spam": "PASS", "virus": "PASS", "spf": "PASS", "dkim": "PASS", "dmarc": "PASS",
                                     **verdicts})
        return self.intake.receive(mail).model_dump()

    def written(self) -> dict[str, bytes]:
        return {k: v for k, v in self.storage.objects.items() if k.startswith("mail/in/")}


@pytest.fixture()
def world(throttle_store: DynamoThrottleStore) -> World:
    storage, replies, clock = Storage(), Replies(), FixedClock()
    intake = MailIntake(storage, Administrations(), BytesSniffer(), replies,  # type: ignore[arg-type]
                        Throttle(throttle_store, clock), ThrottlePolicy(), DOMAIN, ["no-reply@boekstuk.nl"])
    return World(intake, storage, replies, clock)


def test_two_pdfs_and_an_e_invoice_as_the_text_become_three_documents(world: World) -> None:
    mail = message(to=ADDRESS)
    mail.set_content(UBL, maintype="application", subtype="xml")
    attach(mail, PDF, "factuur 1.pdf")
    attach(mail, PDF + b"2", "../factuur-2.pdf", "application/octet-stream")  # a wrong type, a path
    outcome = world.receive(mail.as_bytes())
    assert outcome["status"] == "taken" and outcome["administrations"] == ["adm1"] and outcome["reply"] == "none"
    assert world.written() == {"mail/in/devries/adm1/msg1/001/e-factuur.xml": UBL,
                               "mail/in/devries/adm1/msg1/002/factuur 1.pdf": PDF,
                               "mail/in/devries/adm1/msg1/003/factuur-2.pdf": PDF + b"2"}
    assert set(world.storage.types.values()) == {"application/xml", "application/pdf"}
    assert world.replies.sent == []
    # The message delivered again writes nothing twice.
    assert world.intake.receive(InboundMail(message_id="msg1", recipients=[ADDRESS], envelope_sender=SENDER))
    assert len(world.written()) == 3


def test_an_unknown_address_gets_a_reply_in_dutch_and_english(world: World) -> None:
    other = f"bakkerij.zzzzzzzz@{DOMAIN}"
    mail = message(to=other)
    attach(mail, PDF, "factuur.pdf")
    outcome = world.receive(mail.as_bytes(), recipients=[other])
    assert (outcome["status"], outcome["reason"], outcome["reply"]) == ("refused", "unknown_address", "sent")
    assert world.written() == {}
    [(to, subject, body, in_reply_to)] = world.replies.sent
    assert (to, subject, in_reply_to) == (SENDER, "Niet verwerkt / Not processed: Facturen", "<m1@leverancier.nl>")
    assert f"Uw e-mail aan {other} is niet verwerkt" in body and f"Your e-mail to {other} was not processed" in body


def test_no_usable_attachment_gets_a_reply_naming_each_file_and_why(world: World) -> None:
    mail = message(to=ADDRESS)
    attach(mail, ZIP, "facturen.zip", "application/zip")
    attach(mail, b"BEGIN:VCARD\r\nEND:VCARD\r\n", "jan.vcf", "text/vcard")
    attach(mail, b"", "leeg.pdf")
    outcome = world.receive(mail.as_bytes())
    assert (outcome["status"], outcome["reason"], outcome["reply"]) == ("refused", "no_usable_attachment", "sent")
    assert [(r["name"], r["reason"]) for r in outcome["refused"]] == [
        ("facturen.zip", "zip"), ("jan.vcf", "unsupported"), ("leeg.pdf", "empty")]
    [(_, _, body, _)] = world.replies.sent
    assert "er zat geen document in dat wij kunnen verwerken" in body and "held no document we can process" in body
    assert "- facturen.zip: een ZIP-archief" in body and "- facturen.zip: a ZIP archive" in body
    assert "- jan.vcf: geen PDF, JPEG, PNG, TIFF of UBL/CII e-factuur" in body


def test_a_zip_beside_a_document_is_answered_a_business_card_is_not(world: World) -> None:
    with_zip = message(to=ADDRESS)
    attach(with_zip, PDF, "factuur.pdf")
    attach(with_zip, ZIP, "meer.zip", "application/octet-stream")
    outcome = world.receive(with_zip.as_bytes())
    assert (outcome["status"], outcome["reason"], outcome["reply"]) == ("partly_taken", "zip", "sent")
    assert "Uit uw e-mail is 1 document verwerkt; dit niet:" in world.replies.sent[0][2]
    with_card = message(to=ADDRESS)
    attach(with_card, PNG, "bon.png", "image/png")
    attach(with_card, b"BEGIN:VCARD\r\nEND:VCARD\r\n", "jan.vcf", "text/vcard")
    outcome = world.receive(with_card.as_bytes())
    assert (outcome["status"], outcome["reply"]) == ("partly_taken", "none")
    assert len(world.replies.sent) == 1 and len(world.written()) == 2


def test_more_documents_than_the_cap_are_taken_up_to_it_and_the_sender_told(world: World) -> None:
    mail = message(to=ADDRESS)
    for i in range(MAX_DOCUMENTS + 5):
        attach(mail, PDF + str(i).encode(), f"f{i:03d}.pdf")
    outcome = world.receive(mail.as_bytes())
    assert len(world.written()) == MAX_DOCUMENTS and outcome["reply"] == "sent"
    assert [r["reason"] for r in outcome["refused"]] == ["too_many"] * 5
    assert f"alleen de eerste {MAX_DOCUMENTS} zijn verwerkt" in world.replies.sent[0][2]


@pytest.mark.parametrize(("sender", "headers", "verdicts", "why"), [
    ("", {}, {}, "a bounce"),
    ("<>", {}, {}, "a bounce"),
    (SENDER, {"Auto_Submitted": "auto-replied"}, {}, "an automatic message"),
    (SENDER, {"Precedence": "bulk"}, {}, "an automatic message"),
    (SENDER, {"List_Id": "<lijst.example.nl>"}, {}, "an automatic message"),
    ("no-reply@boekstuk.nl", {}, {}, "our own address"),
    (f"ander.abcdefgh@{DOMAIN}", {}, {}, "our own address"),
    (SENDER, {}, {"spf": "FAIL"}, "the sender did not pass spf"),
    (SENDER, {}, {"dmarc": "FAIL"}, "the sender did not pass dmarc"),
    (SENDER, {}, {"spam": "FAIL"}, "the sender did not pass spam"),
    ("jan@leverancier.nl\r\nBcc: x@y.nl", {}, {}, "no usable return path"),
])
def test_never_answered(world: World, sender: str, headers: dict[str, str], verdicts: dict[str, str],
                        why: str) -> None:
    mail = message(to="onbekend.abcdefgh@inbox.example.nl", **headers)
    outcome = world.receive(mail.as_bytes(), recipients=["onbekend.abcdefgh@inbox.example.nl"], sender=sender,
                            **verdicts)
    assert outcome["reason"] == "unknown_address" and outcome["reply"].startswith(f"none: {why}")
    assert world.replies.sent == []


def test_a_virus_is_never_taken_nor_answered(world: World) -> None:
    mail = message(to=ADDRESS)
    attach(mail, PDF, "factuur.pdf")
    outcome = world.receive(mail.as_bytes(), virus="FAIL")
    assert (outcome["status"], outcome["reason"]) == ("refused", "virus")
    assert world.written() == {} and world.replies.sent == []


def test_replies_to_one_sender_are_limited(world: World) -> None:
    unknown = f"x.abcdefgh@{DOMAIN}"
    outcomes = [world.receive(message(to=unknown).as_bytes(), recipients=[unknown])["reply"] for _ in range(5)]
    assert outcomes == ["sent"] * 3 + ["none: reply limit for this sender reached"] * 2
    # Another sender still gets one; the first again in the next hour.
    assert world.receive(message(to=unknown).as_bytes(), recipients=[unknown], sender="piet@x.nl")["reply"] == "sent"
    world.clock.advance(hours=1)
    assert world.receive(message(to=unknown).as_bytes(), recipients=[unknown])["reply"] == "sent"


def test_a_message_to_two_addresses_of_which_one_is_ours(world: World) -> None:
    mail = message(to=f"{ADDRESS}, boekhouding@devries.nl")
    attach(mail, PDF, "factuur.pdf")
    outcome = world.receive(mail.as_bytes(), recipients=[ADDRESS.upper(), "boekhouding@devries.nl"])
    assert outcome["status"] == "taken" and list(world.written()) == ["mail/in/devries/adm1/msg1/002/factuur.pdf"]


def test_a_message_over_the_ses_limit_is_refused_and_kept(world: World) -> None:
    outcome = world.receive(b"x" * (40 * 1024 * 1024 + 1))
    assert (outcome["status"], outcome["reason"]) == ("refused", "message_too_large")
    assert raw_mail_key("msg1") in world.storage.objects
