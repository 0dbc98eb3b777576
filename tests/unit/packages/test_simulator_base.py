"""The simulator base: server, faults, clock, rate limiter, OAuth login form and tokens, snapshots."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from boekstuk_local.simulators.base import (
    JsonDict,
    OAuthProvider,
    OAuthSettings,
    RateLimiter,
    SimClock,
    Simulator,
    SimulatorServer,
    complete_oauth_login,
    json_response,
)


class TinySimulator(Simulator):
    package_id = "tiny"
    title = "Tiny"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.oauth = OAuthProvider(
            self.state, self.clock, title="Tiny", users={"u@x.test": "pw-123"}, clients={"cid": "secret"},
            settings=OAuthSettings(access_ttl=600, min_access_age_for_refresh=570, expires_in_as_string=True),
            token_prefix="tiny",
        )

    def initial_state(self) -> JsonDict:
        return {"administrations": {"A1": {"things": []}}}

    def rules(self) -> list[Rule]:
        return [
            Rule("/auth", endpoint="auth", methods=["GET", "POST"]),
            Rule("/token", endpoint="token", methods=["POST"]),
            Rule("/things", endpoint="things", methods=["GET", "POST"]),
        ]

    def auth(self, request: Request) -> Response:
        return self.oauth.authorize(request)

    def token(self, request: Request) -> Response:
        return self.oauth.token(request)

    def things(self, request: Request) -> Response:
        if self.oauth.bearer_user(request) is None and request.method == "GET":
            return json_response({"message": "unauthorized"}, 401)
        if request.method == "POST":
            self.state.add_entry("A1", entry_id="e1", supplier_code="S", invoice_number="F1",
                                 invoice_date="2024-03-01", total_incl_vat="121.00", lines=[])
            return json_response({"ok": True}, 201)
        return json_response({"things": self.state.data["administrations"]["A1"]["things"]})


@pytest.fixture()
def server() -> Iterator[SimulatorServer]:
    with SimulatorServer(TinySimulator(hang_seconds=1.0)) as srv:
        yield srv


def _login(server: SimulatorServer) -> JsonDict:
    url = f"{server.base_url}/auth?client_id=cid&redirect_uri=http%3A%2F%2Fapp.test%2Fcb&response_type=code&state=s1"
    code, state = complete_oauth_login(url, "u@x.test", "pw-123")
    assert state == "s1"
    answer = requests.post(f"{server.base_url}/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": "http://app.test/cb",
        "client_id": "cid", "client_secret": "secret"}, timeout=5)
    assert answer.status_code == 200
    tokens: JsonDict = answer.json()
    # the code is single use
    again = requests.post(f"{server.base_url}/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": "http://app.test/cb",
        "client_id": "cid", "client_secret": "secret"}, timeout=5)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    return tokens


def test_login_form_and_tokens(server: SimulatorServer) -> None:
    tokens = _login(server)
    assert tokens["expires_in"] == "600"
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert requests.get(f"{server.base_url}/things", headers=headers, timeout=5).status_code == 200


def test_wrong_password_shows_form_again_without_redirect(server: SimulatorServer) -> None:
    url = f"{server.base_url}/auth?client_id=cid&redirect_uri=http%3A%2F%2Fapp.test%2Fcb&state=s"
    answer = requests.post(url, data={"username": "u@x.test", "password": "nope"}, allow_redirects=False, timeout=5)
    assert answer.status_code == 200 and "<form" in answer.text and "Onjuiste" in answer.text
    with pytest.raises(ValueError, match="login refused"):
        complete_oauth_login(url, "u@x.test", "nope")


def test_refresh_rotates_and_is_refused_too_early(server: SimulatorServer) -> None:
    tokens = _login(server)
    form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
            "client_id": "cid", "client_secret": "secret"}
    early = requests.post(f"{server.base_url}/token", data=form, timeout=5)
    assert early.status_code == 401 and early.json()["error_description"] == "Access Token not expired"
    server.clock.advance(575)
    fresh = requests.post(f"{server.base_url}/token", data=form, timeout=5)
    assert fresh.status_code == 200 and fresh.json()["refresh_token"] != tokens["refresh_token"]
    server.clock.advance(600)
    reused = requests.post(f"{server.base_url}/token", data=form, timeout=5)
    assert reused.status_code == 400
    # the old access token expired with the clock
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert requests.get(f"{server.base_url}/things", headers=headers, timeout=5).status_code == 401


def test_faults_over_http(server: SimulatorServer) -> None:
    tokens = _login(server)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert requests.post(f"{server.base_url}/_local/faults", json={"status": 503, "count": 2}, timeout=5).ok
    assert requests.get(f"{server.base_url}/things", headers=headers, timeout=5).status_code == 503
    assert requests.get(f"{server.base_url}/things", headers=headers, timeout=5).status_code == 503
    assert requests.get(f"{server.base_url}/things", headers=headers, timeout=5).status_code == 200
    requests.post(f"{server.base_url}/_local/faults", json={"status": 429, "count": 1, "retry_after": 3}, timeout=5)
    limited = requests.get(f"{server.base_url}/things", headers=headers, timeout=5)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "3"
    requests.post(f"{server.base_url}/_local/faults", json={"timeout": True, "hang_seconds": 0.5}, timeout=5)
    with pytest.raises(requests.Timeout):
        requests.get(f"{server.base_url}/things", headers=headers, timeout=0.2)
    assert requests.get(f"{server.base_url}/things", headers=headers, timeout=5).status_code == 200


def test_path_scoped_fault_and_timeout_after_processing(server: SimulatorServer) -> None:
    server.faults.inject(timeout=True, path_contains="/things", method="POST", after_processing=True,
                         hang_seconds=0.5)
    with pytest.raises(requests.Timeout):
        requests.post(f"{server.base_url}/things", timeout=0.2)
    # the call did happen even though the client timed out
    entries = requests.get(f"{server.base_url}/_local/administrations/A1/entries", timeout=5).json()
    assert [e["entry_id"] for e in entries["entries"]] == ["e1"]
    assert requests.get(f"{server.base_url}/_local/administrations/nope/entries", timeout=5).status_code == 404


def test_snapshot_restore_roundtrip() -> None:
    sim = TinySimulator()
    sim.state.add_entry("A1", entry_id="e1", supplier_code="S", invoice_number="F1", invoice_date="2024-03-01",
                        total_incl_vat="121.00", lines=[], attachment=None)
    snap = sim.snapshot()
    other = TinySimulator()
    other.restore(snap)
    assert other.state.entries("A1") == sim.state.entries("A1")
    assert other.state.set_entry_attachment("A1", "e1", "f.pdf", 10)
    assert other.state.entries("A1")["entries"][0]["attachment"] == {"filename": "f.pdf", "size": 10}
    assert sim.state.entries("A1")["entries"][0]["attachment"] is None


def test_rate_limiter_window_moves_with_clock() -> None:
    clock = SimClock()
    limiter = RateLimiter(2, 60, clock)
    assert limiter.hit("d").allowed and limiter.hit("d").allowed
    blocked = limiter.hit("d")
    assert not blocked.allowed and blocked.remaining == 0
    assert 1 <= limiter.seconds_until_reset(blocked) <= 60
    assert limiter.hit("other").allowed
    clock.advance(61)
    assert limiter.hit("d").allowed
