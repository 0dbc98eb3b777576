"""What every package simulator shares: the HTTP server, fault injection, clock, state, rate limits, OAuth.

A simulator is a plain WSGI application (werkzeug) built on :class:`Simulator`. :class:`SimulatorServer`
runs one on loopback in a daemon thread. Every simulator also answers these local-only routes on its own
port (never faulted, never rate limited):

- ``POST /_local/faults`` ``{"status": 503, "count": 2}`` or ``{"timeout": true, "count": 1}``: the next
  ``count`` package calls fail that way. Optional keys: ``retry_after`` (seconds, for 429), ``hang_seconds``
  (timeout length), ``path_contains`` / ``method`` (only matching calls), ``after_processing`` (timeout
  only: handle the call first, then hang, so the client times out on a call that *did* happen - the
  nasty case for exactly-once booking). ``DELETE /_local/faults`` clears them.
- ``POST /_local/clock`` ``{"advance": 600}``: move the simulator's clock (token expiry, rate windows).
- ``GET /_local/administrations/{code}/entries``: what was booked, in one shape for every package
  (``SimulatorState.add_entry``).
- ``GET /_local/state``: the JSON snapshot (``PUT`` restores one).

Time inside a simulator comes from :class:`SimClock`, so tests move time instead of sleeping.

Beside the machinery, the helpers every package's simulator needs in the same way: :class:`Refusal`
(raise it anywhere below a route, the simulator answers it in the package's own error shape),
:class:`OAuthSimulator` (the login form and token endpoint of an OAuth2 package), deterministic guids,
amounts in cents, base64 uploads and ISO dates in requests. What differs between the real packages stays
in each package's module (odata.py holds the two OData dialects).
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime as dt
import html
import json
import secrets
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar

import requests
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

JsonDict = dict[str, Any]

LOCAL_PREFIX = "/_local/"
CENT = Decimal("0.01")


# --- time --------------------------------------------------------------------------------------------


class SimClock:
    """Wall-clock time plus an offset that tests (or ``POST /_local/clock``) can advance."""

    def __init__(self, start: float | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0 if start is None else start - time.time()

    def now(self) -> float:
        """Current simulated time, epoch seconds."""
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Jump ``seconds`` into the future."""
        with self._lock:
            self._offset += seconds

    def sleep(self, seconds: float) -> None:
        """A ``sleep`` for clients under test: advances simulated time instead of waiting."""
        self.advance(max(0.0, seconds))


# --- JSON responses ----------------------------------------------------------------------------------


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response (UTF-8, no ASCII escaping so Dutch names stay readable)."""
    return Response(
        json.dumps(body, ensure_ascii=False),
        status=status,
        headers=headers or {},
        content_type="application/json; charset=utf-8",
    )


def request_json(request: Request) -> Any:
    """The request body parsed as JSON, or ``None`` when it is empty or not JSON."""
    data = request.get_data(cache=True)
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


class Refusal(Exception):
    """A call the package refuses: raise it anywhere below a route; ``Simulator.dispatch`` answers it.

    Each package's simulator subclasses it with :meth:`response` in that package's error shape.
    """

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})  # e.g. Retry-After on a 429

    def response(self) -> Response:
        """The package's error answer."""
        return json_response({"message": self.message}, self.status, self.headers)


# --- values in requests and seeds ----------------------------------------------------------------------


def guid_factory(namespace: str) -> Callable[..., str]:
    """``guid(*parts)``: deterministic guids in ``namespace``, so every fresh simulator has the same ids."""
    space = uuid.UUID(namespace)

    def guid(*parts: object) -> str:
        return str(uuid.uuid5(space, ":".join(str(p) for p in parts)))

    return guid


def cents(value: Any) -> Decimal:
    """An amount from a request (JSON number or text), rounded half up to cents; ``ValueError`` when it is none."""
    try:
        number = Decimal(str(value)) if not isinstance(value, bool) else Decimal("NaN")
        if not number.is_finite():
            raise InvalidOperation
        return number.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None


def decode_base64(value: Any) -> bytes | None:
    """The bytes of an upload's base64 text; ``None`` when it is not valid base64."""
    try:
        return base64.b64decode(str(value or ""), validate=True)
    except (binascii.Error, ValueError):
        return None


def parse_iso_date(value: Any) -> dt.date | None:
    """The date of an ISO date or datetime in a request (``2024-03-01T00:00:00``); ``None`` when there is none."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def iso_datetime(value: dt.date) -> str:
    """``2024-03-01T00:00:00``: a date at midnight, a datetime to the second, without a zone."""
    return value.strftime("%Y-%m-%dT%H:%M:%S")


# --- fault injection ---------------------------------------------------------------------------------


@dataclass
class Fault:
    """One queued failure, consumed by matching calls until ``count`` reaches zero."""

    count: int = 1
    status: int | None = None  # 500, 503, 429, ...
    timeout: bool = False
    retry_after: float = 1.0
    hang_seconds: float | None = None
    path_contains: str | None = None
    method: str | None = None
    after_processing: bool = False

    def matches(self, request: Request) -> bool:
        """Whether this fault applies to ``request``."""
        if self.path_contains and self.path_contains not in request.path:
            return False
        return not (self.method and self.method.upper() != request.method)


class FaultInjector:
    """Thread-safe queue of faults; the simulator consults it before every package call."""

    def __init__(self, hang_seconds: float = 2.0) -> None:
        self.hang_seconds = hang_seconds
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def inject(
        self,
        *,
        status: int | None = None,
        timeout: bool = False,
        count: int = 1,
        retry_after: float = 1.0,
        hang_seconds: float | None = None,
        path_contains: str | None = None,
        method: str | None = None,
        after_processing: bool = False,
    ) -> None:
        """Fail the next ``count`` matching calls with ``status`` or a hang (``timeout=True``)."""
        if not timeout and status is None:
            raise ValueError("give a status or timeout=True")
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._faults.append(
                Fault(count, status, timeout, retry_after, hang_seconds, path_contains, method, after_processing)
            )

    def inject_json(self, body: JsonDict) -> None:
        """Inject from the JSON of ``POST /_local/faults``."""
        self.inject(
            status=int(body["status"]) if body.get("status") is not None else None,
            timeout=bool(body.get("timeout", False)),
            count=int(body.get("count", 1)),
            retry_after=float(body.get("retry_after", 1.0)),
            hang_seconds=float(body["hang_seconds"]) if body.get("hang_seconds") is not None else None,
            path_contains=body.get("path_contains"),
            method=body.get("method"),
            after_processing=bool(body.get("after_processing", False)),
        )

    def clear(self) -> None:
        """Drop every pending fault."""
        with self._lock:
            self._faults.clear()

    def pending(self) -> int:
        """How many faulty calls are still queued."""
        with self._lock:
            return sum(f.count for f in self._faults)

    def take(self, request: Request) -> Fault | None:
        """Consume one fault that applies to ``request``, if any."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(request):
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None


# --- rate limits -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateStatus:
    allowed: bool
    limit: int
    remaining: int
    reset_at: float  # epoch seconds (simulated) when the window restarts


class RateLimiter:
    """Fixed-window counter per key (e.g. per division), on the simulator's clock."""

    def __init__(self, limit: int, window_seconds: float, clock: SimClock) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}

    def hit(self, key: str) -> RateStatus:
        """Count one call for ``key``; ``allowed`` is False once the window's budget is used up."""
        now = self._clock.now()
        with self._lock:
            start, used = self._windows.get(key, (now, 0))
            if now >= start + self.window_seconds:
                start, used = now, 0
            allowed = used < self.limit
            if allowed:
                used += 1
            self._windows[key] = (start, used)
            return RateStatus(allowed, self.limit, max(0, self.limit - used), start + self.window_seconds)

    def seconds_until_reset(self, status: RateStatus) -> int:
        """Whole seconds until ``status``'s window restarts (at least 1), for ``Retry-After``."""
        return max(1, int(status.reset_at - self._clock.now() + 0.999))

    def retry_after(self, status: RateStatus) -> dict[str, str]:
        """The ``Retry-After`` header for a call refused by ``status``."""
        return {"Retry-After": str(self.seconds_until_reset(status))}

    def reset(self) -> None:
        """Forget every window."""
        with self._lock:
            self._windows.clear()


# --- state -------------------------------------------------------------------------------------------


class SimulatorState:
    """All mutable simulator data as one JSON-able dict, guarded by one re-entrant lock.

    Layout shared by every simulator: ``administrations`` (package-native collections per administration
    code), ``entries`` (inspection records per administration code), ``oauth`` (codes and tokens), plus
    whatever else a simulator needs. Keeping it JSON-able is what makes :meth:`snapshot`/:meth:`restore`
    (the local stack's ``--data-dir``) trivial.
    """

    def __init__(self, data: JsonDict) -> None:
        self.lock = threading.RLock()
        self.data: JsonDict = data
        self.data.setdefault("entries", {})
        self.data.setdefault("counters", {})

    def snapshot(self) -> JsonDict:
        """A deep, JSON-able copy of everything."""
        with self.lock:
            return copy.deepcopy(json.loads(json.dumps(self.data)))

    def restore(self, data: JsonDict) -> None:
        """Replace everything with a snapshot taken earlier."""
        with self.lock:
            self.data = copy.deepcopy(data)
            self.data.setdefault("entries", {})
            self.data.setdefault("counters", {})

    def next_number(self, name: str, start: int = 1) -> int:
        """A persistent counter (booking numbers, supplier numbers, ...)."""
        with self.lock:
            counters: dict[str, int] = self.data["counters"]
            value = counters.get(name, start - 1) + 1
            counters[name] = value
            return value

    def add_entry(
        self,
        administration: str,
        *,
        entry_id: str,
        supplier_code: str,
        invoice_number: str,
        invoice_date: str,
        total_incl_vat: str,
        lines: list[JsonDict],
        attachment: JsonDict | None = None,
    ) -> None:
        """Record a booked entry in the inspection shape, the same for every package (its keys are these arguments)."""
        with self.lock:
            self.data["entries"].setdefault(administration, []).append(
                {
                    "entry_id": entry_id,
                    "supplier_code": supplier_code,
                    "invoice_number": invoice_number,
                    "invoice_date": invoice_date,
                    "total_incl_vat": total_incl_vat,
                    "lines": lines,
                    "attachment": attachment,
                }
            )

    def set_entry_attachment(self, administration: str, entry_id: str, filename: str, size: int) -> bool:
        """Attach a file to a recorded entry (packages that upload the PDF after the entry)."""
        with self.lock:
            for entry in self.data["entries"].get(administration, []):
                if entry["entry_id"] == entry_id:
                    entry["attachment"] = {"filename": filename, "size": size}
                    return True
            return False

    def entries(self, administration: str) -> JsonDict:
        """``{"entries": [...]}`` for one administration, as the inspection endpoint answers."""
        with self.lock:
            return {"entries": copy.deepcopy(self.data["entries"].get(administration, []))}


# --- OAuth2 authorization-code provider --------------------------------------------------------------


_LOGIN_FORM = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>{title} - inloggen</title></head>
<body><h1>{title}</h1>{error}
<form method="post" action="">
<label>Gebruikersnaam <input name="username" autocomplete="username"></label>
<label>Wachtwoord <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Inloggen</button>
</form></body></html>
"""


def login_form_response(title: str, error: str | None = None) -> Response:
    """The small HTML login form every OAuth simulator shows (status 200, also after a wrong password)."""
    error_html = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    body = _LOGIN_FORM.format(title=html.escape(title), error=error_html)
    return Response(body, status=200, content_type="text/html; charset=utf-8")


@dataclass
class OAuthSettings:
    """Token behaviour of one package (lifetimes in seconds)."""

    access_ttl: int = 3600
    refresh_ttl: int | None = 30 * 86400  # expires when unused this long; None: never
    code_ttl: int = 120  # authorization codes are short-lived and single use
    rotate_refresh: bool = True  # each refresh returns a new refresh token and kills the old one
    min_access_age_for_refresh: int | None = None  # Exact: refresh allowed only after 570 s
    expires_in_as_string: bool = False  # Exact sends "600"
    token_type: str = "bearer"
    scope: str | None = None


class OAuthProvider:
    """Authorization-code flow with a login form, codes, access and refresh tokens kept in the state."""

    def __init__(
        self,
        state: SimulatorState,
        clock: SimClock,
        *,
        title: str,
        users: dict[str, str],
        clients: dict[str, str],
        settings: OAuthSettings,
        token_prefix: str,
    ) -> None:
        self.state = state
        self.clock = clock
        self.title = title
        self.users = users
        self.clients = clients
        self.settings = settings
        self.token_prefix = token_prefix
        with state.lock:
            state.data.setdefault("oauth", {"codes": {}, "access": {}, "refresh": {}})

    @property
    def _oauth(self) -> JsonDict:
        oauth: JsonDict = self.state.data["oauth"]
        return oauth

    def _new_token(self, kind: str) -> str:
        return f"{self.token_prefix}-{kind}-{secrets.token_urlsafe(24)}"

    def authorize(self, request: Request) -> Response:
        """GET shows the form; POST checks username/password and redirects with ``code`` and ``state``."""
        args = request.args
        client_id = args.get("client_id", "")
        redirect_uri = args.get("redirect_uri", "")
        if client_id not in self.clients or not redirect_uri or args.get("response_type", "code") != "code":
            return Response("invalid_request: unknown client_id, missing redirect_uri or response_type", status=400)
        if request.method == "GET":
            return login_form_response(self.title)
        username = request.form.get("username", "")
        password = request.form.get("password", "")
        if self.users.get(username) != password or not password:
            return login_form_response(self.title, "Onjuiste gebruikersnaam of wachtwoord.")
        code = self._new_token("code")
        with self.state.lock:
            self._oauth["codes"][code] = {
                "user": username,
                "client_id": client_id,
                "redirect_uri": redirect_uri,
                "expires_at": self.clock.now() + self.settings.code_ttl,
            }
        query = {"code": code}
        if "state" in args:
            query["state"] = args["state"]
        separator = "&" if "?" in redirect_uri else "?"
        response = Response(status=302)
        response.headers["Location"] = redirect_uri + separator + urllib.parse.urlencode(query)
        return response

    def _error(self, status: int, error: str, description: str) -> Response:
        return json_response({"error": error, "error_description": description}, status)

    def _client_credentials(self, request: Request) -> tuple[str, str]:
        auth = request.authorization
        if auth is not None and auth.type == "basic":
            return auth.username or "", auth.password or ""
        return request.form.get("client_id", ""), request.form.get("client_secret", "")

    def token(self, request: Request) -> Response:
        """The token endpoint: ``authorization_code`` and ``refresh_token`` grants (form-encoded)."""
        client_id, client_secret = self._client_credentials(request)
        if self.clients.get(client_id) != client_secret or not client_secret:
            return self._error(401, "invalid_client", "Client authentication failed.")
        grant = request.form.get("grant_type", "")
        now = self.clock.now()
        with self.state.lock:
            if grant == "authorization_code":
                code = self._oauth["codes"].pop(request.form.get("code", ""), None)
                if code is None or code["expires_at"] < now or code["client_id"] != client_id:
                    return self._error(400, "invalid_grant", "The authorization code is invalid or expired.")
                if code["redirect_uri"] != request.form.get("redirect_uri", ""):
                    return self._error(400, "invalid_grant", "redirect_uri does not match.")
                return self._issue(code["user"], client_id, refresh_token=None)
            if grant == "refresh_token":
                token = request.form.get("refresh_token", "")
                record = self._oauth["refresh"].get(token)
                if record is None or record["client_id"] != client_id:
                    return self._error(400, "invalid_grant", "The refresh token is invalid.")
                if self.settings.refresh_ttl is not None and record["last_used"] + self.settings.refresh_ttl < now:
                    del self._oauth["refresh"][token]
                    return self._error(
                        400,
                        "invalid_request",
                        f"The refresh token expired at {record['last_used'] + self.settings.refresh_ttl:.0f} "
                        f"and it is now {now:.0f}.",
                    )
                minimum = self.settings.min_access_age_for_refresh
                current = self._oauth["access"].get(record.get("access", ""))
                if minimum is not None and current is not None and now < current["issued_at"] + minimum:
                    return self._error(401, "invalid_request", "Access Token not expired")
                if self.settings.rotate_refresh:
                    del self._oauth["refresh"][token]
                    return self._issue(record["user"], client_id, refresh_token=None)
                return self._issue(record["user"], client_id, refresh_token=token)
        return self._error(400, "unsupported_grant_type", f"grant_type {grant!r} is not supported.")

    def _issue(self, user: str, client_id: str, refresh_token: str | None) -> Response:
        now = self.clock.now()
        access = self._new_token("at")
        refresh = refresh_token or self._new_token("rt")
        self._oauth["access"][access] = {
            "user": user,
            "client_id": client_id,
            "issued_at": now,
            "expires_at": now + self.settings.access_ttl,
        }
        self._oauth["refresh"][refresh] = {"user": user, "client_id": client_id, "last_used": now, "access": access}
        expires_in: int | str = self.settings.access_ttl
        if self.settings.expires_in_as_string:
            expires_in = str(self.settings.access_ttl)
        body: JsonDict = {
            "access_token": access,
            "token_type": self.settings.token_type,
            "expires_in": expires_in,
            "refresh_token": refresh,
        }
        if self.settings.scope:
            body["scope"] = self.settings.scope
        return json_response(body, headers={"Cache-Control": "no-store"})

    def bearer_user(self, request: Request) -> str | None:
        """The user a valid ``Authorization: Bearer`` token belongs to, or ``None``."""
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            return None
        with self.state.lock:
            record = self._oauth["access"].get(header[7:].strip())
            if record is None or record["expires_at"] <= self.clock.now():
                return None
            user: str = record["user"]
            return user


def complete_oauth_login(
    authorize_url: str,
    username: str,
    password: str,
    *,
    session: requests.Session | None = None,
    timeout: float = 5.0,
) -> tuple[str, str | None]:
    """Log in on a simulator's authorize page like a person would; returns ``(code, state)``.

    Fetches the form, posts ``username``/``password`` to the same URL (query kept) without following the
    redirect, and reads ``code`` and ``state`` from the ``Location``. Raises ``ValueError`` when refused.
    """
    http = session or requests.Session()
    form = http.get(authorize_url, timeout=timeout)
    if form.status_code != 200 or "<form" not in form.text:
        raise ValueError(f"authorize page answered {form.status_code}")
    answer = http.post(
        authorize_url, data={"username": username, "password": password}, allow_redirects=False, timeout=timeout
    )
    if answer.status_code != 302:
        raise ValueError(f"login refused (status {answer.status_code})")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(answer.headers["Location"]).query)
    if "code" not in query:
        raise ValueError("redirect carries no code")
    return query["code"][0], query.get("state", [None])[0]


# --- the simulator application -----------------------------------------------------------------------


Handler = Callable[..., Response]


class Simulator:
    """Base WSGI app: routing, fault middleware, local control routes. Subclasses add the package API.

    Subclasses set ``package_id``, ``title``, ``app_registration`` and ``demo_login``, build their seed in
    :meth:`initial_state`, list their routes in :meth:`rules` (endpoint = method name), and may override
    :meth:`fault_body` to answer injected faults in the package's own error shape. A handler refuses a call
    by raising its package's :class:`Refusal`.
    """

    package_id: ClassVar[str] = ""
    title: ClassVar[str] = ""
    # This system's registration at the package (PackageApp fields: client_id, client_secret,
    # subscription_key); the simulator accepts exactly these. The registry builds PackageApp from it.
    app_registration: ClassVar[dict[str, str]] = {}
    # The demo user's credentials (the README lists them): {"username", "password"} for OAuth packages,
    # the credential fields (e.g. {"client_key": ...}) for credentials packages.
    demo_login: ClassVar[dict[str, str]] = {}

    def __init__(self, *, clock: SimClock | None = None, hang_seconds: float = 2.0) -> None:
        self.clock = clock or SimClock()
        self.faults = FaultInjector(hang_seconds=hang_seconds)
        self.state = SimulatorState(self.initial_state())
        self.url_map = Map(
            [
                Rule("/_local/faults", endpoint="_local_faults", methods=["POST", "DELETE", "GET"]),
                Rule("/_local/clock", endpoint="_local_clock", methods=["POST", "GET"]),
                Rule("/_local/state", endpoint="_local_state", methods=["GET", "PUT"]),
                Rule("/_local/administrations/<code>/entries", endpoint="_local_entries", methods=["GET"]),
                *self.rules(),
            ],
            strict_slashes=False,
        )

    # -- to override --

    def initial_state(self) -> JsonDict:
        """The seed rendered in this package's own coding (see seed.py)."""
        raise NotImplementedError

    def rules(self) -> Iterable[Rule]:
        """The package API's routes."""
        raise NotImplementedError

    def administration_codes(self) -> list[str]:
        """Codes the inspection endpoint knows."""
        return list(self.state.data.get("administrations", {}))

    @property
    def administrations(self) -> JsonDict:
        """The package-native data per administration code (``state.data["administrations"]``)."""
        administrations: JsonDict = self.state.data["administrations"]
        return administrations

    def fault_body(self, status: int) -> Response:
        """How the package answers an injected HTTP failure."""
        return json_response({"message": f"Injected fault {status}"}, status)

    def not_found(self, request: Request) -> Response:
        """The package's answer for an unknown route."""
        return json_response({"message": f"No route for {request.method} {request.path}"}, 404)

    # -- snapshot --

    def snapshot(self) -> JsonDict:
        """JSON-able copy of all data (administrations, entries, tokens)."""
        return self.state.snapshot()

    def restore(self, data: JsonDict) -> None:
        """Load a snapshot taken with :meth:`snapshot`."""
        self.state.restore(data)

    # -- local control routes --

    def _local_faults(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.faults.clear()
        elif request.method == "POST":
            body = request_json(request)
            if not isinstance(body, dict):
                return json_response({"message": "JSON object expected"}, 400)
            try:
                self.faults.inject_json(body)
            except (ValueError, KeyError, TypeError) as exc:
                return json_response({"message": str(exc)}, 400)
        return json_response({"pending": self.faults.pending()})

    def _local_clock(self, request: Request) -> Response:
        if request.method == "POST":
            body = request_json(request) or {}
            self.clock.advance(float(body.get("advance", 0)))
        return json_response({"now": self.clock.now()})

    def _local_state(self, request: Request) -> Response:
        if request.method == "PUT":
            body = request_json(request)
            if not isinstance(body, dict):
                return json_response({"message": "JSON object expected"}, 400)
            self.restore(body)
        return json_response(self.snapshot())

    def _local_entries(self, request: Request, code: str) -> Response:
        if code not in self.administration_codes():
            return json_response({"message": f"unknown administration {code}"}, 404)
        return json_response(self.state.entries(code))

    # -- WSGI --

    def dispatch(self, request: Request) -> Response:
        """Route one request to its handler, under the state lock (handlers are simple and fast)."""
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except NotFound:
            return self.not_found(request)
        except HTTPException as exc:
            return json_response({"message": exc.description or exc.name}, exc.code or 400)
        handler: Handler = getattr(self, str(endpoint))
        with self.state.lock:
            try:
                return handler(request, **args)
            except Refusal as refusal:
                return refusal.response()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        fault = None if request.path.startswith(LOCAL_PREFIX) else self.faults.take(request)
        if fault is None:
            response = self.dispatch(request)
        elif fault.timeout:
            if fault.after_processing:
                self.dispatch(request)
            time.sleep(fault.hang_seconds if fault.hang_seconds is not None else self.faults.hang_seconds)
            response = self.fault_body(504)
        else:
            assert fault.status is not None
            response = self.fault_body(fault.status)
            if fault.status == 429:
                response.headers["Retry-After"] = str(int(fault.retry_after + 0.999))
        return response(environ, start_response)


class OAuthSimulator(Simulator):
    """A simulator of an OAuth2 package: ``self.oauth`` logs in the demo user for this system's registration.

    Subclasses set ``token_prefix`` and route their authorize and token paths to :meth:`authorize` and
    :meth:`token`; ``app_registration`` holds ``client_id`` and ``client_secret``.
    """

    token_prefix: ClassVar[str] = ""

    def __init__(self, *, oauth: OAuthSettings, clock: SimClock | None = None, hang_seconds: float = 2.0) -> None:
        super().__init__(clock=clock, hang_seconds=hang_seconds)
        self.oauth = OAuthProvider(
            self.state,
            self.clock,
            title=self.title,
            users={self.demo_login["username"]: self.demo_login["password"]},
            clients={self.app_registration["client_id"]: self.app_registration["client_secret"]},
            settings=oauth,
            token_prefix=self.token_prefix,
        )

    def authorize(self, request: Request) -> Response:
        """The login form; the right password redirects to the client with ``code`` and ``state``."""
        return self.oauth.authorize(request)

    def token(self, request: Request) -> Response:
        """The token endpoint (authorization code and refresh token grants)."""
        return self.oauth.token(request)


# --- the server --------------------------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr (it would also print query strings)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class SimulatorServer:
    """Runs one simulator on ``host`` (loopback) and ``port`` (0: the OS picks) in a daemon thread."""

    def __init__(self, simulator: Simulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.simulator = simulator
        self.host = host
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def package_id(self) -> str:
        """The package this server simulates."""
        return self.simulator.package_id

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (no trailing slash); valid once started."""
        if self._server is None:
            raise RuntimeError("simulator not started")
        return f"http://{self.host}:{self._server.server_port}"

    @property
    def faults(self) -> FaultInjector:
        """The simulator's fault injector."""
        return self.simulator.faults

    @property
    def clock(self) -> SimClock:
        """The simulator's clock."""
        return self.simulator.clock

    def start(self) -> SimulatorServer:
        """Bind and serve in a daemon thread; returns self."""
        if self._server is not None:
            return self
        self._server = make_server(self.host, self.port, self.simulator, threaded=True, request_handler=_QuietHandler)
        self.port = self._server.server_port
        server = self._server
        # A short poll interval makes stop() quick (tests start and stop many servers).
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.05), name=f"sim-{self.package_id}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def entries(self, administration: str) -> JsonDict:
        """What was booked in ``administration`` (same as the inspection endpoint)."""
        return self.simulator.state.entries(administration)

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

