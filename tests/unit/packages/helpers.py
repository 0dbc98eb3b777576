"""Shared helpers for the package unit tests: start a simulator and link a connector to it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from boekstuk.adapters.packages.base import CallbackTokenStore, RetryPolicy
from boekstuk.adapters.packages.registry import connector_class, oauth_flow, open_package
from boekstuk.domain.packages import OAuthTokens, PackageApp, package_info
from boekstuk.ports import AccountingPackage
from boekstuk_local.simulators.base import SimClock, Simulator, SimulatorServer, complete_oauth_login
from boekstuk_local.simulators.registry import DEMO_LOGINS, app_config

REDIRECT_URI = "http://127.0.0.1:9/cb"


@dataclass
class Rig:
    server: SimulatorServer
    clock: SimClock
    app: PackageApp
    credentials: dict[str, Any]
    sleeps: list[float] = field(default_factory=list)
    saved: list[OAuthTokens] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.clock.advance(seconds)

    def open(self, credentials: dict[str, Any] | None = None, **options: Any) -> AccountingPackage:
        return open_package(self.app, self.credentials if credentials is None else credentials,
                            token_store=CallbackTokenStore(self.saved.append), clock=self.clock.now, sleep=self.sleep,
                            retry=RetryPolicy(backoff_base=0.01, backoff_max=0.02), **options)


def link(simulator: Simulator, timeout: float = 2.0) -> Rig:
    """Start ``simulator`` (caller stops ``rig.server``) and link the demo user."""
    server = SimulatorServer(simulator).start()
    pid = simulator.package_id
    app = app_config(pid, server, timeout_seconds=timeout)
    info = package_info(pid)
    if info is not None and info.auth == "oauth2":
        connector_class(pid)
        flow = oauth_flow(app, clock=simulator.clock.now)
        url = flow.authorize_url(uuid.uuid4().hex, REDIRECT_URI)
        code, _ = complete_oauth_login(url, DEMO_LOGINS[pid]["username"], DEMO_LOGINS[pid]["password"])
        credentials = flow.exchange_code(code, REDIRECT_URI).model_dump()
    else:
        credentials = dict(DEMO_LOGINS[pid])
    return Rig(server, simulator.clock, app, credentials)
