"""Events for integrators (API.md, Events): every status change of a document, as EventBridge carries it.

``source`` ``boekstuk``, ``detail-type`` ``Document <status>`` (``Document booked``) and a ``detail`` of ids,
statuses, the total and its currency and the time: never a name, an e-mail address or anything from the document
itself. A step within a status (a decision that does not settle the approval yet, an edit, a repeated
recognition) is history, not an event: integrators follow statuses.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from boekstuk.domain.documents import DocumentStatus, HistoryEvent
from boekstuk.domain.lifecycle import Transition
from boekstuk.domain.money import Money
from boekstuk.domain.timestamps import api_timestamp

EVENT_SOURCE = "boekstuk"


class DocumentEvent(BaseModel):
    """One status change of one document: the ``detail`` of its EventBridge event."""

    office_code: str
    administration_id: str
    document_id: str
    status: DocumentStatus
    previous_status: DocumentStatus | None
    total_incl_vat: Money | None = None
    currency: str | None = None
    at: dt.datetime

    @property
    def detail_type(self) -> str:
        """``Document <status>``, e.g. ``Document awaiting_approval``."""
        return f"Document {self.status}"

    def detail(self) -> dict[str, Any]:
        """The event's ``detail``: money as a two-decimal string, the time as API.md writes timestamps."""
        data: dict[str, Any] = self.model_dump(mode="json")
        data["at"] = api_timestamp(self.at)
        return data


def event_of(transition: Transition) -> DocumentEvent | None:
    """The event a stored transition publishes: one for every status change, ``None`` for a step within a status.

    A document is ``received`` for integrators when its bytes arrive: an ``inbox/`` drop at once, an upload slot
    when its upload fills it (that first event has no ``previous_status``). Handing out an upload slot is no
    event: its bytes may never come, and the slot is then swept without a trace.
    """
    document = transition.document
    if document.awaiting_upload:
        return None
    arrived = transition.entry.event == HistoryEvent.RECEIVED
    if transition.source == document.status and not arrived:
        return None
    proposal = document.proposal
    return DocumentEvent(office_code=document.office_code, administration_id=document.administration_id,
                         document_id=document.document_id, status=document.status,
                         previous_status=None if arrived else transition.source,
                         total_incl_vat=proposal.total_incl_vat if proposal is not None else None,
                         currency=proposal.currency if proposal is not None else None,
                         at=transition.entry.at)


__all__ = ["EVENT_SOURCE", "DocumentEvent", "event_of"]
