"""The throttling rules, the settings that carry them, and the DynamoDB counters' edge cases."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from boekstuk.adapters.dynamodb import DynamoThrottleStore
from boekstuk.domain import errors
from boekstuk.domain.throttling import (
    Backoff,
    ThrottlePolicy,
    WindowLimit,
    counter_key,
    retry_after_seconds,
    source_key,
)
from boekstuk.services.throttling import Budget, Throttle
from boekstuk.settings import settings_from_env
from tests.fakes import FixedClock


def test_backoff_schedule_matches_cognito_and_is_capped() -> None:
    policy = Backoff()
    assert [policy.delay(n) for n in range(5)] == [0.0] * 5
    assert [policy.delay(n) for n in range(5, 16)] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900]
    assert policy.delay(10_000) == 900


@pytest.mark.parametrize(("address", "key"), [
    ("198.51.100.7", "198.51.100.7"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("::ffff:198.51.100.7", "198.51.100.7"),
    ("", "unknown"),
    ("not an address", "unknown"),
])
def test_sources_are_counted_by_address_or_ipv6_network(address: str, key: str) -> None:
    assert source_key(address) == key


def test_retry_after_is_whole_seconds_rounded_up_and_never_zero() -> None:
    assert [retry_after_seconds(s) for s in (0, 0.2, 1, 1.01, 899.5)] == [1, 1, 1, 2, 900]


def test_counter_keys_keep_no_plain_names() -> None:
    key = counter_key("signup-mail-address", "anna@devries.nl")
    assert key.startswith("signup-mail-address#") and "anna" not in key


def test_the_throttling_setting_overrides_single_fields() -> None:
    settings = settings_from_env({"THROTTLING": '{"login_user": {"base_seconds": 2}, '
                                                '"login_source": [{"limit": 3, "window_seconds": 60}]}'})
    assert settings.throttling.login_user == Backoff(base_seconds=2)
    assert settings.throttling.login_source == (WindowLimit(limit=3, window_seconds=60),)
    assert settings.throttling.signup_mail_address == ThrottlePolicy().signup_mail_address
    assert settings_from_env({}).throttling == ThrottlePolicy()


def test_a_window_counts_atomically_under_a_burst(throttle_store: DynamoThrottleStore) -> None:
    now = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    window = WindowLimit(limit=5, window_seconds=3600)
    barrier = threading.Barrier(12)
    allowed: list[bool] = []

    def claim() -> None:
        barrier.wait()
        allowed.append(throttle_store.claim_window("k", window, now).allowed)

    threads = [threading.Thread(target=claim) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert allowed.count(True) == 5


def test_a_refused_budget_spends_nothing(throttle_store: DynamoThrottleStore) -> None:
    clock = FixedClock()
    throttle = Throttle(throttle_store, clock)
    roomy = Budget("a", "x", (WindowLimit(limit=10, window_seconds=60),))
    tight = Budget("b", "y", (WindowLimit(limit=1, window_seconds=60),))
    throttle.spend([tight], refused=lambda wait: errors.TooManyRequests(retry_after=wait))
    for _ in range(3):
        with pytest.raises(errors.TooManyRequests):
            throttle.spend([roomy, tight], refused=lambda wait: errors.TooManyRequests(retry_after=wait))
    # The three refusals gave back what they had counted in the roomy budget: ten still fit.
    for _ in range(10):
        throttle.spend([roomy], refused=lambda wait: errors.TooManyRequests(retry_after=wait))
    with pytest.raises(errors.TooManyRequests) as exc:
        throttle.spend([roomy], refused=lambda wait: errors.TooManyRequests(retry_after=wait))
    assert exc.value.retry_after == 60


def test_a_lapsed_counter_that_ttl_has_not_removed_starts_afresh(throttle_store: DynamoThrottleStore) -> None:
    policy = Backoff(forget_after_seconds=3600)
    now = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    for n in range(8):
        claim = throttle_store.claim_backoff("k", policy, now)
        assert claim.allowed and claim.failures == n + 1
        throttle_store.backoff_failed(claim, policy, now)
        now += dt.timedelta(seconds=policy.delay(n + 1))
    later = now + dt.timedelta(hours=2)
    claim = throttle_store.claim_backoff("k", policy, later)
    assert claim.allowed and claim.failures == 1
