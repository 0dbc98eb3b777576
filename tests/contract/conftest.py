"""Fixtures for the package-connector contract suite: a running simulator plus a linked connector.

Every package that has both a registered simulator and a registered connector is picked up on its own
(Twinfield and Multivers join as soon as their modules land). Package-specific knobs are passed only
when the simulator or connector accepts them (``page_size``, ``clock``, ``sleep``, ``retry``).
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from boekstuk.adapters.packages import registry as connectors
from boekstuk.adapters.packages.base import CallbackTokenStore, RetryPolicy
from boekstuk.domain.packages import OAuthTokens, PackageApp, package_info
from boekstuk.ports import AccountingPackage
from boekstuk_local.simulators import registry as simulators
from boekstuk_local.simulators.base import SimClock, SimulatorServer, complete_oauth_login

REDIRECT_URI = "http://127.0.0.1:9/v1/oauth/callback"
SMALL_PAGE = 3  # the seed has 9 suppliers: at least three pages wherever the page size is configurable
CLIENT_TIMEOUT = 1.0  # seconds; the simulators hang longer than this on an injected timeout
HANG_SECONDS = 1.6


def contract_packages() -> list[str]:
    """Package ids with both a simulator and a connector."""
    available = set(connectors.available_packages())
    return [pid for pid in simulators.SIMULATORS if pid in available]


def _accepts(func: Callable[..., Any], name: str) -> bool:
    parameters = inspect.signature(func).parameters
    return name in parameters or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


class RecordingSession(requests.Session):
    """A ``requests.Session`` that remembers each call's method and URL (to see paging happen)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str]] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.calls.append((str(method).upper(), str(url)))
        return super().request(method, url, *args, **kwargs)


@dataclass
class Linked:
    """A started simulator and everything needed to open connectors against it."""

    package_id: str
    server: SimulatorServer
    clock: SimClock
    app: PackageApp
    credentials: dict[str, Any]
    session: RecordingSession
    sleeps: list[float] = field(default_factory=list)
    saved_tokens: list[OAuthTokens] = field(default_factory=list)
    small_pages: bool = False

    @property
    def oauth(self) -> bool:
        info = package_info(self.package_id)
        return info is not None and info.auth == "oauth2"

    def sleep(self, seconds: float) -> None:
        """The connector's sleep: recorded, and moves the simulator's clock instead of waiting."""
        self.sleeps.append(seconds)
        self.clock.advance(seconds)

    def open(self, credentials: dict[str, Any] | None = None) -> AccountingPackage:
        """A connector for the demo connection (or for ``credentials``)."""
        cls = connectors.connector_class(self.package_id)
        options: dict[str, Any] = {}
        wanted: dict[str, Any] = {
            "clock": self.clock.now,
            "sleep": self.sleep,
            "retry": RetryPolicy(max_attempts=3, backoff_base=0.01, backoff_max=0.05, max_rate_limit_waits=3),
        }
        if self.small_pages:
            wanted["page_size"] = SMALL_PAGE
        for name, value in wanted.items():
            if _accepts(cls, name):
                options[name] = value
        return connectors.open_package(self.app, credentials if credentials is not None else self.credentials,
                                       session=self.session, token_store=CallbackTokenStore(self.saved_tokens.append), **options)

    def entries(self, administration: str) -> list[dict[str, Any]]:
        """The simulator's inspection endpoint, over HTTP as other tools use it."""
        answer = requests.get(f"{self.server.base_url}/_local/administrations/{administration}/entries", timeout=5)
        answer.raise_for_status()
        entries: list[dict[str, Any]] = answer.json()["entries"]
        return entries


def _link(package_id: str, app: PackageApp, clock: SimClock) -> dict[str, Any]:
    info = package_info(package_id)
    demo = simulators.DEMO_LOGINS[package_id]
    if info is None or info.auth != "oauth2":
        return dict(demo)
    cls = connectors.connector_class(package_id)
    flow_factory = cls.oauth_flow  # type: ignore[attr-defined]
    flow = flow_factory(app, clock=clock.now) if _accepts(flow_factory, "clock") else flow_factory(app)
    state = uuid.uuid4().hex
    code, returned_state = complete_oauth_login(
        flow.authorize_url(state, REDIRECT_URI), demo["username"], demo["password"]
    )
    assert returned_state == state
    tokens: OAuthTokens = flow.exchange_code(code, REDIRECT_URI)
    return tokens.model_dump()


@pytest.fixture(params=contract_packages())
def linked(request: pytest.FixtureRequest) -> Iterator[Linked]:
    """One package's simulator, started fresh, with the demo user linked."""
    package_id: str = request.param
    clock = SimClock()
    factory = simulators.SIMULATORS[package_id]
    options: dict[str, Any] = {"clock": clock, "hang_seconds": HANG_SECONDS}
    small_pages = _accepts(factory, "page_size")
    if small_pages:
        options["page_size"] = SMALL_PAGE
    server = SimulatorServer(factory(**options)).start()
    try:
        app = simulators.app_config(package_id, server, timeout_seconds=CLIENT_TIMEOUT)
        credentials = _link(package_id, app, clock)
        small_pages = small_pages or _accepts(connectors.connector_class(package_id), "page_size")
        yield Linked(package_id, server, clock, app, credentials, RecordingSession(), small_pages=small_pages)
    finally:
        server.faults.clear()
        server.stop()
