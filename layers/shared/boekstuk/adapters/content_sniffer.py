"""What an e-mail attachment is, judged as the intake judges an upload (``recognition.sniff``): by its bytes."""

from __future__ import annotations

from boekstuk.adapters.recognition.sniff import declared_family, sniff
from boekstuk.domain.errors import UnreadableDocument
from boekstuk.domain.inbound_mail import Sniffed


class BytesSniffer:
    """``ContentSniffer`` on the intake's own sniffing: the bytes decide, names and types are only claims."""

    def sniff(self, content: bytes, filename: str, declared_type: str | None) -> Sniffed:
        """The bytes' kind and whether the name or declared type claims a document (PDF, image or XML)."""
        try:
            kind = str(sniff(content).kind)
        except UnreadableDocument:
            kind = "xml"  # XML that cannot be parsed safely (entities, a DOCTYPE): the intake says why
        return Sniffed(kind=kind, claims_document=bool(declared_family(filename, declared_type)))
