"""DynamoDB repository for documents and their history.

| item      | pk                             | sk                | gsi1pk / gsi1sk                    |
|-----------|--------------------------------|-------------------|------------------------------------|
| document  | OFFICE#{office}                | DOC#{document_id} | DOCS#{office} / {created_at}#{id}  |
| history   | OFFICE#{office}#DOC#{doc id}   | HIST#{at}#{n}     |                                    |

Every write is a lifecycle ``Transition``: the document's new state and the step's history entry in one
transaction. Every item is keyed under its office (``document_partition``): no call can read or write another
office's history by a document id alone. An upload slot whose bytes never arrive carries ``expires_at`` (TTL)
so it is swept; the first save after the upload drops it.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from typing import Any

from boto3.dynamodb.conditions import Attr, ConditionBase, Key
from botocore.exceptions import ClientError

from boekstuk.adapters.dynamodb import DynamoTable, cancellation_codes, to_item
from boekstuk.domain.documents import Document, HistoryEntry
from boekstuk.domain.errors import ValidationFailed
from boekstuk.domain.lifecycle import Transition

UPLOAD_SLOT_TTL = dt.timedelta(days=1)


def document_partition(office_code: str, document_id: str) -> str:
    """The partition of one document's history and workflow records, under its office."""
    return f"OFFICE#{office_code}#DOC#{document_id}"


def document_key(office_code: str, document_id: str) -> dict[str, str]:
    """The key of the document item itself."""
    return {"pk": f"OFFICE#{office_code}", "sk": f"DOC#{document_id}"}


def _cancelled_by_condition(exc: ClientError) -> bool:
    return "ConditionalCheckFailed" in cancellation_codes(exc)


class DynamoDocumentRepository:
    def __init__(self, db: DynamoTable) -> None:
        self._db = db

    def _item(self, document: Document) -> dict[str, Any]:
        item = to_item(document, pk=f"OFFICE#{document.office_code}", sk=f"DOC#{document.document_id}",
                       gsi1pk=f"DOCS#{document.office_code}",
                       gsi1sk=f"{document.created_at.isoformat()}#{document.document_id}")
        if document.awaiting_upload:
            item["expires_at"] = int((document.created_at + UPLOAD_SLOT_TTL).timestamp())
        return item

    def _history_put(self, office_code: str, document_id: str, entry: HistoryEntry) -> dict[str, Any]:
        return {"Put": {"Item": to_item(entry, pk=document_partition(office_code, document_id),
                                        sk=f"HIST#{entry.at.isoformat()}#{uuid.uuid4().hex[:8]}")}}

    def create(self, transition: Transition) -> bool:
        """The document and its first history entry, atomically; False when the id is taken in the office."""
        document = transition.document
        try:
            self._db.transact([
                {"Put": {"Item": self._item(document), "ConditionExpression": "attribute_not_exists(pk)"}},
                self._history_put(document.office_code, document.document_id, transition.entry),
            ])
        except ClientError as exc:
            if _cancelled_by_condition(exc):
                return False
            raise
        return True

    def get(self, office_code: str, document_id: str) -> Document | None:
        """A document of an office."""
        item = self._db.get(f"OFFICE#{office_code}", f"DOC#{document_id}")
        return Document.model_validate(item) if item else None

    def save(self, transition: Transition) -> None:
        """The step's outcome plus its history entry, atomically."""
        document = transition.document
        self._db.transact([{"Put": {"Item": self._item(document)}},
                           self._history_put(document.office_code, document.document_id, transition.entry)])

    def save_if(self, transition: Transition, *, version: int) -> bool:
        """``save`` on condition that the stored document still has the status the step left and proposal version
        ``version``: of an edit and a decision at the same moment only one writes (the other gets False)."""
        document = transition.document
        try:
            self._db.transact([
                {"Put": {"Item": self._item(document),
                         "ConditionExpression": "#s = :status AND proposal_version = :version",
                         "ExpressionAttributeNames": {"#s": "status"},
                         "ExpressionAttributeValues": {":status": transition.source, ":version": version}}},
                self._history_put(document.office_code, document.document_id, transition.entry),
            ])
        except ClientError as exc:
            if _cancelled_by_condition(exc):
                return False
            raise
        return True

    def claim_upload(self, transition: Transition) -> Document | None:
        """One object per upload slot: only while the slot still awaits its upload at exactly its ``s3_key``."""
        claimed, at = transition.document, transition.entry.at
        try:
            self._db.transact([
                {"Update": {
                    "Key": document_key(claimed.office_code, claimed.document_id),
                    "UpdateExpression": "SET awaiting_upload = :false, upload_etag = :etag, #size = :size, "
                                        "updated_at = :at REMOVE expires_at",
                    "ConditionExpression": "awaiting_upload = :true AND s3_key = :key",
                    "ExpressionAttributeNames": {"#size": "size"},
                    "ExpressionAttributeValues": {":false": False, ":true": True, ":etag": claimed.upload_etag,
                                                  ":size": claimed.size, ":at": at.isoformat(),
                                                  ":key": claimed.s3_key}}},
                self._history_put(claimed.office_code, claimed.document_id, transition.entry),
            ])
        except ClientError as exc:
            if _cancelled_by_condition(exc):
                return None
            raise
        return self.get(claimed.office_code, claimed.document_id)

    def history(self, office_code: str, document_id: str) -> list[HistoryEntry]:
        """Oldest first (the sort key starts with the timestamp)."""
        return [HistoryEntry.model_validate(i)
                for i in self._db.query_prefix(document_partition(office_code, document_id), "HIST#")]

    def page(self, office_code: str, administration_id: str | None, status: str | None, limit: int,
             cursor: str | None) -> tuple[list[Document], str | None]:
        """Newest first, filtered, ``limit`` per page; the cursor is opaque to clients."""
        condition: ConditionBase = Attr("awaiting_upload").ne(True)
        if administration_id:
            condition &= Attr("administration_id").eq(administration_id)
        if status:
            condition &= Attr("status").eq(status)
        kwargs: dict[str, Any] = {"IndexName": "gsi1", "KeyConditionExpression": Key("gsi1pk").eq(f"DOCS#{office_code}"),
                                  "ScanIndexForward": False, "FilterExpression": condition}
        if cursor:
            start = _decode(cursor)
            if start.get("gsi1pk") != f"DOCS#{office_code}":  # a cursor of another office's list
                raise ValidationFailed("The cursor is not valid.", errors=[{"field": "next", "message": "Invalid cursor."}])
            kwargs["ExclusiveStartKey"] = start
        found: list[Document] = []
        while True:
            # A filtered page can come back short: keep reading until the page is full or the index ends.
            page = self._db.table.query(Limit=max(limit - len(found), 1) * 2, **kwargs)
            for item in page.get("Items", []):
                if len(found) < limit:
                    found.append(Document.model_validate(item))
                    last = item
            if len(found) >= limit:
                next_key = {k: last[k] for k in ("pk", "sk", "gsi1pk", "gsi1sk")}
                return found, _encode(next_key)
            if "LastEvaluatedKey" not in page:
                return found, None
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _encode(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def _decode(cursor: str) -> dict[str, Any]:
    try:
        value: dict[str, Any] = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError as exc:
        raise ValidationFailed("The cursor is not valid.", errors=[{"field": "next", "message": "Invalid cursor."}]) from exc
    if not isinstance(value, dict) or not str(value.get("gsi1pk", "")).startswith("DOCS#"):
        raise ValidationFailed("The cursor is not valid.", errors=[{"field": "next", "message": "Invalid cursor."}])
    return value
