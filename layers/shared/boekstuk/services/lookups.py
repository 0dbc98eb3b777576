"""Lookups the workflow's use cases share: a document or administration of the office (or ``NotFound``), the
office's deciders, and where a document is booked."""

from __future__ import annotations

from boekstuk.domain import errors
from boekstuk.domain.approvals import BookingTarget
from boekstuk.domain.documents import Document
from boekstuk.domain.links import Administration
from boekstuk.domain.onboarding import DECIDING_ROLES
from boekstuk.ports import AdministrationRepository, DocumentRepository, OfficeRepository


def document_of(documents: DocumentRepository, office_code: str, document_id: str) -> Document:
    """The office's document, or ``NotFound``."""
    document = documents.get(office_code, document_id)
    if document is None:
        raise errors.NotFound("No such document.")
    return document


def administration_of(administrations: AdministrationRepository, office_code: str,
                      administration_id: str) -> Administration:
    """The office's linked administration, or ``NotFound``."""
    adm = administrations.get(office_code, administration_id)
    if adm is None:
        raise errors.NotFound("No such administration.")
    return adm


def deciders(offices: OfficeRepository, office_code: str) -> list[str]:
    """Who may decide without a policy: the office's admins and approvers."""
    return [u.username for u in offices.list_users(office_code) if u.role in DECIDING_ROLES]


def booking_targets(administrations: AdministrationRepository, document: Document) -> list[BookingTarget]:
    """Where the document is booked: the connection its administration is linked through."""
    adm = administration_of(administrations, document.office_code, document.administration_id)
    return [BookingTarget(connection_id=adm.connection_id, package=adm.package,
                          administration_id=adm.administration_id)]
