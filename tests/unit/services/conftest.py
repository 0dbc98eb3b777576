"""The throttle counters for service tests: the real DynamoDB adapter on an in-memory moto table, so the tests
exercise its conditional writes; time comes from the test's ``FixedClock``. moto's DynamoDB backend is made
to serialise its operations as DynamoDB does (``moto_patches``), so bursts of threads mean something."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from boekstuk.adapters.dynamodb import DynamoTable, DynamoThrottleStore
from boekstuk_local import moto_patches


@pytest.fixture()
def throttle_store() -> Iterator[DynamoThrottleStore]:
    moto_patches.install()
    with mock_aws():
        table = boto3.resource("dynamodb", region_name="eu-west-1").create_table(
            TableName="throttle", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}])
        yield DynamoThrottleStore(DynamoTable(table))
