"""Over real HTTP against the running stack: password reset with the code from the local mailbox, logout, the
office-code check, and the OAuth callback leading a browser back to the wizard on the stack's own address."""

from __future__ import annotations

import pytest
import requests

from boekstuk_local.simulators.registry import DEMO_LOGINS
from boekstuk_local.stack import StackHandle
from tests.e2e.conftest import (
    PASSWORD,
    TIMEOUT,
    Api,
    assert_problem,
    mail_code,
    onboard,
    signup_body,
    unique,
)

pytestmark = pytest.mark.e2e

NEW = "a brand new passphrase"


def login(api: Api, office: str, password: str) -> requests.Response:
    return api.call("POST", "/v1/sessions", {"office_code": office, "username": "sync", "password": password},
                    auth=False)


def test_password_reset_with_the_mailed_code(api: Api, stack: StackHandle) -> None:
    office, _ = onboard(api)
    email = f"{office}@example.nl"
    before = login(api, office, PASSWORD).json()
    answer = api.call("POST", "/v1/password-resets", {"office_code": office, "username": "sync"}, auth=False)
    assert (answer.status_code, answer.content) == (202, b"")
    unknown = api.call("POST", "/v1/password-resets", {"office_code": office, "username": "nobody"}, auth=False)
    assert (unknown.status_code, unknown.content) == (202, b"")
    code = mail_code(api, email)
    mail = api.ok("GET", "/_local/mail", params={"to": email}, auth=False)["messages"][-1]
    assert f"{stack.url}/#/password-reset" in mail["body"] and office not in mail["body"]

    confirmation = {"office_code": office, "username": "sync", "code": code, "new_password": NEW}
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert_problem(api.call("POST", "/v1/password-resets/confirmation", {**confirmation, "code": wrong}, auth=False),
                   422, "invalid_code")
    done = api.call("POST", "/v1/password-resets/confirmation", confirmation, auth=False)
    assert (done.status_code, done.content) == (204, b"")
    assert_problem(login(api, office, PASSWORD), 401, "invalid_credentials")
    after = login(api, office, NEW).json()
    assert_problem(api.call("POST", "/v1/sessions/refresh", {"refresh_token": before["refresh_token"]}, auth=False),
                   401, "invalid_credentials")
    # the access token from before the reset has not expired, yet its session is over: whoever held it is out
    assert_problem(api.call("GET", "/v1/me", token=before["access_token"]), 401, "unauthorized")
    assert api.ok("GET", "/v1/me", token=after["access_token"])["username"] == "sync"
    assert_problem(api.call("POST", "/v1/password-resets/confirmation", confirmation, auth=False), 422, "invalid_code")


def test_logout_ends_the_session_and_its_access_tokens(api: Api) -> None:
    office, _ = onboard(api)
    session = login(api, office, PASSWORD).json()
    other = login(api, office, PASSWORD).json()  # the same user on another device
    refreshed = api.ok("POST", "/v1/sessions/refresh", {"refresh_token": session["refresh_token"]}, auth=False)
    assert refreshed["refresh_token"] == session["refresh_token"] and refreshed["access_token"]
    for token in (session["access_token"], refreshed["access_token"]):
        assert api.ok("GET", "/v1/me", token=token)["username"] == "sync"
    logout = api.call("DELETE", "/v1/sessions", {"refresh_token": session["refresh_token"]}, auth=False)
    assert (logout.status_code, logout.content) == (204, b"")
    assert_problem(api.call("POST", "/v1/sessions/refresh", {"refresh_token": session["refresh_token"]}, auth=False),
                   401, "invalid_credentials")
    # both access tokens of the ended session are refused at once, on every route, though neither has expired
    for token in (session["access_token"], refreshed["access_token"]):
        assert_problem(api.call("GET", "/v1/me", token=token), 401, "unauthorized")
        assert_problem(api.call("GET", f"/v1/offices/{office}/administrations", token=token), 401, "unauthorized")
    assert api.ok("GET", "/v1/me", token=other["access_token"])["username"] == "sync"


def test_office_code_check_in_the_wizard(api: Api) -> None:
    taken, _ = onboard(api)
    email = f"{unique('check-')}@example.nl"
    signup = api.ok("POST", "/v1/signups", signup_body(email), status=201, auth=False)
    token = api.ok("POST", f"/v1/signups/{signup['signup_id']}/confirmation", {"code": mail_code(api, email)},
                   auth=False)["activation_token"]
    busy = api.ok("POST", "/v1/office-code-checks", {"activation_token": token, "office_code": taken.upper()},
                  auth=False)
    assert busy == {"office_code": taken, "valid": True, "available": False,
                    "suggestions": [f"{taken}-1", f"{taken}-2", f"{taken}-3"]}
    free = api.ok("POST", "/v1/office-code-checks", {"activation_token": token, "office_code": busy["suggestions"][0]},
                  auth=False)
    assert free["available"] is True
    assert_problem(api.call("POST", "/v1/office-code-checks", {"activation_token": "forged", "office_code": taken},
                            auth=False), 422, "invalid_activation_token")


def test_the_oauth_callback_leads_the_browser_back_to_the_wizard(api: Api, stack: StackHandle) -> None:
    office, api.token = onboard(api)
    pending = api.ok("POST", f"/v1/offices/{office}/connections",
                     {"package": "exact_online", "description": "Exact kantoor"}, status=201)
    browser = requests.Session()
    login_form = DEMO_LOGINS["exact_online"]
    redirect = browser.post(pending["authorize_url"], data={"username": login_form["username"],
                                                            "password": login_form["password"]},
                            allow_redirects=False, timeout=TIMEOUT)
    back = browser.get(redirect.headers["Location"], allow_redirects=False, timeout=TIMEOUT)
    assert back.status_code == 302
    assert back.headers["Location"] == (f"{stack.url}/#/onboarding/connected?connection_id="
                                        f"{pending['connection_id']}&status=verified")
    again = browser.get(redirect.headers["Location"], allow_redirects=False, timeout=TIMEOUT)
    assert again.headers["Location"] == f"{stack.url}/#/onboarding/connected?status=error&code=invalid_oauth_state"
