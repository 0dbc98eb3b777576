"""In-process harness for integration tests: the whole template under ``moto.mock_aws``, no sockets.

    with local_aws() as aws:                     # provisions template.yaml, runs handlers in-process
        status, headers, body = aws.api_call("GET", "/v1/health")
        token = aws.access_token("devries-sync", "a long password 1")  # after creating the user
        aws.fire_schedule("SyncSuppliersFunction")

The module-level ``api_call``/``fire_schedule``/``access_token`` use the harness that is currently open.
Environment variables are process-global (the handlers read them), so open one harness at a time.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from werkzeug.test import Client

from boekstuk.adapters.clock import OffsetClock
from boekstuk_local import cognito_patches, events, lambda_hook, mail, moto_patches
from boekstuk_local.clock import LocalClock
from boekstuk_local.gateway import Gateway
from boekstuk_local.mail import MAILBOX, MailMessage
from boekstuk_local.provision import Provisioned, client, provision
from boekstuk_local.schedules import scheduled_event
from boekstuk_local.template import LOCAL_REGION, SamApp, load_template_file

FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_REGION": LOCAL_REGION,
    "AWS_DEFAULT_REGION": LOCAL_REGION,
    # botocore 1.44 + moto 5.2.5: account-id endpoints (DynamoDB streams) are not routed by moto.
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "BOEKSTUK_LOCAL": "1",
}
LOCAL_RUNTIME_ENV = {
    # No X-Ray daemon locally, and EMF metric lines would drown the handlers' logs in the console.
    "POWERTOOLS_TRACE_DISABLED": "1",
    "POWERTOOLS_METRICS_DISABLED": "1",
}


LOCAL_PARAMETERS = {"Recognizer": "local", "WebAppUrl": "http://localhost"}
"""Template parameters the local stack sets when the template declares them (the caller's values win):
Textract's AnalyzeExpense does not exist in the emulator, so recognition runs on the local engine; the web app
is served by the local gateway itself, on the API's origin (``http://localhost`` in the harness, like
``API_BASE_URL``; ``boekstuk up`` sets its own address)."""


def load_local_app(template: str | Path | None = None, parameters: Mapping[str, str] | None = None) -> SamApp:
    """Parse the template with ``LOCAL_PARAMETERS`` applied where it declares them."""
    path = Path(template or default_template()).resolve()
    data = load_template_file(path)
    declared = data.get("Parameters") or {}
    values = {k: v for k, v in LOCAL_PARAMETERS.items() if k in declared}
    values.update(parameters or {})
    return SamApp(data, path, values)


def install_patches() -> None:
    """Everything the local stack changes in moto: in-process Lambdas, the mail and event recorders, fidelity
    fixes."""
    lambda_hook.install()
    mail.install()
    events.install()
    moto_patches.install()
    cognito_patches.install()


def default_template() -> Path:
    """template.yaml of the repository (found from the working directory, else from this package)."""
    for base in (Path.cwd(), *Path.cwd().parents, *Path(__file__).resolve().parents):
        candidate = base / "template.yaml"
        if candidate.is_file() and (base / "functions").is_dir():
            return candidate
    raise FileNotFoundError("template.yaml not found")


def reset_composition_root() -> None:
    """Call ``boekstuk.bootstrap.reset()`` when the composition root exists (it caches settings and clients)."""
    try:
        bootstrap = importlib.import_module("boekstuk.bootstrap")
    except ModuleNotFoundError as exc:
        if exc.name != "boekstuk.bootstrap":
            raise
        return
    reset = getattr(bootstrap, "reset", None)
    if callable(reset):
        reset()


@contextlib.contextmanager
def patched_environ(values: Mapping[str, str]) -> Iterator[None]:
    """Set ``values`` in ``os.environ`` and restore the previous environment afterwards."""
    before = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(before)


def package_apps_json(servers: Mapping[str, Any]) -> str:
    """``PACKAGE_APPS``: the JSON list of ``PackageApp`` registrations for the running simulators."""
    from boekstuk_local.simulators import registry

    return json.dumps([registry.app_config(pid, server).model_dump(mode="json") for pid, server in servers.items()])


def start_simulators() -> dict[str, Any]:
    """Start every simulator that exists (package id -> server); empty when the registry is absent."""
    try:
        registry = importlib.import_module("boekstuk_local.simulators.registry")
    except ModuleNotFoundError as exc:
        if exc.name != "boekstuk_local.simulators.registry":
            raise
        return {}
    servers: dict[str, Any] = registry.start_all()
    return servers


def fire(provisioned: Provisioned, logical_id: str) -> tuple[Any, BaseException | None]:
    """Invoke the function's schedule now with the event its schedule sends: ``(result, exception)``."""
    schedule = next((s for s in provisioned.app.schedules if s.function == logical_id), None)
    if schedule is None:
        raise KeyError(f"{logical_id} has no schedule in the template")
    fn = provisioned.functions[logical_id]
    event = scheduled_event(schedule, region=provisioned.region, account_id=provisioned.account_id)
    result, exc, _ = lambda_hook.run_handler(
        fn.name, event, function_arn=provisioned.resolver.attrs[(logical_id, "Arn")],
        memory_size=fn.memory_size, timeout=fn.timeout)
    return result, exc


class LocalAws:
    """An open harness: provisioned resources, the gateway, simulators and helpers."""

    def __init__(self, provisioned: Provisioned, gateway: Gateway, simulators: dict[str, Any],
                 clock: OffsetClock | None = None) -> None:
        self.provisioned = provisioned
        self.gateway = gateway
        self.simulators = simulators
        self.clock = clock  # the handlers' clock: ``advance`` moves it forward (as POST /_local/clock does)
        self._http = Client(gateway)

    @property
    def environment(self) -> dict[str, str]:
        """The environment every handler runs with."""
        return self.provisioned.environment

    def client(self, service: str) -> Any:
        """A boto3 client on the emulator."""
        return client(service, self.provisioned.endpoint_url, self.provisioned.region)

    def api_call(self, method: str, path: str, body: Any = None, token: str | None = None,
                 headers: Mapping[str, str] | None = None,
                 source_ip: str | None = None) -> tuple[int, dict[str, str], Any]:
        """One request through the local API Gateway logic (no sockets): ``(status, headers, json)``.

        ``body`` may be a JSON-able object, ``str`` or ``bytes``; the answer body is parsed as JSON when it
        is JSON, else returned as text (``None`` when empty). ``source_ip`` is the peer address the request
        comes from (``127.0.0.1`` by default), which the gateway passes on as ``identity.sourceIp``.
        """
        all_headers = dict(headers or {})
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        data: bytes | None
        if body is None:
            data = None
        elif isinstance(body, bytes):
            data = body
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = json.dumps(body).encode()
            all_headers.setdefault("Content-Type", "application/json")
        path_only, _, query = path.partition("?")
        response = self._http.open(path_only, method=method.upper(), data=data, headers=all_headers,
                                   query_string=query or None,
                                   environ_base={"REMOTE_ADDR": source_ip} if source_ip else None)
        text = response.get_data(as_text=True)
        parsed: Any
        if not text:
            parsed = None
        else:
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = text
        return response.status_code, dict(response.headers), parsed

    def create_user(self, username: str, password: str, attributes: Mapping[str, str] | None = None,
                    pool: str | None = None) -> None:
        """An enabled Cognito user with a permanent password (for tests that need a token)."""
        pool_id = self._pool(pool)
        idp = self.client("cognito-idp")
        idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": k, "Value": v} for k, v in (attributes or {}).items()])
        idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)

    def login(self, username: str, password: str, client_logical_id: str | None = None) -> dict[str, Any]:
        """Cognito ``USER_PASSWORD_AUTH``: the ``AuthenticationResult`` (AccessToken, IdToken, RefreshToken)."""
        _, client_id = self._client(client_logical_id)
        result = self.client("cognito-idp").initiate_auth(
            ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password})
        auth: dict[str, Any] = result["AuthenticationResult"]
        return auth

    def access_token(self, username: str, password: str, attributes: Mapping[str, str] | None = None) -> str:
        """A valid access token for ``username``, creating the user first when it does not exist."""
        idp = self.client("cognito-idp")
        try:
            idp.admin_get_user(UserPoolId=self._pool(None), Username=username)
        except idp.exceptions.UserNotFoundException:
            self.create_user(username, password, attributes)
        return str(self.login(username, password)["AccessToken"])

    def fire_schedule(self, logical_id: str) -> Any:
        """Run the function's schedule now; returns the handler's result or raises its exception."""
        result, exc = fire(self.provisioned, logical_id)
        if exc is not None:
            raise exc
        return result

    def mail(self, to: str | None = None) -> list[MailMessage]:
        """E-mails sent through SES so far, oldest first."""
        return MAILBOX.messages(to)

    def _pool(self, logical_id: str | None) -> str:
        pools = self.provisioned.user_pools
        if logical_id is None:
            if len(pools) != 1:
                raise ValueError(f"name the user pool: {sorted(pools)}")
            return next(iter(pools.values()))
        return pools[logical_id]

    def _client(self, logical_id: str | None) -> tuple[str, str]:
        clients = self.provisioned.user_pool_clients
        if logical_id is None:
            if len(clients) != 1:
                raise ValueError(f"name the user pool client: {sorted(clients)}")
            return next(iter(clients.values()))
        return clients[logical_id]


_current: list[LocalAws] = []
RUNNING_STACKS: set[int] = set()
"""ids of local stacks running in this process (``boekstuk_local.stack`` keeps it up to date)."""


def ensure_exclusive(what: str) -> None:
    """Refuse to mix a running stack and an open harness in one process.

    moto's backends, the Lambda registry and the environment are process-global: mock_aws would wipe a
    running stack's emulator, and a stack start resets the harness's. Run e2e tests in their own process.
    """
    if what == "harness" and RUNNING_STACKS:
        raise RuntimeError("a local stack runs in this process; local_aws() would wipe its emulator. "
                           "Stop it first or run e2e tests in a separate pytest process.")
    if what == "stack" and _current:
        raise RuntimeError("a local_aws() harness is open in this process; stop it before starting a stack.")


@contextlib.contextmanager
def local_aws(template: str | Path | None = None, *, simulators: bool = False,
              parameters: Mapping[str, str] | None = None,
              environment: Mapping[str, str] | None = None) -> Iterator[LocalAws]:
    """mock_aws with executing Step Functions, every template resource, in-process handlers.

    ``simulators=True`` also starts the package simulators and sets ``PACKAGE_APPS``. ``environment``
    adds/overrides handler environment variables.
    """
    from moto import mock_aws

    ensure_exclusive("harness")
    app = load_local_app(template, parameters)
    servers: dict[str, Any] = {}
    with patched_environ(FAKE_AWS_ENV), mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        os.environ.pop("AWS_ENDPOINT_URL", None)  # a leftover endpoint would send calls past mock_aws
        install_patches()
        MAILBOX.clear()
        events.EVENTS.clear()
        clock = LocalClock()
        try:
            if simulators:
                servers = start_simulators()
            extra = {**FAKE_AWS_ENV, **LOCAL_RUNTIME_ENV, "API_BASE_URL": "http://localhost",
                     "CLOCK_OFFSET_FILE": str(clock.path)}
            if servers:
                extra["PACKAGE_APPS"] = package_apps_json(servers)
            extra.update(environment or {})
            provisioned = provision(app, extra_environment=extra)
            lambda_hook.unregister_all()
            lambda_hook.register_provisioned(provisioned.functions, state_machines=list(provisioned.state_machines),
                                                 resolver=provisioned.resolver)
            os.environ.update(provisioned.environment)
            reset_composition_root()
            harness = LocalAws(provisioned, Gateway(
                provisioned,
                simulator_urls=lambda: {pid: s.base_url for pid, s in servers.items()},
                fire_schedule=lambda logical_id: fire(provisioned, logical_id),
                clock=clock.clock,
            ), servers, clock.clock)
            _current.append(harness)
            try:
                yield harness
            finally:
                _current.remove(harness)
        finally:
            for server in servers.values():
                server.stop()
            lambda_hook.unregister_all()
            MAILBOX.clear()
            events.EVENTS.clear()
            clock.close()
    reset_composition_root()


def current() -> LocalAws:
    """The innermost open harness."""
    if not _current:
        raise RuntimeError("no local_aws() harness is open")
    return _current[-1]


def api_call(method: str, path: str, body: Any = None, token: str | None = None,
             headers: Mapping[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    """``LocalAws.api_call`` on the open harness."""
    return current().api_call(method, path, body, token, headers)


def access_token(username: str, password: str, attributes: Mapping[str, str] | None = None) -> str:
    """``LocalAws.access_token`` on the open harness."""
    return current().access_token(username, password, attributes)


def fire_schedule(logical_id: str) -> Any:
    """``LocalAws.fire_schedule`` on the open harness."""
    return current().fire_schedule(logical_id)
