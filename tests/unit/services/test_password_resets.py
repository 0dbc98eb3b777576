"""Password reset against fakes (the throttle counters on moto, see conftest): the code by mail, its expiry and
single use, wrong codes voiding the reset, unknown users answered alike, sessions ended, limits."""

from __future__ import annotations

import re
import threading

import pytest

from boekstuk.adapters.dynamodb import DynamoThrottleStore
from boekstuk.adapters.dynamodb_sessions import DynamoSessionRegistry
from boekstuk.domain import errors
from boekstuk.domain.onboarding import User
from boekstuk.domain.throttling import ThrottlePolicy
from boekstuk.services.password_resets import (
    MIN_REQUEST_SECONDS,
    PasswordResetConfirmation,
    PasswordResetRequest,
    PasswordResetService,
)
from boekstuk.services.sessions import LoginRequest, RefreshRequest, SessionCheck, SessionService
from boekstuk.services.throttling import Throttle
from tests.fakes import (
    FakeIdentity,
    FakeTimer,
    FixedClock,
    InMemoryOffices,
    InMemoryPasswordResets,
    InMemorySignups,
    RecordingMailer,
)

OLD = "correct horse battery"
NEW = "a brand new passphrase"
HOME = "192.0.2.1"


@pytest.fixture
def world(throttle_store: DynamoThrottleStore, session_registry: DynamoSessionRegistry) -> dict:
    clock, identity, mailer, timer = FixedClock(), FakeIdentity(), RecordingMailer(), FakeTimer()
    offices = InMemoryOffices(InMemorySignups())
    for username, email in (("sync", "anna@devries.nl"), ("piet", None)):
        identity.create_user("devries", username, OLD, email)
        offices.users[("devries", username)] = User(office_code="devries", username=username, role="admin",
                                                    email=email, created_at=clock.now())
    throttle = Throttle(throttle_store, clock)
    resets = InMemoryPasswordResets()
    service = PasswordResetService(offices, resets, identity, session_registry, mailer, clock, timer, throttle,
                                   ThrottlePolicy(), "https://app.example/")
    return {"service": service, "identity": identity, "mailer": mailer, "clock": clock, "timer": timer,
            "resets": resets, "sessions": SessionService(identity, session_registry, throttle, ThrottlePolicy(), clock),
            "check": SessionCheck(session_registry)}


def ask(world: dict, username: str = "sync", office: str = "devries", source_ip: str = HOME) -> None:
    world["service"].request(PasswordResetRequest(office_code=office, username=username), source_ip)


def confirm(world: dict, code: str, password: str = NEW, username: str = "sync", source_ip: str = HOME) -> None:
    world["service"].confirm(PasswordResetConfirmation(office_code="devries", username=username, code=code,
                                                       new_password=password), source_ip)


def mailed_code(world: dict) -> str:
    match = re.search(r"\b(\d{6})\b", world["mailer"].sent[-1].body)
    assert match, world["mailer"].sent[-1].body
    return match.group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_the_code_sets_a_new_password_and_ends_every_session(world: dict) -> None:
    before = world["sessions"].login(LoginRequest(office_code="devries", username="sync", password=OLD), HOME)
    ask(world, username=" Sync ", office="DeVries")
    mail = world["mailer"].sent[-1]
    assert mail.to == "anna@devries.nl" and "30 minuten" in mail.body
    assert "https://app.example/#/password-reset" in mail.body
    confirm(world, mailed_code(world))
    with pytest.raises(errors.InvalidCredentials):
        world["identity"].login("devries", "sync", OLD)
    assert world["identity"].login("devries", "sync", NEW).access_token
    with pytest.raises(errors.InvalidCredentials):  # the session from before the reset is over
        world["sessions"].refresh(RefreshRequest(refresh_token=before.refresh_token))
    with pytest.raises(errors.Unauthorized):  # and its unexpired access token is refused from now on
        world["check"].require_open("devries", "sync", world["identity"].session_of[before.access_token])
    after = world["sessions"].login(LoginRequest(office_code="devries", username="sync", password=NEW), HOME)
    world["check"].require_open("devries", "sync", world["identity"].session_of[after.access_token])
    assert world["mailer"].sent[-1].subject == "Uw wachtwoord is gewijzigd"


def test_office_code_and_username_are_never_mailed(world: dict) -> None:
    ask(world)
    confirm(world, mailed_code(world))
    for mail in world["mailer"].sent:
        assert "devries" not in (mail.subject + mail.body).replace("anna@devries.nl", "")
        assert "sync" not in mail.subject + mail.body


def test_a_code_works_once(world: dict) -> None:
    ask(world)
    code = mailed_code(world)
    confirm(world, code)
    with pytest.raises(errors.InvalidResetCode) as again:
        confirm(world, code, password="yet another passphrase")
    assert again.value.code == "invalid_code"


def test_a_code_expires_after_thirty_minutes(world: dict) -> None:
    ask(world)
    code = mailed_code(world)
    world["clock"].advance(minutes=30)
    with pytest.raises(errors.InvalidResetCode):
        confirm(world, code)


def test_a_new_request_replaces_the_code(world: dict) -> None:
    ask(world)
    first = mailed_code(world)
    ask(world)
    second = mailed_code(world)
    if first != second:
        with pytest.raises(errors.InvalidResetCode):
            confirm(world, first)
    confirm(world, second)


def test_five_wrong_codes_void_the_reset(world: dict) -> None:
    ask(world)
    code = mailed_code(world)
    for left in (4, 3, 2, 1, 0):
        with pytest.raises(errors.InvalidResetCode) as bad:
            confirm(world, wrong(code))
        assert bad.value.extra["attempts_left"] == left
    world["clock"].advance(seconds=5)  # past the user's wait after five failures: the reset itself is void
    with pytest.raises(errors.TooManyAttempts) as void:
        confirm(world, code)
    assert void.value.code == "too_many_attempts"
    assert world["identity"].login("devries", "sync", OLD)


def test_wrong_codes_make_the_user_wait_like_failed_logins_across_resets(world: dict) -> None:
    ask(world)
    for _ in range(5):
        with pytest.raises(errors.InvalidResetCode):
            confirm(world, wrong(mailed_code(world)))
    ask(world)  # a fresh reset, but the user's failures are remembered
    with pytest.raises(errors.ResetThrottled) as waiting:
        confirm(world, mailed_code(world))
    assert waiting.value.retry_after == 1
    world["clock"].advance(seconds=1)
    confirm(world, mailed_code(world))


def test_a_weak_password_keeps_the_code(world: dict) -> None:
    ask(world)
    code = mailed_code(world)
    with pytest.raises(errors.WeakPassword):
        confirm(world, code, password="too short")
    confirm(world, code)


def test_a_weak_password_refused_by_the_identity_provider_keeps_the_code(world: dict,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    ask(world)
    code = mailed_code(world)

    def refuse(office_code: str, username: str, password: str) -> None:
        raise errors.WeakPassword()

    monkeypatch.setattr(world["identity"], "set_password", refuse)
    with pytest.raises(errors.WeakPassword):
        confirm(world, code)
    monkeypatch.undo()
    confirm(world, code)


def test_an_unknown_user_gets_the_same_answers_and_no_mail(world: dict) -> None:
    ask(world, username="nobody")
    ask(world, office="elsewhere")
    assert world["mailer"].sent == []
    for left in (4, 3, 2, 1, 0):
        with pytest.raises(errors.InvalidResetCode) as bad:
            confirm(world, "123456", username="nobody")
        assert bad.value.extra["attempts_left"] == left
    world["clock"].advance(seconds=5)
    with pytest.raises(errors.TooManyAttempts):
        confirm(world, "123456", username="nobody")


def test_a_user_without_an_e_mail_address_gets_no_mail(world: dict) -> None:
    ask(world, username="piet")
    assert world["mailer"].sent == []


def test_every_request_takes_as_long_known_or_not(world: dict) -> None:
    timer: FakeTimer = world["timer"]
    ask(world)
    ask(world, username="nobody")
    assert timer.slept == [MIN_REQUEST_SECONDS, MIN_REQUEST_SECONDS]
    # Work that took part of the floor already is not waited for again.
    world["mailer"].send = lambda to, subject, body: setattr(timer, "now", timer.now + 0.3)
    ask(world)
    assert timer.slept[-1] == pytest.approx(MIN_REQUEST_SECONDS - 0.3)


def test_requests_are_limited_per_user_and_per_source(world: dict) -> None:
    for _ in range(3):
        ask(world)
    with pytest.raises(errors.ResetThrottled) as limited:
        ask(world, source_ip="198.51.100.1")
    assert limited.value.code == "too_many_attempts" and limited.value.retry_after
    for n in range(27):
        ask(world, username=f"nobody{n}")
    with pytest.raises(errors.ResetThrottled):
        ask(world, username="piet")  # the source's 30 an hour are spent (over all users)
    ask(world, username="piet", source_ip="198.51.100.2")


def test_wrong_codes_are_limited_per_source_over_all_users(world: dict) -> None:
    for n in range(30):
        ask(world, username=f"user{n}", source_ip=f"198.51.100.{n}")
        with pytest.raises(errors.InvalidResetCode):
            confirm(world, "000000", username=f"user{n}")
    ask(world)
    with pytest.raises(errors.ResetThrottled):
        confirm(world, mailed_code(world))
    confirm(world, mailed_code(world), source_ip="203.0.113.9")


def test_two_simultaneous_confirmations_with_the_code_one_wins(world: dict) -> None:
    ask(world)
    code = mailed_code(world)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def run(password: str, source_ip: str) -> None:
        start.wait()
        try:
            confirm(world, code, password=password, source_ip=source_ip)
            outcomes.append("ok")
        except (errors.InvalidResetCode, errors.ResetThrottled):
            outcomes.append("refused")

    threads = [threading.Thread(target=run, args=(f"passphrase number {n}", f"198.51.100.{n}")) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
