"""Opens connectors for this system's registrations (``PackageApp``) at each package."""

from __future__ import annotations

from collections.abc import Mapping

from boekstuk.adapters.packages.registry import oauth_flow, open_package
from boekstuk.domain.errors import UnknownPackage
from boekstuk.domain.packages import PackageApp
from boekstuk.ports import AccountingPackage, OAuthFlow, TokensChanged


class RegistryPackageGateway:
    def __init__(self, apps: Mapping[str, PackageApp]) -> None:
        self._apps = dict(apps)

    def _app(self, package: str) -> PackageApp:
        app = self._apps.get(package)
        if app is None:
            raise UnknownPackage(f"This system has no registration at {package}.")
        return app

    def open(
        self, package: str, credentials: dict[str, object], on_tokens_changed: TokensChanged | None = None
    ) -> AccountingPackage:
        """A connector for one connection's credentials."""
        return open_package(self._app(package), credentials, on_tokens_changed=on_tokens_changed)

    def oauth(self, package: str) -> OAuthFlow:
        """The OAuth2 flow of an OAuth package."""
        return oauth_flow(self._app(package))
