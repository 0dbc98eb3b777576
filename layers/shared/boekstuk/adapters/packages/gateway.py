"""Opens connectors for this system's registrations (``PackageApp``) at each package."""

from __future__ import annotations

from collections.abc import Mapping

from boekstuk.adapters.packages.base import RetryPolicy
from boekstuk.adapters.packages.registry import oauth_flow, open_package
from boekstuk.domain.errors import UnknownPackage
from boekstuk.domain.packages import PackageApp
from boekstuk.ports import AccountingPackage, OAuthFlow, TokenStore

# A person is waiting (API Gateway gives up after 29 s): wait out at most a short rate-limit window, then answer
# 503 with Retry-After. Background work (supplier sync, booking) keeps the connectors' long default waits.
INTERACTIVE_RETRY = RetryPolicy(max_attempts=2, backoff_max=2.0, max_rate_limit_waits=1, max_rate_limit_wait=5.0)


class RegistryPackageGateway:
    def __init__(self, apps: Mapping[str, PackageApp]) -> None:
        self._apps = dict(apps)

    def _app(self, package: str) -> PackageApp:
        app = self._apps.get(package)
        if app is None:
            raise UnknownPackage(f"This system has no registration at {package}.")
        return app

    def open(
        self, package: str, credentials: dict[str, object], token_store: TokenStore | None = None,
        *, interactive: bool = False,
    ) -> AccountingPackage:
        """A connector for one connection's credentials; ``interactive`` when a person waits for the answer."""
        if interactive:
            return open_package(self._app(package), credentials, token_store=token_store,
                                retry=INTERACTIVE_RETRY)
        return open_package(self._app(package), credentials, token_store=token_store)

    def oauth(self, package: str) -> OAuthFlow:
        """The OAuth2 flow of an OAuth package."""
        return oauth_flow(self._app(package))
