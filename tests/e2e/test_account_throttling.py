"""Login throttling over real HTTP: five wrong passwords, a 429 with Retry-After, then the right password works."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from boekstuk_local.stack import StackHandle
from tests.e2e.conftest import PASSWORD, Api, assert_problem, onboard
from tests.throttling import throttling

pytestmark = pytest.mark.e2e


@pytest.fixture()
def short_waits(stack: StackHandle) -> Iterator[None]:
    """The stack runs in this process: its handlers wait 2 s after five failures instead of 1 s, so the
    429 is seen however slow this machine is, and the test still waits only two seconds."""
    with throttling(login_user={"free_failures": 5, "base_seconds": 2}):
        yield


def test_a_throttled_login_says_when_to_retry_and_then_works(api: Api, short_waits: None) -> None:
    office, _ = onboard(api)
    credentials = {"office_code": office, "username": "sync"}
    for _ in range(5):
        assert_problem(api.call("POST", "/v1/sessions", {**credentials, "password": "wrong password!"}, auth=False),
                       401, "invalid_credentials")
    throttled = api.call("POST", "/v1/sessions", {**credentials, "password": PASSWORD}, auth=False)
    problem = assert_problem(throttled, 429, "too_many_attempts")
    retry_after = int(throttled.headers["Retry-After"])
    assert 1 <= retry_after <= 2, throttled.headers
    # An unknown user in the same state answers the same.
    for _ in range(5):
        api.call("POST", "/v1/sessions", {**credentials, "username": "nobody", "password": PASSWORD}, auth=False)
    unknown = api.call("POST", "/v1/sessions", {**credentials, "username": "nobody", "password": PASSWORD}, auth=False)
    assert assert_problem(unknown, 429, "too_many_attempts") == problem
    time.sleep(retry_after)  # what a client does with Retry-After; at most 2 s
    session = api.ok("POST", "/v1/sessions", {**credentials, "password": PASSWORD}, auth=False)
    assert session["access_token"]
    # The success started the user afresh: a typo is a plain 401 again.
    assert_problem(api.call("POST", "/v1/sessions", {**credentials, "password": "wrong password!"}, auth=False),
                   401, "invalid_credentials")
