"""DynamoDB ``ProposalMemory``: duplicate claims, near-duplicate fingerprints, booked history, provisioned
creditors. One partition per administration, separate from its synced master data.

| item                     | pk                     | sk                                          |
|--------------------------|------------------------|---------------------------------------------|
| file claim               | PROPOSALS#{adm id}     | FILE#{sha256}                               |
| invoice-number claim     | PROPOSALS#{adm id}     | INVOICE#{supplier key}#{invoice number}     |
| near-duplicate print     | PROPOSALS#{adm id}     | NEAR#{supplier key}#{date}#{amount}#{doc id}|
| booked history           | PROPOSALS#{adm id}     | BOOKED#{supplier code}                      |
| provisioned creditor     | PROPOSALS#{adm id}     | PROVISIONED#{document id or supplier key}   |
| creditor creation claim  | PROPOSALS#{adm id}     | CREATING#{supplier key}                     |

Claims are conditional puts (``attribute_not_exists(pk) OR document_id = :me``): the first document wins,
the same document may claim again (a retried Lambda), every other one learns the winner's id. Each access is
one PutItem/GetItem/Query; a lost claim reads the winner from the failed condition's old item.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from botocore.exceptions import ClientError

from boekstuk.adapters.dynamodb import DynamoTable, to_item
from boekstuk.domain.documents import BookedHistory


def _pk(administration_id: str) -> str:
    return f"PROPOSALS#{administration_id}"


def _condition_failed(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class DynamoProposalMemory:
    def __init__(self, db: DynamoTable) -> None:
        self._db = db

    def _claim(self, pk: str, sk: str, document_id: str) -> str | None:
        try:
            self._db.table.put_item(
                Item={"pk": pk, "sk": sk, "document_id": document_id},
                ConditionExpression="attribute_not_exists(pk) OR document_id = :me",
                ExpressionAttributeValues={":me": document_id},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if not _condition_failed(exc):
                raise
            old: dict[str, Any] = exc.response.get("Item") or {}  # type: ignore[assignment]
            holder = old.get("document_id")
            if isinstance(holder, dict):  # low-level shape {"S": "..."}
                holder = holder.get("S")
            if not holder:
                item = self._db.get(pk, sk) or {}
                holder = item.get("document_id")
            return str(holder) if holder else None
        return None

    def claim_file(self, administration_id: str, sha256: str, document_id: str) -> str | None:
        """First document with this file hash wins."""
        return self._claim(_pk(administration_id), f"FILE#{sha256}", document_id)

    def claim_invoice(self, administration_id: str, supplier_key: str, invoice_number: str,
                      document_id: str) -> str | None:
        """First document with this supplier's invoice number wins."""
        return self._claim(_pk(administration_id), f"INVOICE#{supplier_key}#{invoice_number}", document_id)

    def _release(self, pk: str, sk: str, document_id: str) -> None:
        try:
            self._db.table.delete_item(Key={"pk": pk, "sk": sk}, ConditionExpression="document_id = :me",
                                       ExpressionAttributeValues={":me": document_id})
        except ClientError as exc:
            if not _condition_failed(exc):
                raise  # held by another document (or gone): nothing of ours to release

    def release_file(self, administration_id: str, sha256: str, document_id: str) -> None:
        """Delete the file claim if this document holds it."""
        self._release(_pk(administration_id), f"FILE#{sha256}", document_id)

    def release_invoice(self, administration_id: str, supplier_key: str, invoice_number: str,
                        document_id: str) -> None:
        """Delete the invoice-number claim if this document holds it."""
        self._release(_pk(administration_id), f"INVOICE#{supplier_key}#{invoice_number}", document_id)

    def remember_fingerprint(self, administration_id: str, supplier_key: str, invoice_date: str, amount: str,
                             document_id: str) -> list[str]:
        """Store this document's print, then one Query for every document with the same print."""
        prefix = f"NEAR#{supplier_key}#{invoice_date}#{amount}#"
        pk = _pk(administration_id)
        self._db.table.put_item(Item={"pk": pk, "sk": f"{prefix}{document_id}", "document_id": document_id})
        return sorted(str(i["document_id"]) for i in self._db.query_prefix(pk, prefix)
                      if i["document_id"] != document_id)

    def record_booked(self, administration_id: str, history: BookedHistory) -> None:
        """Keep the newest booking per supplier (ISO UTC timestamps compare as strings)."""
        item = to_item(history, pk=_pk(administration_id), sk=f"BOOKED#{history.supplier_code}")
        try:
            self._db.table.put_item(
                Item=item,
                ConditionExpression="attribute_not_exists(pk) OR booked_at <= :at",
                ExpressionAttributeValues={":at": item["booked_at"]},
            )
        except ClientError as exc:
            if not _condition_failed(exc):
                raise  # a newer booking is already remembered: keep it

    def last_booked(self, administration_id: str, supplier_code: str) -> BookedHistory | None:
        """The newest booking of this supplier."""
        item = self._db.get(_pk(administration_id), f"BOOKED#{supplier_code}")
        return BookedHistory.model_validate(item) if item else None

    def provisioned_supplier(self, administration_id: str, key: str) -> str | None:
        """The creditor remembered under ``key``."""
        item = self._db.get(_pk(administration_id), f"PROVISIONED#{key}")
        return str(item["supplier_code"]) if item else None

    def remember_provisioned(self, administration_id: str, key: str, supplier_code: str) -> None:
        """Remember (or confirm) the creditor for ``key``."""
        self._db.table.put_item(Item={"pk": _pk(administration_id), "sk": f"PROVISIONED#{key}",
                                      "supplier_code": supplier_code})

    def claim_creation(self, administration_id: str, supplier_key: str, document_id: str, at: dt.datetime,
                       stale_before: dt.datetime) -> str | None:
        """First document creates the creditor; a claim older than ``stale_before`` is taken over."""
        pk, sk = _pk(administration_id), f"CREATING#{supplier_key}"
        try:
            self._db.table.put_item(
                Item={"pk": pk, "sk": sk, "document_id": document_id, "claimed_at": at.isoformat()},
                ConditionExpression="attribute_not_exists(pk) OR document_id = :me OR claimed_at < :stale",
                ExpressionAttributeValues={":me": document_id, ":stale": stale_before.isoformat()},
            )
        except ClientError as exc:
            if not _condition_failed(exc):
                raise
            holder = (self._db.get(pk, sk) or {}).get("document_id")
            return str(holder) if holder else None
        return None
