"""E-mail through SES v2 (in the local stack, moto keeps the messages for ``/_local/mail``)."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from typing import Any

from boekstuk.observability import logger


class SesMailer:
    def __init__(self, client: Any, sender: str) -> None:
        self._client = client
        self._sender = sender

    def send(self, to: str, subject: str, body: str) -> None:
        """Send a plain-text e-mail from the configured sender identity."""
        self._client.send_email(
            FromEmailAddress=self._sender,
            Destination={"ToAddresses": [to]},
            Content={"Simple": {"Subject": {"Data": subject, "Charset": "UTF-8"},
                                "Body": {"Text": {"Data": body, "Charset": "UTF-8"}}}},
        )
        logger.info("mail sent", subject_length=len(subject))

    def send_auto_reply(self, to: str, subject: str, body: str, in_reply_to: str | None) -> None:
        """An automatic reply (RFC 3834): ``Auto-Submitted: auto-replied`` so that other automatic systems do not
        answer it, threaded under the message it answers. Raw content: SES's simple content sets no such header."""
        message = EmailMessage(policy=SMTP)
        message["From"] = self._sender
        message["To"] = to
        message["Subject"] = " ".join(subject.split())
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = make_msgid(domain=self._sender.rpartition("@")[2] or None)
        message["Auto-Submitted"] = "auto-replied"
        message["X-Auto-Response-Suppress"] = "All"
        if in_reply_to and in_reply_to.startswith("<") and in_reply_to.endswith(">") and len(in_reply_to) < 1000:
            message["In-Reply-To"] = in_reply_to
            message["References"] = in_reply_to
        message.set_content(body)
        self._client.send_email(FromEmailAddress=self._sender, Destination={"ToAddresses": [to]},
                                Content={"Raw": {"Data": message.as_bytes()}})
        logger.info("auto-reply sent", subject_length=len(subject))
