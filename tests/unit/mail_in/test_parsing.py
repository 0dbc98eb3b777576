"""Reading a received message with the standard library: the parts in order, through nesting and forwarded
messages, hostile names made safe, the limits on depth and number of parts, and which messages are automatic."""

from __future__ import annotations

import base64

import pytest

from boekstuk.domain.inbound_mail import (
    MAX_DEPTH,
    MAX_PARTS,
    MailPart,
    Sniffed,
    decide,
    document_filename,
    mailed_key,
    parse_mail,
    parse_mailed_key,
)
from tests.unit.mail_in.messages import PDF, PNG, UBL, ZIP, attach, message, nested


def test_attachments_and_the_text_in_the_order_sent() -> None:
    mail = message()
    attach(mail, PDF, "factuur-1.pdf")
    attach(mail, PNG, "bon.png", "image/png")
    parsed = parse_mail(mail.as_bytes())
    assert (parsed.subject, parsed.message_id, parsed.from_address, parsed.automatic) == (
        "Facturen", "<m1@leverancier.nl>", "jan@leverancier.nl", None)
    text, pdf, png = parsed.parts
    assert (text.attachment, text.declared_type, text.content.strip()) == (False, "text/plain", b"Zie bijlagen.")
    assert (pdf.index, pdf.filename, pdf.content, pdf.attachment) == (2, "factuur-1.pdf", PDF, True)
    assert (png.filename, png.declared_type, png.content) == ("bon.png", "image/png", PNG)


def test_a_forwarded_message_is_read_in_its_place() -> None:
    inner = message(subject="Fwd")
    attach(inner, PDF, "doorgestuurd.pdf")
    outer = message(text="Zie doorgestuurd bericht.")
    outer.add_attachment(inner)  # message/rfc822
    attach(outer, PNG, "na.png", "image/png")
    names = [p.filename for p in parse_mail(outer.as_bytes()).parts]
    assert names == [None, None, "doorgestuurd.pdf", "na.png"]


def test_nesting_deeper_than_the_limit_is_not_followed_and_says_so() -> None:
    assert [p.filename for p in parse_mail(nested(MAX_DEPTH - 1)).parts] == ["diep.pdf"]
    deep = parse_mail(nested(MAX_DEPTH + 3))
    assert deep.parts == () and [s.reason for s in deep.skipped] == ["too_deep"]


def test_nesting_the_parser_cannot_follow_is_unparsable_not_a_crash() -> None:
    parsed = parse_mail(nested(3000))
    assert parsed.parts == () and [s.reason for s in parsed.skipped] == ["unparsable"]


def test_thousands_of_attachments_stop_at_the_parts_limit() -> None:
    mail = message()
    for i in range(MAX_PARTS + 200):
        attach(mail, PDF, f"f{i}.pdf")
    parsed = parse_mail(mail.as_bytes())
    assert len(parsed.parts) == MAX_PARTS - 1  # the multipart itself counts as one part looked at
    assert [s.reason for s in parsed.skipped] == ["too_many_parts"]


def _raw_attachment(disposition: str, content_type: str = "application/pdf", body: bytes = PDF) -> bytes:
    encoded = base64.b64encode(body)
    return (b"From: jan@leverancier.nl\r\nTo: x.abcdefgh@inbox.example.nl\r\nSubject: namen\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nhoi\r\n"
            b"--XX\r\nContent-Type: " + content_type.encode() + b"\r\nContent-Disposition: " + disposition.encode()
            + b"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + encoded + b"\r\n--XX--\r\n")


@pytest.mark.parametrize(("disposition", "safe"), [
    # RFC 2231: a path, a line feed and a NUL, percent-encoded.
    ("attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpass%0Awd%00.pdf", "pass_wd_.pdf"),
    # RFC 2047 encoded word: a Windows path.
    ('attachment; filename="=?utf-8?b?' + base64.b64encode(b"C:\\Users\\jan\\factuur.pdf").decode() + '?="',
     "factuur.pdf"),
    ('attachment; filename="\u202etxt.exe.pdf"', "_txt.exe.pdf"),
    ('attachment; filename="..."', "document"),
])
def test_hostile_file_names_are_decoded_and_made_safe(disposition: str, safe: str) -> None:
    [_, part] = parse_mail(_raw_attachment(disposition)).parts
    assert part.attachment and part.content == PDF
    assert part.display_name() == safe == document_filename(part, "pdf")


def test_a_wrong_declared_type_does_not_decide() -> None:
    [_, part] = parse_mail(_raw_attachment('attachment; filename="scan"', "text/plain")).parts
    assert part.declared_type == "text/plain" and part.content == PDF
    assert decide(part, Sniffed("pdf", claims_document=False)) == "take"
    assert document_filename(part, "pdf") == "scan"


def test_a_picture_an_html_body_shows_is_not_a_document() -> None:
    mail = message()
    mail.add_alternative("<p>Groet, <img src='cid:logo'></p>", subtype="html")
    html = mail.get_payload()[1]
    html.add_related(PNG, maintype="image", subtype="png", cid="<logo>")
    attach(mail, PNG, "foto.png", "image/png")
    parts = parse_mail(mail.as_bytes()).parts
    logo = next(p for p in parts if p.declared_type == "image/png" and p.filename is None)
    photo = next(p for p in parts if p.filename == "foto.png")
    assert not logo.attachment and photo.attachment
    assert decide(logo, Sniffed("png", False)) == "ignore" and decide(photo, Sniffed("png", True)) == "take"


def part(*, attachment: bool = True, filename: str | None = "x") -> MailPart:
    return MailPart(index=2, filename=filename, declared_type="application/octet-stream", content=b"...",
                    attachment=attachment)


@pytest.mark.parametrize(("sniffed", "attachment", "decision"), [
    (Sniffed("pdf", False), True, "take"),
    (Sniffed("tiff", False), True, "take"),
    (Sniffed("cii", False), True, "take"),
    (Sniffed("zip", True), True, "zip"),
    (Sniffed("office", False), True, "office"),
    (Sniffed("empty", True), True, "empty"),
    (Sniffed("other", False), True, "unsupported"),
    (Sniffed("other", True), True, "take"),  # claims to be a PDF: the intake says why it cannot be read
    (Sniffed("xml", True), True, "take"),
    (Sniffed("ubl", False), False, "take"),  # an e-invoice as the message's text
    (Sniffed("xml", False), False, "ignore"),
    (Sniffed("other", False), False, "ignore"),
    (Sniffed("pdf", False), False, "ignore"),
])
def test_what_happens_to_each_part(sniffed: Sniffed, attachment: bool, decision: str) -> None:
    assert decide(part(attachment=attachment), sniffed) == decision


def test_an_unnamed_document_is_named_by_its_kind() -> None:
    assert document_filename(part(filename=None, attachment=False), "ubl") == "e-factuur.xml"
    assert document_filename(part(filename=None), "jpeg") == "bijlage-2.jpg"


@pytest.mark.parametrize("headers", [
    {"Auto_Submitted": "auto-replied"}, {"Auto_Submitted": "auto-generated"}, {"Precedence": "bulk"},
    {"Precedence": "list"}, {"Precedence": "junk"}, {"List_Id": "<leden.vereniging.nl>"},
    {"List_Unsubscribe": "<mailto:uit@lijst.nl>"}, {"X_Autoreply": "yes"},
])
def test_automatic_messages_are_recognised(headers: dict[str, str]) -> None:
    assert parse_mail(message(**headers).as_bytes()).automatic


def test_a_bounce_and_a_delivery_report_are_automatic_and_auto_submitted_no_is_not() -> None:
    assert parse_mail(message(sender="MAILER-DAEMON@mx.example.nl").as_bytes()).automatic == "from a mail server"
    report = message()
    report.make_mixed()
    report.replace_header("Content-Type", 'multipart/report; report-type=delivery-status; boundary="r"')
    assert parse_mail(report.as_bytes()).automatic == "a delivery report"
    assert parse_mail(message(Auto_Submitted="no").as_bytes()).automatic is None


def test_an_e_invoice_as_the_whole_message() -> None:
    mail = message()
    mail.set_content(UBL, maintype="application", subtype="xml")
    [body] = parse_mail(mail.as_bytes()).parts
    assert body.content == UBL and not body.attachment


def test_mailed_keys_name_the_message_and_the_part() -> None:
    key = mailed_key("devries", "adm1", "msg1", 7, "factuur.pdf")
    assert key == "mail/in/devries/adm1/msg1/007/factuur.pdf"
    found = parse_mailed_key(key)
    assert found is not None and (found.office_code, found.administration_id, found.message_id, found.index,
                                  found.filename) == ("devries", "adm1", "msg1", 7, "factuur.pdf")
    for other in ("mail/raw/msg1", "mail/in/devries/adm1/msg1/x/f.pdf", "mail/in/devries/adm1/msg1/007/a/b.pdf",
                  "inbox/devries/adm1/f.pdf", f"mail/in/devries/adm1/msg1/007/{ZIP!r}/"):
        assert parse_mailed_key(other) is None, other
