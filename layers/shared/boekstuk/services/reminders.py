"""Reminders: approvers hear again about documents that have waited for them longer than 48 hours.

The ``RemindApproversFunction`` schedule (hourly on working days, template.yaml) calls ``send_due``. Each run finds
the documents whose approvers were asked more than ``REMIND_AFTER`` ago with one index Query per shard
(``DocumentRepository.awaiting_approval``), works out per document who is still waited for (named, not decided,
and able to fill a slot that is still open), and sends every such approver one digest of all their waiting
documents. A conditional write per approver and Amsterdam-local date (``ReminderLog``) makes that at most one
digest per approver per day, however often the schedule runs (and so at most one reminder per approver per
document per working day); a digest that could not be sent is released for the next run. Saturdays and Sundays
in Amsterdam send nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from boekstuk.domain.approval_mail import document_link, reminder_digest
from boekstuk.domain.approvals import still_waited_for
from boekstuk.domain.documents import Document
from boekstuk.observability import logger
from boekstuk.ports import ApprovalStore, Clock, DocumentRepository, Mailer, OfficeRepository, ReminderLog

REMIND_AFTER = dt.timedelta(hours=48)
OFFICE_TIMEZONE = ZoneInfo("Europe/Amsterdam")


class ReminderRun(BaseModel):
    """What one run did: the Amsterdam day it ran on, whether that was a weekend, how many documents waited too
    long, and how many digests went out."""

    day: dt.date
    weekend: bool = False
    waiting: int = 0
    sent: int = 0


class ApprovalReminders:
    """The reminder schedule's use case."""

    def __init__(self, *, documents: DocumentRepository, store: ApprovalStore, log: ReminderLog,
                 offices: OfficeRepository, mailer: Mailer, clock: Clock, link_base_url: str = "") -> None:
        self._documents = documents
        self._store = store
        self._log = log
        self._offices = offices
        self._mailer = mailer
        self._clock = clock
        self._link_base_url = link_base_url

    def send_due(self) -> ReminderRun:
        """Send today's digests that are due and not sent yet (nothing on a Saturday or Sunday in Amsterdam)."""
        now = self._clock.now()
        local = now.astimezone(OFFICE_TIMEZONE)
        if local.weekday() >= 5:
            return ReminderRun(day=local.date(), weekend=True)
        waiting = self._documents.awaiting_approval(now - REMIND_AFTER)
        digests: dict[tuple[str, str], list[Document]] = defaultdict(list)
        for document in waiting:
            for username in self._waited_for(document):
                digests[(document.office_code, username)].append(document)
        sent = sum(self._send(office, username, documents, local.date())
                   for (office, username), documents in sorted(digests.items()))
        logger.info("approval reminders", waiting=len(waiting), approvers=len(digests), sent=sent)
        return ReminderRun(day=local.date(), waiting=len(waiting), sent=sent)

    def _waited_for(self, document: Document) -> list[str]:
        """Who the document still waits for, by the steps of its current proposal version."""
        approval = document.approval
        if approval is None:
            return []
        pending = self._store.pending(document.office_code, document.document_id)
        if pending is not None and pending.completed:
            return []  # concluded a moment ago
        # The parked steps of this version (None: no policy, or an edit's steps not parked yet: every named
        # approver who has not decided counts).
        steps = pending.steps if pending is not None and pending.version == document.proposal_version else None
        decided = {d.user: d.decision for d in approval.decisions}
        return still_waited_for(steps, approval.approvers, decided)

    def _send(self, office_code: str, username: str, documents: list[Document], day: dt.date) -> int:
        user = self._offices.get_user(office_code, username)
        if user is None or not user.email or not self._log.claim_reminder(office_code, username, day):
            return 0
        subject, body = reminder_digest([
            (d, document_link(self._link_base_url, d.document_id),
             (d.approval_requested_at or d.updated_at).astimezone(OFFICE_TIMEZONE))
            for d in sorted(documents, key=lambda d: d.approval_requested_at or d.updated_at)])
        try:
            self._mailer.send(user.email, subject, body)
        except Exception:  # noqa: BLE001 - one approver's failed mail must not stop the others' digests
            self._log.release_reminder(office_code, username, day)
            logger.exception("reminder not sent", office=office_code)
            return 0
        return 1
