"""Throttled guessing through the template's routes: logins per user and per source.

Every test sends from its own documentation address (RFC 5737) so the per-source counters of one test never
reach another; the numbers come from the ``THROTTLING`` setting, so a test needs a handful of requests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from boekstuk.local.testing import LocalAws
from tests.integration.conftest import PASSWORD, assert_problem, onboarded_office
from tests.throttling import throttling

WRONG = "wrong wrong wrong"


@pytest.fixture()
def strict(aws: LocalAws) -> Iterator[None]:
    """Small numbers: a user waits 300 s after 5 failures, a source may fail 3 times."""
    with throttling(login_user={"free_failures": 5, "base_seconds": 300},
                    login_source=[{"limit": 3, "window_seconds": 900}]):
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
