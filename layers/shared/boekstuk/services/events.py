"""Events for integrators: every stored status change of a document is published to EventBridge (API.md, Events).

The hook is the one place every status change passes: the document repository's write of a lifecycle
``Transition``. ``PublishingDocuments`` wraps the repository every use case gets, and ``TransitionEvents`` publishes.

Delivery guarantee: **at least once, never lost with its transition.**

1. The repository writes a status change's event into an outbox (``EventOutbox``) in the same DynamoDB
   transaction as the document and its history entry: the event exists exactly when the transition was stored,
   and a failed publish never undoes or blocks the transition.
2. Right after the write succeeds, the event is published (``EventPublisher``: PutEvents, batches of at most ten,
   refused entries retried with back-off) and taken out of the outbox. This is the usual path: the event is
   on the bus within the request that made the change.
3. When publishing fails (the bus refuses, the network fails, the Lambda dies between the write and the publish),
   the event stays in the outbox, and the ``PublishEventsFunction`` schedule (``publish_pending``, every few
   minutes) publishes every event older than ``GRACE`` and removes it.

An event is published twice when a publish succeeded but its removal from the outbox did not (or the schedule
ran at the same moment as a slow request): consumers dedupe on (``document_id``, ``status``, ``at``). Order: the
events of one document are published in the order of its transitions on the usual path; EventBridge itself does
not guarantee delivery order, and a retried event arrives late, so consumers order by ``at`` and check
``previous_status``.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from boekstuk.domain.documents import Document, HistoryEntry
from boekstuk.domain.events import event_of
from boekstuk.domain.lifecycle import Transition
from boekstuk.observability import logger
from boekstuk.ports import Clock, DocumentRepository, EventOutbox, EventPublisher

GRACE = dt.timedelta(minutes=2)
"""The schedule leaves younger events to the request that wrote them (it is publishing them right now)."""
SWEEP_LIMIT = 500


class PublishRun(BaseModel):
    """What one run of the schedule did."""

    published: int
    failed: int


class TransitionEvents:
    """Publishes the event of a stored transition, and whatever the outbox still holds."""

    def __init__(self, publisher: EventPublisher, outbox: EventOutbox, clock: Clock) -> None:
        self._publisher = publisher
        self._outbox = outbox
        self._clock = clock

    def stored(self, transition: Transition) -> None:
        """The transition was written (with its event in the outbox): publish the event and take it out. Never
        raises: the transition stands, and the schedule publishes what is left."""
        event = event_of(transition)
        if event is None:
            return
        try:
            if self._publisher.publish([event]):
                logger.warning("event left in the outbox", document_id=event.document_id, status=event.status)
                return
            self._outbox.done([event])
        except Exception:  # noqa: BLE001 - the outbox keeps the event; the request must not fail on it
            logger.exception("publishing an event failed; the outbox keeps it", document_id=event.document_id)

    def publish_pending(self) -> PublishRun:
        """The schedule: publish every event the outbox still holds (older than ``GRACE``) and take them out."""
        pending = self._outbox.pending(self._clock.now() - GRACE, SWEEP_LIMIT)
        if not pending:
            return PublishRun(published=0, failed=0)
        failed = self._publisher.publish(pending)
        published = [e for e in pending if e not in failed]
        self._outbox.done(published)
        if failed:
            logger.warning("events still not published", events=len(failed))
        return PublishRun(published=len(published), failed=len(failed))


class PublishingDocuments:
    """The document repository every use case gets: each write it stores is published (``TransitionEvents``)."""

    def __init__(self, inner: DocumentRepository, events: TransitionEvents) -> None:
        self._inner = inner
        self._events = events

    def create(self, transition: Transition) -> bool:
        """Store a new document (``DocumentRepository.create``), then publish its event."""
        created = self._inner.create(transition)
        if created:
            self._events.stored(transition)
        return created

    def get(self, office_code: str, document_id: str) -> Document | None:
        """A document of an office."""
        return self._inner.get(office_code, document_id)

    def save(self, transition: Transition) -> None:
        """Store a step (``DocumentRepository.save``), then publish its event."""
        self._inner.save(transition)
        self._events.stored(transition)

    def save_if(self, transition: Transition, *, version: int) -> bool:
        """Store a step conditionally (``DocumentRepository.save_if``); publish only when it was written."""
        saved = self._inner.save_if(transition, version=version)
        if saved:
            self._events.stored(transition)
        return saved

    def claim_upload(self, transition: Transition) -> Document | None:
        """Fill an upload slot (``DocumentRepository.claim_upload``); publish only when it was written."""
        claimed = self._inner.claim_upload(transition)
        if claimed is not None:
            self._events.stored(transition)
        return claimed

    def history(self, office_code: str, document_id: str) -> list[HistoryEntry]:
        """The document's history, oldest first."""
        return self._inner.history(office_code, document_id)

    def page(self, office_code: str, administration_id: str | None, status: str | None, limit: int,
             cursor: str | None) -> tuple[list[Document], str | None]:
        """A page of the office's documents."""
        return self._inner.page(office_code, administration_id, status, limit, cursor)

    def awaiting_approval(self, requested_before: dt.datetime) -> list[Document]:
        """Documents waiting for people since before ``requested_before``."""
        return self._inner.awaiting_approval(requested_before)
