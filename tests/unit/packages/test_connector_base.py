"""The connector base: retries, rate-limit back-off, error mapping and token refresh, against a real server."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from boekstuk.adapters.packages.base import (
    CallbackTokenStore,
    PackageHttp,
    RefreshTooEarly,
    RetryPolicy,
    TokenKeeper,
    tokens_from_credentials,
)
from boekstuk.domain.errors import (
    InvalidPackageCredentials,
    PackageAccessDenied,
    PackageRateLimited,
    PackageRejected,
    PackageUnavailable,
)
from boekstuk.domain.packages import OAuthTokens
from boekstuk_local.simulators.base import JsonDict, Simulator, SimulatorServer, json_response


class EchoSimulator(Simulator):
    package_id = "echo"

    def initial_state(self) -> JsonDict:
        return {"administrations": {}, "calls": 0}

    def rules(self) -> list[Rule]:
        return [Rule("/status/<int:code>", endpoint="status", methods=["GET", "POST"])]

    def status(self, request: Request, code: int) -> Response:
        self.state.data["calls"] += 1
        if request.headers.get("Authorization") == "Bearer good":
            code = 200
        return json_response({"message": f"status {code}"}, code)


@pytest.fixture()
def server() -> Iterator[SimulatorServer]:
    with SimulatorServer(EchoSimulator(hang_seconds=0.6)) as srv:
        yield srv


def _http(sleeps: list[float], timeout: float = 2.0) -> PackageHttp:
    return PackageHttp(package_id="echo", timeout=timeout, sleep=sleeps.append,
                       retry=RetryPolicy(max_attempts=3, max_rate_limit_waits=2))


def _calls(server: SimulatorServer) -> int:
    calls: int = server.simulator.state.data["calls"]
    return calls


def test_outage_once_is_retried(server: SimulatorServer) -> None:
    sleeps: list[float] = []
    server.faults.inject(status=503, count=1)
    assert _http(sleeps).request("GET", f"{server.base_url}/status/200").status_code == 200
    assert len(sleeps) == 1 and _calls(server) == 1


def test_persistent_outage_gives_up(server: SimulatorServer) -> None:
    sleeps: list[float] = []
    server.faults.inject(status=503, count=10)
    with pytest.raises(PackageUnavailable):
        _http(sleeps).request("POST", f"{server.base_url}/status/200")
    assert len(sleeps) == 2  # three tries in all


def test_post_500_is_not_retried_but_get_500_is(server: SimulatorServer) -> None:
    sleeps: list[float] = []
    server.faults.inject(status=500, count=1)
    with pytest.raises(PackageUnavailable):
        _http(sleeps).request("POST", f"{server.base_url}/status/200")
    assert sleeps == []
    server.faults.inject(status=500, count=1)
    assert _http(sleeps).request("GET", f"{server.base_url}/status/200").ok


def test_rate_limit_honours_retry_after_then_gives_up(server: SimulatorServer) -> None:
    sleeps: list[float] = []
    server.faults.inject(status=429, count=1, retry_after=3)
    assert _http(sleeps).request("GET", f"{server.base_url}/status/200").ok
    assert sleeps == [3.0]
    server.faults.inject(status=429, count=5, retry_after=2)
    with pytest.raises(PackageRateLimited) as caught:
        _http(sleeps).request("GET", f"{server.base_url}/status/200")
    assert caught.value.retry_after == 2.0


def test_timeout_and_connection_refused_are_unavailable(server: SimulatorServer) -> None:
    server.faults.inject(timeout=True, count=1)
    with pytest.raises(PackageUnavailable, match="did not answer"):
        _http([], timeout=0.2).request("GET", f"{server.base_url}/status/200")
    url = f"{server.base_url}/status/200"
    server.stop()
    with pytest.raises(PackageUnavailable, match="cannot be reached"):
        _http([]).request("GET", url)


def test_client_errors_are_mapped(server: SimulatorServer) -> None:
    http = _http([])
    with pytest.raises(PackageAccessDenied):
        http.request("GET", f"{server.base_url}/status/403")
    with pytest.raises(PackageRejected, match="status 400"):
        http.request("GET", f"{server.base_url}/status/400")
    with pytest.raises(InvalidPackageCredentials):
        http.request("GET", f"{server.base_url}/status/401")
    assert http.request("GET", f"{server.base_url}/status/404", accept_statuses=(404,)).status_code == 404


def test_401_reauthenticates_once(server: SimulatorServer) -> None:
    token = {"value": "bad"}

    def reauth() -> bool:
        token["value"] = "good"
        return True

    answer = _http([]).request("GET", f"{server.base_url}/status/401",
                               auth_headers=lambda: {"Authorization": f"Bearer {token['value']}"},
                               on_unauthorized=reauth)
    assert answer.status_code == 200


def test_token_keeper_refreshes_before_expiry_and_reports() -> None:
    now = [1000.0]
    saved: list[OAuthTokens] = []
    issued = iter(range(100))

    def refresh(old: OAuthTokens) -> OAuthTokens:
        return OAuthTokens(access_token=f"at{next(issued)}", refresh_token="rt2", expires_at=now[0] + 600)

    keeper = TokenKeeper(OAuthTokens(access_token="at", refresh_token="rt", expires_at=1600), refresh,
                         clock=lambda: now[0], margin=30, store=CallbackTokenStore(saved.append))
    assert keeper.access_token() == "at"
    now[0] = 1575
    assert keeper.access_token() == "at0"
    assert saved and saved[-1].refresh_token == "rt2"


def test_token_keeper_keeps_valid_token_when_refresh_is_too_early() -> None:
    def refresh(old: OAuthTokens) -> OAuthTokens:
        raise RefreshTooEarly("Access Token not expired")

    keeper = TokenKeeper(OAuthTokens(access_token="at", refresh_token="rt", expires_at=100), refresh,
                         clock=lambda: 90.0, margin=30)
    assert keeper.access_token() == "at"
    with pytest.raises(InvalidPackageCredentials):
        keeper.on_unauthorized()


def test_tokens_from_credentials_validates() -> None:
    assert tokens_from_credentials({"access_token": "a", "expires_at": 1}).access_token == "a"
    with pytest.raises(InvalidPackageCredentials):
        tokens_from_credentials({"nope": 1})


class _SharedStore:
    """A ``TokenStore`` whose stored pair another process may have replaced (what the secret holds)."""

    def __init__(self, stored: OAuthTokens) -> None:
        self.stored = stored
        self.leases = 0

    @contextlib.contextmanager
    def refreshing(self) -> Iterator[OAuthTokens | None]:
        self.leases += 1
        yield self.stored

    def save(self, tokens: OAuthTokens) -> None:
        self.stored = tokens


def test_token_keeper_uses_the_pair_another_process_stored_instead_of_refreshing() -> None:
    calls: list[str] = []

    def refresh(old: OAuthTokens) -> OAuthTokens:
        calls.append(old.refresh_token or "")
        return OAuthTokens(access_token="at-mine", refresh_token="rt-mine", expires_at=2000)

    mine = OAuthTokens(access_token="at", refresh_token="rt", expires_at=1000)
    store = _SharedStore(OAuthTokens(access_token="at-other", refresh_token="rt-other", expires_at=1600))
    keeper = TokenKeeper(mine, refresh, clock=lambda: 990.0, margin=30, store=store)
    assert keeper.access_token() == "at-other"  # due for a refresh: but another process already did it
    assert calls == [] and store.leases == 1
    store.stored = OAuthTokens(access_token="at-old", refresh_token="rt-other", expires_at=1000)
    keeper2 = TokenKeeper(store.stored, refresh, clock=lambda: 990.0, margin=30, store=store)
    assert keeper2.access_token() == "at-mine"  # same pair stored: refresh it, inside the lease, and store it
    assert calls == ["rt-other"] and store.stored.refresh_token == "rt-mine"
