"""DynamoDB single-table repositories.

Key design (every access pattern is one GetItem or Query; uniqueness by conditional writes/transactions):

| item                 | pk                         | sk                       |
|----------------------|----------------------------|--------------------------|
| signup               | SIGNUP#{id}                | SIGNUP                   |
| pending signup/email | SIGNUPEMAIL#{email}        | PENDING                  |
| activation grant     | ACTIVATION#{token hash}    | GRANT                    |
| office code (forever)| OFFICECODE#{code}          | OFFICECODE               |
| office               | OFFICE#{code}              | OFFICE                   |
| user                 | OFFICE#{code}              | USER#{username}          |
| throttle: backoff    | THROTTLE#{scope}#{hash}    | BACKOFF                  |
| throttle: window     | THROTTLE#{scope}#{hash}    | WINDOW#{seconds}#{start} |
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel

from boekstuk.domain import errors
from boekstuk.domain.onboarding import ActivationGrant, Office, Signup, User
from boekstuk.domain.throttling import Backoff, BackoffClaim, WindowClaim, WindowLimit, retry_after_seconds


def _is_condition_failure(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def cancellation_codes(exc: ClientError) -> list[str]:
    """The per-item reasons of a cancelled transaction (``ConditionalCheckFailed``, ``None``, ...)."""
    reasons = exc.response.get("CancellationReasons") or []
    return [str(r.get("Code", "None")) for r in reasons]


def to_item(model: BaseModel, **keys: str) -> dict[str, Any]:
    """A model as a DynamoDB item: JSON-mode values (ISO datetimes, decimal strings, NULL) plus the keys.

    Money is a decimal string in JSON mode, so amounts keep their exact cents.
    """
    # JSON floats (confidences) become Decimal, which DynamoDB takes; None becomes NULL.
    item: dict[str, Any] = json.loads(model.model_dump_json(), parse_float=Decimal)
    item.update(keys)
    return item


class DynamoTable:
    """The shared table plus the low-level client of the same resource (transactions)."""

    def __init__(self, table: Any) -> None:
        self.table = table
        self.name: str = table.name
        self.client = table.meta.client

    def get(self, pk: str, sk: str, consistent: bool = True) -> dict[str, Any] | None:
        """One item, strongly consistent by default."""
        return self.table.get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=consistent).get("Item")  # type: ignore[no-any-return]

    def query_prefix(self, pk: str, sk_prefix: str, consistent: bool = False) -> list[dict[str, Any]]:
        """All items of a partition whose sort key starts with ``sk_prefix`` (follows pagination)."""
        from boto3.dynamodb.conditions import Key

        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"KeyConditionExpression": Key("pk").eq(pk) & Key("sk").begins_with(sk_prefix),
                                  "ConsistentRead": consistent}
        while True:
            page = self.table.query(**kwargs)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def transact(self, items: list[dict[str, Any]]) -> None:
        """TransactWriteItems with the table name filled in."""
        for entry in items:
            next(iter(entry.values()))["TableName"] = self.name
        self.client.transact_write_items(TransactItems=items)


class DynamoSignupRepository:
    def __init__(self, db: DynamoTable) -> None:
        self._db = db

    def pending_by_email(self, email: str) -> Signup | None:
        """The pending signup of this e-mail, if the pointer still names one."""
        pointer = self._db.get(f"SIGNUPEMAIL#{email}", "PENDING")
        if not pointer:
            return None
        signup = self.get(str(pointer["signup_id"]))
        return signup if signup and signup.status == "pending_confirmation" else None

    def create(self, signup: Signup) -> None:
        """The signup and its e-mail pointer in one transaction."""
        self._db.transact([
            {"Put": {"Item": to_item(signup, pk=f"SIGNUP#{signup.signup_id}", sk="SIGNUP"),
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Put": {"Item": {"pk": f"SIGNUPEMAIL#{signup.email}", "sk": "PENDING", "signup_id": signup.signup_id}}},
        ])

    def get(self, signup_id: str) -> Signup | None:
        """A signup by id."""
        item = self._db.get(f"SIGNUP#{signup_id}", "SIGNUP")
        return Signup.model_validate(item) if item else None

    def replace_code(self, signup_id: str, code_hash: str, expires_at: dt.datetime) -> None:
        """New code, new expiry - only while still pending. The wrong-code count stays: a resend must not
        give a guesser five fresh tries."""
        try:
            self._db.table.update_item(
                Key={"pk": f"SIGNUP#{signup_id}", "sk": "SIGNUP"},
                UpdateExpression="SET code_hash = :h, code_expires_at = :e",
                ConditionExpression="#s = :pending",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":h": code_hash, ":e": expires_at.isoformat(),
                                           ":pending": "pending_confirmation"},
            )
        except ClientError as exc:
            if _is_condition_failure(exc):
                raise errors.AlreadyConfirmed() from exc
            raise

    def count_failed_attempt(self, signup_id: str, max_attempts: int) -> int:
        """ADD 1 to attempts unless the limit is reached (atomic under concurrent guesses)."""
        try:
            result = self._db.table.update_item(
                Key={"pk": f"SIGNUP#{signup_id}", "sk": "SIGNUP"},
                UpdateExpression="ADD attempts :one",
                ConditionExpression="attempts < :max",
                ExpressionAttributeValues={":one": 1, ":max": max_attempts},
                ReturnValues="UPDATED_NEW",
            )
        except ClientError as exc:
            if _is_condition_failure(exc):
                return max_attempts
            raise
        return int(result["Attributes"]["attempts"])

    def confirm(self, signup_id: str, grant: ActivationGrant) -> bool:
        """Pending -> confirmed and the grant stored, atomically."""
        try:
            self._db.transact([
                {"Update": {"Key": {"pk": f"SIGNUP#{signup_id}", "sk": "SIGNUP"},
                            "UpdateExpression": "SET #s = :confirmed",
                            "ConditionExpression": "#s = :pending",
                            "ExpressionAttributeNames": {"#s": "status"},
                            "ExpressionAttributeValues": {":confirmed": "confirmed", ":pending": "pending_confirmation"}}},
                {"Put": {"Item": to_item(grant, pk=f"ACTIVATION#{grant.token_hash}", sk="GRANT"),
                         "ConditionExpression": "attribute_not_exists(pk)"}},
            ])
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "TransactionCanceledException":
                return False
            raise
        return True

    def grant_by_token_hash(self, token_hash: str) -> ActivationGrant | None:
        """The activation grant for a token hash."""
        item = self._db.get(f"ACTIVATION#{token_hash}", "GRANT")
        return ActivationGrant.model_validate(item) if item else None


class DynamoOfficeRepository:
    def __init__(self, db: DynamoTable) -> None:
        self._db = db

    def office_codes_taken(self, codes: list[str]) -> set[str]:
        """Reserved office codes among ``codes`` (one BatchGetItem per 100)."""
        taken: set[str] = set()
        for start in range(0, len(codes), 100):
            keys = [{"pk": f"OFFICECODE#{c}", "sk": "OFFICECODE"} for c in codes[start:start + 100]]
            request: dict[str, Any] = {self._db.name: {"Keys": keys, "ConsistentRead": True}}
            while request:
                result = self._db.table.meta.client.batch_get_item(RequestItems=request)
                for item in result.get("Responses", {}).get(self._db.name, []):
                    taken.add(str(item["pk"]).removeprefix("OFFICECODE#"))
                request = result.get("UnprocessedKeys") or {}
        return taken

    def activate(self, grant: ActivationGrant, office: Office, first_user: User) -> None:
        """Consume grant + reserve code + office + user + signup status, all or nothing."""
        code = office.office_code
        try:
            self._db.transact([
                {"Update": {"Key": {"pk": f"ACTIVATION#{grant.token_hash}", "sk": "GRANT"},
                            "UpdateExpression": "SET used = :true",
                            "ConditionExpression": "attribute_exists(pk) AND used = :false",
                            "ExpressionAttributeValues": {":true": True, ":false": False}}},
                {"Put": {"Item": {"pk": f"OFFICECODE#{code}", "sk": "OFFICECODE", "signup_id": grant.signup_id},
                         "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Put": {"Item": to_item(office, pk=f"OFFICE#{code}", sk="OFFICE")}},
                {"Put": {"Item": to_item(first_user, pk=f"OFFICE#{code}", sk=f"USER#{first_user.username}")}},
                {"Update": {"Key": {"pk": f"SIGNUP#{grant.signup_id}", "sk": "SIGNUP"},
                            "UpdateExpression": "SET #s = :activated, office_code = :code",
                            "ExpressionAttributeNames": {"#s": "status"},
                            "ExpressionAttributeValues": {":activated": "activated", ":code": code}}},
            ])
        except ClientError as exc:
            reasons = cancellation_codes(exc)
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise errors.AlreadyActivated() from exc
            if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
                raise errors.OfficeCodeTaken() from exc
            raise

    def get_office(self, office_code: str) -> Office | None:
        """An office by code."""
        item = self._db.get(f"OFFICE#{office_code}", "OFFICE")
        return Office.model_validate(item) if item else None

    def get_user(self, office_code: str, username: str) -> User | None:
        """One user of an office."""
        item = self._db.get(f"OFFICE#{office_code}", f"USER#{username}")
        return User.model_validate(item) if item else None

    def add_user(self, user: User) -> None:
        """A new user; the username must be free in the office."""
        try:
            self._db.table.put_item(
                Item=to_item(user, pk=f"OFFICE#{user.office_code}", sk=f"USER#{user.username}"),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as exc:
            if _is_condition_failure(exc):
                raise errors.UsernameTaken() from exc
            raise

    def list_users(self, office_code: str) -> list[User]:
        """All users of an office, by username."""
        return [User.model_validate(i) for i in self._db.query_prefix(f"OFFICE#{office_code}", "USER#")]


def _epoch(value: float) -> Decimal:
    """Epoch seconds as a DynamoDB number, to the millisecond."""
    return Decimal(str(round(value, 3)))


class DynamoThrottleStore:
    """``ThrottleStore`` as one item per backoff subject and one per (key, window), each changed only by
    conditional ``UpdateItem``s, so a burst of simultaneous requests is counted one by one.

    Backoff item: ``failures`` (attempts since the last success), ``open_at`` (when the next attempt may be
    checked), ``held_until`` (an attempt is being checked: the next waits for its answer) and ``expires_at``
    (the table's TTL attribute: ``forget_after`` past the last attempt). TTL deletes lazily, so a lapsed
    item is also recognised by ``expires_at`` and replaced by compare-and-swap.
    """

    _CLAIM_TRIES = 3  # a claim loses a race only to a reset or a replacement; then it tries again

    def __init__(self, db: DynamoTable) -> None:
        self._db = db

    @staticmethod
    def _backoff_key(key: str) -> dict[str, str]:
        return {"pk": f"THROTTLE#{key}", "sk": "BACKOFF"}

    def claim_backoff(self, key: str, policy: Backoff, now: dt.datetime) -> BackoffClaim:
        """ADD one attempt if the subject is in its free failures, or its wait is over and none is in flight."""
        t = now.timestamp()
        expires = int(t + policy.forget_after_seconds)
        for _ in range(self._CLAIM_TRIES):
            try:
                result = self._db.table.update_item(
                    Key=self._backoff_key(key),
                    UpdateExpression="ADD failures :one SET open_at = if_not_exists(open_at, :now), "
                                     "held_until = :held, expires_at = :exp",
                    ConditionExpression="attribute_not_exists(pk) OR (expires_at > :now_s AND "
                                        "(failures < :free OR (open_at <= :now AND held_until <= :now)))",
                    ExpressionAttributeValues={":one": 1, ":now": _epoch(t), ":now_s": int(t),
                                               ":held": _epoch(t + policy.in_flight_seconds), ":exp": expires,
                                               ":free": policy.free_failures},
                    ReturnValues="UPDATED_NEW",
                )
                return BackoffClaim(key=key, allowed=True, failures=int(result["Attributes"]["failures"]))
            except ClientError as exc:
                if not _is_condition_failure(exc):
                    raise
            item = self._db.get(f"THROTTLE#{key}", "BACKOFF")
            if item is None:
                continue  # reset by a success in the meantime
            if int(item["expires_at"]) <= int(t):
                if self._restart(key, item, t, policy, expires):
                    return BackoffClaim(key=key, allowed=True, failures=1)
                continue
            open_at, held_until = float(item.get("open_at", 0)), float(item.get("held_until", 0))
            if open_at > t:
                return BackoffClaim(key=key, allowed=False, retry_after=retry_after_seconds(open_at - t))
            if held_until > t:  # another attempt is being checked: its answer comes within a second or so
                return BackoffClaim(key=key, allowed=False, retry_after=1)
        return BackoffClaim(key=key, allowed=False, retry_after=1)

    def _restart(self, key: str, lapsed: dict[str, Any], t: float, policy: Backoff, expires: int) -> bool:
        """Replace a lapsed item by a fresh one holding this attempt, unless another request did so first."""
        try:
            self._db.table.put_item(
                Item={**self._backoff_key(key), "failures": 1, "open_at": _epoch(t),
                      "held_until": _epoch(t + policy.in_flight_seconds), "expires_at": expires},
                ConditionExpression="expires_at = :lapsed",
                ExpressionAttributeValues={":lapsed": lapsed["expires_at"]},
            )
        except ClientError as exc:
            if _is_condition_failure(exc):
                return False
            raise
        return True

    def backoff_failed(self, claim: BackoffClaim, policy: Backoff, now: dt.datetime) -> None:
        """Set the wait of the failed attempt, unless a later attempt was claimed (its answer sets it)."""
        t = now.timestamp()
        self._update_if_latest(claim, "SET open_at = :open, held_until = :now",
                               {":open": _epoch(t + policy.delay(claim.failures)), ":now": _epoch(t)})

    def backoff_released(self, claim: BackoffClaim, now: dt.datetime) -> None:
        """Uncount the attempt; lift its hold unless a later attempt holds the subject now."""
        if not self._update_if_latest(claim, "ADD failures :minus SET held_until = :now",
                                      {":minus": -1, ":now": _epoch(now.timestamp())}):
            self._update_quietly(self._backoff_key(claim.key), "ADD failures :minus", "failures > :zero",
                                 {":minus": -1, ":zero": 0})

    def _update_if_latest(self, claim: BackoffClaim, expression: str, values: dict[str, Any]) -> bool:
        return self._update_quietly(self._backoff_key(claim.key), expression, "failures = :claimed",
                                    {**values, ":claimed": claim.failures})

    def _update_quietly(self, key: dict[str, str], expression: str, condition: str, values: dict[str, Any]) -> bool:
        """A conditional update; ``False`` when the condition did not hold (someone else changed the item)."""
        try:
            self._db.table.update_item(Key=key, UpdateExpression=expression, ConditionExpression=condition,
                                       ExpressionAttributeValues=values)
        except ClientError as exc:
            if _is_condition_failure(exc):
                return False
            raise
        return True

    def backoff_reset(self, key: str) -> None:
        """Forget the subject's failures."""
        self._db.table.delete_item(Key=self._backoff_key(key))

    def claim_window(self, key: str, window: WindowLimit, now: dt.datetime) -> WindowClaim:
        """ADD one event to the window's item unless it holds ``limit`` already."""
        t = now.timestamp()
        start = window.window_start(t)
        item_key = {"pk": f"THROTTLE#{key}", "sk": f"WINDOW#{window.window_seconds}#{start}"}
        # The window is in the key, so a stale item never counts; TTL only tidies up (an hour after the end).
        counted = self._update_quietly(
            item_key, "ADD events :one SET expires_at = :exp", "attribute_not_exists(events) OR events < :limit",
            {":one": 1, ":limit": window.limit, ":exp": window.window_end(t) + 3600})
        return WindowClaim(key=key, window=window, window_start=start, allowed=counted,
                           retry_after=0 if counted else retry_after_seconds(window.window_end(t) - t))

    def refund_window(self, claim: WindowClaim) -> None:
        """Take the claimed event out of its window again."""
        if claim.allowed:
            self._update_quietly({"pk": f"THROTTLE#{claim.key}",
                                  "sk": f"WINDOW#{claim.window.window_seconds}#{claim.window_start}"},
                                 "ADD events :minus", "events > :zero", {":minus": -1, ":zero": 0})


class DynamoRefreshLeases:
    """``RefreshLeases`` as conditional writes on one item per key; an expired lease may be taken over."""

    def __init__(self, db: DynamoTable, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self._clock = clock

    def acquire(self, key: str, owner: str, seconds: float) -> bool:
        """Write the lease unless an unexpired one of another owner is there (atomic in DynamoDB)."""
        now = self._clock()
        try:
            self._db.table.put_item(
                Item={"pk": f"LEASE#{key}", "sk": "LEASE", "owner": owner,
                      "lease_until": Decimal(str(round(now + seconds, 3))),
                      "expires_at": int(now + seconds) + 3600},  # the table's TTL removes stale leases
                ConditionExpression="attribute_not_exists(pk) OR lease_until < :now OR #owner = :owner",
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues={":now": Decimal(str(round(now, 3))), ":owner": owner},
            )
        except ClientError as exc:
            if _is_condition_failure(exc):
                return False
            raise
        return True

    def release(self, key: str, owner: str) -> None:
        """Delete the lease if ``owner`` still holds it (a taken-over lease is left to its new owner)."""
        try:
            self._db.table.delete_item(
                Key={"pk": f"LEASE#{key}", "sk": "LEASE"},
                ConditionExpression="#owner = :owner",
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues={":owner": owner},
            )
        except ClientError as exc:
            if not _is_condition_failure(exc):
                raise
