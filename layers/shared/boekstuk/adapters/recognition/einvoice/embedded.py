"""E-invoices and PDFs inside each other: the Factur-X / ZUGFeRD / XRechnung XML attached to a PDF, and the PDF
rendering a UBL or CII file carries as a base64 attachment."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Final

import pypdfium2 as pdfium
from lxml import etree

from boekstuk.adapters.recognition.einvoice import cii, ubl
from boekstuk.adapters.recognition.einvoice.paths import find_all
from boekstuk.adapters.recognition.limits import DEFAULT_LIMITS, IntakeLimits
from boekstuk.adapters.recognition.sniff import EINVOICE_KINDS, FileKind, refuse, sniff
from boekstuk.domain.errors import UnreadableDocument

EMBEDDED_XML_NAMES: Final = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "order-x.xml")
"""Attachment names the Factur-X/ZUGFeRD/XRechnung specs prescribe; other XML attachments are tried after."""


@dataclass(frozen=True)
class EmbeddedXml:
    """An invoice XML found inside a PDF."""

    name: str
    content: bytes


def embedded_invoice_xml(pdf_content: bytes, *, limits: IntakeLimits = DEFAULT_LIMITS) -> EmbeddedXml | None:
    """The UBL/CII invoice attached to a PDF (Factur-X, ZUGFeRD, XRechnung, Odoo UBL), or None.

    Attachments are tried with the prescribed names first, then any other ``.xml``; an attachment that is
    not a safe, well-formed e-invoice is skipped (the PDF can still be read visually).
    """
    try:
        pdf = pdfium.PdfDocument(pdf_content)
    except pdfium.PdfiumError as exc:
        raise refuse("pdf_corrupt", "The PDF is damaged and cannot be opened.") from exc
    try:
        attachments: list[tuple[str, int]] = []
        for index in range(pdf.count_attachments()):
            try:
                name = pdf.get_attachment(index).get_name() or ""
            except pdfium.PdfiumError:
                continue  # a damaged attachment entry; the page itself may still be readable
            if name.lower().endswith(".xml"):
                attachments.append((name, index))
        attachments.sort(key=lambda item: (item[0].lower() not in EMBEDDED_XML_NAMES, item[1]))
        for name, index in attachments:
            try:
                data = bytes(pdf.get_attachment(index).get_data())
            except pdfium.PdfiumError:
                continue
            if len(data) > limits.max_xml_bytes:
                continue
            try:
                kind = sniff(data).kind
            except UnreadableDocument:
                continue
            if kind in (FileKind.UBL, FileKind.CII):
                return EmbeddedXml(name, data)
        return None
    finally:
        pdf.close()


def embedded_pdf(xml: bytes | etree._Element) -> bytes | None:
    """The PDF rendering carried inside a UBL/CII file (base64 attachment), for display and booking; or None."""
    root: etree._Element | None
    if isinstance(xml, bytes):
        sniffed = sniff(xml)
        root = sniffed.xml_root if sniffed.kind in EINVOICE_KINDS else None
    else:
        root = xml
    if root is None:
        return None
    for path in (ubl.ATTACHMENT, cii.ATTACHMENT):
        for element in find_all(root, path):
            mime = (element.get("mimeCode") or "").lower()
            filename = (element.get("filename") or "").lower()
            if mime != "application/pdf" and not filename.endswith(".pdf"):
                continue
            try:
                data = base64.b64decode("".join((element.text or "").split()), validate=True)
            except (binascii.Error, ValueError):
                continue
            if b"%PDF-" in data[:1024]:
                return data
    return None
