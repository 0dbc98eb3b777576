"""The throttle counters and open sessions for service tests: the real DynamoDB adapters on an in-memory moto
table, so the tests exercise their conditional writes and transactions; time comes from the test's ``FixedClock``. moto's DynamoDB backend is made
to serialise its operations as DynamoDB does (``moto_patches``), so bursts of threads mean something."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from boekstuk.adapters.dynamodb import DynamoTable, DynamoThrottleStore
from boekstuk.adapters.dynamodb_sessions import DynamoSessionRegistry
from boekstuk_local import moto_patches


@pytest.fixture()
def table() -> Iterator[DynamoTable]:
    moto_patches.install()
    with mock_aws():
        table = boto3.resource("dynamodb", region_name="eu-west-1").create_table(
            TableName="throttle", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}])
        yield DynamoTable(table)


@pytest.fixture()
def throttle_store(table: DynamoTable) -> DynamoThrottleStore:
    return DynamoThrottleStore(table)


@pytest.fixture()
def session_registry(table: DynamoTable) -> DynamoSessionRegistry:
    return DynamoSessionRegistry(table)
