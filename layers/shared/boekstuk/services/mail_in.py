"""E-mail-in: a message sent to an administration's inbox address becomes documents of that administration.

SES receives the message, stores it raw in the documents bucket (``mail/raw/{message id}``, its receipt rule's
S3 action) and invokes the MailIn function with the envelope (recipients, return path, verdicts). ``receive``:

1. reads the raw message and parses it with the standard library (``boekstuk.domain.inbound_mail``);
2. finds the administrations by the recipients' inbox addresses (``boekstuk.domain.inbox``);
3. writes every PDF, image and XML attachment (and a UBL/CII message text) to ``mail/in/...``, once: the intake
   (``process_invoice``) takes each like an upload, so every one ends in a defined state, its history naming the
   message;
4. answers the sender (Dutch and English) when the address is unknown or a file was not taken, and why; never a
   bounce, an automatic message, a list, our own address or a sender SES could not verify, and at most
   ``ThrottlePolicy.mail_reply_sender`` replies per sender.

Nothing is lost: the raw message stays where SES put it, and every outcome is logged with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from boekstuk.domain import errors, inbox
from boekstuk.domain.inbound_mail import (
    ACTIONABLE,
    CONTENT_TYPES,
    MAX_DOCUMENTS,
    MAX_MESSAGE_BYTES,
    MailPart,
    ParsedMail,
    Skipped,
    decide,
    document_filename,
    mailed_key,
    parse_mail,
    raw_mail_key,
    refusal_reply,
    unknown_address_reply,
)
from boekstuk.domain.links import Administration
from boekstuk.domain.throttling import ThrottlePolicy
from boekstuk.observability import logger
from boekstuk.ports import AdministrationRepository, AutoReplier, ContentSniffer, DocumentStorage
from boekstuk.services.throttling import Budget, Throttle

_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\"]+$")
_VERIFIED = ("spf", "dmarc", "spam", "virus")
"""Verdicts that, failed, mean the sender address is probably forged: a reply would hit a bystander."""


class InboundMail(BaseModel):
    """What SES's Lambda action says about one received message (its raw bytes are in the bucket)."""

    message_id: str = Field(pattern=r"^[A-Za-z0-9._-]{1,128}$")
    recipients: list[str] = Field(description="The envelope recipients the receipt rule matched.")
    envelope_sender: str = Field(default="", description="SMTP MAIL FROM (the return path): empty for a bounce.")
    verdicts: dict[str, str] = Field(default_factory=dict, description="spam, virus, spf, dkim, dmarc: PASS, FAIL, ...")


class RefusedPart(BaseModel):
    name: str
    reason: str


class MailOutcome(BaseModel):
    """What became of one message (the function's result, and its log line)."""

    message_id: str
    status: Literal["taken", "partly_taken", "refused"]
    reason: str
    administrations: list[str] = Field(default_factory=list)
    documents: list[str] = Field(default_factory=list, description="The mail/in/ keys written, one per document.")
    refused: list[RefusedPart] = Field(default_factory=list)
    reply: str = "none"


class MailIntake:
    """The MailIn function's use case."""

    def __init__(self, storage: DocumentStorage, administrations: AdministrationRepository, sniffer: ContentSniffer,
                 replier: AutoReplier, throttle: Throttle, limits: ThrottlePolicy, inbox_domain: str,
                 own_addresses: Sequence[str]) -> None:
        self._storage = storage
        self._administrations = administrations
        self._sniffer = sniffer
        self._replier = replier
        self._throttle = throttle
        self._limits = limits
        self._inbox_domain = inbox_domain.lower()
        self._own = {a.lower() for a in own_addresses}

    def receive(self, mail: InboundMail) -> MailOutcome:
        """Take the documents of one received message; answer the sender when something was not taken."""
        outcome = self._receive(mail)
        log = logger.info if outcome.status == "taken" else logger.warning
        log("inbound mail", message_id=mail.message_id, status=outcome.status, reason=outcome.reason,
            documents=len(outcome.documents), refused=[r.reason for r in outcome.refused], reply=outcome.reply,
            raw=raw_mail_key(mail.message_id))
        return outcome

    def _receive(self, mail: InboundMail) -> MailOutcome:
        try:
            raw = self._storage.read(raw_mail_key(mail.message_id), MAX_MESSAGE_BYTES)
        except errors.DocumentTooLarge:
            return MailOutcome(message_id=mail.message_id, status="refused", reason="message_too_large")
        parsed = parse_mail(raw)
        targets, unknown = self._targets(mail.recipients)
        if mail.verdicts.get("virus") == "FAIL":
            # Nothing of it reaches an inbox, and nobody is answered: the sender is most likely forged.
            return MailOutcome(message_id=mail.message_id, status="refused", reason="virus",
                               administrations=[a.administration_id for a in targets])
        if not targets:
            subject, body = unknown_address_reply(unknown or list(mail.recipients), parsed.subject)
            return MailOutcome(message_id=mail.message_id, status="refused", reason="unknown_address",
                               reply=self._reply(mail, parsed, subject, body))
        taken, skipped = self._documents(parsed)
        keys = [self._write(adm, mail.message_id, part, kind) for adm in targets for part, kind in taken]
        status: Literal["taken", "partly_taken", "refused"] = \
            "refused" if not taken else "partly_taken" if skipped else "taken"
        reason = "no_usable_attachment" if not taken else skipped[0].reason if skipped else "documents_taken"
        reply = "none"
        if not taken or any(s.reason in ACTIONABLE for s in skipped):
            subject, body = refusal_reply(len(taken), skipped, parsed.subject)
            reply = self._reply(mail, parsed, subject, body)
        return MailOutcome(message_id=mail.message_id, status=status, reason=reason,
                           administrations=[a.administration_id for a in targets], documents=keys,
                           refused=[RefusedPart(name=s.name, reason=s.reason) for s in skipped], reply=reply)

    def _targets(self, recipients: Sequence[str]) -> tuple[list[Administration], list[str]]:
        """The administrations the recipients' inbox addresses name, and the inbox addresses that name none."""
        found: dict[str, Administration] = {}
        unknown: list[str] = []
        for recipient in recipients:
            local = inbox.inbox_local_part(recipient, self._inbox_domain)
            if local is None:
                continue
            adm = self._administrations.find_by_inbox(local) if inbox.is_local_part(local) else None
            if adm is None:
                unknown.append(inbox.address(local, self._inbox_domain))
            else:
                found.setdefault(adm.administration_id, adm)
        return list(found.values()), unknown

    def _documents(self, parsed: ParsedMail) -> tuple[list[tuple[MailPart, str]], list[Skipped]]:
        """The parts to take (with what their bytes are), and what was refused, in the message's order."""
        taken: list[tuple[MailPart, str]] = []
        skipped = list(parsed.skipped)
        for part in parsed.parts:
            sniffed = self._sniffer.sniff(part.content, part.filename or "", part.declared_type)
            decision = decide(part, sniffed)
            if decision == "ignore":
                continue
            if decision != "take":
                skipped.append(Skipped(part.display_name(), decision))
            elif len(taken) >= MAX_DOCUMENTS:
                skipped.append(Skipped(part.display_name(), "too_many"))
            else:
                taken.append((part, sniffed.kind))
        return taken, skipped

    def _write(self, administration: Administration, message_id: str, part: MailPart, kind: str) -> str:
        """One document's bytes where the intake picks them up; written once (a redelivered message changes
        nothing)."""
        key = mailed_key(administration.office_code, administration.administration_id, message_id, part.index,
                         document_filename(part, kind))
        self._storage.put_once(key, part.content, CONTENT_TYPES.get(kind))
        return key

    def _reply(self, mail: InboundMail, parsed: ParsedMail, subject: str, body: str) -> str:
        """Send the reply unless it must not go; what happened, for the log."""
        why_not = self._why_no_reply(mail, parsed)
        if why_not:
            return f"none: {why_not}"
        to = mail.envelope_sender.strip().strip("<>")
        try:
            self._throttle.spend([Budget("mail_reply", to.lower(), self._limits.mail_reply_sender)],
                                 lambda seconds: errors.TooManyRequests(retry_after=seconds))
        except errors.TooManyRequests:
            return "none: reply limit for this sender reached"
        self._replier.send_auto_reply(to, subject, body, parsed.message_id)
        return "sent"

    def _why_no_reply(self, mail: InboundMail, parsed: ParsedMail) -> str | None:
        sender = mail.envelope_sender.strip().strip("<>").lower()
        if not sender:
            return "a bounce (empty return path)"
        if not _ADDRESS.match(sender):
            return "no usable return path"
        if parsed.automatic:
            return f"an automatic message ({parsed.automatic})"
        if sender in self._own or sender.rpartition("@")[2] == self._inbox_domain:
            return "our own address"
        failed = [name for name in _VERIFIED if mail.verdicts.get(name) == "FAIL"]
        if failed:
            return f"the sender did not pass {', '.join(failed)}"
        return None


__all__ = ["InboundMail", "MailIntake", "MailOutcome", "RefusedPart"]
