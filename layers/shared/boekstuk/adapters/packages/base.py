"""What every accounting-package connector shares: HTTP with timeouts, retry/back-off, error mapping, OAuth.

- :class:`PackageHttp` sends one logical call: explicit timeout, bounded retries on outages, honours
  ``Retry-After`` on 429, re-authenticates once on 401, and maps every failure to a domain error.
- :class:`OAuth2CodeFlow` is the authorization-code flow (the ``OAuthFlow`` port) for packages with a
  standard form-encoded token endpoint.
- :class:`TokenKeeper` holds a connection's tokens, refreshes them before they expire, inside the
  ``TokenStore``'s refresh lease, and stores every new pair at once (Exact rotates refresh tokens: an
  unsaved one is lost, and of two processes refreshing at once only one succeeds).
- :class:`PackageConnector` is the constructor every connector shares (the app, one ``PackageHttp`` reading
  the package's own errors); :class:`OAuthPackageConnector` adds the OAuth flow and the ``TokenKeeper``.
  A connector declares only what differs (paths, error reader, refresh margin) as class attributes.

Retry policy (why): 502/503 mean the call was not handled, so every method is retried; 500/504 may
hide a half-done write, so only idempotent methods are retried and a POST raises ``PackageUnavailable``
(the booking workflow then retries after ``find_booking``). Client-side timeouts and connection errors
are never retried here: a timeout already used the whole budget, and the workflow's own Retry backs off.
Nothing here logs headers, bodies, tokens or secrets.
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import logging
import random
import threading
import time
import urllib.parse
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict

import requests

from boekstuk.domain.errors import (
    InvalidPackageCredentials,
    PackageAccessDenied,
    PackageError,
    PackageRateLimited,
    PackageRejected,
    PackageUnavailable,
)
from boekstuk.domain.packages import OAuthTokens, PackageApp
from boekstuk.ports import TokenStore

if TYPE_CHECKING:
    from typing_extensions import Unpack

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
"""Epoch seconds (``time.time``); injectable so tests can move time."""
Sleep = Callable[[float], None]
"""``time.sleep``; injectable so tests do not wait."""
ErrorMessage = Callable[[requests.Response], str]
RetryAfter = Callable[[requests.Response, float], float | None]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
ALWAYS_RETRIED = frozenset({502, 503})  # the server did not handle the call: safe for every method
RETRIED_WHEN_IDEMPOTENT = frozenset({500, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds of the in-connector retries (the workflow has its own, longer ones)."""

    max_attempts: int = 3  # total tries on 5xx outages
    backoff_base: float = 0.5  # seconds; doubles per attempt, with jitter
    backoff_max: float = 8.0
    max_rate_limit_waits: int = 3  # 429s honoured before giving up with PackageRateLimited
    max_rate_limit_wait: float = 65.0  # a longer Retry-After (a daily limit) fails at once

    def backoff(self, attempt: int) -> float:
        """Delay before retry ``attempt`` (1-based): exponential, capped, 50-100 % jitter."""
        delay: float = min(self.backoff_max, self.backoff_base * 2.0 ** (attempt - 1))
        return delay * random.uniform(0.5, 1.0)


def parse_retry_after(response: requests.Response, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or HTTP date), if present."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, float(when.timestamp()) - now)


def json_body(response: requests.Response) -> Any:
    """The response's JSON, or ``None`` when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        return None


def default_error_message(response: requests.Response) -> str:
    """A readable message from an error response: a ``message``-like JSON field or the first text."""
    body = json_body(response)
    if isinstance(body, dict):
        for key in ("message", "Message", "error_description", "error", "detail", "title"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
    text = (response.text or "").strip()
    return text[:300] if text else f"HTTP {response.status_code} {response.reason or ''}".strip()


def redact_url(url: str) -> str:
    """``url`` without its query string (for logs: queries can carry codes or filters with personal data)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


class PackageHttp:
    """One package's HTTP client: timeouts, retries, rate-limit back-off and domain error mapping."""

    def __init__(
        self,
        *,
        package_id: str,
        timeout: float,
        session: requests.Session | None = None,
        clock: Clock = time.time,
        sleep: Sleep = time.sleep,
        retry: RetryPolicy | None = None,
        error_message: ErrorMessage = default_error_message,
        retry_after: RetryAfter = parse_retry_after,
        default_headers: Mapping[str, str] | None = None,
    ) -> None:
        self.package_id = package_id
        self.timeout = timeout
        self.session = session or requests.Session()
        self.clock = clock
        self.sleep = sleep
        self.retry = retry or RetryPolicy()
        self.error_message = error_message
        self.retry_after = retry_after
        self.default_headers = dict(default_headers or {})

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | str | bytes | None = None,
        headers: Mapping[str, str] | None = None,
        auth_headers: Callable[[], Mapping[str, str]] | None = None,
        on_unauthorized: Callable[[], bool] | None = None,
        accept_statuses: Collection[int] = (),
    ) -> requests.Response:
        """Send one call and return the 2xx (or ``accept_statuses``) response; raise a domain error otherwise.

        ``auth_headers`` is asked before every try (so a refreshed token is used); ``on_unauthorized`` is
        called once on a 401 and returns True when it obtained new credentials worth one more try.
        """
        method = method.upper()
        outage_attempts = 0
        rate_waits = 0
        reauthenticated = False
        while True:
            all_headers = {**self.default_headers, **(headers or {})}
            if auth_headers is not None:
                all_headers.update(auth_headers())
            response = self._send(method, url, params=params, json=json, data=data, headers=all_headers)
            status = response.status_code
            if status < 400 or status in accept_statuses:
                return response
            if status == 429:
                wait = self.retry_after(response, self.clock())
                if rate_waits >= self.retry.max_rate_limit_waits or (
                    wait is not None and wait > self.retry.max_rate_limit_wait
                ):
                    raise PackageRateLimited(
                        f"{self.package_id} is rate limiting us: {self.error_message(response)}", retry_after=wait
                    )
                rate_waits += 1
                delay = wait if wait is not None else self.retry.backoff(rate_waits)
                logger.info("package rate limited; waiting", extra=self._log(method, url, status, delay))
                self.sleep(delay)
                continue
            if status in ALWAYS_RETRIED or (status in RETRIED_WHEN_IDEMPOTENT and method in IDEMPOTENT_METHODS):
                outage_attempts += 1
                if outage_attempts >= self.retry.max_attempts:
                    raise PackageUnavailable(
                        f"{self.package_id} answered {status} {outage_attempts} times: {self.error_message(response)}",
                        status=status,
                    )
                delay = self.retry.backoff(outage_attempts)
                logger.info("package outage; retrying", extra=self._log(method, url, status, delay))
                self.sleep(delay)
                continue
            if status >= 500:
                raise PackageUnavailable(
                    f"{self.package_id} answered {status}: {self.error_message(response)}", status=status
                )
            if status == 401:
                if on_unauthorized is not None and not reauthenticated and on_unauthorized():
                    reauthenticated = True
                    continue
                raise InvalidPackageCredentials(
                    f"{self.package_id} refused the credentials: {self.error_message(response)}"
                )
            raise self.client_error(response)

    def client_error(self, response: requests.Response) -> PackageError:
        """The domain error for a 4xx other than 401/429: 403 access denied, otherwise rejected."""
        message = self.error_message(response)
        if response.status_code == 403:
            return PackageAccessDenied(message, status=response.status_code)
        return PackageRejected(message, status=response.status_code)

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self.session.request(method, url, timeout=self.timeout, allow_redirects=False, **kwargs)
        except requests.Timeout as exc:
            logger.warning("package timed out", extra=self._log(method, url, None, None))
            raise PackageUnavailable(f"{self.package_id} did not answer within {self.timeout:g} s") from exc
        except requests.RequestException as exc:
            logger.warning("package unreachable", extra=self._log(method, url, None, None))
            raise PackageUnavailable(f"{self.package_id} cannot be reached ({type(exc).__name__})") from exc

    def _log(self, method: str, url: str, status: int | None, delay: float | None) -> dict[str, Any]:
        return {"package": self.package_id, "method": method, "url": redact_url(url), "status": status,
                "delay": delay}


# --- OAuth ---------------------------------------------------------------------------------------------


class RefreshTooEarly(PackageError):
    """The package refuses a refresh while the access token is still valid (Exact: before 570 s)."""

    code = "package_refresh_too_early"
    default_detail = "The access token is still valid; the package refuses an early refresh."


def oauth_error_message(response: requests.Response) -> str:
    """``error_description`` (or ``error``) of an OAuth token-endpoint error."""
    body = json_body(response)
    if isinstance(body, dict):
        description = body.get("error_description") or body.get("error")
        if isinstance(description, str) and description:
            return description
    return default_error_message(response)


class OAuth2CodeFlow:
    """Standard authorization-code flow (``OAuthFlow`` port) against a form-encoded token endpoint."""

    def __init__(
        self,
        app: PackageApp,
        *,
        authorize_path: str,
        token_path: str,
        http: PackageHttp,
        extra_authorize_params: Mapping[str, str] | None = None,
        basic_client_auth: bool = False,
    ) -> None:
        if not app.client_id or not app.client_secret:
            raise ValueError(f"{app.package}: client_id and client_secret are required for OAuth")
        self.app = app
        root = (app.auth_url or app.base_url).rstrip("/")
        self.authorize_endpoint = root + authorize_path
        self.token_endpoint = root + token_path
        self.http = http
        self.extra_authorize_params = dict(extra_authorize_params or {})
        self.basic_client_auth = basic_client_auth

    def authorize_url(self, state: str, redirect_uri: str) -> str:
        """Where to send the user to log in at the package."""
        query = {
            "client_id": self.app.client_id or "",
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "state": state,
            **self.extra_authorize_params,
        }
        return f"{self.authorize_endpoint}?{urllib.parse.urlencode(query)}"

    def exchange_code(self, code: str, redirect_uri: str) -> OAuthTokens:
        """Trade the callback's code for tokens; ``InvalidPackageCredentials`` if the package refuses."""
        return self._token_call({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})

    def refresh(self, tokens: OAuthTokens) -> OAuthTokens:
        """A new access token (and the rotated refresh token, when the package rotates them)."""
        if not tokens.refresh_token:
            raise InvalidPackageCredentials(f"{self.app.package}: no refresh token; link the package again")
        fresh = self._token_call({"grant_type": "refresh_token", "refresh_token": tokens.refresh_token})
        if fresh.refresh_token is None:  # package kept the old refresh token
            fresh = fresh.model_copy(update={"refresh_token": tokens.refresh_token})
        return fresh

    def _token_call(self, form: dict[str, str]) -> OAuthTokens:
        headers = {"Accept": "application/json"}
        if self.basic_client_auth:
            auth_pair = f"{self.app.client_id}:{self.app.client_secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(auth_pair).decode()
        else:
            form = {**form, "client_id": self.app.client_id or "", "client_secret": self.app.client_secret or ""}
        response = self.http.request(
            "POST", self.token_endpoint, data=form, headers=headers, accept_statuses=(400, 401, 403)
        )
        if response.status_code >= 400:
            message = oauth_error_message(response)
            if "not expired" in message.lower():
                raise RefreshTooEarly(message)
            raise InvalidPackageCredentials(f"{self.app.package} refused the authorization: {message}")
        body = json_body(response)
        if not isinstance(body, dict) or not body.get("access_token"):
            raise PackageUnavailable(f"{self.app.package}: the token endpoint answered without an access token")
        expires_in = float(str(body.get("expires_in", "3600")))  # Exact sends it as a string
        extra = {k: str(v) for k, v in body.items() if k not in {"access_token", "refresh_token", "expires_in"}}
        return OAuthTokens(
            access_token=str(body["access_token"]),
            refresh_token=str(body["refresh_token"]) if body.get("refresh_token") else None,
            expires_at=self.http.clock() + expires_in,
            extra=extra,
        )


class TokenKeeper:
    """A connection's OAuth tokens: refreshed ``margin`` seconds before expiry, kept in the ``TokenStore``."""

    def __init__(
        self,
        tokens: OAuthTokens,
        refresh: Callable[[OAuthTokens], OAuthTokens],
        *,
        clock: Clock,
        margin: float = 60.0,
        store: TokenStore | None = None,
    ) -> None:
        self._tokens = tokens
        self._refresh = refresh
        self._clock = clock
        self.margin = margin
        self._store = store
        self._lock = threading.Lock()

    @property
    def tokens(self) -> OAuthTokens:
        """The current tokens (to store)."""
        return self._tokens

    def access_token(self) -> str:
        """A usable access token, refreshed first when it is about to expire."""
        if self._clock() >= self._tokens.expires_at - self.margin:
            self.refresh()
        return self._tokens.access_token

    def bearer(self) -> dict[str, str]:
        """``Authorization: Bearer`` header with a usable token."""
        return {"Authorization": f"Bearer {self.access_token()}"}

    def refresh(self, *, forced: bool = False) -> bool:
        """Refresh now; True when new tokens are in use. ``forced``: after the package said 401."""
        with self._lock:
            if self._store is None:
                return self._refresh_now(forced)
            with self._store.refreshing() as stored:
                if stored is not None and stored.refresh_token != self._tokens.refresh_token:
                    # Another process refreshed since these tokens were read: ours are spent, the stored
                    # pair is the live one. Use it rather than refreshing again with a dead refresh token.
                    self._tokens = stored
                    logger.info("package tokens taken over from another process")
                    if self._clock() < stored.expires_at - self.margin:
                        return True
                return self._refresh_now(forced)

    def _refresh_now(self, forced: bool) -> bool:
        before = self._tokens
        try:
            fresh = self._refresh(before)
        except RefreshTooEarly:
            if forced or self._clock() >= before.expires_at:
                raise InvalidPackageCredentials("the package refused the access token and its refresh") from None
            return False  # still valid: keep using it
        self._tokens = fresh
        logger.info("package tokens refreshed")
        if self._store is not None:
            self._store.save(fresh)  # at once, inside the lease: the old refresh token may be dead already
        return True

    def on_unauthorized(self) -> bool:
        """Hook for ``PackageHttp.request``: refresh once after a 401."""
        return self.refresh(forced=True)


class CallbackTokenStore:
    """A ``TokenStore`` for one process: new tokens go to a callback, nothing is shared or leased."""

    def __init__(self, on_changed: Callable[[OAuthTokens], None]) -> None:
        self._on_changed = on_changed

    @contextlib.contextmanager
    def refreshing(self) -> Iterator[OAuthTokens | None]:
        """No lease and nothing stored elsewhere: the caller's own tokens are the latest."""
        yield None

    def save(self, tokens: OAuthTokens) -> None:
        """Hand the new pair to the callback."""
        self._on_changed(tokens)


def tokens_from_credentials(credentials: Mapping[str, Any]) -> OAuthTokens:
    """The ``OAuthTokens`` stored for an OAuth connection (the credentials dict is its JSON)."""
    try:
        return OAuthTokens.model_validate(credentials)
    except ValueError as exc:
        raise InvalidPackageCredentials("the stored tokens are missing or damaged; link the package again") from exc


def require_fields(credentials: Mapping[str, Any], *names: str) -> dict[str, str]:
    """The named non-empty string fields of a credentials dict, or ``InvalidPackageCredentials``."""
    values: dict[str, str] = {}
    for name in names:
        value = credentials.get(name)
        if not isinstance(value, str) or not value.strip():
            raise InvalidPackageCredentials(f"the credential field {name!r} is missing")
        values[name] = value.strip()
    return values


# --- the connector base ---------------------------------------------------------------------------------


class HttpOptions(TypedDict, total=False):
    """What a package's ``PackageHttp`` may be given besides its package's own settings (tests, tuning)."""

    session: requests.Session | None
    clock: Clock
    sleep: Sleep
    retry: RetryPolicy | None


class ConnectorOptions(HttpOptions, total=False):
    """The keyword arguments every connector takes (``open_package`` passes them through)."""

    token_store: TokenStore | None  # OAuth packages keep refreshed tokens here; the others ignore it


class PackageConnector:
    """The wiring every connector shares: the app, its API ``root`` and one ``PackageHttp`` for the package.

    A connector sets ``package_id`` and what differs from the defaults: ``api_path`` (appended to the app's
    ``base_url`` to make ``root``), ``default_headers``, and the static methods ``error_message`` (how the
    package words its errors) and ``retry_after`` (how it says when to come back after a 429). It reads its
    credentials in :meth:`setup`. A connector with options of its own (a page size) takes them in its
    ``__init__`` and passes the rest (``ConnectorOptions``) on; one without has no ``__init__``, so its
    signature tells callers which options it takes.
    """

    package_id: ClassVar[str] = ""
    api_path: ClassVar[str] = ""
    default_headers: ClassVar[Mapping[str, str]] = {"Accept": "application/json"}

    def __init__(
        self,
        app: PackageApp,
        credentials: Mapping[str, Any],
        *,
        session: requests.Session | None = None,
        token_store: TokenStore | None = None,
        clock: Clock = time.time,
        sleep: Sleep = time.sleep,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.app = app
        self.root = app.base_url.rstrip("/") + self.api_path
        self.clock = clock
        self.token_store = token_store
        self.http = self.package_http(app, session=session, clock=clock, sleep=sleep, retry=retry)
        self.setup(credentials)

    def setup(self, credentials: Mapping[str, Any]) -> None:
        """Take what the connector needs from the connection's ``credentials`` (called once, by ``__init__``)."""

    @staticmethod
    def error_message(response: requests.Response) -> str:
        """The package's own words from an error response (``default_error_message`` unless overridden)."""
        return default_error_message(response)

    @staticmethod
    def retry_after(response: requests.Response, now: float) -> float | None:
        """Seconds to wait after a 429 (``Retry-After`` unless overridden)."""
        return parse_retry_after(response, now)

    @classmethod
    def package_http(cls, app: PackageApp, **options: Unpack[HttpOptions]) -> PackageHttp:
        """The package's HTTP client: the app's timeout, the package's error reader and headers."""
        return PackageHttp(package_id=cls.package_id, timeout=app.timeout_seconds, error_message=cls.error_message,
                           retry_after=cls.retry_after, default_headers=cls.default_headers, **options)


class OAuthPackageConnector(PackageConnector):
    """A connector of an OAuth2 package: the code flow from class attributes, tokens in a ``TokenKeeper``.

    Set ``authorize_path`` and ``token_path`` (below the app's ``auth_url``), ``authorize_params`` (a scope)
    and ``refresh_margin`` (seconds before expiry to refresh). ``credentials`` is the stored ``OAuthTokens``.
    """

    authorize_path: ClassVar[str] = ""
    token_path: ClassVar[str] = ""
    authorize_params: ClassVar[Mapping[str, str]] = {}
    refresh_margin: ClassVar[float] = 60.0

    def setup(self, credentials: Mapping[str, Any]) -> None:
        """Keep the stored tokens in a ``TokenKeeper`` that refreshes them through the package's flow."""
        flow = self.oauth_flow(self.app, http=self.http)
        self.tokens = TokenKeeper(tokens_from_credentials(credentials), flow.refresh, clock=self.clock,
                                  margin=self.refresh_margin, store=self.token_store)

    @classmethod
    def oauth_flow(cls, app: PackageApp, *, http: PackageHttp | None = None,
                   **options: Unpack[HttpOptions]) -> OAuth2CodeFlow:
        """The package's authorization-code flow (on ``http``, or a client of its own built with ``options``)."""
        return OAuth2CodeFlow(app, authorize_path=cls.authorize_path, token_path=cls.token_path,
                              http=http or cls.package_http(app, **options),
                              extra_authorize_params=cls.authorize_params)

    def authorized(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """``PackageHttp.request`` with a valid bearer token, refreshed once when the package answers 401."""
        return self.http.request(method, url, auth_headers=self.tokens.bearer,
                                 on_unauthorized=self.tokens.on_unauthorized, **kwargs)
