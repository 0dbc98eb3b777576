"""E-mail through SES v2 (in the local stack, moto keeps the messages for ``/_local/mail``)."""

from __future__ import annotations

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
