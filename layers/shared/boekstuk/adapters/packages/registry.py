"""Pick the connector for a package: ``open_package`` and ``oauth_flow`` dispatch on ``app.package``.

Adding a package is one line in ``_CONNECTORS`` (``"module:Class"``). A connector class is a
``base.PackageConnector``: it takes ``(app, credentials, *, session, token_store, clock, sleep, retry)``
(``base.ConnectorOptions``) and, for OAuth packages (``base.OAuthPackageConnector``), offers
``oauth_flow(app, *, session=None) -> OAuthFlow`` as a class method. Modules load lazily, so a
package whose connector is not there yet only fails when it is used.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, Protocol, cast

import requests

from boekstuk.domain.errors import UnknownPackage
from boekstuk.domain.packages import PackageApp, package_info
from boekstuk.ports import AccountingPackage, OAuthFlow, TokenStore

_CONNECTORS: dict[str, str] = {
    "exact_online": "boekstuk.adapters.packages.exact_online:ExactOnlineConnector",
    "twinfield": "boekstuk.adapters.packages.twinfield:TwinfieldConnector",
    "snelstart": "boekstuk.adapters.packages.snelstart:SnelStartConnector",
    "accountview": "boekstuk.adapters.packages.accountview:AccountViewConnector",
    "multivers": "boekstuk.adapters.packages.multivers:MultiversConnector",
}


class ConnectorClass(Protocol):
    """What the registry needs from a connector class."""

    def __call__(
        self,
        app: PackageApp,
        credentials: Mapping[str, Any],
        *,
        session: requests.Session | None = None,
        token_store: TokenStore | None = None,
        **options: Any,
    ) -> AccountingPackage:
        """Build a connector for one connection."""
        ...


def connector_class(package_id: str) -> ConnectorClass:
    """The connector class for ``package_id``; ``UnknownPackage`` when there is none (yet)."""
    path = _CONNECTORS.get(package_id)
    if path is None:
        raise UnknownPackage(f"no connector for package {package_id!r}")
    module_name, _, class_name = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise UnknownPackage(f"the {package_id} connector is not installed") from exc
    return cast(ConnectorClass, getattr(module, class_name))


def available_packages() -> list[str]:
    """Package ids whose connector module can be imported."""
    found = []
    for package_id in _CONNECTORS:
        try:
            connector_class(package_id)
        except UnknownPackage:
            continue
        found.append(package_id)
    return found


def open_package(
    app: PackageApp,
    credentials: Mapping[str, Any],
    *,
    session: requests.Session | None = None,
    token_store: TokenStore | None = None,
    **options: Any,
) -> AccountingPackage:
    """A connector for one connection: ``credentials`` is the stored ``OAuthTokens`` JSON or credential fields.

    ``options`` (``clock``, ``sleep``, ``retry``, package-specific page sizes) are for tests and tuning.
    """
    cls = connector_class(app.package)
    return cls(app, credentials, session=session, token_store=token_store, **options)


def oauth_flow(app: PackageApp, *, session: requests.Session | None = None, **options: Any) -> OAuthFlow:
    """The authorization-code flow of an OAuth package; ``UnknownPackage`` for credentials packages."""
    info = package_info(app.package)
    if info is None or info.auth != "oauth2":
        raise UnknownPackage(f"{app.package} does not link through OAuth")
    cls = connector_class(app.package)
    factory = getattr(cls, "oauth_flow", None)
    if factory is None:
        raise UnknownPackage(f"the {app.package} connector offers no OAuth flow")
    return cast(OAuthFlow, factory(app, session=session, **options))
