"""DynamoDB repository for documents and their history.

| item      | pk                             | sk                | gsi1pk / gsi1sk                    |
|-----------|--------------------------------|-------------------|------------------------------------|
| document  | OFFICE#{office}                | DOC#{document_id} | DOCS#{office} / {created_at}#{id}  |
| history   | OFFICE#{office}#DOC#{doc id}   | HIST#{at}#{n}     |                                    |

gsi2 (sparse, keys only) holds a document only while it waits for people: ``gsi2pk``
``STATUS#awaiting_approval#{0..3}`` (the shard of its id) and ``gsi2sk`` ``{approval requested at}#{office}#{id}``,
so the documents waiting longer than a cutoff are four Queries, never a Scan. Every write replaces the whole item:
leaving ``awaiting_approval`` drops the keys, and with them the index entry.

Every write is a lifecycle ``Transition``: the document's new state, the step's history entry and, for a status
change, its event in the outbox (``dynamodb_events``) in one transaction. Every item is keyed under its office (``document_partition``): no call can read or write another
office's history by a document id alone. An upload slot whose bytes never arrive carries ``expires_at`` (TTL)
so it is swept; the first save after the upload drops it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from boto3.dynamodb.conditions import Attr, ConditionBase, Key
from botocore.exceptions import ClientError

from boekstuk.adapters.dynamodb import DynamoTable, cancellation_codes, to_item
from boekstuk.adapters.dynamodb_events import outbox_put
from boekstuk.domain.documents import Document, HistoryEntry
from boekstuk.domain.errors import ValidationFailed
from boekstuk.domain.events import event_of
from boekstuk.domain.lifecycle import Transition

UPLOAD_SLOT_TTL = dt.timedelta(days=1)
AWAITING_SHARDS = 4
_AWAITING = "STATUS#awaiting_approval"


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
        if document.status == "awaiting_approval" and document.approval_requested_at is not None:
            item["gsi2pk"] = f"{_AWAITING}#{_shard(document.document_id)}"
            item["gsi2sk"] = f"{_time_key(document.approval_requested_at)}#{document.office_code}#{document.document_id}"
        return item

    def _history_put(self, office_code: str, document_id: str, entry: HistoryEntry) -> dict[str, Any]:
        return {"Put": {"Item": to_item(entry, pk=document_partition(office_code, document_id),
                                        sk=f"HIST#{entry.at.isoformat()}#{uuid.uuid4().hex[:8]}")}}

    def _records(self, transition: Transition) -> list[dict[str, Any]]:
        """What a transition writes besides the document: its history entry and, for a status change, its event."""
        document = transition.document
        writes = [self._history_put(document.office_code, document.document_id, transition.entry)]
        event = event_of(transition)
        if event is not None:
            writes.append(outbox_put(event))
        return writes

    def create(self, transition: Transition) -> bool:
        """The document and its first history entry, atomically; False when the id is taken in the office."""
        document = transition.document
        try:
            self._db.transact([
                {"Put": {"Item": self._item(document), "ConditionExpression": "attribute_not_exists(pk)"}},
                *self._records(transition),
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
        self._db.transact([{"Put": {"Item": self._item(document)}}, *self._records(transition)])

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
                *self._records(transition),
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
                *self._records(transition),
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

    def awaiting_approval(self, requested_before: dt.datetime) -> list[Document]:
        """Every office's documents that people were asked to approve before ``requested_before`` and that still
        wait (the index is eventually consistent: each document is read again, consistently, and checked)."""
        found: list[Document] = []
        for shard in range(AWAITING_SHARDS):
            kwargs: dict[str, Any] = {"IndexName": "gsi2", "KeyConditionExpression":
                                      Key("gsi2pk").eq(f"{_AWAITING}#{shard}")
                                      & Key("gsi2sk").lt(_time_key(requested_before))}
            while True:
                page = self._db.table.query(**kwargs)
                for item in page.get("Items", []):
                    document = self.get(str(item["pk"]).removeprefix("OFFICE#"), str(item["sk"]).removeprefix("DOC#"))
                    if document is not None and document.status == "awaiting_approval" \
                            and document.approval_requested_at is not None \
                            and document.approval_requested_at < requested_before:
                        found.append(document)
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return found

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


def _shard(document_id: str) -> int:
    return int(hashlib.sha256(document_id.encode()).hexdigest()[:8], 16) % AWAITING_SHARDS


def _time_key(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


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
