"""The e2e fixture: the whole local stack started in this process on an ephemeral port, called over real HTTP.

The stack is package-scoped: it is stopped (and the process environment it set restored) as soon as the last
e2e test ran, so the in-process moto harnesses of the other test folders never see its AWS endpoint.
"""

from __future__ import annotations

import itertools
import re
import secrets
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from boekstuk_local.secret_audit import LOGS, TRAFFIC, Secret, audit_stack, read_jsonl, traffic_secrets
from boekstuk_local.simulators.base import RateLimiter
from boekstuk_local.simulators.registry import DEMO_LOGINS
from boekstuk_local.simulators.seed import ADMINISTRATIONS, NAMED_SUPPLIERS
from boekstuk_local.stack import StackHandle, start_stack_in_thread, wait_until_healthy

PASSWORD = "correct horse battery staple"
TIMEOUT = 30
WAIT_SECONDS = 60
_counter = itertools.count(1)


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackHandle]:
    """One running stack for all e2e tests; a booking that meets an outage is retried after 1 s, 2 s, ... (the
    template's default 5 s would only make the outage tests slower).

    It records every log line and API answer; when the last e2e test is done, the secrets the run used
    (passwords, codes, tokens, package credentials, presigned signatures, Secrets Manager's values) are looked
    for in them and in the table, and any found fails the run (an error at the teardown of the last test).
    """
    handle = start_stack_in_thread(port=0, parameters={"BookingRetryIntervalSeconds": "1"},
                                   audit_dir=tmp_path_factory.mktemp("stack-audit"))
    try:
        wait_until_healthy(handle.url, timeout=30)
        yield handle
        findings = audit_stack(handle, KNOWN_SECRETS)
        assert not findings, "secrets where they must never be:\n" + "\n".join(map(str, findings[:20]))
        print(f"\n{audit_summary(handle, findings)}")
    finally:
        handle.stop()


def audit_summary(handle: StackHandle, findings: list[Any]) -> str:
    """One line for bench/README.md: how much of the run the secret audit searched (after ``audit_stack``)."""
    assert handle.audit is not None
    records = list(read_jsonl(handle.audit.directory / TRAFFIC))
    answers = sum(1 for r in records if r["path"].startswith("/v1/"))
    lines = sum(1 for _ in read_jsonl(handle.audit.directory / LOGS))
    issued = {s.value for s in traffic_secrets(records)}
    return (f"secret audit: {lines} log lines, {answers} API answers and the table searched for "
            f"{len(issued)} secrets the traffic carried (plus mailed codes, stored and known ones): "
            f"{len(findings)} findings")


KNOWN_SECRETS = [Secret(PASSWORD, "the tests' password"),
                 *(Secret(value, f"{package} demo login {key}") for package, login in DEMO_LOGINS.items()
                   for key, value in login.items() if key in ("password", "client_key"))]
"""Secrets the stack's traffic does not show: the package simulators' demo logins are typed into the
simulators' own login pages."""


@pytest.fixture(autouse=True)
def fresh_rate_limits(request: pytest.FixtureRequest) -> None:
    """Each test starts with fresh per-minute package budgets.

    Every e2e office links the same demo user of each simulator, so one test's calls (the demo books and syncs
    in Exact's divisions) would count against the next test's minute; real customers do not share divisions.
    """
    if "stack" not in request.fixturenames:
        return
    stack: StackHandle = request.getfixturevalue("stack")
    for server in stack.simulators.values():
        for value in vars(server.simulator).values():
            if isinstance(value, RateLimiter):
                value.reset()


@dataclass
class Api:
    """A tiny HTTP client for the stack's API."""

    url: str
    token: str = ""

    def call(self, method: str, path: str, body: Any = None, *, token: str | None = None, auth: bool = True,
             **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        bearer = self.token if token is None else token
        if auth and bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        if body is not None:
            kwargs["json"] = body
        target = path if path.startswith("http") else self.url + path
        return requests.request(method, target, headers=headers, timeout=TIMEOUT, **kwargs)

    def ok(self, method: str, path: str, body: Any = None, status: int = 200, **kwargs: Any) -> Any:
        """The JSON body of a call that must answer ``status``."""
        answer = self.call(method, path, body, **kwargs)
        assert answer.status_code == status, (method, path, answer.status_code, answer.text)
        return answer.json() if answer.content else None


@pytest.fixture()
def api(stack: StackHandle) -> Api:
    return Api(stack.url)


def assert_problem(answer: requests.Response, status: int, code: str) -> dict[str, Any]:
    """``answer`` is an RFC 9457 problem document with ``status`` and ``code``; returns it."""
    assert answer.status_code == status, answer.text
    assert answer.headers.get("Content-Type", "").startswith("application/problem+json"), answer.headers
    body: dict[str, Any] = answer.json()
    assert body["code"] == code and body["status"] == status and body["title"] and body["detail"], body
    return body


def wait_for(check: Any, what: str) -> Any:
    """Poll ``check`` until it returns something truthy (background work: syncs, the workflow)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def unique(prefix: str) -> str:
    """A name no other run or test uses."""
    return f"{prefix}{next(_counter)}-{secrets.token_hex(3)}"


def mail_code(api: Api, to: str) -> str:
    """The six-digit code of the newest e-mail to ``to``, read from ``/_local/mail``."""
    messages = api.ok("GET", "/_local/mail", params={"to": to}, auth=False)["messages"]
    assert messages, f"no e-mail to {to}"
    newest = messages[-1]
    codes = newest.get("codes") or re.findall(r"\b\d{6}\b", newest["body"])
    assert codes, newest
    return str(codes[0])


def signup_body(email: str, plan: str = "trial") -> dict[str, Any]:
    return {"company_name": "Bakkerij De Vries B.V.", "contact_name": "Anna de Vries", "email": email,
            "phone": "+31 20 123 4567", "plan": plan, "plan_confirmation": plan, "accept_terms": True}


def onboard(api: Api, office: str | None = None, username: str = "sync") -> tuple[str, str]:
    """Steps 1-2 and login over HTTP; returns ``(office code, access token)``."""
    office = office or unique("e2e-")
    email = f"{office}@example.nl"
    signup = api.ok("POST", "/v1/signups", signup_body(email), status=201, auth=False)
    confirmed = api.ok("POST", f"/v1/signups/{signup['signup_id']}/confirmation", {"code": mail_code(api, email)},
                       auth=False)
    api.ok("POST", "/v1/activations", {"activation_token": confirmed["activation_token"], "office_code": office,
                                       "username": username, "password": PASSWORD}, status=201, auth=False)
    session = api.ok("POST", "/v1/sessions", {"office_code": office, "username": username, "password": PASSWORD},
                     auth=False)
    return office, str(session["access_token"])


def link_package(api: Api, office: str, package: str, auth_kind: str) -> str:
    """Link ``package`` the way a person does (OAuth2: log in at the simulator's page); returns the connection id."""
    login = DEMO_LOGINS[package]
    url = f"/v1/offices/{office}/connections"
    if auth_kind == "credentials":
        linked = api.ok("POST", url, {"package": package, "description": f"{package} kantoor", "credentials": login},
                        status=201)
        assert linked["status"] == "verified", linked
        return str(linked["connection_id"])
    pending = api.ok("POST", url, {"package": package, "description": f"{package} kantoor"}, status=201)
    assert pending["status"] == "pending_authorization" and pending["authorize_url"], pending
    browser = requests.Session()
    form = browser.get(pending["authorize_url"], timeout=TIMEOUT)
    assert form.status_code == 200 and "<form" in form.text, form.text
    redirect = browser.post(pending["authorize_url"], data={"username": login["username"],
                                                            "password": login["password"]},
                            allow_redirects=False, timeout=TIMEOUT)
    assert redirect.status_code in (302, 303), redirect.text
    callback = redirect.headers["Location"]
    assert callback.startswith(f"{api.url}/v1/oauth/callback?"), callback
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(callback).query).keys() >= {"code", "state"}
    done = requests.get(callback, headers={"Accept": "application/json"}, timeout=TIMEOUT)
    assert done.status_code == 200 and done.json()["status"] == "verified", done.text
    # The state is single use.
    assert_problem(requests.get(callback, headers={"Accept": "application/json"}, timeout=TIMEOUT),
                   400, "invalid_oauth_state")
    return str(pending["connection_id"])


@dataclass
class SnelStartOffice:
    """An office and one of its administrations (SnelStart's unless ``package`` says otherwise)."""

    office: str
    administration_id: str
    administration_code: str
    package: str = "snelstart"


def snelstart_office(api: Api) -> SnelStartOffice:
    """A new office (``api.token`` becomes its sync user's) with SnelStart linked, the first seeded
    administration added and its suppliers synced."""
    office, api.token = onboard(api)
    connection = link_package(api, office, "snelstart", "credentials")
    base = f"/v1/offices/{office}/connections/{connection}/administrations"
    first = next(a for a in api.ok("GET", base)["administrations"] if a["name"] == ADMINISTRATIONS[0].name)
    administration_id = api.ok("POST", base, {"codes": [first["code"]]}, status=201)["added"][0]["administration_id"]
    wait_for(lambda: api.ok("GET", f"/v1/offices/{office}/administrations")["administrations"][0]["suppliers"]["count"]
             >= len(NAMED_SUPPLIERS), "the supplier sync")
    return SnelStartOffice(office, str(administration_id), str(first["code"]))
