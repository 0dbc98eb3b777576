"""The simulator and connector registries: the demo logins (the README lists them), start_all, dispatch."""

from __future__ import annotations

import pytest
import requests

from boekstuk.adapters.packages.registry import available_packages, connector_class, oauth_flow, open_package
from boekstuk.domain.errors import InvalidPackageCredentials, UnknownPackage
from boekstuk.domain.packages import PackageApp
from boekstuk_local.simulators.registry import DEMO_LOGINS, SIMULATORS, app_config, start_all

EXPECTED_LOGINS = {
    "exact_online": {"username": "demo@exact.test", "password": "Exact-Demo-2026!"},
    "snelstart": {"client_key": "snelstart-demo-koppelsleutel-0001"},
    "accountview": {"username": "demo@accountview.test", "password": "AccountView-Demo-2026!"},
}


def test_demo_logins_are_those_of_the_spec() -> None:
    for package_id, login in EXPECTED_LOGINS.items():
        assert DEMO_LOGINS[package_id] == login


def test_start_all_serves_every_simulator_and_builds_apps() -> None:
    servers = start_all()
    try:
        assert set(servers) == set(SIMULATORS) and {"exact_online", "snelstart", "accountview"} <= set(servers)
        for package_id, server in servers.items():
            app = app_config(package_id, server)
            assert app.package == package_id and app.base_url == server.base_url
            # every simulator answers its inspection endpoint for its administrations
            code = server.simulator.administration_codes()[0]
            answer = requests.get(f"{server.base_url}/_local/administrations/{code}/entries", timeout=5)
            assert answer.json() == {"entries": []}
        assert app_config("exact_online", servers["exact_online"]).client_id
        assert app_config("snelstart", servers["snelstart"]).subscription_key
    finally:
        for server in servers.values():
            server.stop()


def test_connector_dispatch() -> None:
    assert {"exact_online", "snelstart", "accountview"} <= set(available_packages())
    assert connector_class("exact_online").__name__ == "ExactOnlineConnector"  # type: ignore[attr-defined]
    app = PackageApp(package="snelstart", base_url="http://127.0.0.1:9", subscription_key="k")
    with pytest.raises(UnknownPackage):
        oauth_flow(app)
    with pytest.raises(InvalidPackageCredentials):
        open_package(app, {})
    with pytest.raises(UnknownPackage):
        connector_class("nonexistent")
    exact = PackageApp(package="exact_online", base_url="http://127.0.0.1:9/", client_id="c", client_secret="s")
    url = oauth_flow(exact).authorize_url("st", "http://app.test/cb")
    assert url.startswith("http://127.0.0.1:9/api/oauth2/auth?") and "state=st" in url
