"""The local mailbox: every e-mail sent through the emulated SES, with the links and codes in it.

moto keeps sent messages without a timestamp and forgets them on reset; this recorder wraps the SES
backend's send methods (SES v2 sends go through them too) so ``GET /_local/mail`` can list them in order.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import threading
from typing import Any

from pydantic import BaseModel

_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
_LINK = re.compile(r"https?://[^\s\"'<>)\]]+")
_TAG = re.compile(r"<[^>]+>")


class MailMessage(BaseModel):
    """One sent e-mail as the local mail page shows it."""

    to: list[str]
    sender: str
    subject: str
    body: str
    links: list[str]
    codes: list[str]
    at: str  # ISO 8601 UTC


class Mailbox:
    """Thread-safe, ordered store of sent mail; ``snapshot``/``restore`` keep it across restarts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[MailMessage] = []

    def add(self, to: list[str], sender: str, subject: str, body: str) -> MailMessage:
        """Record a message (links and 6-digit codes are extracted from the body)."""
        text = body
        links = list(dict.fromkeys(_LINK.findall(text)))
        plain = _TAG.sub(" ", text)
        # Codes are looked for outside the links, so digits inside a URL token never count as a code.
        codes = list(dict.fromkeys(_CODE.findall(_LINK.sub(" ", plain))))
        message = MailMessage(to=to, sender=sender, subject=subject, body=body, links=links, codes=codes,
                              at=dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"))
        with self._lock:
            self._messages.append(message)
        return message

    def messages(self, to: str | None = None) -> list[MailMessage]:
        """Messages oldest first, optionally only those addressed to ``to`` (case-insensitive)."""
        with self._lock:
            found = list(self._messages)
        if to:
            wanted = to.strip().lower()
            found = [m for m in found if wanted in (a.lower() for a in m.to)]
        return found

    def clear(self) -> None:
        """Forget every message."""
        with self._lock:
            self._messages.clear()

    def snapshot(self) -> list[dict[str, Any]]:
        """Every message as JSON-able dicts."""
        return [m.model_dump() for m in self.messages()]

    def restore(self, data: list[dict[str, Any]]) -> None:
        """Replace the contents with a snapshot."""
        with self._lock:
            self._messages = [MailMessage.model_validate(d) for d in data]


MAILBOX = Mailbox()
_installed = False
_install_lock = threading.Lock()


def _raw_parts(raw: str) -> tuple[str, str]:
    msg = email.message_from_string(raw, policy=email.policy.default)
    subject = str(msg.get("Subject", ""))
    part = msg.get_body(preferencelist=("plain", "html")) if msg.is_multipart() or msg.get_content_type() else None
    body = part.get_content() if part is not None else msg.get_payload()
    return subject, str(body).replace("\r\n", "\n")  # raw mail travels with CRLF; the page shows lines


def install() -> None:
    """Wrap moto's SES backend so every successful send is recorded in ``MAILBOX`` (idempotent)."""
    global _installed
    from moto.ses.models import SESBackend

    with _install_lock:
        if _installed:
            return
        send_email, send_raw_email = SESBackend.send_email, SESBackend.send_raw_email

        def recording_send_email(self: Any, source: str, subject: str, body: str,
                                 destinations: dict[str, list[str]]) -> Any:
            message = send_email(self, source, subject, body, destinations)
            MAILBOX.add([a for v in destinations.values() for a in v], source, subject, body)
            return message

        def recording_send_raw_email(self: Any, source: str, destinations: list[str], raw_data: str) -> Any:
            message = send_raw_email(self, source, destinations, raw_data)
            subject, body = _raw_parts(raw_data)
            # moto adds the To/Cc/Bcc headers' addresses to the destinations it was given: one entry each.
            MAILBOX.add(list(dict.fromkeys(destinations)), source or "", subject, body)
            return message

        SESBackend.send_email = recording_send_email  # type: ignore[method-assign]
        SESBackend.send_raw_email = recording_send_raw_email  # type: ignore[method-assign]
        _installed = True
