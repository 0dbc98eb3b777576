"""The local SES receiving: which recipients a rule takes, the SMTP envelope read from a message, and the event
its Lambda action sends."""

from __future__ import annotations

import datetime as dt

import pytest

from boekstuk_local.inbound_mail import ReceiptRule, envelope, ses_event

RAW = (b"Return-Path: <bounces+jan@leverancier.nl>\r\nFrom: Jan <jan@leverancier.nl>\r\n"
       b"To: Bakkerij <bakkerij.abcdefgh@inbox.boekstuk.nl>, boekhouding@devries.nl\r\nCc: x.abcdefgh@inbox.boekstuk.nl"
       b"\r\nSubject: Facturen\r\nMessage-ID: <m1@leverancier.nl>\r\n\r\nhoi\r\n")


@pytest.mark.parametrize(("recipients", "address", "takes"), [
    ([], "anyone@anywhere.nl", True),
    (["inbox.boekstuk.nl"], "a.abcdefgh@inbox.boekstuk.nl", True),
    (["inbox.boekstuk.nl"], "A.ABCDEFGH@INBOX.BOEKSTUK.NL", True),
    (["inbox.boekstuk.nl"], "a@boekstuk.nl", False),
    (["inbox.boekstuk.nl"], "a@sub.inbox.boekstuk.nl", False),
    ([".boekstuk.nl"], "a@inbox.boekstuk.nl", True),
    (["info@boekstuk.nl"], "info@boekstuk.nl", True),
    (["info@boekstuk.nl"], "sales@boekstuk.nl", False),
])
def test_a_rule_takes_what_ses_would(recipients: list[str], address: str, takes: bool) -> None:
    assert ReceiptRule("r", recipients).takes(address) is takes


def test_the_envelope_comes_from_return_path_and_to_cc() -> None:
    sender, recipients, _ = envelope(RAW)
    assert sender == "bounces+jan@leverancier.nl"
    assert recipients == ["bakkerij.abcdefgh@inbox.boekstuk.nl", "boekhouding@devries.nl",
                          "x.abcdefgh@inbox.boekstuk.nl"]
    assert envelope(RAW, ["only@inbox.boekstuk.nl"])[1] == ["only@inbox.boekstuk.nl"]
    assert envelope(b"Return-Path: <>\r\nFrom: MAILER-DAEMON@mx.nl\r\nTo: a@b.nl\r\n\r\n")[0] == ""
    assert envelope(b"From: Jan <jan@x.nl>\r\nTo: a@b.nl\r\n\r\n")[0] == "jan@x.nl"


def test_the_event_lists_only_the_recipients_the_rule_took() -> None:
    sender, recipients, headers = envelope(RAW)
    rule = ReceiptRule("r", ["inbox.boekstuk.nl"], function_arn="arn:aws:lambda:eu-west-1:1:function:f", scan=True)
    event = ses_event("id1", headers, sender, recipients, rule, dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC))
    [record] = event["Records"]
    mail, receipt = record["ses"]["mail"], record["ses"]["receipt"]
    assert (record["eventSource"], mail["messageId"], mail["source"]) == ("aws:ses", "id1", sender)
    assert mail["destination"] == recipients and mail["timestamp"] == "2026-03-02T09:00:00.000Z"
    assert receipt["recipients"] == ["bakkerij.abcdefgh@inbox.boekstuk.nl", "x.abcdefgh@inbox.boekstuk.nl"]
    assert receipt["spamVerdict"] == receipt["virusVerdict"] == {"status": "PASS"}
    assert receipt["action"] == {"type": "Lambda", "functionArn": "arn:aws:lambda:eu-west-1:1:function:f",
                                 "invocationType": "Event"}
    assert mail["commonHeaders"]["subject"] == "Facturen" and mail["commonHeaders"]["messageId"] == "<m1@leverancier.nl>"
