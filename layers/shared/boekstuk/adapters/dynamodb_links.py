"""DynamoDB repositories for connections, linked administrations and synced master data.

| item                    | pk                       | sk                                | gsi1pk / gsi1sk           |
|-------------------------|--------------------------|-----------------------------------|---------------------------|
| connection              | OFFICE#{office}          | CONNECTION#{id}                   |                           |
| OAuth state             | OAUTHSTATE#{hash}        | STATE                             |                           |
| administration          | OFFICE#{office}          | ADMIN#{administration_id}         | ADMINS / {office}#{id}    |
| link uniqueness         | OFFICE#{office}          | ADMINLINK#{connection}#{code}     |                           |
| inbox address (unique)  | INBOX#{local part}       | INBOX                             |                           |
| supplier / GL / VAT     | ADMIN#{administration_id}| SUPPLIER#{code} / GL#{code} / VAT#{code} |                    |
| posting rule            | ADMIN#{administration_id}| RULE#{supplier code}              |                           |
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from boekstuk.adapters.dynamodb import DynamoTable, cancellation_codes, to_item
from boekstuk.domain import errors
from boekstuk.domain.links import (
    Administration,
    Connection,
    LedgerAccount,
    MasterData,
    OAuthState,
    PostingRule,
    Supplier,
    TaxCode,
)
from boekstuk.ports import InboxAssignment


def _inbox_item(office_code: str, administration_id: str, local_part: str) -> dict[str, Any]:
    """The uniqueness item of an inbox address, naming its administration (the e-mail-in lookup)."""
    return {"pk": f"INBOX#{local_part}", "sk": "INBOX", "office_code": office_code,
            "administration_id": administration_id}


class DynamoConnectionRepository:
    def __init__(self, db: DynamoTable) -> None:
        self._db = db

    def add(self, connection: Connection) -> None:
        """Store a new connection (ids are fresh UUIDs; the condition guards against a reused one)."""
        self._db.table.put_item(
            Item=to_item(connection, pk=f"OFFICE#{connection.office_code}", sk=f"CONNECTION#{connection.connection_id}"),
            ConditionExpression="attribute_not_exists(pk)",
        )

    def get(self, office_code: str, connection_id: str) -> Connection | None:
        """A connection of an office."""
        item = self._db.get(f"OFFICE#{office_code}", f"CONNECTION#{connection_id}")
        return Connection.model_validate(item) if item else None

    def for_office(self, office_code: str) -> list[Connection]:
        """All connections, oldest first."""
        items = self._db.query_prefix(f"OFFICE#{office_code}", "CONNECTION#")
        return sorted((Connection.model_validate(i) for i in items), key=lambda c: c.created_at)

    def mark_verified(self, office_code: str, connection_id: str) -> None:
        """Status -> verified."""
        self._db.table.update_item(
            Key={"pk": f"OFFICE#{office_code}", "sk": f"CONNECTION#{connection_id}"},
            UpdateExpression="SET #s = :v",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":v": "verified"},
        )

    def add_oauth_state(self, state: OAuthState) -> None:
        """Remember a pending authorization until it expires."""
        self._db.table.put_item(Item=to_item(state, pk=f"OAUTHSTATE#{state.state_hash}", sk="STATE")
                                | {"expires_at_epoch": int(state.expires_at.timestamp())})

    def consume_oauth_state(self, state_hash: str) -> OAuthState | None:
        """used: false -> true, atomically; the winner gets the state, everyone else ``None``."""
        try:
            result = self._db.table.update_item(
                Key={"pk": f"OAUTHSTATE#{state_hash}", "sk": "STATE"},
                UpdateExpression="SET used = :true",
                ConditionExpression="attribute_exists(pk) AND used = :false",
                ExpressionAttributeValues={":true": True, ":false": False},
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return None
            raise
        return OAuthState.model_validate(result["Attributes"])


class DynamoAdministrationRepository:
    def __init__(self, db: DynamoTable) -> None:
        self._db = db

    def link(self, administrations: list[Administration]) -> None:
        """One transaction: a uniqueness item per (office, connection, code), one per inbox address, and the
        administration."""
        if not administrations:
            return
        writes: list[dict[str, Any]] = []
        guards: list[tuple[str, Administration] | None] = []  # what each write's condition protects
        for adm in administrations:
            writes.append({"Put": {
                "Item": {"pk": f"OFFICE#{adm.office_code}", "sk": f"ADMINLINK#{adm.connection_id}#{adm.code}",
                         "administration_id": adm.administration_id},
                "ConditionExpression": "attribute_not_exists(pk)"}})
            guards.append(("link", adm))
            if adm.inbox_local:
                writes.append({"Put": {"Item": _inbox_item(adm.office_code, adm.administration_id, adm.inbox_local),
                                       "ConditionExpression": "attribute_not_exists(pk)"}})
                guards.append(("inbox", adm))
            writes.append({"Put": {"Item": to_item(adm, pk=f"OFFICE#{adm.office_code}",
                                                   sk=f"ADMIN#{adm.administration_id}", gsi1pk="ADMINS",
                                                   gsi1sk=f"{adm.office_code}#{adm.administration_id}")}})
            guards.append(None)
        try:
            self._db.transact(writes)
        except ClientError as exc:
            reasons = cancellation_codes(exc)
            if not reasons:
                raise
            failed = [guard for guard, reason in zip(guards, reasons, strict=False)
                      if guard is not None and reason == "ConditionalCheckFailed"]
            taken = [adm.code for kind, adm in failed if kind == "link"]
            if taken:
                raise errors.AdministrationAlreadyLinked(
                    f"Already linked: {', '.join(taken)}.", codes=taken) from exc
            if failed:
                raise errors.InboxAddressTaken() from exc
            raise

    def assign_inbox(self, office_code: str, administration_id: str, local_part: str) -> InboxAssignment:
        """The inbox address's uniqueness item and the administration's ``inbox_local``, together or not at all."""
        try:
            self._db.transact([
                {"Put": {"Item": _inbox_item(office_code, administration_id, local_part),
                         "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Update": {"Key": {"pk": f"OFFICE#{office_code}", "sk": f"ADMIN#{administration_id}"},
                            "UpdateExpression": "SET inbox_local = :local",
                            # Items written before e-mail-in have no such attribute; to_item writes None as NULL.
                            "ConditionExpression": "attribute_exists(pk) AND (attribute_not_exists(inbox_local) "
                                                   "OR attribute_type(inbox_local, :null))",
                            "ExpressionAttributeValues": {":local": local_part, ":null": "NULL"}}},
            ])
        except ClientError as exc:
            reasons = cancellation_codes(exc)
            if len(reasons) < 2:
                raise
            if reasons[1] == "ConditionalCheckFailed":
                return "already_assigned"
            if reasons[0] == "ConditionalCheckFailed":
                return "address_taken"
            raise
        return "assigned"

    def find_by_inbox(self, local_part: str) -> Administration | None:
        """The administration the inbox address's uniqueness item names."""
        item = self._db.get(f"INBOX#{local_part}", "INBOX")
        return self.get(str(item["office_code"]), str(item["administration_id"])) if item else None

    def linked_codes(self, office_code: str, connection_id: str) -> set[str]:
        """Codes linked through this connection."""
        prefix = f"ADMINLINK#{connection_id}#"
        return {str(i["sk"]).removeprefix(prefix) for i in self._db.query_prefix(f"OFFICE#{office_code}", prefix)}

    def get(self, office_code: str, administration_id: str) -> Administration | None:
        """One linked administration."""
        item = self._db.get(f"OFFICE#{office_code}", f"ADMIN#{administration_id}")
        return Administration.model_validate(item) if item else None

    def for_office(self, office_code: str) -> list[Administration]:
        """All administrations of an office, in linking order."""
        items = self._db.query_prefix(f"OFFICE#{office_code}", "ADMIN#")
        return sorted((Administration.model_validate(i) for i in items), key=lambda a: (a.linked_at, a.code))

    def list_all(self) -> list[Administration]:
        """Every linked administration (GSI ``gsi1``, partition ``ADMINS``)."""
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"IndexName": "gsi1", "KeyConditionExpression": Key("gsi1pk").eq("ADMINS")}
        while True:
            page = self._db.table.query(**kwargs)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return [Administration.model_validate(i) for i in items]
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def record_sync(self, administration: Administration, data: MasterData, at: dt.datetime) -> None:
        """Write the fresh master data, delete what the package no longer has, stamp the administration."""
        pk = f"ADMIN#{administration.administration_id}"
        fresh: dict[str, dict[str, Any]] = {}
        for s in data.suppliers:
            fresh[f"SUPPLIER#{s.code}"] = to_item(s, pk=pk, sk=f"SUPPLIER#{s.code}")
        for g in data.gl_accounts:
            fresh[f"GL#{g.code}"] = to_item(g, pk=pk, sk=f"GL#{g.code}")
        for v in data.vat_codes:
            fresh[f"VAT#{v.code}"] = to_item(v, pk=pk, sk=f"VAT#{v.code}")
        stale = [i["sk"] for prefix in ("SUPPLIER#", "GL#", "VAT#") for i in self._db.query_prefix(pk, prefix)
                 if i["sk"] not in fresh]
        with self._db.table.batch_writer() as batch:
            for item in fresh.values():
                batch.put_item(Item=item)
            for sk in stale:
                batch.delete_item(Key={"pk": pk, "sk": sk})
        self._db.table.update_item(
            Key={"pk": f"OFFICE#{administration.office_code}", "sk": f"ADMIN#{administration.administration_id}"},
            UpdateExpression="SET suppliers_count = :n, synced_at = :at REMOVE sync_error",
            ExpressionAttributeValues={":n": len(data.suppliers), ":at": at.isoformat()},
        )

    def record_sync_error(self, administration: Administration, reason: str) -> None:
        """Keep the old data; say why the sync failed."""
        self._db.table.update_item(
            Key={"pk": f"OFFICE#{administration.office_code}", "sk": f"ADMIN#{administration.administration_id}"},
            UpdateExpression="SET sync_error = :r",
            ExpressionAttributeValues={":r": reason[:500]},
        )

    def suppliers(self, administration_id: str) -> list[Supplier]:
        """Synced suppliers by code."""
        return [Supplier.model_validate(i) for i in self._db.query_prefix(f"ADMIN#{administration_id}", "SUPPLIER#")]

    def gl_accounts(self, administration_id: str) -> list[LedgerAccount]:
        """Synced GL accounts by code."""
        return [LedgerAccount.model_validate(i) for i in self._db.query_prefix(f"ADMIN#{administration_id}", "GL#")]

    def vat_codes(self, administration_id: str) -> list[TaxCode]:
        """Synced VAT codes by code."""
        return [TaxCode.model_validate(i) for i in self._db.query_prefix(f"ADMIN#{administration_id}", "VAT#")]

    def put_rule(self, administration_id: str, supplier_code: str, rule: PostingRule) -> None:
        """Save (or replace) a supplier's posting rule."""
        self._db.table.put_item(Item=to_item(rule, pk=f"ADMIN#{administration_id}", sk=f"RULE#{supplier_code}"))

    def delete_rule(self, administration_id: str, supplier_code: str) -> bool:
        """Remove a rule; whether there was one."""
        result = self._db.table.delete_item(Key={"pk": f"ADMIN#{administration_id}", "sk": f"RULE#{supplier_code}"},
                                            ReturnValues="ALL_OLD")
        return "Attributes" in result

    def rules(self, administration_id: str) -> dict[str, PostingRule]:
        """All rules of an administration by supplier code."""
        items = self._db.query_prefix(f"ADMIN#{administration_id}", "RULE#")
        return {str(i["sk"]).removeprefix("RULE#"): PostingRule.model_validate(i) for i in items}
