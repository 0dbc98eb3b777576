"""Two Lambdas refreshing one connection's rotating OAuth tokens (Exact Online simulator, moto DynamoDB + Secrets).

Exact Online rotates refresh tokens: the first refresh spends the old one. Without coordination the second
process refreshes with a spent token and the connection is broken until someone links it again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from boekstuk.adapters.dynamodb import DynamoRefreshLeases
from boekstuk.adapters.packages.base import CallbackTokenStore
from boekstuk.bootstrap import components
from boekstuk.domain import errors
from boekstuk.domain.links import Connection
from boekstuk.ports import AccountingPackage
from boekstuk_local import moto_patches
from boekstuk_local.testing import LocalAws, local_aws
from tests.integration.conftest import link, onboarded_office


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    moto_patches.install()
    with local_aws(simulators=True) as harness:
        yield harness


def _exact_connection(aws: LocalAws) -> Connection:
    office, token = onboarded_office(aws)
    connection_id = link(aws, office, token, "exact_online")
    connection = components().connections.get(office, connection_id)
    assert connection is not None
    return connection


def _expire_access_tokens(aws: LocalAws) -> None:
    # Past the 600 s lifetime on the package's clock: the next call gets 401 and refreshes.
    aws.simulators["exact_online"].simulator.clock.advance(601)


def test_a_second_process_takes_over_the_tokens_the_first_one_refreshed(aws: LocalAws) -> None:
    connection = _exact_connection(aws)
    first = components().package_connections.open(connection)
    second = components().package_connections.open(connection)  # another Lambda, same stored tokens
    _expire_access_tokens(aws)
    assert first.list_administrations()  # 401 -> refresh: the stored refresh token is now spent
    assert second.list_administrations()  # 401 -> finds the new pair in the secret instead of refreshing
    assert components().package_connections.open(connection).list_administrations()


def test_without_the_shared_store_the_second_process_loses_the_connection(aws: LocalAws) -> None:
    # The failure SecretTokenStore prevents, on the same simulator: processes that only know their own tokens.
    connection = _exact_connection(aws)
    svc = components()
    credentials = dict(svc.secrets.get(connection.secret_name)["credentials"])  # type: ignore[call-overload]
    first, second = (svc.package_gateway.open("exact_online", credentials, token_store=CallbackTokenStore(lambda tokens: None))
                     for _ in range(2))
    _expire_access_tokens(aws)
    assert first.list_administrations()
    with pytest.raises(errors.InvalidPackageCredentials):
        second.list_administrations()


def test_simultaneous_refreshes_take_turns(aws: LocalAws) -> None:
    connection = _exact_connection(aws)
    connectors: list[AccountingPackage] = [components().package_connections.open(connection) for _ in range(4)]
    _expire_access_tokens(aws)
    start = threading.Barrier(len(connectors))
    failures: list[BaseException] = []

    def call(connector: AccountingPackage) -> None:
        start.wait()
        try:
            connector.list_administrations()
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=call, args=(c,)) for c in connectors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert components().package_connections.open(connection).list_administrations()


def test_refresh_lease_is_exclusive_expires_and_is_released_only_by_its_owner(aws: LocalAws) -> None:
    now = [1000.0]
    leases = DynamoRefreshLeases(components().table, clock=lambda: now[0])
    assert leases.acquire("conn-1", "a", 30)
    assert not leases.acquire("conn-1", "b", 30)
    assert leases.acquire("conn-2", "b", 30)  # another connection has its own lease
    leases.release("conn-1", "b")  # not b's: stays
    assert not leases.acquire("conn-1", "b", 30)
    now[0] += 31  # a crashed holder's lease runs out
    assert leases.acquire("conn-1", "b", 30)
    leases.release("conn-1", "a")  # a lost it: its release must not free b's lease
    assert not leases.acquire("conn-1", "c", 30)
    leases.release("conn-1", "b")
    assert leases.acquire("conn-1", "c", 30)
