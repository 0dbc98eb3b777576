"""Pending password resets in the single table: one item per user, changed only by conditional writes.

| item           | pk                    | sk      |
|----------------|-----------------------|---------|
| password reset | PWRESET#{subject}     | PWRESET |

``subject`` is already a hash of office code and username. ``expires_at`` is the table's TTL attribute (epoch
seconds); DynamoDB deletes lazily, so every read and the consuming delete also compare it with the time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from botocore.exceptions import ClientError

from boekstuk.adapters.dynamodb import DynamoTable
from boekstuk.domain.password_resets import PasswordReset


def _condition_failed(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class DynamoPasswordResets:
    """``PasswordResetRepository`` on the single table."""

    def __init__(self, db: DynamoTable) -> None:
        self._db = db

    @staticmethod
    def _key(subject: str) -> dict[str, str]:
        return {"pk": f"PWRESET#{subject}", "sk": "PWRESET"}

    def put(self, reset: PasswordReset) -> None:
        """A fresh reset replaces the user's earlier one (its code no longer works)."""
        self._db.table.put_item(Item={**self._key(reset.subject), "code_hash": reset.code_hash,
                                      "expires_at": int(reset.expires_at.timestamp()), "attempts": reset.attempts})

    def get(self, subject: str) -> PasswordReset | None:
        """The stored reset, strongly consistent."""
        item = self._db.get(f"PWRESET#{subject}", "PWRESET")
        if item is None:
            return None
        return PasswordReset(subject=subject, code_hash=str(item["code_hash"]), attempts=int(item.get("attempts", 0)),
                             expires_at=dt.datetime.fromtimestamp(int(item["expires_at"]), dt.UTC))

    def count_failed_attempt(self, subject: str, max_attempts: int) -> int:
        """ADD 1 unless the reset is void already (or gone: then it counts as void)."""
        try:
            result = self._db.table.update_item(
                Key=self._key(subject), UpdateExpression="ADD attempts :one",
                ConditionExpression="attribute_exists(pk) AND attempts < :max",
                ExpressionAttributeValues={":one": 1, ":max": max_attempts}, ReturnValues="UPDATED_NEW")
        except ClientError as exc:
            if _condition_failed(exc):
                return max_attempts
            raise
        return int(result["Attributes"]["attempts"])

    def consume(self, subject: str, code_hash: str, now: dt.datetime, max_attempts: int) -> bool:
        """Delete the reset only while it holds this code, is unexpired and not void: one winner per code."""
        values: dict[str, Any] = {":h": code_hash, ":now": int(now.timestamp()), ":max": max_attempts}
        try:
            self._db.table.delete_item(
                Key=self._key(subject),
                ConditionExpression="code_hash = :h AND expires_at > :now AND attempts < :max",
                ExpressionAttributeValues=values)
        except ClientError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True
