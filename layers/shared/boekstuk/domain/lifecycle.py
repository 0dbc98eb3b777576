"""A document's lifecycle: the one table of allowed transitions, and the one place a transition happens.

    received -> recognizing -> awaiting_approval -> approved -> booking -> booked
    side exits: duplicate and unreadable (the intake), rejected (a decision), failed (booking gave up)
    re-entries: failed -> approved (retry-booking), and steps within a status (an edit, a decision, ...)

Every row of ``TRANSITIONS`` is one step: the status it leaves (``None``: the document is created by it), the
history event it records and the status it leads to. ``transition`` checks a step against the table and returns
a ``Transition``: the document after the step and its one history entry (actor, time). The document repository
stores transitions, never a bare document, so no status changes without its history entry, and its write is the
one place where a step becomes an event for others.

``booked`` is locked: no row leaves it, not even a step within it, and every attempt answers ``DocumentLocked``
(409 ``document_locked``). Any other step the table lacks is an ``IllegalTransition`` (409 ``invalid_status``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from boekstuk.domain.documents import Document, DocumentStatus, HistoryEntry, HistoryEvent
from boekstuk.domain.errors import DocumentLocked, IllegalTransition

E = HistoryEvent


@dataclass(frozen=True)
class Step:
    """One allowed step: from ``source`` (``None``: a new document), recording ``event``, to ``target``."""

    source: DocumentStatus | None
    event: HistoryEvent
    target: DocumentStatus


TRANSITIONS: tuple[Step, ...] = (
    # The intake (an S3 object, at least once).
    Step(None, E.UPLOAD_REQUESTED, "received"),  # an upload slot: the bytes are still to come
    Step(None, E.RECEIVED, "received"),  # an object that fills no slot: an inbox/ drop, a stray upload
    Step("received", E.RECEIVED, "received"),  # the object that fills its upload slot
    Step("received", E.RECOGNIZING, "recognizing"),
    Step("recognizing", E.RECOGNIZING, "recognizing"),  # the same object delivered again: processing resumes
    Step("recognizing", E.RECOGNIZED, "recognizing"),
    Step("recognizing", E.PROPOSED, "awaiting_approval"),
    Step("recognizing", E.DUPLICATE, "duplicate"),  # the same file, or the supplier's invoice number again
    Step("recognizing", E.UNREADABLE, "unreadable"),
    Step("received", E.UNREADABLE, "unreadable"),  # processing failed before it got under way
    # Approval.
    Step("awaiting_approval", E.APPROVAL_REQUESTED, "awaiting_approval"),
    Step("awaiting_approval", E.APPROVAL_GIVEN, "awaiting_approval"),  # a decision that does not settle it yet
    Step("awaiting_approval", E.EDITED, "awaiting_approval"),
    Step("awaiting_approval", E.APPROVED, "approved"),  # by people, or by the policy (auto-approval)
    Step("awaiting_approval", E.REJECTED, "rejected"),
    # Booking.
    Step("approved", E.BOOKING, "booking"),
    Step("booking", E.BOOKED, "booked"),  # the last (usually the only) target booked
    Step("booking", E.BOOKED, "booking"),  # one target of several booked
    Step("approved", E.BOOKING_FAILED, "failed"),
    Step("booking", E.BOOKING_FAILED, "failed"),
    Step("failed", E.BOOKING_RETRIED, "approved"),  # retry-booking: a new execution books it
)

LOCKED_STATUSES: frozenset[DocumentStatus] = frozenset({"booked"})
"""What is in the package stays as it was booked: the document allows no step at all any more."""

_TARGETS: dict[tuple[DocumentStatus | None, HistoryEvent], frozenset[DocumentStatus]] = {}
for _row in TRANSITIONS:
    _TARGETS[(_row.source, _row.event)] = _TARGETS.get((_row.source, _row.event), frozenset()) | {_row.target}

_REFUSALS: dict[HistoryEvent, str] = {
    E.EDITED: "The proposal can only be edited while awaiting approval (now: {status}).",
    E.APPROVAL_GIVEN: "The document is {status}; it is not awaiting approval.",
    E.APPROVED: "The document is {status}; it is not awaiting approval.",
    E.REJECTED: "The document is {status}; it is not awaiting approval.",
    E.APPROVAL_REQUESTED: "The document is {status}; there is nothing to approve.",
    E.BOOKING: "The document is {status}; only an approved document is booked.",
    E.BOOKING_RETRIED: "Only a failed booking can be retried (the document is {status}).",
}
"""What a person reads when the document's status does not allow the step they asked for."""


@dataclass(frozen=True)
class Transition:
    """One step taken: the status it left (``None``: the document is new), the document after it and the step's
    history entry. What the document repository stores, atomically."""

    source: DocumentStatus | None
    document: Document
    entry: HistoryEntry


def allows(status: DocumentStatus | None, event: HistoryEvent) -> bool:
    """Whether a document in ``status`` (``None``: not created yet) may take a step recording ``event``."""
    return (status, event) in _TARGETS


def check(status: DocumentStatus | None, event: HistoryEvent) -> None:
    """Refuse a step the table does not allow: ``DocumentLocked`` for a booked document, ``IllegalTransition``
    (with the sentence for this kind of step) otherwise."""
    if allows(status, event):
        return
    if status in LOCKED_STATUSES:
        raise DocumentLocked()
    shown = status or "not created yet"
    raise IllegalTransition(_REFUSALS.get(event, "A '{event}' step is not possible; the document is {status}.")
                            .format(status=shown, event=event.value))


def _entry(status: DocumentStatus | None, to: DocumentStatus, event: HistoryEvent, actor: str, at: dt.datetime,
           detail: str) -> HistoryEntry:
    check(status, event)
    if to not in _TARGETS[(status, event)]:
        raise IllegalTransition(f"A '{event.value}' step leads from {status or 'nothing'} to "
                                f"{' or '.join(sorted(_TARGETS[(status, event)]))}, not to {to}.")
    return HistoryEntry(at=at, event=event, actor=actor, detail=detail)


def start(document: Document, event: HistoryEvent, *, actor: str, detail: str = "") -> Transition:
    """A new document's first step (``upload_requested`` or ``received``), at its ``created_at``."""
    entry = _entry(None, document.status, event, actor, document.created_at, detail)
    return Transition(source=None, document=document, entry=entry)


def transition(document: Document, to: DocumentStatus, event: HistoryEvent, *, actor: str, at: dt.datetime,
               detail: str = "", **changes: Any) -> Transition:
    """Take one step: ``document`` moves to ``to`` at ``at`` with ``changes`` applied, recorded as ``event`` by
    ``actor``. ``IllegalTransition`` (``DocumentLocked`` for a booked document) when the table has no such step."""
    if "status" in changes or "updated_at" in changes:
        raise TypeError("a transition sets status and updated_at itself")
    entry = _entry(document.status, to, event, actor, at, detail)
    after = document.model_copy(update={**changes, "status": to, "updated_at": at})
    return Transition(source=document.status, document=after, entry=entry)


__all__ = ["LOCKED_STATUSES", "TRANSITIONS", "Step", "Transition", "allows", "check", "start", "transition"]
