"""The workflow world: the service on fakes and the real DynamoDB stores under moto, fresh per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.unit.workflow.fakes import World, dynamo_table


@pytest.fixture()
def world() -> Iterator[World]:
    for table in dynamo_table():
        yield World(table)
