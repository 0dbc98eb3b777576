"""DynamoDB store of the approval and booking workflow.

| item             | pk                        | sk                          | notes                                   |
|------------------|---------------------------|-----------------------------|-----------------------------------------|
| approval policy  | ADMIN#{administration_id} | APPROVALPOLICY              | replaced by each PUT                    |
| parked approval  | DOC#{document_id}         | APPROVAL                    | task token: never leaves the server     |
| decision         | DOC#{document_id}         | DECISION#{username}         | one per person (conditional put)        |
| booking claim    | DOC#{document_id}         | BOOKING#{connection_id}     | exactly once per (document, connection) |

The document's own item (``OFFICE#.../DOC#...``) and its history (``DOC#.../HIST#...``) belong to
``dynamodb_documents``; these items share the history's partition, so one Query reads a document's workflow.
"""

from __future__ import annotations

import datetime as dt

from botocore.exceptions import ClientError

from boekstuk.adapters.dynamodb import DynamoTable, to_item
from boekstuk.domain import errors
from boekstuk.domain.approvals import BookingClaim, PendingApproval, StoredPolicy
from boekstuk.domain.documents import Decision


def _condition_failed(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class DynamoWorkflowStore:
    def __init__(self, db: DynamoTable) -> None:
        self._db = db

    # --- policies -----------------------------------------------------------------------------------

    def get_policy(self, administration_id: str) -> StoredPolicy | None:
        """The administration's approval policy, if one was set."""
        item = self._db.get(f"ADMIN#{administration_id}", "APPROVALPOLICY")
        return StoredPolicy.model_validate(item) if item else None

    def put_policy(self, policy: StoredPolicy) -> None:
        """Replace the policy (last writer wins: a policy is one document, not a merge)."""
        self._db.table.put_item(Item=to_item(policy, pk=f"ADMIN#{policy.administration_id}", sk="APPROVALPOLICY"))

    # --- parked approvals and decisions ---------------------------------------------------------------

    def park(self, pending: PendingApproval) -> None:
        """Store the token; a completed approval is never re-opened by a late duplicate request."""
        try:
            self._db.table.put_item(
                Item=to_item(pending, pk=f"DOC#{pending.document_id}", sk="APPROVAL"),
                ConditionExpression="attribute_not_exists(pk) OR completed = :false",
                ExpressionAttributeValues={":false": False})
        except ClientError as exc:
            if not _condition_failed(exc):
                raise
            raise errors.InvalidStatus("The approval of this document was already completed.") from exc

    def pending(self, document_id: str) -> PendingApproval | None:
        """The parked approval of a document."""
        item = self._db.get(f"DOC#{document_id}", "APPROVAL")
        return PendingApproval.model_validate(item) if item else None

    def complete(self, document_id: str) -> PendingApproval | None:
        """completed: false -> true; the caller that flipped it gets the approval (and so the token)."""
        try:
            result = self._db.table.update_item(
                Key={"pk": f"DOC#{document_id}", "sk": "APPROVAL"},
                UpdateExpression="SET completed = :true",
                ConditionExpression="attribute_exists(pk) AND completed = :false",
                ExpressionAttributeValues={":true": True, ":false": False},
                ReturnValues="ALL_NEW")
        except ClientError as exc:
            if _condition_failed(exc):
                return None
            raise
        return PendingApproval.model_validate(result["Attributes"])

    def add_decision(self, document_id: str, decision: Decision) -> None:
        """One decision per person, enforced by the key (two clicks at once cannot both count)."""
        try:
            self._db.table.put_item(Item=to_item(decision, pk=f"DOC#{document_id}", sk=f"DECISION#{decision.user}"),
                                    ConditionExpression="attribute_not_exists(pk)")
        except ClientError as exc:
            if _condition_failed(exc):
                raise errors.AlreadyDecided() from exc
            raise

    def decisions(self, document_id: str) -> list[Decision]:
        """Every decision, oldest first."""
        found = [Decision.model_validate(i) for i in self._db.query_prefix(f"DOC#{document_id}", "DECISION#")]
        return sorted(found, key=lambda d: d.at)

    # --- booking claims ---------------------------------------------------------------------------------

    def _claim_key(self, document_id: str, connection_id: str) -> dict[str, str]:
        return {"pk": f"DOC#{document_id}", "sk": f"BOOKING#{connection_id}"}

    def claim_booking(self, document_id: str, connection_id: str, owner: str, at: dt.datetime) -> BookingClaim:
        """New, re-opened (pending) or already ours -> ours and ``booking``; booked -> returned untouched."""
        try:
            result = self._db.table.update_item(
                Key=self._claim_key(document_id, connection_id),
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
            current = self._db.get(f"DOC#{document_id}", f"BOOKING#{connection_id}")
            if current is not None and current.get("status") == "booked":
                return BookingClaim.model_validate(current)
            raise errors.BookingInProgress(
                f"Another run holds this booking (status {current.get('status') if current else 'unknown'}).") from exc
        return BookingClaim.model_validate(result["Attributes"])

    def mark_booked(self, document_id: str, connection_id: str, owner: str, entry_id: str, at: dt.datetime) -> None:
        """Only the owner records the entry; ``booked`` is final."""
        self._db.table.update_item(
            Key=self._claim_key(document_id, connection_id),
            UpdateExpression="SET #s = :booked, entry_id = :entry, updated_at = :at",
            ConditionExpression="#o = :owner",
            ExpressionAttributeNames={"#s": "status", "#o": "owner"},
            ExpressionAttributeValues={":booked": "booked", ":entry": entry_id, ":owner": owner,
                                       ":at": at.isoformat()})

    def mark_failed(self, document_id: str, connection_id: str, owner: str, reason: str, at: dt.datetime) -> bool:
        """Release a claim the owner could not complete; never touches a booked one or someone else's."""
        try:
            self._db.table.update_item(
                Key=self._claim_key(document_id, connection_id),
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

    def reopen(self, document_id: str, connection_id: str, at: dt.datetime) -> bool:
        """failed -> pending, once: of two retry requests at the same moment only one re-opens it."""
        try:
            self._db.table.update_item(
                Key=self._claim_key(document_id, connection_id),
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

