"""Logout, refresh, password reset and the office-code check through the template's routes, with the real
adapters under moto (Cognito, DynamoDB, SES)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from boekstuk_local.testing import LocalAws
from tests.integration.conftest import (
    PASSWORD,
    assert_problem,
    code_from_mail,
    confirmed_token,
    onboarded_office,
    unique,
)
from tests.throttling import throttling

NEW = "a brand new passphrase"
VARYING = {"Date", "x-amzn-RequestId"}


def login(aws: LocalAws, office: str, password: str = PASSWORD, source: str | None = None) -> tuple:
    return aws.api_call("POST", "/v1/sessions", {"office_code": office, "username": "sync", "password": password},
                        source_ip=source)


def test_refresh_answers_like_login_and_logout_ends_the_refresh_token(aws: LocalAws) -> None:
    office, _ = onboarded_office(aws)
    status, _, session = login(aws, office)
    assert status == 200
    status, _, refreshed = aws.api_call("POST", "/v1/sessions/refresh", {"refresh_token": session["refresh_token"]})
    assert status == 200, refreshed
    assert set(refreshed) == {"access_token", "refresh_token", "expires_in", "token_type"}
    assert refreshed["refresh_token"] == session["refresh_token"] and refreshed["token_type"] == "Bearer"
    _, _, other = login(aws, office)

    status, _, body = aws.api_call("DELETE", "/v1/sessions", {"refresh_token": session["refresh_token"]})
    assert (status, body) == (204, None)
    assert_problem(aws.api_call("POST", "/v1/sessions/refresh", {"refresh_token": session["refresh_token"]}),
                   401, "invalid_credentials")
    assert aws.api_call("POST", "/v1/sessions/refresh", {"refresh_token": other["refresh_token"]})[0] == 200
    # Logging out twice, or with an expired access token in hand, still answers 204: no token is needed.
    assert aws.api_call("DELETE", "/v1/sessions", {"refresh_token": session["refresh_token"]},
                        token="expired.or.garbage")[0] == 204
    assert_problem(aws.api_call("DELETE", "/v1/sessions", {}), 422, "validation_error")


def test_password_reset_end_to_end_through_the_handlers(aws: LocalAws) -> None:
    office, _ = onboarded_office(aws)
    email = f"{office}@example.nl"
    _, _, before = login(aws, office)
    status, headers, body = aws.api_call("POST", "/v1/password-resets", {"office_code": office.upper(),
                                                                         "username": "Sync"})
    assert (status, body) == (202, None)
    code = code_from_mail(aws, email)
    assert_problem(aws.api_call("POST", "/v1/password-resets/confirmation",
                                {"office_code": office, "username": "sync", "code": code, "new_password": "short"}),
                   422, "weak_password")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert_problem(aws.api_call("POST", "/v1/password-resets/confirmation",
                                {"office_code": office, "username": "sync", "code": wrong, "new_password": NEW}),
                   422, "invalid_code")
    status, _, body = aws.api_call("POST", "/v1/password-resets/confirmation",
                                   {"office_code": office, "username": "sync", "code": code, "new_password": NEW})
    assert (status, body) == (204, None)
    assert_problem(login(aws, office), 401, "invalid_credentials")
    assert login(aws, office, NEW)[0] == 200
    assert_problem(aws.api_call("POST", "/v1/sessions/refresh", {"refresh_token": before["refresh_token"]}),
                   401, "invalid_credentials")
    assert aws.mail(email)[-1].subject == "Uw wachtwoord is gewijzigd"
    assert all(office not in m.body and "sync" not in m.body for m in aws.mail(email))


def test_a_reset_for_an_unknown_user_looks_the_same_and_sends_nothing(aws: LocalAws) -> None:
    office, _ = onboarded_office(aws)
    sent_before = len(aws.mail())
    known = aws.api_call("POST", "/v1/password-resets", {"office_code": office, "username": "sync"})
    unknown = aws.api_call("POST", "/v1/password-resets", {"office_code": office, "username": "nobody"})
    elsewhere = aws.api_call("POST", "/v1/password-resets", {"office_code": unique("no-office-"), "username": "sync"})
    assert known[0] == unknown[0] == elsewhere[0] == 202
    assert known[2] == unknown[2] == elsewhere[2] is None
    assert {k: v for k, v in known[1].items() if k not in VARYING} == {k: v for k, v in unknown[1].items() if k not in VARYING}
    assert len(aws.mail()) == sent_before + 1
    for _ in range(5):
        assert_problem(aws.api_call("POST", "/v1/password-resets/confirmation",
                                    {"office_code": office, "username": "nobody", "code": "123456",
                                     "new_password": NEW}, source_ip="198.51.100.40"), 422, "invalid_code")


@pytest.fixture()
def strict(aws: LocalAws) -> Iterator[None]:
    with throttling(reset_mail_user=[{"limit": 2, "window_seconds": 3600}],
                    reset_code_user={"free_failures": 5, "base_seconds": 1},
                    office_code_check_source=[{"limit": 3, "window_seconds": 900}]):
        yield


def test_five_wrong_codes_void_the_reset_and_requests_are_limited(aws: LocalAws, strict: None) -> None:
    office, _ = onboarded_office(aws)
    ask = {"office_code": office, "username": "sync"}
    assert aws.api_call("POST", "/v1/password-resets", ask, source_ip="198.51.100.41")[0] == 202
    code = code_from_mail(aws, f"{office}@example.nl")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for n in range(5):
        assert_problem(aws.api_call("POST", "/v1/password-resets/confirmation",
                                    {**ask, "code": wrong, "new_password": NEW}, source_ip=f"198.51.100.{50 + n}"),
                       422, "invalid_code")
    voided = aws.api_call("POST", "/v1/password-resets/confirmation", {**ask, "code": code, "new_password": NEW},
                          source_ip="198.51.100.60")
    assert_problem(voided, 429, "too_many_attempts")
    assert aws.api_call("POST", "/v1/password-resets", ask, source_ip="198.51.100.41")[0] == 202
    limited = aws.api_call("POST", "/v1/password-resets", ask, source_ip="198.51.100.42")
    assert_problem(limited, 429, "too_many_attempts")
    assert int(limited[1]["Retry-After"]) >= 1


def test_office_code_check(aws: LocalAws, strict: None) -> None:
    taken, _ = onboarded_office(aws)
    token = confirmed_token(aws, f"{unique('check')}@example.nl")
    source = "198.51.100.70"
    status, _, free = aws.api_call("POST", "/v1/office-code-checks",
                                   {"activation_token": token, "office_code": "Nieuw-Kantoor"}, source_ip=source)
    assert status == 200, free
    assert free == {"office_code": "nieuw-kantoor", "valid": True, "available": True, "suggestions": []}
    status, _, busy = aws.api_call("POST", "/v1/office-code-checks",
                                   {"activation_token": token, "office_code": taken.upper()}, source_ip=source)
    assert status == 200 and busy["available"] is False and busy["valid"] is True
    assert busy["suggestions"] == [f"{taken}-1", f"{taken}-2", f"{taken}-3"]
    status, _, invalid = aws.api_call("POST", "/v1/office-code-checks",
                                      {"activation_token": token, "office_code": "x"}, source_ip=source)
    assert invalid == {"office_code": "x", "valid": False, "available": False, "suggestions": []}
    limited = aws.api_call("POST", "/v1/office-code-checks", {"activation_token": token, "office_code": "y-y-y"},
                           source_ip=source)
    assert_problem(limited, 429, "too_many_attempts")
    assert int(limited[1]["Retry-After"]) >= 1
    assert_problem(aws.api_call("POST", "/v1/office-code-checks", {"activation_token": "forged", "office_code": taken},
                                source_ip="198.51.100.71"), 422, "invalid_activation_token")
    assert_problem(aws.api_call("POST", "/v1/office-code-checks", {"office_code": taken}, source_ip="198.51.100.71"),
                   422, "validation_error")


def test_reset_mails_and_wrong_reset_codes_are_limited_per_source_for_known_and_unknown_users_alike(
        aws: LocalAws) -> None:
    """API.md's per-source limits of the reset: mails asked (over every user) and wrong codes (over every user);
    a user that does not exist counts, and is answered, exactly as one that does."""
    office, _ = onboarded_office(aws)
    with throttling(reset_mail_source=[{"limit": 2, "window_seconds": 3600}],
                    reset_code_source=[{"limit": 2, "window_seconds": 3600}]):
        source = "203.0.113.77"
        for username in ("sync", "nobody-1"):
            assert aws.api_call("POST", "/v1/password-resets", {"office_code": office, "username": username},
                                source_ip=source)[0] == 202
        known = aws.api_call("POST", "/v1/password-resets", {"office_code": office, "username": "sync"},
                             source_ip=source)
        unknown = aws.api_call("POST", "/v1/password-resets", {"office_code": office, "username": "nobody-2"},
                               source_ip=source)
        assert assert_problem(known, 429, "too_many_attempts") == assert_problem(unknown, 429, "too_many_attempts")
        assert aws.api_call("POST", "/v1/password-resets", {"office_code": office, "username": "sync"},
                            source_ip="203.0.113.78")[0] == 202  # another source is not held up

        guess = {"office_code": office, "code": "000000", "new_password": NEW}
        for username in ("sync", "nobody-3"):
            assert_problem(aws.api_call("POST", "/v1/password-resets/confirmation", {**guess, "username": username},
                                        source_ip=source), 422, "invalid_code")
        known = aws.api_call("POST", "/v1/password-resets/confirmation", {**guess, "username": "sync"},
                             source_ip=source)
        unknown = aws.api_call("POST", "/v1/password-resets/confirmation", {**guess, "username": "nobody-4"},
                               source_ip=source)
        assert assert_problem(known, 429, "too_many_attempts") == assert_problem(unknown, 429, "too_many_attempts")
        assert int(known[1]["Retry-After"]) >= 1
