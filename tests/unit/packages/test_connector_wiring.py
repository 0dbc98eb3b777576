"""The one connector base: every connector gets its HTTP client, OAuth flow and token keeper from it."""

from __future__ import annotations

import pytest
import requests

from boekstuk.adapters.packages.base import (
    OAuth2CodeFlow,
    OAuthPackageConnector,
    PackageConnector,
    RetryPolicy,
)
from boekstuk.adapters.packages.registry import connector_class, open_package
from boekstuk.domain.packages import OAuthTokens, PackageApp, package_info

PACKAGES = ["exact_online", "twinfield", "snelstart", "accountview", "multivers"]
CREDENTIALS = {
    "twinfield": {"username": "U", "password": "P", "organisation": "O"},
    "snelstart": {"client_key": "key"},
}
TOKENS = OAuthTokens(access_token="at", refresh_token="rt", expires_at=2_000_000_000.0).model_dump()


def _app(package: str) -> PackageApp:
    return PackageApp(package=package, base_url="https://api.package.test/",  # type: ignore[arg-type]
                      auth_url="https://login.package.test", client_id="client", client_secret="secret",
                      subscription_key="sub", timeout_seconds=7.5)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_connector_is_wired_by_the_base(package: str) -> None:
    cls = connector_class(package)
    oauth = package_info(package).auth == "oauth2"  # type: ignore[union-attr]
    assert issubclass(cls, OAuthPackageConnector if oauth else PackageConnector)  # type: ignore[arg-type]
    session, retry, sleeps = requests.Session(), RetryPolicy(max_attempts=5), []
    connector = open_package(_app(package), CREDENTIALS.get(package, TOKENS), session=session, retry=retry,
                             clock=lambda: 1_000.0, sleep=sleeps.append)
    assert isinstance(connector, PackageConnector)
    http = connector.http
    assert (http.package_id, http.timeout, http.session, http.retry, http.clock()) == (package, 7.5, session, retry,
                                                                                       1_000.0)
    http.sleep(0.25)
    assert sleeps == [0.25]
    assert http.error_message is cls.error_message  # the package's own error reader, not the default one


@pytest.mark.parametrize(("package", "authorize", "scope"), [
    ("exact_online", "https://login.package.test/api/oauth2/auth", None),
    ("accountview", "https://login.package.test/api/v3/authorize", "*"),
    ("multivers", "https://login.package.test/OAuth/Authorize", "http://UNIT4.Multivers.API/Web/WebApi/*"),
])
def test_oauth_flow_comes_from_the_class_attributes(package: str, authorize: str, scope: str | None) -> None:
    cls = connector_class(package)
    flow = cls.oauth_flow(_app(package))  # type: ignore[attr-defined]
    assert isinstance(flow, OAuth2CodeFlow)
    url = flow.authorize_url("st", "https://app.test/cb")
    assert url.startswith(authorize + "?")
    assert (("scope=" in url) == (scope is not None))
    assert flow.http.package_id == package and flow.http.error_message is cls.error_message


class _Demo(OAuthPackageConnector):
    package_id = "demo"
    api_path = "/api/v9"
    authorize_path = "/auth"
    token_path = "/token"
    authorize_params = {"scope": "all"}  # noqa: RUF012 - a class constant, as in the real connectors
    refresh_margin = 25.0

    @staticmethod
    def error_message(response: requests.Response) -> str:
        return "demo says no"


def test_a_new_oauth_connector_only_declares_what_differs() -> None:
    connector = _Demo(_app("exact_online"), TOKENS, clock=lambda: 5.0)
    assert connector.root == "https://api.package.test/api/v9"
    assert connector.tokens.margin == 25.0 and connector.tokens.tokens.access_token == "at"
    assert connector.http.error_message is _Demo.error_message
    assert connector.http.default_headers == {"Accept": "application/json"}
    flow = _Demo.oauth_flow(_app("exact_online"))
    assert flow.token_endpoint == "https://login.package.test/token"
    assert "scope=all" in flow.authorize_url("s", "https://app.test/cb")
