"""The emulator in a long-running local stack: what ``boekstuk.local.moto_patches`` changes in moto keeps memory
flat (no copy of what was read, no finished thread kept) and DynamoDB calls as quick on a full table as on an empty
one, while transactions still roll back exactly as before."""

from __future__ import annotations

import gc
import os
import threading
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from boekstuk_local import moto_patches
from boekstuk_local.testing import FAKE_AWS_ENV

REGION = "eu-west-1"
KEY_SCHEMA = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
              "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                       {"AttributeName": "sk", "AttributeType": "S"}]}
HASH_ONLY = {"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
             "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}


@pytest.fixture()
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(key, value)
    moto_patches.install()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield


@pytest.fixture()
def ddb(aws: None) -> Any:
    client = boto3.client("dynamodb", region_name=REGION)
    client.create_table(TableName="t", BillingMode="PAY_PER_REQUEST", **KEY_SCHEMA)  # type: ignore[arg-type]
    client.create_table(TableName="h", BillingMode="PAY_PER_REQUEST", **HASH_ONLY)  # type: ignore[arg-type]
    return client


def _fill(ddb: Any, partition: str, count: int) -> None:
    for i in range(count):
        ddb.put_item(TableName="t", Item={"pk": {"S": partition}, "sk": {"S": f"{i:04d}"}, "n": {"N": str(i)},
                                          "body": {"S": f"regel {i} " * 20}})


def _query(ddb: Any, partition: str, **extra: Any) -> list[int]:
    answer = ddb.query(TableName="t", KeyConditionExpression="pk = :p" + extra.pop("range", ""),
                       ExpressionAttributeValues={":p": {"S": partition}, **extra.pop("values", {})}, **extra)
    return [int(item["n"]["N"]) for item in answer["Items"]]


def _update(ddb: Any, sk: str, n: int) -> dict[str, Any]:
    return {"Update": {"TableName": "t", "Key": {"pk": {"S": "A"}, "sk": {"S": sk}}, "UpdateExpression": "SET n = :n",
                       "ExpressionAttributeValues": {":n": {"N": str(n)}}}}


def test_reads_and_transactions_leave_no_copies_behind(ddb: Any) -> None:
    """moto copies items on every read and whole tables on every transaction; the copies must not be kept."""
    _fill(ddb, "A", 50)
    for i in range(5):  # the clients' and parsers' caches are filled once
        _query(ddb, "A")
        ddb.transact_write_items(TransactItems=[_update(ddb, "0000", i)])
    gc.collect()
    tracemalloc.start()
    try:
        for i in range(100):
            assert len(_query(ddb, "A")) == 50
            ddb.transact_write_items(TransactItems=[_update(ddb, "0000", i)])
        gc.collect()
        kept, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert kept < 1024 * 1024, f"{kept / 1024:.0f} KiB kept after 100 queries and 100 transactions"
    from moto.dynamodb.models.dynamo_type import Item

    assert len(list(Item.instances_tracked)) >= 50  # the dashboard still sees the live items


def test_a_transaction_copies_the_items_it_names_not_the_table(ddb: Any) -> None:
    _fill(ddb, "A", 1)
    _fill(ddb, "B", 1500)
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        ddb.transact_write_items(TransactItems=[_update(ddb, "0000", 7)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak - before < 512 * 1024, f"a one-item transaction took {(peak - before) / 1024:.0f} KiB at its peak"
    assert _query(ddb, "A") == [7]


@pytest.mark.parametrize("failing", ["condition", "duplicate key"])
def test_a_cancelled_transaction_puts_back_every_item_it_named(ddb: Any, failing: str) -> None:
    _fill(ddb, "A", 3)
    ddb.put_item(TableName="h", Item={"id": {"S": "kept"}, "v": {"S": "old"}})
    items: list[dict[str, Any]] = [
        {"Put": {"TableName": "t", "Item": {"pk": {"S": "A"}, "sk": {"S": "new"}, "n": {"N": "99"}}}},
        _update(ddb, "0001", 41),
        {"Delete": {"TableName": "t", "Key": {"pk": {"S": "A"}, "sk": {"S": "0002"}}}},
        {"Put": {"TableName": "h", "Item": {"id": {"S": "kept"}, "v": {"S": "new"}}}},
        {"Put": {"TableName": "h", "Item": {"id": {"S": "added"}, "v": {"S": "new"}}}},
    ]
    if failing == "condition":
        items.append({"ConditionCheck": {"TableName": "t", "Key": {"pk": {"S": "A"}, "sk": {"S": "0000"}},
                                         "ConditionExpression": "attribute_not_exists(pk)"}})
    else:
        items.append(_update(ddb, "0001", 42))
    with pytest.raises(ClientError):
        ddb.transact_write_items(TransactItems=items)
    assert _query(ddb, "A") == [0, 1, 2]
    assert ddb.get_item(TableName="h", Key={"id": {"S": "kept"}})["Item"]["v"] == {"S": "old"}
    assert "Item" not in ddb.get_item(TableName="h", Key={"id": {"S": "added"}})
    ddb.transact_write_items(TransactItems=items[:5])  # and the same writes go through once nothing fails
    assert _query(ddb, "A") == [0, 41, 99]


def test_a_cancelled_transaction_leaves_no_stream_record(aws: None) -> None:
    from moto.dynamodb.models import dynamodb_backends

    ddb = boto3.client("dynamodb", region_name=REGION)
    ddb.create_table(TableName="s", BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
                     **HASH_ONLY)  # type: ignore[arg-type]
    ddb.put_item(TableName="s", Item={"id": {"S": "x"}})
    tables = dynamodb_backends["123456789012"][REGION].tables
    records = len(tables["s"].stream_shard.items)
    with pytest.raises(ClientError):
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": "s", "Item": {"id": {"S": "y"}}}},
            {"Put": {"TableName": "s", "Item": {"id": {"S": "x"}}, "ConditionExpression": "attribute_not_exists(id)"}},
        ])
    assert len(tables["s"].stream_shard.items) == records


def test_a_key_query_reads_its_partition_only(ddb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _fill(ddb, "A", 12)
    _fill(ddb, "B", 5)
    ddb.put_item(TableName="h", Item={"id": {"S": "one"}, "n": {"N": "1"}})
    from moto.dynamodb.models.table import Table

    def whole_table(self: Any) -> list[Any]:
        raise AssertionError("a query on the key listed the whole table")

    monkeypatch.setattr(Table, "all_items", whole_table)
    assert _query(ddb, "A") == list(range(12))
    assert _query(ddb, "A", range=" AND sk BETWEEN :a AND :b", values={":a": {"S": "0003"}, ":b": {"S": "0005"}},
                  ScanIndexForward=False) == [5, 4, 3]
    first = ddb.query(TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "B"}},
                      Limit=3)
    rest = ddb.query(TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "B"}},
                     ExclusiveStartKey=first["LastEvaluatedKey"])
    assert [int(i["n"]["N"]) for i in first["Items"] + rest["Items"]] == [0, 1, 2, 3, 4]
    assert _query(ddb, "C") == []
    hash_only = ddb.query(TableName="h", KeyConditionExpression="id = :i", ExpressionAttributeValues={":i": {"S": "one"}})
    assert [i["n"]["N"] for i in hash_only["Items"]] == ["1"]


def _finished_threads() -> int:
    return sum(1 for o in gc.get_objects() if isinstance(o, threading.Thread) and not o.is_alive()
               and o.ident is not None)


def test_finished_step_functions_threads_are_not_kept(aws: None) -> None:
    sfn = boto3.client("stepfunctions", region_name=REGION)
    arn = sfn.create_state_machine(
        name="m", roleArn="arn:aws:iam::123456789012:role/r",
        definition='{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}')["stateMachineArn"]
    gc.collect()
    before = _finished_threads()
    executions = [sfn.start_execution(stateMachineArn=arn, name=f"e{i}")["executionArn"] for i in range(150)]
    deadline = time.monotonic() + 60
    for execution in executions:
        while sfn.describe_execution(executionArn=execution)["status"] == "RUNNING":
            assert time.monotonic() < deadline, "the executions did not finish"
            time.sleep(0.01)
    time.sleep(0.2)  # the last threads return after reporting
    gc.collect()
    assert _finished_threads() - before < 100


def test_the_emulator_lists_its_services_once(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto import backends

    def no_listing(path: str) -> list[str]:
        raise AssertionError(f"listed {path} again")

    monkeypatch.setattr(os, "listdir", no_listing)
    assert {"dynamodb", "s3", "stepfunctions"} <= set(backends.list_of_moto_modules())
