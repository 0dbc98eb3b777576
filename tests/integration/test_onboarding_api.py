"""Steps 1 and 2, login and users through the template's routes, handlers and real adapters under moto."""

from __future__ import annotations

import datetime as dt
import threading

from boekstuk_local.testing import LocalAws
from tests.integration.conftest import (
    PASSWORD,
    assert_problem,
    code_from_mail,
    confirmed_token,
    onboarded_office,
    signup_body,
    unique,
)
from tests.throttling import throttling

# --- step 1 -------------------------------------------------------------------------------------------


def test_signup_then_resend_keeps_the_signup_id(aws: LocalAws) -> None:
    email = f"{unique('anna')}@devries.nl"
    status, _, first = aws.api_call("POST", "/v1/signups", signup_body(email))
    assert status == 201 and first["status"] == "pending_confirmation" and first["plan"] == "trial"
    status, _, again = aws.api_call("POST", "/v1/signups", signup_body(email.upper()))
    assert status == 200 and again["signup_id"] == first["signup_id"]
    assert len(aws.mail(email)) == 2


def test_plan_not_confirmed(aws: LocalAws) -> None:
    body = signup_body(f"{unique('p')}@x.nl", plan="premium", plan_confirmation="trial")
    assert_problem(aws.api_call("POST", "/v1/signups", body), 422, "plan_not_confirmed")


def test_validation_errors_list_each_field(aws: LocalAws) -> None:
    body = assert_problem(aws.api_call("POST", "/v1/signups", {"email": "not-an-email", "plan": 3}), 422,
                          "validation_error")
    fields = {e["field"] for e in body["errors"]}
    assert {"company_name", "contact_name", "email", "plan", "plan_confirmation", "accept_terms"} <= fields
    bad_json = assert_problem(aws.api_call("POST", "/v1/signups", "{not json",
                                           headers={"Content-Type": "application/json"}), 422, "validation_error")
    assert bad_json["errors"] == [{"field": "body", "message": "The body is not valid JSON."}]
    assert_problem(aws.api_call("POST", "/v1/signups", signup_body("a@b.nl", accept_terms=False)), 422,
                   "terms_not_accepted")


def test_confirmation_codes(aws: LocalAws) -> None:
    email = f"{unique('c')}@x.nl"
    _, _, signup = aws.api_call("POST", "/v1/signups", signup_body(email))
    good = code_from_mail(aws, email)
    wrong = "000000" if good != "000000" else "111111"
    url = f"/v1/signups/{signup['signup_id']}/confirmation"
    for _ in range(5):
        assert_problem(aws.api_call("POST", url, {"code": wrong}), 422, "invalid_confirmation_code")
    assert_problem(aws.api_call("POST", url, {"code": good}), 429, "too_many_attempts")
    assert_problem(aws.api_call("POST", "/v1/signups/unknown/confirmation", {"code": good}), 404, "signup_not_found")


def test_confirmation_code_expires(aws: LocalAws) -> None:
    email = f"{unique('e')}@x.nl"
    _, _, signup = aws.api_call("POST", "/v1/signups", signup_body(email))
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat()
    aws.client("dynamodb").update_item(
        TableName=aws.environment["TABLE_NAME"], Key={"pk": {"S": f"SIGNUP#{signup['signup_id']}"}, "sk": {"S": "SIGNUP"}},
        UpdateExpression="SET code_expires_at = :p", ExpressionAttributeValues={":p": {"S": past}})
    assert_problem(aws.api_call("POST", f"/v1/signups/{signup['signup_id']}/confirmation",
                                {"code": code_from_mail(aws, email)}), 410, "confirmation_expired")


def test_confirmation_returns_the_token_that_is_also_mailed(aws: LocalAws) -> None:
    email = f"{unique('t')}@x.nl"
    token = confirmed_token(aws, email)
    assert token in aws.mail(email)[-1].body


# --- step 2 -------------------------------------------------------------------------------------------


def test_activation_and_its_errors(aws: LocalAws) -> None:
    email = f"{unique('act')}@x.nl"
    token = confirmed_token(aws, email)
    office = unique("kantoor-")
    assert_problem(aws.api_call("POST", "/v1/activations", {"activation_token": token, "office_code": office,
                                                             "username": "sync", "password": "short"}), 422, "weak_password")
    assert_problem(aws.api_call("POST", "/v1/activations", {"activation_token": "forged", "office_code": office,
                                                             "username": "sync", "password": PASSWORD}), 422,
                   "invalid_activation_token")
    status, _, body = aws.api_call("POST", "/v1/activations", {"activation_token": token, "office_code": office.upper(),
                                                                "username": "sync", "password": PASSWORD})
    assert status == 201, body
    assert body["office_code"] == office and body["role"] == "sync_user" and body["plan"] == "trial"
    trial_end = dt.datetime.fromisoformat(body["trial_ends_at"].replace("Z", "+00:00"))
    assert dt.timedelta(days=29, hours=23) < trial_end - dt.datetime.now(dt.UTC) <= dt.timedelta(days=30)
    assert_problem(aws.api_call("POST", "/v1/activations", {"activation_token": token, "office_code": unique("x-"),
                                                             "username": "sync", "password": PASSWORD}), 409,
                   "already_activated")
    # Never e-mailed: username and office code.
    for mail in aws.mail(email):
        assert office not in mail.body and office not in mail.subject


def test_a_failed_office_write_removes_the_login_it_created(aws: LocalAws, monkeypatch) -> None:
    from boekstuk.adapters.dynamodb import DynamoOfficeRepository
    from boekstuk.domain import errors

    token = confirmed_token(aws, f"{unique('orphan')}@x.nl")
    office = unique("kantoor-")
    body = {"activation_token": token, "office_code": office, "username": "sync", "password": PASSWORD}

    def refused(self, grant, office_, user):  # the write fails after the Cognito login exists
        raise errors.ActivationExpired()

    monkeypatch.setattr(DynamoOfficeRepository, "activate", refused)
    assert aws.api_call("POST", "/v1/activations", body)[0] == 410
    monkeypatch.undo()
    # No orphan login is left to block the code: the retry creates it again and succeeds.
    status, _, answer = aws.api_call("POST", "/v1/activations", body)
    assert status == 201, answer


def test_office_code_taken_case_insensitively_with_suggestions(aws: LocalAws) -> None:
    office, _ = onboarded_office(aws)
    token = confirmed_token(aws, f"{unique('second')}@x.nl")
    body = assert_problem(aws.api_call("POST", "/v1/activations", {"activation_token": token,
                                                                    "office_code": office.upper(),
                                                                    "username": "sync", "password": PASSWORD}),
                          409, "office_code_taken")
    assert body["suggestions"] == [f"{office}-1", f"{office}-2", f"{office}-3"]


def test_activation_expires(aws: LocalAws) -> None:
    from boekstuk.domain.onboarding import hash_secret

    token = confirmed_token(aws, f"{unique('exp')}@x.nl")
    aws.client("dynamodb").update_item(
        TableName=aws.environment["TABLE_NAME"], Key={"pk": {"S": f"ACTIVATION#{hash_secret(token)}"}, "sk": {"S": "GRANT"}},
        UpdateExpression="SET expires_at = :p",
        ExpressionAttributeValues={":p": {"S": (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)).isoformat()}})
    assert_problem(aws.api_call("POST", "/v1/activations", {"activation_token": token, "office_code": unique("late-"),
                                                             "username": "sync", "password": PASSWORD}), 410,
                   "activation_expired")


def test_simultaneous_activations_with_one_office_code_exactly_one_wins(aws: LocalAws) -> None:
    tokens = [confirmed_token(aws, f"{unique('race')}@x.nl") for _ in range(4)]
    office = unique("race-")
    statuses: list[int] = []
    barrier = threading.Barrier(len(tokens))

    def activate(token: str, n: int) -> None:
        barrier.wait()
        status, _, _ = aws.api_call("POST", "/v1/activations", {"activation_token": token, "office_code": office,
                                                                 "username": f"sync{n}", "password": PASSWORD})
        statuses.append(status)

    threads = [threading.Thread(target=activate, args=(t, n)) for n, t in enumerate(tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 409, 409, 409]
    users = aws.client("cognito-idp").list_users(UserPoolId=aws.environment["USER_POOL_ID"])["Users"]
    assert len([u for u in users if u["Username"].startswith(f"{office}:")]) == 1


# --- login and users ----------------------------------------------------------------------------------


def test_login_wrong_parts_and_throttling(aws: LocalAws) -> None:
    office, _ = onboarded_office(aws)
    for body in ({"office_code": office, "username": "sync", "password": "wrong wrong wrong"},
                 {"office_code": office, "username": "nobody", "password": PASSWORD},
                 {"office_code": "no-such-office", "username": "sync", "password": PASSWORD}):
        problem = assert_problem(aws.api_call("POST", "/v1/sessions", body), 401, "invalid_credentials")
        assert problem["detail"] == "Office code, username or password is not correct."
    # A minute's wait after the fifth failure (production: 1 s), so this holds on the slowest machine.
    with throttling(login_user={"free_failures": 5, "base_seconds": 60}):
        for _ in range(4):
            assert_problem(aws.api_call("POST", "/v1/sessions", {"office_code": office, "username": "sync",
                                                                  "password": "wrong wrong wrong"}), 401,
                           "invalid_credentials")
        assert_problem(aws.api_call("POST", "/v1/sessions", {"office_code": office, "username": "sync",
                                                              "password": PASSWORD}), 429, "too_many_attempts")


def test_refresh_token(aws: LocalAws) -> None:
    office = unique("refresh-")
    token = confirmed_token(aws, f"{office}@x.nl")
    aws.api_call("POST", "/v1/activations", {"activation_token": token, "office_code": office, "username": "sync",
                                              "password": PASSWORD})
    _, _, session = aws.api_call("POST", "/v1/sessions", {"office_code": office, "username": "sync", "password": PASSWORD})
    status, _, refreshed = aws.api_call("POST", "/v1/sessions/refresh", {"refresh_token": session["refresh_token"]})
    assert status == 200 and refreshed["access_token"]
    assert aws.api_call("GET", "/v1/me", token=refreshed["access_token"])[0] == 200
    assert_problem(aws.api_call("POST", "/v1/sessions/refresh", {"refresh_token": "nonsense"}), 401, "invalid_credentials")


def test_users_roles_and_office_isolation(aws: LocalAws) -> None:
    office, admin = onboarded_office(aws)
    other_office, _ = onboarded_office(aws)
    status, _, me = aws.api_call("GET", "/v1/me", token=admin)
    assert status == 200 and me["role"] == "sync_user" and me["is_admin"]
    status, _, piet = aws.api_call("POST", f"/v1/offices/{office}/users", {"username": "piet", "email": "piet@x.nl",
                                                                           "role": "approver", "password": PASSWORD},
                                   token=admin)
    assert status == 201 and piet["role"] == "approver"
    assert_problem(aws.api_call("POST", f"/v1/offices/{office}/users", {"username": "piet", "role": "approver",
                                                                       "password": PASSWORD}, token=admin), 409, "username_taken")
    _, _, listed = aws.api_call("GET", f"/v1/offices/{office}/users", token=admin)
    assert [u["username"] for u in listed["users"]] == ["piet", "sync"]
    _, _, session = aws.api_call("POST", "/v1/sessions", {"office_code": office, "username": "piet", "password": PASSWORD})
    assert_problem(aws.api_call("POST", f"/v1/offices/{office}/users", {"username": "klaas", "role": "submitter",
                                                                       "password": PASSWORD},
                                token=session["access_token"]), 403, "not_an_admin")
    # Another office's path: 404, never revealing it exists.
    assert_problem(aws.api_call("GET", f"/v1/offices/{other_office}/users", token=admin), 404, "not_found")
    assert_problem(aws.api_call("GET", f"/v1/offices/{office}/users"), 401, "unauthorized")
    assert_problem(aws.api_call("GET", f"/v1/offices/{office}/users", token=admin + "x"), 401, "unauthorized")


# --- the edges every route shares ---------------------------------------------------------------------


def test_unknown_routes_oversized_bodies_health_and_docs(aws: LocalAws) -> None:
    assert_problem(aws.api_call("GET", "/v1/nothing-here"), 404, "not_found")
    assert_problem(aws.api_call("POST", "/v1/signups", {"company_name": "x" * 70_000}), 413, "payload_too_large")
    status, _, health = aws.api_call("GET", "/v1/health")
    assert (status, health) == (200, {"status": "ok"})
    status, _, doc = aws.api_call("GET", "/v1/openapi.json")
    assert status == 200 and "/v1/signups" in doc["paths"]
    status, headers, html = aws.api_call("GET", "/v1/docs")
    assert status == 200 and "swagger-ui" in html and headers["Content-Type"].startswith("text/html")


def test_server_errors_never_leak_traces(aws: LocalAws, monkeypatch) -> None:
    from boekstuk.bootstrap import services

    def explode(*_: object) -> None:
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(services().onboarding, "sign_up", explode)
    status, _, body = aws.api_call("POST", "/v1/signups", signup_body("boom@x.nl"))
    assert status == 500 and body["code"] == "internal_error"
    assert "secret internals" not in str(body) and "Traceback" not in str(body)
