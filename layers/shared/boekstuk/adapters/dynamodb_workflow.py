"""DynamoDB store of the approval and booking workflow.

| item             | pk                             | sk                           | notes                                  |
|------------------|--------------------------------|------------------------------|----------------------------------------|
| approval policy  | OFFICE#{office}#ADMIN#{adm id} | APPROVALPOLICY               | replaced by each PUT                   |
| parked approval  | OFFICE#{office}#DOC#{doc id}   | APPROVAL                     | task token: never leaves the server    |
| decision         | OFFICE#{office}#DOC#{doc id}   | DECISION#{version}#{user}    | one per person and proposal version    |
| booking claim    | OFFICE#{office}#DOC#{doc id}   | BOOKING#{connection_id}      | exactly once per (document, connection)|
| request mailed   | OFFICE#{office}#DOC#{doc id}   | NOTIFIED#{version}#{user}    | one request mail per approver/version  |
| reminder mailed  | OFFICE#{office}#USER#{user}    | REMINDED#{YYYY-MM-DD}        | one digest per approver per day (TTL)  |

Every item is keyed under its office: an id taken from anywhere (an S3 key, another office's URL) reaches
nothing of another office. The document's own item and its history belong to ``dynamodb_documents``; these
items share the history's partition, so one Query reads a document's workflow.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from botocore.exceptions import ClientError
from pydantic import TypeAdapter

from boekstuk.adapters.dynamodb import DynamoTable, to_item
from boekstuk.adapters.dynamodb_documents import document_partition
from boekstuk.domain import errors
from boekstuk.domain.approvals import BookingClaim, PendingApproval, PolicyStep, StoredPolicy
from boekstuk.domain.documents import Decision

_STEPS = TypeAdapter(list[PolicyStep] | None)


def _condition_failed(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class DynamoWorkflowStore:
    def __init__(self, db: DynamoTable) -> None:
        self._db = db

    # --- policies -----------------------------------------------------------------------------------

    def get_policy(self, office_code: str, administration_id: str) -> StoredPolicy | None:
        """The administration's approval policy, if one was set."""
        item = self._db.get(f"OFFICE#{office_code}#ADMIN#{administration_id}", "APPROVALPOLICY")
        return StoredPolicy.model_validate(item) if item else None

    def put_policy(self, policy: StoredPolicy) -> None:
        """Replace the policy (last writer wins: a policy is one document, not a merge)."""
        self._db.table.put_item(Item=to_item(policy, pk=f"OFFICE#{policy.office_code}#ADMIN#{policy.administration_id}",
                                             sk="APPROVALPOLICY"))

    # --- parked approvals and decisions ---------------------------------------------------------------

    def park(self, pending: PendingApproval) -> None:
        """Store the token; a completed approval is never re-opened by a late duplicate request."""
        try:
            self._db.table.put_item(
                Item=to_item(pending, pk=document_partition(pending.office_code, pending.document_id), sk="APPROVAL"),
                ConditionExpression="attribute_not_exists(pk) OR completed = :false",
                ExpressionAttributeValues={":false": False})
        except ClientError as exc:
            if not _condition_failed(exc):
                raise
            raise errors.InvalidStatus("The approval of this document was already completed.") from exc

    def pending(self, office_code: str, document_id: str) -> PendingApproval | None:
        """The parked approval of a document."""
        item = self._db.get(document_partition(office_code, document_id), "APPROVAL")
        return PendingApproval.model_validate(item) if item else None

    def reapply(self, office_code: str, document_id: str, version: int, steps: list[PolicyStep] | None) -> bool:
        """New steps for a newer proposal version, only on an open approval and never back to an older version."""
        values: dict[str, Any] = {":false": False, ":version": version,
                                  ":steps": json.loads(_STEPS.dump_json(steps))}
        try:
            self._db.table.update_item(
                Key={"pk": document_partition(office_code, document_id), "sk": "APPROVAL"},
                UpdateExpression="SET steps = :steps, #v = :version",
                ConditionExpression="attribute_exists(pk) AND completed = :false AND "
                                    "(attribute_not_exists(#v) OR #v < :version)",
                ExpressionAttributeNames={"#v": "version"}, ExpressionAttributeValues=values)
        except ClientError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    def complete(self, office_code: str, document_id: str) -> PendingApproval | None:
        """completed: false -> true; the caller that flipped it gets the approval (and so the token)."""
        try:
            result = self._db.table.update_item(
                Key={"pk": document_partition(office_code, document_id), "sk": "APPROVAL"},
                UpdateExpression="SET completed = :true",
                ConditionExpression="attribute_exists(pk) AND completed = :false",
                ExpressionAttributeValues={":true": True, ":false": False},
                ReturnValues="ALL_NEW")
        except ClientError as exc:
            if _condition_failed(exc):
                return None
            raise
        return PendingApproval.model_validate(result["Attributes"])

    @staticmethod
    def _decisions_prefix(version: int) -> str:
        # Zero-padded: the versions of one document sort in order, and version 1 is no prefix of version 10.
        return f"DECISION#{version:08d}#"

    def add_decision(self, office_code: str, document_id: str, version: int, decision: Decision) -> None:
        """One decision per person and proposal version, enforced by the key (two clicks at once cannot both
        count); the version it was taken on is part of the key, so it never counts for another version."""
        item = to_item(decision, pk=document_partition(office_code, document_id),
                       sk=f"{self._decisions_prefix(version)}{decision.user}")
        item["proposal_version"] = version
        try:
            self._db.table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as exc:
            if _condition_failed(exc):
                raise errors.AlreadyDecided() from exc
            raise

    def decisions(self, office_code: str, document_id: str, version: int) -> list[Decision]:
        """Every decision on proposal version ``version``, oldest first."""
        found = [Decision.model_validate(i) for i in self._db.query_prefix(
            document_partition(office_code, document_id), self._decisions_prefix(version))]
        return sorted(found, key=lambda d: d.at)

    # --- mails sent -------------------------------------------------------------------------------------

    def _claim(self, key: dict[str, str], **attributes: Any) -> bool:
        try:
            self._db.table.put_item(Item={**key, **attributes}, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    @staticmethod
    def _notified_key(office_code: str, document_id: str, version: int, username: str) -> dict[str, str]:
        return {"pk": document_partition(office_code, document_id), "sk": f"NOTIFIED#{version:08d}#{username}"}

    def claim_notification(self, office_code: str, document_id: str, version: int, username: str) -> bool:
        """The right to mail ``username`` the approval request of proposal version ``version``, once."""
        return self._claim(self._notified_key(office_code, document_id, version, username))

    def release_notification(self, office_code: str, document_id: str, version: int, username: str) -> None:
        """The mail could not be sent: a later request of the same version may send it."""
        self._db.table.delete_item(Key=self._notified_key(office_code, document_id, version, username))

    @staticmethod
    def _reminded_key(office_code: str, username: str, day: dt.date) -> dict[str, str]:
        return {"pk": f"OFFICE#{office_code}#USER#{username}", "sk": f"REMINDED#{day.isoformat()}"}

    def claim_reminder(self, office_code: str, username: str, day: dt.date) -> bool:
        """The right to send ``username`` the reminder digest of ``day`` (their local date), once; the record
        expires a month later."""
        expires = int(dt.datetime.combine(day + dt.timedelta(days=31), dt.time(), dt.UTC).timestamp())
        return self._claim(self._reminded_key(office_code, username, day), expires_at=expires)

    def release_reminder(self, office_code: str, username: str, day: dt.date) -> None:
        """The digest could not be sent: the next run of the day may send it."""
        self._db.table.delete_item(Key=self._reminded_key(office_code, username, day))

    # --- booking claims ---------------------------------------------------------------------------------

    @staticmethod
    def _claim_key(office_code: str, document_id: str, connection_id: str) -> dict[str, str]:
        return {"pk": document_partition(office_code, document_id), "sk": f"BOOKING#{connection_id}"}

    def claim_booking(self, office_code: str, document_id: str, connection_id: str, owner: str,
                      at: dt.datetime) -> BookingClaim:
        """New, re-opened (pending) or already ours -> ours and ``booking``; booked -> returned untouched."""
        try:
            result = self._db.table.update_item(
                Key=self._claim_key(office_code, document_id, connection_id),
                UpdateExpression="SET #s = :booking, #o = :owner, document_id = :doc, connection_id = :conn, "
                                 "updated_at = :at REMOVE #e",
                ConditionExpression="attribute_not_exists(pk) OR #s = :pending OR (#o = :owner AND #s <> :booked)",
                ExpressionAttributeNames={"#s": "status", "#o": "owner", "#e": "error"},
                ExpressionAttributeValues={":booking": "booking", ":pending": "pending", ":booked": "booked",
                                           ":owner": owner, ":doc": document_id, ":conn": connection_id,
                                           ":at": at.isoformat()},
                ReturnValues="ALL_NEW")
        except ClientError as exc:
            if not _condition_failed(exc):
                raise
            current = self._db.get(document_partition(office_code, document_id), f"BOOKING#{connection_id}")
            if current is not None and current.get("status") == "booked":
                return BookingClaim.model_validate(current)
            raise errors.BookingInProgress(
                f"Another run holds this booking (status {current.get('status') if current else 'unknown'}).") from exc
        return BookingClaim.model_validate(result["Attributes"])

    def mark_booked(self, office_code: str, document_id: str, connection_id: str, owner: str, entry_id: str,
                    at: dt.datetime) -> None:
        """Only the owner records the entry; ``booked`` is final."""
        self._db.table.update_item(
            Key=self._claim_key(office_code, document_id, connection_id),
            UpdateExpression="SET #s = :booked, entry_id = :entry, updated_at = :at",
            ConditionExpression="#o = :owner",
            ExpressionAttributeNames={"#s": "status", "#o": "owner"},
            ExpressionAttributeValues={":booked": "booked", ":entry": entry_id, ":owner": owner,
                                       ":at": at.isoformat()})

    def mark_failed(self, office_code: str, document_id: str, connection_id: str, owner: str, reason: str,
                    at: dt.datetime) -> bool:
        """Release a claim the owner could not complete; never touches a booked one or someone else's."""
        try:
            self._db.table.update_item(
                Key=self._claim_key(office_code, document_id, connection_id),
                UpdateExpression="SET #s = :failed, #e = :reason, #o = :owner, document_id = :doc, "
                                 "connection_id = :conn, updated_at = :at",
                ConditionExpression="attribute_not_exists(pk) OR (#o = :owner AND #s <> :booked)",
                ExpressionAttributeNames={"#s": "status", "#o": "owner", "#e": "error"},
                ExpressionAttributeValues={":failed": "failed", ":reason": reason, ":owner": owner, ":booked": "booked",
                                           ":doc": document_id, ":conn": connection_id, ":at": at.isoformat()})
        except ClientError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    def reopen(self, office_code: str, document_id: str, connection_id: str, at: dt.datetime) -> bool:
        """failed -> pending, once: of two retry requests at the same moment only one re-opens it."""
        try:
            self._db.table.update_item(
                Key=self._claim_key(office_code, document_id, connection_id),
                UpdateExpression="SET #s = :pending, #o = :nobody, document_id = :doc, connection_id = :conn, "
                                 "updated_at = :at",
                ConditionExpression="attribute_not_exists(pk) OR #s = :failed",
                ExpressionAttributeNames={"#s": "status", "#o": "owner"},
                ExpressionAttributeValues={":pending": "pending", ":failed": "failed", ":nobody": "",
                                           ":doc": document_id, ":conn": connection_id, ":at": at.isoformat()})
        except ClientError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

