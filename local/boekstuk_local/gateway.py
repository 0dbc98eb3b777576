"""The local API Gateway: HTTP requests -> API Gateway REST (v1 proxy) events -> our handlers.

moto does not invoke Lambda proxy integrations, so this werkzeug WSGI app does what API Gateway does for
the routes template.yaml declares: route matching, the Cognito user-pool authorizer, proxy events,
gateway responses (the template's problem documents) and the 10 MB payload limit. It also serves the
local-only pages (``/_local/...``) and, when ``web/`` exists, the web front end's static files at ``/`` with the
security headers the production hosting sends (so the app meets its Content-Security-Policy locally too).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import logging
import mimetypes
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jwt
import requests
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.security import safe_join
from werkzeug.wrappers import Request, Response

from boekstuk.adapters.clock import OffsetClock
from boekstuk_local import lambda_hook
from boekstuk_local.events import EVENTS
from boekstuk_local.inbound_mail import MAX_INBOUND_MAIL_BYTES, NoReceiptRule, deliver
from boekstuk_local.mail import MAILBOX, Mailbox
from boekstuk_local.provision import Provisioned
from boekstuk_local.template import ApiSpec, GatewayResponse, Route, TemplateError, match_path

log = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # API Gateway REST's hard limit
INBOUND_MAIL_PATH = "/_local/inbound-mail"
PROBLEM_JSON = "application/problem+json"

Invoke = Callable[[str, dict[str, Any]], tuple[Any, BaseException | None, str]]


class AuthFailure(Exception):
    """The Cognito authorizer refuses the request (401 UNAUTHORIZED)."""


class CognitoAuthorizer:
    """Checks a token as API Gateway's Cognito user-pool authorizer does: RS256 signature against the
    pool's JWKS, expiry, issuer, ``token_use``, the app client and, when the route has them, scopes."""

    def __init__(self, pool_id: str, client_ids: set[str], region: str,
                 fetch_jwks: Callable[[], dict[str, Any]]) -> None:
        self.pool_id = pool_id
        self.client_ids = client_ids
        self.issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
        self.fetch_jwks = fetch_jwks
        self._keys: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def _signing_key(self, kid: str | None) -> Any:
        with self._lock:
            if self._keys is None:
                jwks = jwt.PyJWKSet.from_dict(self.fetch_jwks())
                self._keys = {k.key_id: k.key for k in jwks.keys if k.key_id}
            keys = self._keys
        if kid not in keys:
            raise AuthFailure("Unauthorized")
        return keys[kid]

    def verify(self, header_value: str | None, scopes: tuple[str, ...]) -> dict[str, Any]:
        """The token's claims, or ``AuthFailure``."""
        if not header_value:
            raise AuthFailure("Unauthorized")
        token = header_value.split(" ", 1)[1].strip() if header_value.lower().startswith("bearer ") else header_value
        try:
            header = jwt.get_unverified_header(token)
            claims: dict[str, Any] = jwt.decode(
                token, self._signing_key(header.get("kid")), algorithms=["RS256"], issuer=self.issuer,
                options={"verify_aud": False, "require": ["exp", "iss", "token_use"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthFailure("The incoming token has expired") from exc
        except jwt.PyJWTError as exc:
            raise AuthFailure("Unauthorized") from exc
        use = claims.get("token_use")
        if use == "access":
            client = claims.get("client_id")
            token_scopes = set(str(claims.get("scope", "")).split())
            if scopes and not token_scopes.intersection(scopes):
                raise AuthFailure("Unauthorized")
        elif use == "id" and not scopes:
            # Without scopes API Gateway also accepts ID tokens; with scopes only access tokens.
            client = claims.get("aud")
        else:
            raise AuthFailure("Unauthorized")
        if self.client_ids and client not in self.client_ids:
            raise AuthFailure("Unauthorized")
        return claims


def problem(status: int, code: str, title: str, detail: str, **extra: Any) -> Response:
    """An RFC 9457 problem response."""
    body = {"type": "about:blank", "title": title, "status": status, "code": code, "detail": detail, **extra}
    return Response(json.dumps(body), status=status, content_type=PROBLEM_JSON)


_DEFAULT_RESPONSES: dict[str, tuple[int, str, str]] = {
    "UNAUTHORIZED": (401, "unauthorized", "Unauthorized"),
    "MISSING_AUTHENTICATION_TOKEN": (404, "not_found", "Not Found"),
    "ACCESS_DENIED": (403, "forbidden", "Forbidden"),
    "REQUEST_TOO_LARGE": (413, "payload_too_large", "Payload Too Large"),
    "DEFAULT_5XX": (502, "internal_error", "Internal Server Error"),
    "DEFAULT_4XX": (400, "bad_request", "Bad Request"),
    "INTEGRATION_TIMEOUT": (504, "gateway_timeout", "Gateway Timeout"),
}
INTEGRATION_TIMEOUT_SECONDS = 29.0  # API Gateway REST's default (and maximum without a quota raise)


class Gateway:
    """WSGI app: the template's API plus the local-only endpoints."""

    def __init__(
        self,
        provisioned: Provisioned,
        *,
        jwks_url: Callable[[str], str] | None = None,
        invoke: Invoke | None = None,
        mailbox: Mailbox = MAILBOX,
        simulator_urls: Callable[[], Mapping[str, str]] | None = None,
        fire_schedule: Callable[[str], tuple[Any, BaseException | None]] | None = None,
        info: Callable[[], Mapping[str, str]] | None = None,
        web_dir: Path | None = None,
        integration_timeout: float = INTEGRATION_TIMEOUT_SECONDS,
        clock: OffsetClock | None = None,
    ) -> None:
        self.provisioned = provisioned
        self.clock = clock
        self.integration_timeout = integration_timeout
        self.app = provisioned.app
        self.region = provisioned.region
        self.mailbox = mailbox
        self.simulator_urls = simulator_urls or (lambda: {})
        self.fire_schedule = fire_schedule
        self.info = info or (lambda: {})
        self._invoke = invoke or self._invoke_function
        self._jwks_url = jwks_url
        self._authorizers: dict[str, CognitoAuthorizer] = {}
        self.wsgi: Callable[..., Any] = self._app
        web_dir = web_dir if web_dir is not None else self.app.base_dir / "web"
        # The web front end's static files, served at / (deployable to S3 as they are).
        self.web_dir = web_dir.resolve() if web_dir.is_dir() else None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """WSGI entry point."""
        return self.wsgi(environ, start_response)

    # --- dispatch ---------------------------------------------------------------------------------

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        # A message SES accepts may be 40 MB; everything else is bound by API Gateway's 10 MB.
        request.max_content_length = MAX_INBOUND_MAIL_BYTES if request.path == INBOUND_MAIL_PATH \
            else MAX_PAYLOAD_BYTES
        try:
            response = self.handle(request)
        except Exception:  # noqa: BLE001 - never let a local bug kill the server thread without an answer
            log.exception("local gateway failed on %s %s", request.method, request.path)
            response = problem(500, "internal_error", "Internal Server Error", "The local gateway failed.")
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        """Answer one request."""
        path = request.path
        if path == "/_local/" and request.method in ("GET", "HEAD"):
            return self._index()
        if path.startswith("/_local/"):
            return self._local(request)
        if request.method in ("GET", "HEAD") and not path.startswith("/v1/"):
            if self.web_dir is not None:
                return self._static(request)
            if path == "/":
                return self._index()
        return self._api(request)

    # --- the web front end -------------------------------------------------------------------------

    def _static(self, request: Request) -> Response:
        """A file of ``web/``: ``/`` is index.html, and so is any extension-less path (the app routes by hash:
        ``/#/documents/<id>``, so a path is only ever someone's typing). Nothing outside ``web/`` is reachable."""
        assert self.web_dir is not None
        relative = request.path.lstrip("/") or "index.html"
        joined = safe_join(str(self.web_dir), relative)
        target = Path(joined).resolve() if joined is not None else None
        if target is not None and target.is_dir():
            target = target / "index.html"
        if target is not None and not target.is_file() and "." not in relative.rsplit("/", 1)[-1]:
            target = self.web_dir / "index.html"
        if target is None or not target.is_relative_to(self.web_dir) or not target.is_file() \
                or any(part.startswith(".") for part in target.relative_to(self.web_dir).parts):
            response = Response("Not Found", status=404, content_type="text/plain; charset=utf-8")
        else:
            response = Response(target.read_bytes(), content_type=_content_type(target.name))
            # index.html and config.json change with each deploy; the rest is revalidated by ETag.
            response.headers["Cache-Control"] = "no-cache"
            response.add_etag()
            response.make_conditional(request)
        for key, value in self._web_headers().items():
            response.headers[key] = value
        return response

    def _web_headers(self) -> dict[str, str]:
        """The headers CloudFront adds to the web app's files: the CSP allows the API (same origin here) and
        the documents bucket (the emulator's origin here: presigned uploads and downloads go there)."""
        connect = ["'self'"]
        if self.provisioned.endpoint_url:
            split = urllib.parse.urlsplit(self.provisioned.endpoint_url)
            connect.append(f"{split.scheme}://{split.netloc}")
        csp = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
               f"connect-src {' '.join(connect)}; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
               "frame-ancestors 'none'")
        return {"Content-Security-Policy": csp, "X-Content-Type-Options": "nosniff",
                "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
                "Cross-Origin-Opener-Policy": "same-origin",
                "Permissions-Policy": "geolocation=(), microphone=(), payment=()"}

    # --- API --------------------------------------------------------------------------------------

    def _api(self, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        found = self.app.route_for(request.method, request.path)
        if found is None and request.method == "OPTIONS":
            preflight = self._preflight(request.path)
            if preflight is not None:
                return preflight
        if found is None:
            return self._gateway_response("MISSING_AUTHENTICATION_TOKEN", None, request, request_id,
                                          "Missing Authentication Token")
        route, params = found
        api = self.app.apis.get(route.api) if route.api else None
        if (request.content_length or 0) > MAX_PAYLOAD_BYTES:
            return self._gateway_response("REQUEST_TOO_LARGE", api, request, request_id, "Request Too Long")
        try:
            body = request.get_data(cache=True)
        except RequestEntityTooLarge:
            return self._gateway_response("REQUEST_TOO_LARGE", api, request, request_id, "Request Too Long")
        if len(body) > MAX_PAYLOAD_BYTES:
            return self._gateway_response("REQUEST_TOO_LARGE", api, request, request_id, "Request Too Long")
        claims: dict[str, Any] | None = None
        if route.auth_required:
            try:
                claims = self._authorizer(api).verify(request.headers.get("Authorization"), route.scopes)
            except AuthFailure as exc:
                return self._gateway_response("UNAUTHORIZED", api, request, request_id, str(exc))
        event = self.proxy_event(request, route, params, body, claims, request_id, api)
        fn = self.app.functions[route.function]
        outcome = self._invoke_with_timeout(fn.name, event)
        if outcome is None:
            log.error("function %s did not answer within %s s", fn.logical_id, self.integration_timeout)
            return self._gateway_response("INTEGRATION_TIMEOUT", api, request, request_id, "Endpoint request timed out")
        result, failure, _ = outcome
        if failure is not None:
            log.error("function %s failed: %s: %s", fn.logical_id, type(failure).__name__, failure)
            return self._gateway_response("DEFAULT_5XX", api, request, request_id, "Internal server error")
        return self._proxy_response(result, api, request, request_id, fn.logical_id)

    def _invoke_with_timeout(self, function_name: str,
                             event: dict[str, Any]) -> tuple[Any, BaseException | None, str] | None:
        """Invoke, giving up after the integration timeout as API Gateway does (the function runs on)."""
        box: list[tuple[Any, BaseException | None, str]] = []
        worker = threading.Thread(target=lambda: box.append(self._invoke(function_name, event)),
                                  name=f"api-{function_name}", daemon=True)
        worker.start()
        worker.join(self.integration_timeout)
        return box[0] if box else None

    def _preflight(self, path: str) -> Response | None:
        """The CORS preflight answer SAM generates for every path of an Api with ``Cors`` (no authorizer)."""
        for route in self.app.routes:
            api = self.app.apis.get(route.api) if route.api else None
            if api is not None and api.cors is not None and match_path(route.path, path) is not None:
                response = Response(b"", status=200, content_type="application/json")
                for key, value in api.cors.items():
                    response.headers[key] = value
                return response
        return None

    def _invoke_function(self, function_name: str, event: dict[str, Any]) -> tuple[Any, BaseException | None, str]:
        fn = self.provisioned.function_by_name(function_name)
        return lambda_hook.run_handler(
            function_name, event,
            function_arn=f"arn:aws:lambda:{self.region}:{self.provisioned.account_id}:function:{function_name}",
            memory_size=fn.memory_size if fn else 128, timeout=fn.timeout if fn else 3,
        )

    def _authorizer(self, api: ApiSpec | None) -> CognitoAuthorizer:
        name = api.default_authorizer if api else None
        spec = (api.authorizers.get(name) if api and name else None) or {}
        pool_arn = self.app.resolver.resolve(spec.get("UserPoolArn")) if spec.get("UserPoolArn") else None
        if pool_arn:
            pool_id = str(pool_arn).rsplit("/", 1)[-1]
        elif len(self.provisioned.user_pools) == 1:
            pool_id = next(iter(self.provisioned.user_pools.values()))
        else:
            raise TemplateError("the API's Cognito authorizer names no UserPoolArn")
        if pool_id not in self._authorizers:
            clients = {c for p, c in self.provisioned.user_pool_clients.values() if p == pool_id}
            self._authorizers[pool_id] = CognitoAuthorizer(pool_id, clients, self.region, self._jwks_fetcher(pool_id))
        return self._authorizers[pool_id]

    def _jwks_fetcher(self, pool_id: str) -> Callable[[], dict[str, Any]]:
        """Where the pool's signing keys come from: the moto server's JWKS endpoint (as API Gateway fetches
        the pool's), or, in-process under mock_aws, the emulator's key set itself (no HTTP at all)."""
        endpoint = self.provisioned.endpoint_url
        url = self._jwks_url(pool_id) if self._jwks_url else (
            f"{endpoint}/{pool_id}/.well-known/jwks.json" if endpoint else None)
        if url is None:
            from moto.cognitoidp.responses import CognitoIdpJsonWebKeyResponse

            return lambda: dict(json.loads(CognitoIdpJsonWebKeyResponse.json_web_key))

        def fetch() -> dict[str, Any]:
            response = requests.get(url, timeout=5)
            response.raise_for_status()
            return dict(response.json())

        return fetch

    def proxy_event(self, request: Request, route: Route, params: dict[str, str], body: bytes,
                    claims: dict[str, Any] | None, request_id: str, api: ApiSpec | None) -> dict[str, Any]:
        """The API Gateway REST (v1) Lambda proxy event for this request."""
        headers = dict(request.headers.items())
        multi_headers: dict[str, list[str]] = {}
        for key, value in request.headers.items():
            multi_headers.setdefault(key, []).append(value)
        query = {k: request.args.getlist(k)[-1] for k in request.args}
        multi_query = {k: request.args.getlist(k) for k in request.args}
        content_type = request.mimetype or ""
        is_binary = bool(body) and _is_binary(content_type, body, api.binary_media_types if api else [])
        stage = api.stage if api else "Prod"
        now = time.time()
        context: dict[str, Any] = {
            "resourceId": "local",
            "resourcePath": route.path,
            "httpMethod": request.method,
            "extendedRequestId": request_id,
            "requestTime": dt.datetime.now(dt.UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "path": f"/{stage}{request.path}",
            "accountId": self.provisioned.account_id,
            "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            "stage": stage,
            "domainPrefix": "local",
            "requestTimeEpoch": int(now * 1000),
            "requestId": request_id,
            "identity": {"sourceIp": request.remote_addr or "127.0.0.1", "userAgent": request.user_agent.string,
                         "accessKey": None, "accountId": None, "caller": None, "user": None, "userArn": None,
                         "cognitoIdentityPoolId": None, "cognitoIdentityId": None},
            "domainName": request.host,
            "apiId": "local",
        }
        if claims is not None:
            context["authorizer"] = {"claims": {k: _claim_text(v) for k, v in claims.items()}}
        return {
            "resource": route.path,
            "path": request.path,
            "httpMethod": request.method,
            "headers": headers or None,
            "multiValueHeaders": multi_headers or None,
            "queryStringParameters": query or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": params or None,
            "stageVariables": None,
            "requestContext": context,
            "body": (base64.b64encode(body).decode() if is_binary else body.decode("utf-8")) if body else None,
            "isBase64Encoded": is_binary,
        }

    def _proxy_response(self, result: Any, api: ApiSpec | None, request: Request, request_id: str,
                        function: str) -> Response:
        if not isinstance(result, dict) or not isinstance(result.get("statusCode", 200), int):
            log.error("function %s returned a malformed proxy response: %r", function, result)
            return self._gateway_response("DEFAULT_5XX", api, request, request_id, "Internal server error")
        body = result.get("body") or ""
        data = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode("utf-8")
        response = Response(data, status=int(result.get("statusCode", 200)))
        response.headers.pop("Content-Type", None)
        for key, values in (result.get("multiValueHeaders") or {}).items():
            for value in values:
                response.headers.add(key, str(value))
        for key, value in (result.get("headers") or {}).items():
            response.headers[key] = str(value)
        if "Content-Type" not in response.headers:
            response.headers["Content-Type"] = "application/json"
        response.headers["x-amzn-RequestId"] = request_id
        return response

    def _gateway_response(self, kind: str, api: ApiSpec | None, request: Request, request_id: str,
                          message: str) -> Response:
        """API Gateway's answer for ``kind``: the template's GatewayResponses, else a default problem."""
        if api is None and len(self.app.apis) == 1:
            api = next(iter(self.app.apis.values()))
        family = "DEFAULT_5XX" if kind == "DEFAULT_5XX" or kind.startswith("INTEGRATION") else "DEFAULT_4XX"
        spec: GatewayResponse | None = None
        if api is not None:
            spec = api.gateway_responses.get(kind) or api.gateway_responses.get(family)
        status, code, title = _DEFAULT_RESPONSES.get(kind, _DEFAULT_RESPONSES[family])
        if spec is None or not spec.templates:
            response = problem(spec.status if spec and spec.status else status, code, title, message)
        else:
            content_type, template = next(iter(spec.templates.items()))
            text = _render_template(template, message, request, request_id)
            response = Response(text, status=spec.status or status, content_type=content_type)
        if spec is not None:
            for key, value in spec.headers.items():
                response.headers[key] = value
        response.headers["x-amzn-RequestId"] = request_id
        response.headers["x-amzn-ErrorType"] = _ERROR_TYPES.get(kind, kind)
        return response

    # --- local-only endpoints ----------------------------------------------------------------------

    def _local(self, request: Request) -> Response:
        path = request.path
        if path == "/_local/mail" and request.method == "GET":
            to = (request.args.get("to") or "").strip()
            if not to:  # one address's mail only: never a list of everyone's sign-up and reset codes
                return problem(400, "recipient_required", "Bad Request",
                               "Name the address whose mail to show: /_local/mail?to=address.")
            messages = self.mailbox.messages(to)
            if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html" and \
                    "text/html" in request.accept_mimetypes.values():
                return self._mail_page(messages)
            return Response(json.dumps({"messages": [m.model_dump() for m in messages]}),
                            content_type="application/json")
        if path == "/_local/clock" and request.method in ("GET", "POST"):
            return self._clock(request)
        if path == INBOUND_MAIL_PATH and request.method == "POST":
            return self._inbound_mail(request)
        if path == "/_local/events" and request.method == "GET":
            published = EVENTS.events(request.args.get("document_id"))
            return Response(json.dumps({"events": [e.model_dump(by_alias=True) for e in published]}),
                            content_type="application/json")
        params = match_path("/_local/packages/{package}/administrations/{code}/entries", path)
        if params is not None and request.method == "GET":
            return self._simulator_entries(params["package"], params["code"])
        params = match_path("/_local/packages/{package}/faults", path)
        if params is not None and request.method in ("GET", "POST", "DELETE"):
            return self._simulator_faults(params["package"], request)
        params = match_path("/_local/schedules/{function}", path)
        if params is not None and request.method == "POST":
            return self._fire(params["function"])
        if path == "/_local/schedules" and request.method == "GET":
            items = [s.model_dump() for s in self.app.schedules]
            return Response(json.dumps({"schedules": items}), content_type="application/json")
        return problem(404, "not_found", "Not Found", f"No local endpoint {request.method} {path}.")

    def _clock(self, request: Request) -> Response:
        """``GET``: the system's time as every handler and schedule sees it; ``POST {"advance_seconds": N}``:
        move it forward (never back)."""
        if self.clock is None:
            return problem(404, "not_found", "Not Found", "This stack has no movable clock.")
        if request.method == "POST":
            try:
                body = json.loads(request.get_data(as_text=True) or "null")
            except ValueError:
                body = None
            seconds = body.get("advance_seconds") if isinstance(body, dict) else None
            if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds <= 10 * 365 * 86400:
                return problem(422, "validation_error", "Unprocessable Content",
                               "Give advance_seconds: a number of seconds from 0 to ten years (the clock only moves "
                               "forward).", errors=[{"field": "advance_seconds", "message": "0 to 315360000"}])
            self.clock.advance(float(seconds))
        now = self.clock.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return Response(json.dumps({"now": now, "offset_seconds": self.clock.offset_seconds()}),
                        content_type="application/json")

    def _inbound_mail(self, request: Request) -> Response:
        """Deliver the raw message in the body as SES receiving would (``boekstuk_local.inbound_mail``); 202 with
        SES's message id. ``?recipient=`` (repeatable) stands in for the SMTP envelope's recipients."""
        try:
            raw = request.get_data(cache=False)
        except RequestEntityTooLarge:
            return problem(413, "payload_too_large", "Payload Too Large",
                           f"SES accepts messages of at most {MAX_INBOUND_MAIL_BYTES // (1024 * 1024)} MB.")
        if not raw.strip():
            return problem(422, "validation_error", "Unprocessable Content",
                           "Send a raw RFC 5322 / MIME message as the request body.",
                           errors=[{"field": "body", "message": "a raw e-mail message"}])
        now = self.clock.now() if self.clock is not None else dt.datetime.now(dt.UTC)
        try:
            message_id = deliver(self.provisioned, raw, now, request.args.getlist("recipient") or None)
        except NoReceiptRule as exc:
            return problem(422, "no_receipt_rule", "Unprocessable Content", f"{exc}: SES would refuse the message.")
        return Response(json.dumps({"message_id": message_id}), status=202, content_type="application/json")

    def _simulator_faults(self, package: str, request: Request) -> Response:
        """The simulator's own fault injection (``POST {"status": 503, "count": 2, ...}``, ``GET``, ``DELETE``),
        reached through the stack's address: the next matching calls of the package fail that way."""
        base = self.simulator_urls().get(package)
        if base is None:
            return problem(404, "not_found", "Not Found", f"No simulator runs for package {package}.")
        try:
            answer = requests.request(request.method, f"{base.rstrip('/')}/_local/faults", timeout=10,
                                      data=request.get_data(), headers={"Content-Type": "application/json"})
        except requests.RequestException as exc:
            return problem(503, "package_unavailable", "Service Unavailable", f"Simulator not reachable: {exc}")
        return Response(answer.content, status=answer.status_code,
                        content_type=answer.headers.get("Content-Type", "application/json"))

    def _simulator_entries(self, package: str, code: str) -> Response:
        base = self.simulator_urls().get(package)
        if base is None:
            return problem(404, "not_found", "Not Found", f"No simulator runs for package {package}.")
        url = f"{base.rstrip('/')}/_local/administrations/{code}/entries"
        try:
            answer = requests.get(url, timeout=10)
        except requests.RequestException as exc:
            return problem(503, "package_unavailable", "Service Unavailable", f"Simulator not reachable: {exc}")
        return Response(answer.content, status=answer.status_code,
                        content_type=answer.headers.get("Content-Type", "application/json"))

    def _fire(self, logical_id: str) -> Response:
        if self.fire_schedule is None or not any(s.function == logical_id for s in self.app.schedules):
            return problem(404, "not_found", "Not Found", f"{logical_id} has no schedule in the template.")
        result, exc = self.fire_schedule(logical_id)
        if exc is not None:
            return problem(502, "schedule_failed", "Bad Gateway", f"{type(exc).__name__}: {exc}")
        return Response(json.dumps({"function": logical_id, "result": result}, default=str),
                        content_type="application/json")

    def _mail_page(self, messages: list[Any]) -> Response:
        """The mailbox for a person in a browser (API clients get JSON)."""
        items = "".join(
            f"<article><h2>{html.escape(m.subject)}</h2><p><small>{html.escape(m.at)} &middot; to "
            f"{html.escape(', '.join(m.to))}</small></p><pre>{html.escape(m.body)}</pre>"
            + "".join(f'<p><a href="{html.escape(link)}">{html.escape(link)}</a></p>' for link in m.links)
            + "</article>" for m in reversed(messages))
        page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Local mailbox</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:60em}}article{{border-bottom:1px solid #ccc}}
pre{{white-space:pre-wrap}}</style></head><body><h1>Local mailbox ({len(messages)})</h1>
<p>Newest first. JSON: <code>curl {html.escape('/_local/mail?to=address')}</code></p>{items}</body></html>"""
        return Response(page, content_type="text/html; charset=utf-8")

    def _index(self) -> Response:
        rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{_link(v)}</td></tr>" for k, v in self.info().items())
        routes = "".join(
            f"<tr><td>{html.escape(r.method)}</td><td>{html.escape(r.path)}</td><td>{html.escape(r.function)}</td>"
            f"<td>{'token' if r.auth_required else 'public'}</td></tr>" for r in self.app.routes)
        schedules = "".join(
            f"<li>{html.escape(s.function)} ({html.escape(s.expression)}): "
            f"<code>POST /_local/schedules/{html.escape(s.function)}</code></li>" for s in self.app.schedules)
        web = '<p><a href="/">Web app</a></p>' if self.web_dir else ""
        page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>boekstuk local stack</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:60em}}td,th{{padding:.2em .8em;text-align:left}}</style>
</head><body><h1>boekstuk: local stack</h1>{web}
<table>{rows}</table>
<h2>Local-only</h2><ul><li><form action="/_local/mail">/_local/mail?to=<input name="to" type="email"
placeholder="address" required> <button>open</button>: e-mail sent through SES to one address</form></li>
<li><a href="/_local/events">/_local/events</a>?document_id=id: events published to EventBridge</li>
<li><a href="/_local/clock">/_local/clock</a>: the system's clock; POST {{"advance_seconds": N}} moves it on</li>
<li>/_local/packages/&lt;package&gt;/administrations/&lt;code&gt;/entries: what a simulator booked</li>
<li>/_local/packages/&lt;package&gt;/faults: POST {{"status": 503, "count": 2}} makes the package's next calls fail</li>
<li>POST /_local/inbound-mail (a raw e-mail as the body): delivered as SES would, to an inbox address</li>{schedules}</ul>
<h2>API routes</h2><table><tr><th>method</th><th>path</th><th>function</th><th>auth</th></tr>{routes}</table>
</body></html>"""
        return Response(page, content_type="text/html; charset=utf-8")


_ERROR_TYPES = {"INTEGRATION_TIMEOUT": "IntegrationTimeout", "UNAUTHORIZED": "UnauthorizedException", "MISSING_AUTHENTICATION_TOKEN": "MissingAuthenticationTokenException",
                "REQUEST_TOO_LARGE": "RequestTooLargeException", "ACCESS_DENIED": "AccessDeniedException"}


def _render_template(template: str, message: str, request: Request, request_id: str) -> str:
    """The few VTL ``$context`` variables gateway-response templates use."""
    values = {
        "$context.error.messageString": json.dumps(message),
        "$context.error.message": message,
        "$context.requestId": request_id,
        "$context.path": request.path,
        "$context.httpMethod": request.method,
    }
    for key in sorted(values, key=len, reverse=True):
        template = template.replace(key, values[key])
    return template


def _is_binary(content_type: str, body: bytes, binary_types: list[str]) -> bool:
    """Base64 when the API declares the type binary, or when the bytes are not UTF-8 text."""
    for pattern in binary_types:
        if pattern in ("*/*", content_type) or (pattern.endswith("/*") and content_type.startswith(pattern[:-1])):
            return True
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _claim_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + " ".join(str(v) for v in value) + "]"
    return str(value)


_CONTENT_TYPES = {".mjs": "text/javascript", ".js": "text/javascript", ".css": "text/css", ".json": "application/json",
                  ".map": "application/json", ".svg": "image/svg+xml", ".wasm": "application/wasm",
                  ".ttf": "font/ttf", ".pfb": "application/octet-stream", ".ico": "image/x-icon",
                  ".webmanifest": "application/manifest+json"}


def _content_type(name: str) -> str:
    """The web file's type; text gets ``charset=utf-8`` (``nosniff`` makes the browser take it literally)."""
    suffix = Path(name).suffix.lower()
    kind = _CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    text = kind.startswith("text/") or kind in ("application/json", "image/svg+xml", "application/manifest+json")
    return f"{kind}; charset=utf-8" if text else kind


def _link(value: str) -> str:
    text = html.escape(value)
    return f'<a href="{text}">{text}</a>' if value.startswith("http") else text
