"""DynamoDB outbox of document events: written with the transition they describe, removed once published.

| item          | pk                | sk                                              |
|---------------|-------------------|-------------------------------------------------|
| outbox event  | OUTBOX#{0..3}     | {at, microseconds}#{office}#{document}#{status} |

``outbox_put`` is one item of the document repository's transaction, so an event exists exactly when its
transition was stored. The shard (of the document id) spreads the writes of many documents over four
partitions; ``pending`` reads each with one Query on the sort key (its time), never a Scan.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from boto3.dynamodb.conditions import Key

from boekstuk.adapters.dynamodb import DynamoTable
from boekstuk.domain.events import DocumentEvent

OUTBOX_SHARDS = 4


def _time_key(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def outbox_key(event: DocumentEvent) -> dict[str, str]:
    """The outbox item of an event: derived from the event alone, so whoever published it can remove it."""
    shard = int(hashlib.sha256(event.document_id.encode()).hexdigest()[:8], 16) % OUTBOX_SHARDS
    return {"pk": f"OUTBOX#{shard}",
            "sk": f"{_time_key(event.at)}#{event.office_code}#{event.document_id}#{event.status}"}


def outbox_put(event: DocumentEvent) -> dict[str, Any]:
    """The ``Put`` of a transaction that writes ``event`` into the outbox."""
    return {"Put": {"Item": {**outbox_key(event), "event": event.model_dump(mode="json")}}}


class DynamoEventOutbox:
    def __init__(self, db: DynamoTable) -> None:
        self._db = db

    def pending(self, written_before: dt.datetime, limit: int) -> list[DocumentEvent]:
        """Every shard's events older than ``written_before``, oldest first per shard, at most ``limit``."""
        found: list[DocumentEvent] = []
        for shard in range(OUTBOX_SHARDS):
            kwargs: dict[str, Any] = {
                "KeyConditionExpression": Key("pk").eq(f"OUTBOX#{shard}") & Key("sk").lt(_time_key(written_before)),
                "ConsistentRead": True}
            while len(found) < limit:
                page = self._db.table.query(Limit=limit - len(found), **kwargs)
                found.extend(DocumentEvent.model_validate(item["event"]) for item in page.get("Items", []))
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return found[:limit]

    def done(self, events: Sequence[DocumentEvent]) -> None:
        """Remove published events (a batch write of up to 25 deletes at a time, unprocessed ones again)."""
        with self._db.table.batch_writer() as batch:
            for event in events:
                batch.delete_item(Key=outbox_key(event))
