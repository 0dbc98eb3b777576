"""The e-mails approvers get (in Dutch): the request to approve a document, and the daily reminder digest.

Each names the supplier, the amount, the due date and a link to the document in the web app
(``{WebAppUrl}/#/documents/{document_id}``: the front end routes by hash).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from boekstuk.domain.documents import Document

_CURRENCY_SIGNS = {"EUR": "€"}


def document_link(base_url: str, document_id: str) -> str | None:
    """Where the web app shows the document; ``None`` without a base URL (the mail names the document id)."""
    base = base_url.rstrip("/")
    return f"{base}/#/documents/{document_id}" if base else None


def amount_text(amount: Decimal, currency: str) -> str:
    """``€ 1.234,56`` (Dutch: a dot per thousand, a decimal comma); other currencies by their code."""
    plain = f"{abs(amount):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{_CURRENCY_SIGNS.get(currency, currency)} {'-' if amount < 0 else ''}{plain}"


def date_text(day: dt.date | None) -> str:
    """``31-03-2026``, or ``onbekend``."""
    return day.strftime("%d-%m-%Y") if day is not None else "onbekend"


def _facts(document: Document) -> list[str]:
    proposal = document.proposal
    if proposal is None:
        return [f"Document: {document.filename}"]
    return [f"Leverancier: {proposal.supplier.name}",
            f"Factuurnummer: {proposal.invoice_number or '-'}",
            f"Bedrag: {amount_text(proposal.total_incl_vat, proposal.currency)}",
            f"Vervaldatum: {date_text(proposal.due_date)}"]


def _where(document: Document, link: str | None) -> str:
    return link or f"document {document.document_id}"


def approval_request(document: Document, link: str | None) -> tuple[str, str]:
    """``(subject, body)`` of the mail that asks an approver to approve ``document``."""
    proposal = document.proposal
    name = f"{proposal.supplier.name} {proposal.invoice_number or ''}".strip() if proposal else document.filename
    body = "\n".join(["Goedendag,", "", "Er wacht een document op uw goedkeuring.", "", *_facts(document), "",
                      f"Bekijk en beoordeel het document: {_where(document, link)}", ""])
    return f"Ter goedkeuring: {name}", body


def reminder_digest(waiting: Sequence[tuple[Document, str | None, dt.datetime]]) -> tuple[str, str]:
    """``(subject, body)`` of one approver's reminder: every ``(document, link, waiting since)`` in one mail."""
    count = len(waiting)
    subject = (f"Herinnering: {count} documenten wachten op uw goedkeuring" if count > 1
               else "Herinnering: een document wacht op uw goedkeuring")
    lines = ["Goedendag,", "",
             "Deze documenten wachten al meer dan twee dagen op uw goedkeuring:" if count > 1
             else "Dit document wacht al meer dan twee dagen op uw goedkeuring:", ""]
    for document, link, since in waiting:
        lines += [f"- {fact}" if i == 0 else f"  {fact}" for i, fact in enumerate(_facts(document))]
        lines += [f"  Wacht sinds: {date_text(since.date())}", f"  Bekijk en beoordeel: {_where(document, link)}", ""]
    return subject, "\n".join(lines)
