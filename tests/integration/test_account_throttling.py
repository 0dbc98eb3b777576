"""Throttled guessing through the template's routes: logins per user and per source, signup codes and mails.

Every test sends from its own documentation address (RFC 5737) so the per-source counters of one test never
reach another; the numbers come from the ``THROTTLING`` setting, so a test needs a handful of requests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from boekstuk_local.testing import LocalAws
from tests.integration.conftest import PASSWORD, assert_problem, code_from_mail, onboarded_office, signup_body, unique
from tests.throttling import throttling

WRONG = "wrong wrong wrong"


@pytest.fixture()
def strict(aws: LocalAws) -> Iterator[None]:
    """Small numbers: a user waits 300 s after 5 failures, a source may fail 3 times, mail 2 codes per address."""
    with throttling(login_user={"free_failures": 5, "base_seconds": 300},
                    login_source=[{"limit": 3, "window_seconds": 900}],
                    confirmation_source=[{"limit": 3, "window_seconds": 3600}],
                    signup_mail_address=[{"limit": 2, "window_seconds": 3600}],
                    signup_mail_source=[{"limit": 3, "window_seconds": 3600}]):
        yield


def login(aws: LocalAws, office: str, username: str, password: str, source: str) -> tuple:
    return aws.api_call("POST", "/v1/sessions", {"office_code": office, "username": username, "password": password},
                        source_ip=source)


def retry_after(response: tuple) -> int:
    _, headers, _ = response
    assert "Retry-After" in headers, headers
    return int(headers["Retry-After"])


def test_a_user_is_slowed_down_with_retry_after_and_an_unknown_user_looks_the_same(aws: LocalAws, strict: None) -> None:
    office, _ = onboarded_office(aws)
    answers = {}
    for username in ("sync", "nobody"):
        for n in range(5):
            # From five sources, so only the per-user counter can be what throttles.
            assert_problem(login(aws, office, username.upper(), WRONG, f"192.0.2.{n + 1}"), 401,
                           "invalid_credentials")
        # The right password does not help while the user waits: nothing is checked in the meantime.
        answers[username] = login(aws, office, username, PASSWORD, "192.0.2.9")
        assert_problem(answers[username], 429, "too_many_attempts")
        assert 1 <= retry_after(answers[username]) <= 300
    known, unknown = answers["sync"], answers["nobody"]
    assert known[2] == unknown[2]
    assert (known[1]["Retry-After"], known[1]["Content-Type"]) == (unknown[1]["Retry-After"], unknown[1]["Content-Type"])


def test_one_source_trying_many_usernames_is_throttled_but_not_other_sources(aws: LocalAws, strict: None) -> None:
    office, _ = onboarded_office(aws)
    spray = "198.51.100.7"
    for _ in range(4):  # successful logins from a source cost it nothing
        assert login(aws, office, "sync", PASSWORD, spray)[0] == 200
    for n in range(3):
        assert_problem(login(aws, office, f"user{n}", PASSWORD, spray), 401, "invalid_credentials")
    throttled = login(aws, office, "user3", PASSWORD, spray)
    assert_problem(throttled, 429, "too_many_attempts")
    assert 1 <= retry_after(throttled) <= 900
    # A forwarded-for header does not make another source of it: API Gateway's sourceIp is the peer.
    assert_problem(aws.api_call("POST", "/v1/sessions", {"office_code": office, "username": "user4",
                                                          "password": PASSWORD},
                                headers={"X-Forwarded-For": "203.0.113.50"}, source_ip=spray),
                   429, "too_many_attempts")
    # The user of the office, from their own network, is not affected.
    assert login(aws, office, "sync", PASSWORD, "198.51.100.8")[0] == 200


def test_a_resend_keeps_the_wrong_code_count(aws: LocalAws, strict: None) -> None:
    email = f"{unique('resend')}@x.nl"
    source = "203.0.113.10"
    status, _, signup = aws.api_call("POST", "/v1/signups", signup_body(email), source_ip=source)
    assert status == 201, signup
    url = f"/v1/signups/{signup['signup_id']}/confirmation"
    # Each wrong code from another source: only the signup's own counter is at stake here.
    for n in range(3):
        assert_problem(aws.api_call("POST", url, {"code": "000000" if code_from_mail(aws, email) != "000000"
                                                  else "111111"}, source_ip=f"203.0.113.{20 + n}"),
                       422, "invalid_confirmation_code")
    status, _, again = aws.api_call("POST", "/v1/signups", signup_body(email), source_ip=source)
    assert status == 200 and again["signup_id"] == signup["signup_id"]
    good = code_from_mail(aws, email)
    wrong = "000000" if good != "000000" else "111111"
    problem = assert_problem(aws.api_call("POST", url, {"code": wrong}, source_ip="203.0.113.30"), 422,
                             "invalid_confirmation_code")
    assert problem["attempts_left"] == 1
    assert_problem(aws.api_call("POST", url, {"code": wrong}, source_ip="203.0.113.31"), 422,
                   "invalid_confirmation_code")
    assert_problem(aws.api_call("POST", url, {"code": good}, source_ip="203.0.113.32"), 429, "too_many_attempts")


def test_signup_mails_are_limited_per_address(aws: LocalAws, strict: None) -> None:
    email = f"{unique('victim')}@x.nl"
    assert aws.api_call("POST", "/v1/signups", signup_body(email), source_ip="203.0.113.40")[0] == 201
    assert aws.api_call("POST", "/v1/signups", signup_body(email), source_ip="203.0.113.41")[0] == 200
    over = aws.api_call("POST", "/v1/signups", signup_body(email.upper()), source_ip="203.0.113.42")
    assert_problem(over, 429, "too_many_attempts")
    assert 1 <= retry_after(over) <= 3600
    assert len(aws.mail(email)) == 2


def test_signup_mails_are_limited_per_source(aws: LocalAws, strict: None) -> None:
    source = "203.0.113.60"
    for _ in range(3):
        assert aws.api_call("POST", "/v1/signups", signup_body(f"{unique('spam')}@x.nl"), source_ip=source)[0] == 201
    address = f"{unique('spam')}@x.nl"
    over = aws.api_call("POST", "/v1/signups", signup_body(address), source_ip=source)
    assert_problem(over, 429, "too_many_attempts")
    assert 1 <= retry_after(over) <= 3600
    assert aws.mail(address) == []
    assert aws.api_call("POST", "/v1/signups", signup_body(address), source_ip="203.0.113.61")[0] == 201


def test_wrong_codes_are_limited_per_source_across_signups(aws: LocalAws, strict: None) -> None:
    guesser = "203.0.113.80"
    urls = []
    for n in range(4):
        email = f"{unique('guess')}@x.nl"
        status, _, signup = aws.api_call("POST", "/v1/signups", signup_body(email), source_ip=f"203.0.113.{90 + n}")
        assert status == 201, signup
        good = code_from_mail(aws, email)
        urls.append((f"/v1/signups/{signup['signup_id']}/confirmation", good, "000000" if good != "000000" else "111111"))
    for url, _, wrong in urls[:3]:
        assert_problem(aws.api_call("POST", url, {"code": wrong}, source_ip=guesser), 422, "invalid_confirmation_code")
    url, good, wrong = urls[3]
    over = aws.api_call("POST", url, {"code": wrong}, source_ip=guesser)
    assert_problem(over, 429, "too_many_attempts")
    assert 1 <= retry_after(over) <= 3600
    # The signup itself was not charged: its owner confirms from their own network.
    status, _, confirmed = aws.api_call("POST", url, {"code": good}, source_ip="203.0.113.99")
    assert status == 200 and confirmed["status"] == "confirmed"
