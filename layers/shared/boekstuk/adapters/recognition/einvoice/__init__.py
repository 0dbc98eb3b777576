"""Structured e-invoices: UBL 2.1 (SI-UBL 2.0/NLCIUS, SI-UBL 1.2, Peppol BIS 3, XRechnung) and UN/CEFACT CII
(D16B, XRechnung CII, Factur-X / ZUGFeRD 2, and the older ZUGFeRD 1 schema), also when embedded in a PDF.

- ``ubl`` and ``cii``: where each syntax keeps what, and the walk through its document;
- ``fields``: the one reader of parties, amounts, VAT lines, line items and addresses both share;
- ``embedded``: the XML attached to a PDF (Factur-X/ZUGFeRD), and the PDF attached to an XML;
- ``paths``: namespace-agnostic paths and the XPath ``source`` of an element.

Values are read exactly as the XML states them, with confidence 1.0 and the element's XPath as ``source``
(no ``locations``: nothing was read from a page). Sign convention (the one the ground truth of public test
sets uses, and the XML's own): amounts keep the sign the XML gives them. A credit note (``CreditNote`` root
or a credit type code such as 381) normally carries positive amounts and is marked
``document_kind="credit_note"``; booking turns it around. An invoice with negative amounts (a "negative
invoice" correction) stays an invoice with negative totals. XML is parsed by ``sniff.parse_xml``: no
entities, no DTD, no network.
"""

from __future__ import annotations

from lxml import etree

from boekstuk.adapters.recognition.einvoice.cii import read_cii
from boekstuk.adapters.recognition.einvoice.embedded import (
    EMBEDDED_XML_NAMES,
    EmbeddedXml,
    embedded_invoice_xml,
    embedded_pdf,
)
from boekstuk.adapters.recognition.einvoice.fields import CREDIT_TYPE_CODES, KVK_SCHEMES, ZERO_RATE_CATEGORIES
from boekstuk.adapters.recognition.einvoice.paths import xpath_of
from boekstuk.adapters.recognition.einvoice.ubl import read_ubl
from boekstuk.adapters.recognition.sniff import EINVOICE_KINDS, refuse, sniff
from boekstuk.domain.recognition import Recognition

__all__ = [
    "CREDIT_TYPE_CODES",
    "EMBEDDED_XML_NAMES",
    "KVK_SCHEMES",
    "ZERO_RATE_CATEGORIES",
    "EmbeddedXml",
    "embedded_invoice_xml",
    "embedded_pdf",
    "parse_einvoice",
    "read_einvoice",
    "xpath_of",
]


def read_einvoice(root: etree._Element, *, origin: str = "") -> Recognition:
    """Map a parsed UBL or CII invoice element (as ``sniff`` returned it) to a ``Recognition``.

    ``origin`` prefixes every ``source`` XPath (the attachment name for XML inside a PDF).
    """
    qname = etree.QName(root)
    if qname.localname in ("Invoice", "CreditNote"):
        return read_ubl(root, origin)
    if qname.localname in ("CrossIndustryInvoice", "CrossIndustryDocument"):
        return read_cii(root, origin)
    raise refuse("not_an_invoice_xml", f"The XML root <{qname.localname}> is not a UBL or CII invoice.")


def parse_einvoice(content: bytes, *, origin: str = "") -> Recognition:
    """Parse UBL/CII bytes safely and map them; ``UnreadableDocument`` when they are not a readable e-invoice."""
    sniffed = sniff(content)
    if sniffed.kind not in EINVOICE_KINDS or sniffed.xml_root is None:
        raise refuse("not_an_invoice_xml", f"The file is {sniffed.description}, not a UBL or CII e-invoice.")
    return read_einvoice(sniffed.xml_root, origin=origin)
