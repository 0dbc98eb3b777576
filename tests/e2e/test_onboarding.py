"""Onboarding over real HTTP: signup, the code from the local mailbox, activation, login, users; error answers."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PASSWORD, Api, assert_problem, mail_code, onboard, signup_body, unique

pytestmark = pytest.mark.e2e


def test_signup_confirm_activate_login_and_call_authenticated_endpoints(api: Api) -> None:
    office = unique("e2e-onb-")
    email = f"{office}@example.nl"
    signup = api.ok("POST", "/v1/signups", signup_body(email), status=201, auth=False)
    assert signup["status"] == "pending_confirmation" and signup["plan"] == "trial"
    confirmed = api.ok("POST", f"/v1/signups/{signup['signup_id']}/confirmation", {"code": mail_code(api, email)},
                       auth=False)
    assert confirmed["status"] == "confirmed" and confirmed["activation_token"]
    activated = api.ok("POST", "/v1/activations", {"activation_token": confirmed["activation_token"],
                                                   "office_code": office, "username": "sync", "password": PASSWORD},
                       status=201, auth=False)
    assert (activated["office_code"], activated["username"], activated["role"], activated["plan"]) == (
        office, "sync", "sync_user", "trial")
    assert activated["trial_ends_at"]
    mails = api.ok("GET", "/_local/mail", params={"to": email}, auth=False)["messages"]
    # The activation token is also e-mailed as a link; the office code and the password never are.
    assert any(confirmed["activation_token"] in link for m in mails for link in m["links"]), mails
    assert not any(office in m["subject"] + m["body"] or PASSWORD in m["body"] for m in mails), mails
    session = api.ok("POST", "/v1/sessions", {"office_code": office, "username": "sync", "password": PASSWORD},
                     auth=False)
    assert session["token_type"] == "Bearer" and session["expires_in"] > 0
    api.token = session["access_token"]
    me = api.ok("GET", "/v1/me")
    assert me["username"] == "sync" and me["role"] == "sync_user"
    api.ok("POST", f"/v1/offices/{office}/users", {"username": "piet", "email": f"piet-{email}", "role": "approver",
                                                    "password": PASSWORD}, status=201)
    users = api.ok("GET", f"/v1/offices/{office}/users")["users"]
    assert {(u["username"], u["role"]) for u in users} == {("sync", "sync_user"), ("piet", "approver")}
    # The new approver can log in too.
    api.ok("POST", "/v1/sessions", {"office_code": office, "username": "piet", "password": PASSWORD}, auth=False)


def test_error_answers_are_problem_documents(api: Api) -> None:
    office, token = onboard(api)
    other, _ = onboard(api)
    api.token = token
    # No token: the authorizer's 401.
    assert_problem(api.call("GET", "/v1/me", auth=False), 401, "unauthorized")
    assert_problem(api.call("GET", f"/v1/offices/{office}/users", token="not-a-jwt"), 401, "unauthorized")
    # Another office's path: 404, never revealing that it exists (same answer as an office that does not).
    assert_problem(api.call("GET", f"/v1/offices/{other}/users"), 404, "not_found")
    assert_problem(api.call("GET", f"/v1/offices/{unique('nobody-')}/users"), 404, "not_found")
    # An unknown route.
    assert_problem(api.call("GET", "/v1/nothing-here", auth=False), 404, "not_found")
    # Bad JSON and wrong types: 422 validation_error with one entry per field, no stack trace.
    bad = assert_problem(api.call("POST", "/v1/signups", data="{not json", auth=False,
                                  headers={"Content-Type": "application/json"}), 422, "validation_error")
    assert "Traceback" not in str(bad)
    wrong = assert_problem(api.call("POST", "/v1/signups", {**signup_body("x@example.nl"), "accept_terms": "maybe",
                                                            "plan": 7}, auth=False), 422, "validation_error")
    fields = {e["field"] for e in wrong["errors"]}
    assert {"plan", "accept_terms"} <= fields, wrong
    # The plan must be confirmed twice.
    assert_problem(api.call("POST", "/v1/signups", {**signup_body(f"{unique('p')}@example.nl"),
                                                    "plan_confirmation": "premium"}, auth=False),
                   422, "plan_not_confirmed")
    # Any wrong part of a login answers the same 401.
    assert_problem(api.call("POST", "/v1/sessions", {"office_code": office, "username": "sync",
                                                     "password": "wrong password!"}, auth=False),
                   401, "invalid_credentials")
