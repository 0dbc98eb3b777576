"""SecretTokenStore: refreshes of one connection take turns through a lease and re-read the secret inside it."""

from __future__ import annotations

import datetime as dt

import pytest

from boekstuk.domain import errors
from boekstuk.domain.links import Connection
from boekstuk.domain.packages import OAuthTokens
from boekstuk.services.connections import SecretTokenStore

CONNECTION = Connection(connection_id="c1", office_code="kantoor", package="exact_online", description=None,
                        status="verified", secret_name="boekstuk/kantoor/c1", created_at=dt.datetime(2026, 1, 1),
                        created_by="sync")


class _Secrets:
    def __init__(self) -> None:
        self.values: dict[str, dict[str, object]] = {}

    def get(self, name: str) -> dict[str, object]:
        return self.values[name]

    def put(self, name: str, value: dict[str, object]) -> None:
        self.values[name] = value


class _Leases:
    def __init__(self, busy_for: int = 0) -> None:
        self.busy_for = busy_for  # refused attempts before the lease is free
        self.held: dict[str, str] = {}
        self.log: list[str] = []

    def acquire(self, key: str, owner: str, seconds: float) -> bool:
        if self.busy_for > 0:
            self.busy_for -= 1
            return False
        self.held[key] = owner
        self.log.append(f"acquire {key}")
        return True

    def release(self, key: str, owner: str) -> None:
        assert self.held.get(key) == owner
        del self.held[key]
        self.log.append(f"release {key}")


def _store(secrets: _Secrets, leases: _Leases) -> tuple[SecretTokenStore, list[float]]:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    return SecretTokenStore(secrets, CONNECTION, leases, clock=lambda: now[0], sleep=sleep), now


def test_inside_the_lease_the_latest_stored_tokens_are_read_and_saved() -> None:
    secrets, leases = _Secrets(), _Leases(busy_for=3)
    tokens = OAuthTokens(access_token="a", refresh_token="r", expires_at=10)
    store, now = _store(secrets, leases)
    store.save(tokens)
    with store.refreshing() as stored:
        assert stored == tokens
        assert leases.held == {"token-refresh#c1": leases.held["token-refresh#c1"]}
        store.save(OAuthTokens(access_token="a2", refresh_token="r2", expires_at=20))
    assert leases.held == {} and leases.log == ["acquire token-refresh#c1", "release token-refresh#c1"]
    assert now[0] == pytest.approx(0.6)  # waited three polls for the other holder
    assert secrets.values[CONNECTION.secret_name]["credentials"]["refresh_token"] == "r2"  # type: ignore[index]


def test_the_lease_is_released_when_the_refresh_fails() -> None:
    secrets, leases = _Secrets(), _Leases()
    store, _ = _store(secrets, leases)
    with pytest.raises(RuntimeError), store.refreshing() as stored:
        assert stored is None  # nothing stored (yet): the caller refreshes its own tokens
        raise RuntimeError("token endpoint down")
    assert leases.held == {}


def test_a_lease_held_too_long_is_a_retryable_package_outage() -> None:
    store, now = _store(_Secrets(), _Leases(busy_for=10_000))
    with pytest.raises(errors.PackageUnavailable), store.refreshing():
        pass
    assert now[0] >= SecretTokenStore.WAIT_SECONDS


def test_a_person_waiting_gives_up_on_a_held_lease_sooner() -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    store = SecretTokenStore(_Secrets(), CONNECTION, _Leases(busy_for=10_000), clock=lambda: now[0], sleep=sleep,
                             wait_seconds=SecretTokenStore.INTERACTIVE_WAIT_SECONDS)
    with pytest.raises(errors.PackageUnavailable), store.refreshing():
        pass
    assert SecretTokenStore.INTERACTIVE_WAIT_SECONDS <= now[0] < SecretTokenStore.WAIT_SECONDS


def test_interactive_connectors_get_the_shorter_wait() -> None:
    from boekstuk.services.connections import PackageConnections

    opened: list[object] = []

    class _Gateway:
        def open(self, package: str, credentials: dict[str, object], token_store: object = None,
                 *, interactive: bool = False) -> object:
            opened.append(token_store)
            return object()

        def oauth(self, package: str) -> object:
            raise NotImplementedError

    secrets = _Secrets()
    secrets.put(CONNECTION.secret_name, {"credentials": {}})
    connections = PackageConnections(secrets, _Gateway(), _Leases())  # type: ignore[arg-type]
    connections.open(CONNECTION, interactive=True)
    connections.open(CONNECTION)
    waits = [store._wait for store in opened]  # type: ignore[attr-defined]
    assert waits == [SecretTokenStore.INTERACTIVE_WAIT_SECONDS, SecretTokenStore.WAIT_SECONDS]
