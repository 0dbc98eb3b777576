"""Raw e-mail messages for the e-mail-in tests: built with the standard library, or written out by hand where a
hostile sender writes what no library would (nesting, raw header parameters)."""

from __future__ import annotations

from email.message import EmailMessage

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ZIP = b"PK\x03\x04" + b"\x00" * 26
UBL = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
       b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>F-1</ID></Invoice>\n')


def message(to: str = "bakkerij.abcdefgh@inbox.example.nl", sender: str = "jan@leverancier.nl",
            subject: str = "Facturen", text: str = "Zie bijlagen.", **headers: str) -> EmailMessage:
    """A plain message; ``headers`` are added as they are (``Auto_Submitted`` -> ``Auto-Submitted``)."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = "<m1@leverancier.nl>"
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(text)
    return mail


def attach(mail: EmailMessage, content: bytes, filename: str | None, content_type: str = "application/pdf") -> None:
    """Add an attachment (``filename`` None: an unnamed one, still marked as attachment)."""
    maintype, subtype = content_type.split("/")
    mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)


def nested(depth: int, leaf: bytes = PDF) -> bytes:
    """A PDF attachment wrapped in ``depth`` multipart/mixed levels, written out by hand."""
    body = (b"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=diep.pdf\r\n"
            b"Content-Transfer-Encoding: 8bit\r\n\r\n" + leaf + b"\r\n")
    for level in range(depth):
        boundary = f"b{level}".encode()
        body = (b"Content-Type: multipart/mixed; boundary=" + boundary + b"\r\n\r\n--" + boundary + b"\r\n" + body
                + b"\r\n--" + boundary + b"--\r\n")
    return b"From: jan@leverancier.nl\r\nTo: x.abcdefgh@inbox.example.nl\r\nSubject: diep\r\nMIME-Version: 1.0\r\n" + body
