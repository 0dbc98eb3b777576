"""Onboarding step 3: link an accounting package.

Credentials packages are verified against the package before anything is stored; OAuth2 packages get a
pending connection and an ``authorize_url`` whose ``state`` is single use and bound to that connection.
Secrets and tokens go only to the secret store.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field

from boekstuk.domain import errors
from boekstuk.domain.links import OAUTH_STATE_TTL, Connection, OAuthState
from boekstuk.domain.onboarding import hash_secret, new_token
from boekstuk.domain.packages import PACKAGES, OAuthTokens, PackageInfo, package_info
from boekstuk.domain.timestamps import api_timestamp
from boekstuk.observability import logger
from boekstuk.ports import (
    AccountingPackage,
    Clock,
    ConnectionRepository,
    OfficeRepository,
    PackageGateway,
    RefreshLeases,
    SecretStore,
)
from boekstuk.services.access import require_admin, require_member


class CreateConnectionRequest(BaseModel):
    package: str = Field(min_length=1, max_length=40)
    description: str | None = Field(default=None, max_length=200)
    credentials: dict[str, str] = Field(default_factory=dict)


class ConnectionView(BaseModel):
    connection_id: str
    package: str
    description: str | None
    status: Literal["pending_authorization", "verified"]
    created_at: str
    authorize_url: str | None = None

    @classmethod
    def of(cls, connection: Connection, authorize_url: str | None = None) -> ConnectionView:
        """The API view (never any secret)."""
        return cls(connection_id=connection.connection_id, package=connection.package,
                   description=connection.description, status=connection.status,
                   created_at=api_timestamp(connection.created_at), authorize_url=authorize_url)


class ConnectionList(BaseModel):
    connections: list[ConnectionView]


class CallbackResult(BaseModel):
    connection_id: str
    package: str
    status: Literal["verified"] = "verified"
    office_code: str


@dataclass(frozen=True)
class OAuthReturn:
    """Where the OAuth callback leaves the person: the linked connection, and its page in the web app (``None``
    while the web app's address is not configured: the callback answers JSON then)."""

    result: CallbackResult
    web_app_location: str | None


def _oauth_secret(connection: Connection, tokens: OAuthTokens) -> dict[str, object]:
    """What the secret store holds for an OAuth connection (linking writes it, every refresh rewrites it)."""
    return {"package": connection.package, "kind": "oauth2", "credentials": tokens.model_dump(mode="json")}


class PackageConnections:
    """Opens a connector for a stored connection; token refreshes are leased and written back at once."""

    def __init__(self, secrets: SecretStore, gateway: PackageGateway, leases: RefreshLeases | None = None) -> None:
        """Without ``leases`` refreshes are not coordinated across processes (single-process tools only)."""
        self._secrets = secrets
        self._gateway = gateway
        self._leases = leases

    def open(self, connection: Connection, *, interactive: bool = False) -> AccountingPackage:
        """A connector with the connection's current credentials (``interactive``: an API request waits)."""
        if connection.status != "verified":
            raise errors.ConnectionNotReady()
        stored = self._secrets.get(connection.secret_name)
        credentials = dict(stored.get("credentials", {}))  # type: ignore[call-overload]
        store = SecretTokenStore(self._secrets, connection, self._leases,
                                 wait_seconds=SecretTokenStore.INTERACTIVE_WAIT_SECONDS if interactive else None)
        return self._gateway.open(connection.package, credentials, token_store=store, interactive=interactive)


class SecretTokenStore:
    """A connection's OAuth tokens in the secret store, refreshed under a lease shared by all Lambdas.

    Two Lambdas that find the access token expiring at the same moment both want to refresh; with rotating
    refresh tokens (Exact Online) only the first succeeds and the other's refresh token is then dead. The
    lease makes them take turns, and the second one reads the secret again inside the lease and finds the
    pair the first one stored, so it does not refresh at all.
    """

    LEASE_SECONDS = 30.0  # longer than one token call with its timeout; a crashed holder frees it by then
    WAIT_SECONDS = 20.0  # a holder refreshes in about a second; beyond this the package is in trouble
    INTERACTIVE_WAIT_SECONDS = 5.0  # a person is waiting (API Gateway gives up at 29 s): answer 503 sooner

    def __init__(self, secrets: SecretStore, connection: Connection, leases: RefreshLeases | None,
                 *, wait_seconds: float | None = None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        """``wait_seconds``: how long to wait for another process's refresh (default ``WAIT_SECONDS``)."""
        self._secrets = secrets
        self._connection = connection
        self._leases = leases
        self._wait = self.WAIT_SECONDS if wait_seconds is None else wait_seconds
        self._clock = clock
        self._sleep = sleep

    @contextlib.contextmanager
    def refreshing(self) -> Iterator[OAuthTokens | None]:
        """Hold the connection's refresh lease and yield the tokens stored now."""
        if self._leases is None:
            yield self._stored()
            return
        key = f"token-refresh#{self._connection.connection_id}"
        owner = uuid.uuid4().hex
        deadline = self._clock() + self._wait
        while not self._leases.acquire(key, owner, self.LEASE_SECONDS):
            if self._clock() >= deadline:
                raise errors.PackageUnavailable(
                    f"another process has been refreshing the {self._connection.package} tokens for "
                    f"{self._wait:.0f} s; try again shortly")
            self._sleep(0.2)
        try:
            yield self._stored()
        finally:
            self._leases.release(key, owner)

    def save(self, tokens: OAuthTokens) -> None:
        """Store the new pair (called inside the lease)."""
        self._secrets.put(self._connection.secret_name, _oauth_secret(self._connection, tokens))

    def _stored(self) -> OAuthTokens | None:
        try:
            stored = self._secrets.get(self._connection.secret_name)
            return OAuthTokens.model_validate(stored.get("credentials", {}))
        except (KeyError, ValueError):
            return None


class ConnectionService:
    def __init__(self, connections: ConnectionRepository, offices: OfficeRepository, secrets: SecretStore,
                 gateway: PackageGateway, clock: Clock, secrets_prefix: str, web_app_url: str = "") -> None:
        """``web_app_url``: the web app the OAuth callback sends the person back to (empty: none yet)."""
        self._connections = connections
        self._offices = offices
        self._secrets = secrets
        self._gateway = gateway
        self._clock = clock
        self._prefix = secrets_prefix
        self._web_app_url = web_app_url.rstrip("/")

    @staticmethod
    def packages() -> list[PackageInfo]:
        """The supported packages (``GET /v1/packages``)."""
        return list(PACKAGES)

    def create(self, office_code: str, username: str, request: CreateConnectionRequest,
               redirect_uri: str) -> ConnectionView:
        """Link a package: verify credentials first, or start the OAuth2 flow."""
        require_admin(self._offices, office_code, username)
        info = package_info(request.package)
        if info is None:
            raise errors.UnknownPackage(f"Unknown package '{request.package}'. See GET /v1/packages.")
        description = (request.description or "").strip() or None
        if info.asks_description and not description:
            raise errors.DescriptionRequired(f"Give a description for this {info.name} connection.")
        connection_id = uuid.uuid4().hex
        secret_name = f"{self._prefix}{office_code}/connections/{connection_id}"
        now = self._clock.now()
        if info.auth == "credentials":
            credentials = self._checked_credentials(info, request.credentials)
            # Verified before anything is stored: a refusal or an outage leaves no trace.
            self._gateway.open(info.id, dict(credentials), interactive=True).verify()
            self._secrets.put(secret_name, {"package": info.id, "kind": "credentials", "credentials": credentials})
            connection = Connection(connection_id=connection_id, office_code=office_code, package=info.id,
                                    description=description, status="verified", secret_name=secret_name,
                                    created_at=now, created_by=username)
            self._connections.add(connection)
            logger.info("package linked", package=info.id, connection_id=connection_id)
            return ConnectionView.of(connection)
        state = new_token()
        authorize_url = self._gateway.oauth(info.id).authorize_url(state, redirect_uri)
        connection = Connection(connection_id=connection_id, office_code=office_code, package=info.id,
                                description=description, status="pending_authorization", secret_name=secret_name,
                                created_at=now, created_by=username)
        self._connections.add(connection)
        self._connections.add_oauth_state(OAuthState(state_hash=hash_secret(state), office_code=office_code,
                                                     connection_id=connection_id, redirect_uri=redirect_uri,
                                                     expires_at=now + OAUTH_STATE_TTL))
        return ConnectionView.of(connection, authorize_url=authorize_url)

    def complete_oauth(self, state: str | None, code: str | None, error: str | None = None) -> CallbackResult:
        """The package redirected back: check the single-use state, trade the code, store the tokens."""
        if not state:
            raise errors.InvalidOAuthState()
        pending = self._connections.consume_oauth_state(hash_secret(state))
        if pending is None or self._clock.now() >= pending.expires_at:
            raise errors.InvalidOAuthState()
        if error or not code:
            raise errors.InvalidPackageCredentials(f"The package did not grant access ({error or 'no code'}).")
        connection = self._connections.get(pending.office_code, pending.connection_id)
        if connection is None:
            raise errors.InvalidOAuthState()
        tokens = self._gateway.oauth(connection.package).exchange_code(code, pending.redirect_uri)
        self._secrets.put(connection.secret_name, _oauth_secret(connection, tokens))
        self._connections.mark_verified(connection.office_code, connection.connection_id)
        logger.info("package authorised", package=connection.package, connection_id=connection.connection_id)
        return CallbackResult(connection_id=connection.connection_id, package=connection.package,
                              office_code=connection.office_code)

    def oauth_return(self, state: str | None, code: str | None, error: str | None = None) -> OAuthReturn:
        """``GET /v1/oauth/callback``: complete the OAuth flow, and where the web app shows the connection."""
        result = self.complete_oauth(state, code, error)
        location = (f"{self._web_app_url}/#/connections/{result.connection_id}?linked=1"
                    if self._web_app_url else None)
        return OAuthReturn(result=result, web_app_location=location)

    def list_connections(self, office_code: str, username: str) -> ConnectionList:
        """The office's connections."""
        require_member(self._offices, office_code, username)
        return ConnectionList(connections=[ConnectionView.of(c) for c in self._connections.for_office(office_code)])

    @staticmethod
    def _checked_credentials(info: PackageInfo, given: dict[str, Any]) -> dict[str, str]:
        missing = [f.name for f in info.credential_fields if not str(given.get(f.name, "")).strip()]
        if missing:
            raise errors.ValidationFailed(
                f"{info.name} needs: {', '.join(missing)}.",
                errors=[{"field": f"credentials.{name}", "message": "This field is required."} for name in missing],
            )
        return {f.name: str(given[f.name]).strip() for f in info.credential_fields}
