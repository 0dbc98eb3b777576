"""The helpers every simulator shares: refusals in the package's shape, OAuth wiring, guids, cents, uploads, dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

import pytest
import requests
from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from boekstuk_local.simulators.base import (
    JsonDict,
    OAuthSettings,
    OAuthSimulator,
    RateLimiter,
    Refusal,
    SimClock,
    SimulatorServer,
    cents,
    complete_oauth_login,
    decode_base64,
    guid_factory,
    iso_datetime,
    json_response,
    parse_iso_date,
)


class TeapotRefusal(Refusal):
    def response(self) -> Response:
        return json_response({"teapot": self.message}, self.status)


class TinyOAuth(OAuthSimulator):
    package_id = "tiny"
    title = "Tiny"
    token_prefix = "tiny"
    app_registration: ClassVar[dict[str, str]] = {"client_id": "cid", "client_secret": "secret"}
    demo_login: ClassVar[dict[str, str]] = {"username": "u@tiny.test", "password": "pw-123"}

    def __init__(self) -> None:
        super().__init__(oauth=OAuthSettings(access_ttl=600))

    def initial_state(self) -> JsonDict:
        return {"administrations": {"A1": {}}}

    def rules(self) -> list[Rule]:
        return [Rule("/auth", endpoint="authorize", methods=["GET", "POST"]),
                Rule("/token", endpoint="token", methods=["POST"]),
                Rule("/refuse", endpoint="refuse", methods=["GET"])]

    def refuse(self, request: Request) -> Response:
        raise TeapotRefusal(418, "deep down in a helper")


def test_an_oauth_simulator_logs_in_its_demo_user_for_its_registration() -> None:
    with SimulatorServer(TinyOAuth()) as server:
        url = f"{server.base_url}/auth?client_id=cid&redirect_uri=http://app.test/cb&response_type=code&state=s"
        code, state = complete_oauth_login(url, "u@tiny.test", "pw-123")
        tokens = requests.post(f"{server.base_url}/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": "http://app.test/cb",
            "client_id": "cid", "client_secret": "secret"}, timeout=5).json()
        assert state == "s" and tokens["access_token"].startswith("tiny-at-") and tokens["expires_in"] == 600
        with pytest.raises(ValueError, match="login refused|status 200"):
            complete_oauth_login(url, "u@tiny.test", "wrong")


def test_a_refusal_raised_below_a_route_is_answered_in_the_package_shape() -> None:
    with SimulatorServer(TinyOAuth()) as server:
        answer = requests.get(f"{server.base_url}/refuse", timeout=5)
        assert (answer.status_code, answer.json()) == (418, {"teapot": "deep down in a helper"})


def test_guids_are_deterministic_per_namespace() -> None:
    exact = guid_factory("6f1f5a52-4d8a-4a8e-9b1e-0e7c3c2a1001")
    other = guid_factory("0b7d2c4e-5a61-4f39-8e0a-3c1d2b4a5e02")
    # The Exact simulator's id of GL account 4300 in division 300001, as it always was (saved states keep it).
    assert exact(300001, "gl", "4300") == "ca6f7eab-f18a-502b-8886-250796c3c897"
    assert other(300001, "gl", "4300") != exact(300001, "gl", "4300")


@pytest.mark.parametrize(("value", "amount"), [
    (100, Decimal("100.00")), ("12.345", Decimal("12.35")), (Decimal("-0.005"), Decimal("-0.01")),
    (121.0, Decimal("121.00")),
])
def test_cents_round_half_up(value: object, amount: Decimal) -> None:
    assert cents(value) == amount


@pytest.mark.parametrize("value", [None, "", "twaalf", True, "NaN", "Infinity", [1]])
def test_what_is_no_amount_raises_value_error(value: object) -> None:
    with pytest.raises(ValueError):
        cents(value)


def test_uploads_decode_or_are_none() -> None:
    assert decode_base64("JVBERi0xLjQ=") == b"%PDF-1.4"
    assert decode_base64("not base64!") is None
    assert decode_base64(None) == b""  # empty: the caller says which field is missing


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-03-01T00:00:00", dt.date(2024, 3, 1)), ("2024-03-01", dt.date(2024, 3, 1)),
    ("2024-03-01T23:00:00Z", dt.date(2024, 3, 1)), ("1-3-2024", None), ("", None), (None, None), (20240301, None),
])
def test_request_dates_are_iso(value: object, expected: dt.date | None) -> None:
    assert parse_iso_date(value) == expected


def test_iso_datetime_of_a_date_and_a_datetime() -> None:
    assert iso_datetime(dt.date(2024, 3, 1)) == "2024-03-01T00:00:00"
    assert iso_datetime(dt.datetime(2024, 3, 1, 9, 5, 7, 123456, tzinfo=dt.UTC)) == "2024-03-01T09:05:07"


def test_retry_after_header_counts_whole_seconds() -> None:
    clock = SimClock(start=1_000.0)
    limiter = RateLimiter(1, 60, clock)
    limiter.hit("k")
    refused = limiter.hit("k")
    clock.advance(29.5)
    assert not refused.allowed and limiter.retry_after(refused) == {"Retry-After": "31"}
