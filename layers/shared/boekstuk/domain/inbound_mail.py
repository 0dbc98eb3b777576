"""E-mail-in: a raw message as SES stores it, read with the standard library's ``email`` package.

``parse_mail`` turns the message into its leaf parts (in order, through nested multiparts and forwarded
messages) and says why a reply must not go out (bounces, auto-replies, lists); ``decide`` says per part what
happens to it, from what its bytes are (sniffed, as an upload is) and what its name or type claims; the reply
texts (Dutch, then English) tell a sender why a message or an attachment was not taken.

Hostile mail is bounded: at most ``MAX_DEPTH`` levels of nesting and ``MAX_PARTS`` parts are looked at, and at
most ``MAX_DOCUMENTS`` documents taken from one message; each limit reached is a reason in the reply. Nothing
here writes or sends anything; the raw message is kept by SES itself (``raw_mail_key``).
"""

from __future__ import annotations

import email
import email.policy
from collections import deque
from dataclasses import dataclass
from email.message import Message
from typing import Literal

from boekstuk.domain.documents import safe_filename

RAW_MAIL_PREFIX = "mail/raw/"
"""Where SES's S3 action stores each message (template.yaml: the receipt rule's ``ObjectKeyPrefix``)."""
MAILED_PREFIX = "mail/in/"
"""Where each document taken from a message is written; the intake picks it up like an upload."""
MAX_MESSAGE_BYTES = 40 * 1024 * 1024  # SES accepts inbound messages up to 40 MB
MAX_DOCUMENTS = 50
MAX_PARTS = 500
MAX_DEPTH = 8

DOCUMENT_KINDS = frozenset({"pdf", "jpeg", "png", "tiff", "ubl", "cii"})
EINVOICE_KINDS = frozenset({"ubl", "cii"})
CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png", "tiff": "image/tiff",
                 "ubl": "application/xml", "cii": "application/xml"}
EXTENSIONS = {"pdf": "pdf", "jpeg": "jpg", "png": "png", "tiff": "tif", "ubl": "xml", "cii": "xml"}

Reason = Literal["zip", "office", "unsupported", "empty", "too_many", "too_deep", "too_many_parts", "unparsable"]
ACTIONABLE: frozenset[Reason] = frozenset({"zip", "office", "too_many", "too_deep", "too_many_parts", "unparsable"})
"""Reasons a sender should hear about even when other documents of the message were taken: they probably meant
those files too. An unsupported file beside the documents (a business card, a calendar invite) is not worth a mail."""

REASON_TEXTS: dict[Reason, tuple[str, str]] = {
    "zip": ("een ZIP-archief: archieven pakken wij niet uit, stuur de bestanden zelf als bijlage",
            "a ZIP archive: archives are not unpacked, attach the files themselves"),
    "office": ("een Word-, Excel- of ander Office-bestand: stuur het als PDF",
               "a Word, Excel or other Office file: send it as a PDF"),
    "unsupported": ("geen PDF, JPEG, PNG, TIFF of UBL/CII e-factuur",
                    "not a PDF, JPEG, PNG, TIFF or UBL/CII e-invoice"),
    "empty": ("een leeg bestand", "an empty file"),
    "too_many": (f"meer dan {MAX_DOCUMENTS} documenten in één e-mail: alleen de eerste {MAX_DOCUMENTS} zijn verwerkt",
                 f"more than {MAX_DOCUMENTS} documents in one e-mail: only the first {MAX_DOCUMENTS} were taken"),
    "too_deep": (f"dieper dan {MAX_DEPTH} niveaus in doorgestuurde berichten verpakt",
                 f"wrapped deeper than {MAX_DEPTH} levels in forwarded messages"),
    "too_many_parts": (f"de e-mail heeft meer dan {MAX_PARTS} delen: de rest is niet bekeken",
                       f"the e-mail has more than {MAX_PARTS} parts: the rest was not looked at"),
    "unparsable": ("de e-mail kon niet gelezen worden", "the e-mail could not be read"),
}


def raw_mail_key(message_id: str) -> str:
    """Where SES stored the raw message ``message_id``."""
    return f"{RAW_MAIL_PREFIX}{message_id}"


def mailed_key(office_code: str, administration_id: str, message_id: str, index: int, filename: str) -> str:
    """Where the document taken from part ``index`` of a message is written (the intake's ``mail/in/`` drop)."""
    return f"{MAILED_PREFIX}{office_code}/{administration_id}/{message_id}/{index:03d}/{filename}"


@dataclass(frozen=True)
class MailedKey:
    """A ``mail/in/`` key taken apart."""

    office_code: str
    administration_id: str
    message_id: str
    index: int
    filename: str


def parse_mailed_key(key: str) -> MailedKey | None:
    """``mail/in/{office}/{administration}/{message id}/{part}/{name}``, else ``None``."""
    if not key.startswith(MAILED_PREFIX):
        return None
    parts = key[len(MAILED_PREFIX):].split("/")
    if len(parts) != 5 or not all(parts) or not parts[3].isdigit():
        return None
    return MailedKey(parts[0], parts[1], parts[2], int(parts[3]), parts[4])


# --- parsing -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MailPart:
    """One leaf of the message: ``attachment`` when the sender attached it (named, or marked as attachment), not
    the message's own text or a picture embedded in it."""

    index: int
    filename: str | None
    declared_type: str
    content: bytes
    attachment: bool

    def display_name(self) -> str:
        """The name to show a person (safe: no path, no control characters)."""
        return safe_filename(self.filename) if self.filename else f"bijlage {self.index} ({self.declared_type})"


@dataclass(frozen=True)
class Skipped:
    """What was not taken, and why."""

    name: str
    reason: Reason


@dataclass(frozen=True)
class ParsedMail:
    subject: str
    message_id: str | None
    from_address: str | None
    automatic: str | None
    """Why this message is automatic (a bounce, an auto-reply, a list): never answer it."""
    parts: tuple[MailPart, ...]
    skipped: tuple[Skipped, ...]


def parse_mail(raw: bytes) -> ParsedMail:
    """Read a raw RFC 5322 / MIME message (``email.message_from_bytes`` with the default policy)."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except RecursionError:
        # Nested far deeper than MAX_DEPTH: the standard parser recurses per level.
        return ParsedMail("", None, None, None, (), (Skipped("", "unparsable"),))
    parts: list[MailPart] = []
    skipped: list[Skipped] = []
    queue: deque[tuple[Message, int, str]] = deque([(message, 0, "")])
    visited = 0
    while queue:
        part, depth, parent = queue.popleft()
        visited += 1
        if visited > MAX_PARTS:
            skipped.append(Skipped("", "too_many_parts"))
            break
        if part.is_multipart():
            if depth >= MAX_DEPTH:
                skipped.append(Skipped(part.get_content_type(), "too_deep"))
                continue
            payload = part.get_payload()
            children = [child for child in payload if isinstance(child, Message)] if isinstance(payload, list) else []
            # Depth first, in the order the sender wrote them (a forwarded message's parts in its place).
            queue.extendleft(reversed([(child, depth + 1, part.get_content_type()) for child in children]))
            continue
        parts.append(_leaf(part, len(parts) + 1, parent))
    return ParsedMail(subject=_header(message, "Subject"), message_id=_header(message, "Message-ID") or None,
                      from_address=_from_address(message), automatic=automatic_reason(message),
                      parts=tuple(parts), skipped=tuple(skipped))


def _leaf(part: Message, index: int, parent: str) -> MailPart:
    disposition = part.get_content_disposition()
    filename = _filename(part)
    payload = part.get_payload(decode=True)
    # A picture an HTML body shows (a logo in a signature) is part of the text, not a document sent to us.
    embedded = parent == "multipart/related" and part.get("Content-ID") is not None and disposition != "attachment"
    return MailPart(index=index, filename=filename, declared_type=part.get_content_type(),
                    content=payload if isinstance(payload, bytes) else b"",
                    attachment=not embedded and (disposition == "attachment" or filename is not None))


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()  # RFC 2231 and encoded words decoded
    except Exception:  # noqa: BLE001 - a malformed parameter is the sender's problem, not a crash of ours
        return None
    name = str(name).strip() if name else ""
    return name or None


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001 - an unparsable header reads as absent
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def _from_address(message: Message) -> str | None:
    try:
        header = message.get("From")
        addresses = getattr(header, "addresses", ())
    except Exception:  # noqa: BLE001
        return None
    return str(addresses[0].addr_spec) if addresses and addresses[0].addr_spec else None


_BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster"})


def automatic_reason(message: Message) -> str | None:
    """Why ``message`` must not be answered (RFC 3834: never answer automatic mail, lists or bounces)."""
    auto = _header(message, "Auto-Submitted").lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto}"
    precedence = _header(message, "Precedence").lower()
    if precedence in ("bulk", "list", "junk", "auto_reply"):
        return f"Precedence: {precedence}"
    for header in ("List-Id", "List-Unsubscribe", "X-Autoreply", "X-Autorespond"):
        if _header(message, header):
            return f"{header} header"
    if message.get_content_type() == "multipart/report":
        return "a delivery report"
    sender = (_from_address(message) or "").lower()
    if sender.partition("@")[0] in _BOUNCE_SENDERS:
        return "from a mail server"
    return None


# --- deciding ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sniffed:
    """What a part's bytes are (``pdf``, ``jpeg``, ``png``, ``tiff``, ``ubl``, ``cii``, ``xml``, ``zip``,
    ``office``, ``empty`` or ``other``), and whether its name or declared type claims a document."""

    kind: str
    claims_document: bool


Decision = Literal["take", "ignore"] | Reason


def decide(part: MailPart, sniffed: Sniffed) -> Decision:
    """``take`` (it becomes a document), ``ignore`` (the message's own text, an embedded picture) or the reason it
    is refused. A part that claims to be a document is taken even when its bytes disagree: the intake ends it
    ``unreadable`` with the reason, as it does an upload, so the sender's file is visible in the inbox."""
    if not part.attachment:
        return "take" if sniffed.kind in EINVOICE_KINDS else "ignore"
    if sniffed.kind in DOCUMENT_KINDS:
        return "take"
    if sniffed.kind == "zip":
        return "zip"
    if sniffed.kind == "office":
        return "office"
    if sniffed.kind == "empty":
        return "empty"
    return "take" if sniffed.claims_document else "unsupported"


def document_filename(part: MailPart, sniffed_kind: str) -> str:
    """The document's file name: the sender's (made safe), else one from its kind (``e-factuur.xml`` for an
    e-invoice in the message's text)."""
    if part.filename:
        return safe_filename(part.filename)
    if sniffed_kind in EINVOICE_KINDS:
        return "e-factuur.xml"
    return f"bijlage-{part.index}.{EXTENSIONS.get(sniffed_kind, 'bin')}"


# --- replies -----------------------------------------------------------------------------------------

_SIGNATURE = ["", "-- ", "boekstuk (automatisch bericht / automatic message)"]


def _reply_subject(subject: str) -> str:
    original = " ".join(subject.split())[:100]
    return f"Niet verwerkt / Not processed: {original}" if original else "Niet verwerkt / Not processed"


def unknown_address_reply(addresses: list[str], subject: str) -> tuple[str, str]:
    """``(subject, body)`` for a message to inbox addresses that belong to no administration."""
    shown = ", ".join(addresses)
    body = ["Goedendag,", "",
            f"Uw e-mail aan {shown} is niet verwerkt: dit adres hoort bij geen administratie. Controleer het adres "
            "(u vindt het in boekstuk bij de instellingen van de administratie) en stuur het bericht opnieuw.",
            "", "---", "", "Hello,", "",
            f"Your e-mail to {shown} was not processed: this address belongs to no administration. Check the address "
            "(boekstuk shows it in the administration's settings) and send the message again.", *_SIGNATURE]
    return _reply_subject(subject), "\n".join(body)


def refusal_reply(taken: int, skipped: list[Skipped], subject: str) -> tuple[str, str]:
    """``(subject, body)`` for a message of which nothing (``taken`` 0) or not everything was taken."""
    nl = [f"- {s.name or 'de e-mail'}: {REASON_TEXTS[s.reason][0]}" for s in skipped]
    en = [f"- {s.name or 'the e-mail'}: {REASON_TEXTS[s.reason][1]}" for s in skipped]
    if taken:
        nl_intro = f"Uit uw e-mail {'is 1 document' if taken == 1 else f'zijn {taken} documenten'} verwerkt; dit niet:"
        en_intro = f"{taken} document{'' if taken == 1 else 's'} of your e-mail {'was' if taken == 1 else 'were'} " \
                   "taken; these were not:"
    else:
        nl_intro = "Uw e-mail is ontvangen, maar er zat geen document in dat wij kunnen verwerken."
        en_intro = "Your e-mail was received, but it held no document we can process."
    accepted_nl = "Stuur facturen en bonnen als PDF, JPEG, PNG of TIFF, of als UBL/CII e-factuur (XML)."
    accepted_en = "Send invoices and receipts as PDF, JPEG, PNG or TIFF, or as a UBL/CII e-invoice (XML)."
    body = ["Goedendag,", "", nl_intro, *nl, "", accepted_nl, "", "---", "", "Hello,", "", en_intro, *en, "",
            accepted_en, *_SIGNATURE]
    return _reply_subject(subject), "\n".join(body)


__all__ = [
    "ACTIONABLE", "CONTENT_TYPES", "DOCUMENT_KINDS", "MAILED_PREFIX", "MAX_DEPTH", "MAX_DOCUMENTS",
    "MAX_MESSAGE_BYTES", "MAX_PARTS", "RAW_MAIL_PREFIX", "MailPart", "MailedKey", "ParsedMail", "Reason", "Skipped",
    "Sniffed", "automatic_reason", "decide", "document_filename", "mailed_key", "parse_mail", "parse_mailed_key",
    "raw_mail_key", "refusal_reply", "unknown_address_reply",
]
