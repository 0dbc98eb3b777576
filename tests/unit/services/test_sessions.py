"""Login, throttling, refresh and office users against fakes (the throttle counters on moto, see conftest)."""

from __future__ import annotations

import threading

import pytest

from boekstuk.adapters.dynamodb import DynamoThrottleStore
from boekstuk.adapters.dynamodb_sessions import DynamoSessionRegistry
from boekstuk.domain import errors
from boekstuk.domain.onboarding import SessionTokens, User
from boekstuk.domain.throttling import ThrottlePolicy
from boekstuk.services.sessions import (
    CreateUserRequest,
    LoginRequest,
    LogoutRequest,
    RefreshRequest,
    SessionCheck,
    SessionService,
    TokenResponse,
    UserService,
)
from boekstuk.services.throttling import Throttle
from tests.fakes import FakeIdentity, FixedClock, InMemoryOffices, InMemorySignups

PASSWORD = "correct horse battery"
WRONG = "wrong password!"
HOME = "192.0.2.1"


class Sessions:
    """The service with the caller's address filled in, as the handler does."""

    def __init__(self, service: SessionService) -> None:
        self.service = service

    def login(self, request: LoginRequest, source_ip: str = HOME) -> TokenResponse:
        return self.service.login(request, source_ip)

    def refresh(self, request: RefreshRequest) -> TokenResponse:
        return self.service.refresh(request)


@pytest.fixture
def world(throttle_store: DynamoThrottleStore, session_registry: DynamoSessionRegistry) -> dict:
    identity = FakeIdentity()
    clock = FixedClock()
    offices = InMemoryOffices(InMemorySignups())
    identity.create_user("devries", "sync", PASSWORD, None)
    offices.users[("devries", "sync")] = User(office_code="devries", username="sync", role="sync_user", created_at=clock.now())
    sessions = SessionService(identity, session_registry, Throttle(throttle_store, clock), ThrottlePolicy(), clock)
    return {"sessions": Sessions(sessions), "users": UserService(offices, identity, clock),
            "clock": clock, "identity": identity, "check": SessionCheck(session_registry)}


def attempt(world: dict, password: str, username: str = "sync", source_ip: str = HOME) -> str | int:
    """``"ok"``, ``"invalid"``, or the ``Retry-After`` seconds of a throttled login."""
    try:
        world["sessions"].login(LoginRequest(office_code="devries", username=username, password=password), source_ip)
    except errors.InvalidCredentials:
        return "invalid"
    except errors.LoginThrottled as exc:
        assert exc.code == "too_many_attempts" and exc.retry_after is not None
        return exc.retry_after
    return "ok"


def test_login_returns_bearer_tokens(world: dict) -> None:
    tokens = world["sessions"].login(LoginRequest(office_code="DeVries", username="SYNC", password=PASSWORD))
    assert tokens.token_type == "Bearer" and tokens.expires_in == 3600 and tokens.refresh_token
    assert world["sessions"].refresh(RefreshRequest(refresh_token=tokens.refresh_token)).access_token


@pytest.mark.parametrize("office,username,password", [("other", "sync", PASSWORD), ("devries", "nobody", PASSWORD),
                                                      ("devries", "sync", "wrong password!")])
def test_any_wrong_part_is_the_same_invalid_credentials(world: dict, office: str, username: str, password: str) -> None:
    with pytest.raises(errors.InvalidCredentials) as exc:
        world["sessions"].login(LoginRequest(office_code=office, username=username, password=password))
    assert exc.value.code == "invalid_credentials" and exc.value.detail == errors.InvalidCredentials.default_detail


def test_five_failures_then_the_user_waits_a_second_and_the_right_password_works(world: dict) -> None:
    assert [attempt(world, WRONG) for _ in range(5)] == ["invalid"] * 5
    # Even the right password is not checked while the user waits.
    assert attempt(world, PASSWORD) == 1
    world["clock"].advance(seconds=1)
    assert attempt(world, PASSWORD) == "ok"
    # The success started the user afresh: five free failures again.
    assert [attempt(world, WRONG) for _ in range(5)] == ["invalid"] * 5


def test_the_waits_double_up_to_fifteen_minutes_and_the_owner_still_gets_in(world: dict) -> None:
    for _ in range(5):
        attempt(world, WRONG)
    waits = []
    for _ in range(12):
        wait = attempt(world, WRONG)
        assert isinstance(wait, int)
        waits.append(wait)
        world["clock"].advance(seconds=wait)
        assert attempt(world, WRONG) == "invalid"
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
    assert attempt(world, PASSWORD) == 900
    world["clock"].advance(seconds=899)
    assert attempt(world, PASSWORD) == 1
    world["clock"].advance(seconds=1)
    assert attempt(world, PASSWORD) == "ok"


def test_an_unknown_user_gets_exactly_the_answers_of_a_known_one(world: dict) -> None:
    def sequence(username: str) -> list[object]:
        answers: list[object] = []
        for n in range(9):
            try:
                world["sessions"].login(LoginRequest(office_code="devries", username=username, password=WRONG),
                                        f"198.51.100.{n}")
            except errors.DomainError as exc:
                answers.append((type(exc), exc.code, exc.detail, getattr(exc, "retry_after", None)))
            if n in (6, 7):
                world["clock"].advance(seconds=1)
        return answers

    start = world["clock"].now()
    known = sequence("sync")
    world["clock"].current = start
    unknown = sequence("nobody")
    assert known == unknown
    assert [a[0] for a in known] == [errors.InvalidCredentials] * 5 + [errors.LoginThrottled] * 2 + [
        errors.InvalidCredentials, errors.LoginThrottled]


def test_one_source_spraying_one_password_over_many_usernames_is_throttled(world: dict) -> None:
    spray = "203.0.113.9"
    # Successful logins cost a source nothing (an office behind one address logs in all day).
    assert [attempt(world, PASSWORD, source_ip=spray) for _ in range(40)] == ["ok"] * 40
    assert [attempt(world, PASSWORD, username=f"user{n}", source_ip=spray) for n in range(30)] == ["invalid"] * 30
    assert attempt(world, PASSWORD, username="user30", source_ip=spray) == 15 * 60
    # The refused attempt did not count for its user, and other sources are not affected.
    assert [attempt(world, PASSWORD, username="user30", source_ip="203.0.113.10") for _ in range(5)] == ["invalid"] * 5
    world["clock"].advance(minutes=15)
    assert attempt(world, PASSWORD, username="user31", source_ip=spray) == "invalid"


def test_a_source_may_fail_two_hundred_times_a_day(world: dict) -> None:
    spray = "203.0.113.11"
    failures = 0
    while failures < 200:
        for _ in range(30):
            assert attempt(world, WRONG, username=f"user{failures}", source_ip=spray) == "invalid"
            failures += 1
            if failures == 200:
                break
        world["clock"].advance(minutes=15)
    # 09:00 plus seven quarters: the day's window ends at midnight UTC.
    assert attempt(world, WRONG, username="next", source_ip=spray) == (24 - 9) * 3600 - 7 * 15 * 60


def test_ipv6_sources_count_per_64_network(world: dict) -> None:
    for n in range(30):
        assert attempt(world, WRONG, username=f"u{n}", source_ip=f"2001:db8:1:2::{n + 1:x}") == "invalid"
    assert isinstance(attempt(world, WRONG, username="u30", source_ip="2001:db8:1:2:ffff::1"), int)
    assert attempt(world, WRONG, username="u30", source_ip="2001:db8:1:3::1") == "invalid"


def test_simultaneous_guesses_at_a_waiting_user_get_one_check(world: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(5):
        attempt(world, WRONG)
    world["clock"].advance(seconds=1)
    # Every guess that gets through is held at the identity provider until all eight have been answered or
    # are held there, so no verdict can be recorded before the others claimed their turn.
    state = threading.Condition()
    held, done = [0], [0]
    check = world["identity"].login

    def slow_login(office_code: str, username: str, password: str) -> SessionTokens:
        with state:
            held[0] += 1
            state.notify_all()
            state.wait_for(lambda: held[0] + done[0] == 8, timeout=10)
        return check(office_code, username, password)

    monkeypatch.setattr(world["identity"], "login", slow_login)
    answers: list[object] = []

    def guess(n: int) -> None:
        answer = attempt(world, f"guess number {n}", source_ip=f"198.51.100.{n}")
        with state:
            answers.append(answer)
            if answer != "invalid":
                done[0] += 1
            state.notify_all()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers.count("invalid") == 1 and answers.count(1) == 7, answers


def test_a_day_without_attempts_forgets_the_failures(world: dict) -> None:
    for _ in range(10):
        attempt(world, WRONG)
        world["clock"].advance(minutes=10)
    world["clock"].advance(hours=24)
    assert [attempt(world, WRONG) for _ in range(5)] == ["invalid"] * 5
    assert attempt(world, WRONG) == 1


def test_an_outage_is_not_a_failed_guess(world: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    def down(office_code: str, username: str, password: str) -> SessionTokens:
        raise ConnectionError("identity provider unreachable")

    with monkeypatch.context() as patch:
        patch.setattr(world["identity"], "login", down)
        for _ in range(10):
            with pytest.raises(ConnectionError):
                world["sessions"].login(LoginRequest(office_code="devries", username="sync", password=PASSWORD))
    assert [attempt(world, WRONG) for _ in range(5)] == ["invalid"] * 5
    assert attempt(world, PASSWORD) == 1


def test_bad_refresh_token(world: dict) -> None:
    with pytest.raises(errors.InvalidCredentials):
        world["sessions"].refresh(RefreshRequest(refresh_token="nonsense"))


def test_refresh_answers_like_login_with_the_refresh_token_to_keep(world: dict) -> None:
    tokens = world["sessions"].login(LoginRequest(office_code="devries", username="sync", password=PASSWORD))
    refreshed = world["sessions"].refresh(RefreshRequest(refresh_token=tokens.refresh_token))
    assert refreshed.refresh_token == tokens.refresh_token and refreshed.token_type == "Bearer"
    assert refreshed.access_token and refreshed.expires_in == 3600


def test_logout_revokes_only_that_refresh_token(world: dict) -> None:
    login = LoginRequest(office_code="devries", username="sync", password=PASSWORD)
    phone, laptop = world["sessions"].login(login), world["sessions"].login(login)
    world["sessions"].service.logout(LogoutRequest(refresh_token=phone.refresh_token))
    with pytest.raises(errors.InvalidCredentials):
        world["sessions"].refresh(RefreshRequest(refresh_token=phone.refresh_token))
    assert world["sessions"].refresh(RefreshRequest(refresh_token=laptop.refresh_token)).access_token
    # Logging out again, or with a token that never was, is no error.
    world["sessions"].service.logout(LogoutRequest(refresh_token=phone.refresh_token))
    world["sessions"].service.logout(LogoutRequest(refresh_token="nonsense"))


def _is_open(world: dict, access_token: str, office: str = "devries", username: str = "sync") -> bool:
    """What the API's per-request check answers for this token (its claims carry the session id)."""
    try:
        world["check"].require_open(office, username, world["identity"].session_of[access_token])
    except errors.Unauthorized:
        return False
    return True


def test_logout_ends_that_sessions_access_tokens_at_once_and_only_those(world: dict) -> None:
    login = LoginRequest(office_code="devries", username="sync", password=PASSWORD)
    phone, laptop = world["sessions"].login(login), world["sessions"].login(login)
    refreshed = world["sessions"].refresh(RefreshRequest(refresh_token=phone.refresh_token))
    assert _is_open(world, phone.access_token) and _is_open(world, refreshed.access_token)
    world["sessions"].service.logout(LogoutRequest(refresh_token=phone.refresh_token))
    # the access tokens the phone holds are unexpired, yet refused: the session they belong to has ended
    assert not _is_open(world, phone.access_token) and not _is_open(world, refreshed.access_token)
    assert _is_open(world, laptop.access_token)


def test_a_refresh_token_without_an_open_session_refreshes_nothing(world: dict,
                                                                    session_registry: DynamoSessionRegistry) -> None:
    tokens = world["sessions"].login(LoginRequest(office_code="devries", username="sync", password=PASSWORD))
    # as for a session opened before sessions were recorded: Cognito would still refresh it, the API does not
    session_registry.close_all("devries", "sync")
    assert tokens.refresh_token in world["identity"].refresh_tokens
    with pytest.raises(errors.InvalidCredentials):
        world["sessions"].refresh(RefreshRequest(refresh_token=tokens.refresh_token))


def test_a_session_belongs_to_its_user(world: dict) -> None:
    tokens = world["sessions"].login(LoginRequest(office_code="devries", username="sync", password=PASSWORD))
    assert not _is_open(world, tokens.access_token, username="piet")
    assert not _is_open(world, tokens.access_token, office="jansen")
    with pytest.raises(errors.Unauthorized):
        world["check"].require_open("devries", "sync", "")  # a token without a session id (no origin_jti)


def test_admins_add_users_with_roles(world: dict) -> None:
    view = world["users"].create_user("devries", "sync", CreateUserRequest(username="Piet", email="piet@devries.nl",
                                                                          role="approver", password=PASSWORD))
    assert (view.username, view.role, view.is_admin) == ("piet", "approver", False)
    assert [u.username for u in world["users"].list_users("devries", "sync").users] == ["piet", "sync"]
    assert world["identity"].login("devries", "piet", PASSWORD)
    with pytest.raises(errors.UsernameTaken):
        world["users"].create_user("devries", "sync", CreateUserRequest(username="piet", role="submitter", password=PASSWORD))
    with pytest.raises(errors.NotAnAdmin):
        world["users"].create_user("devries", "piet", CreateUserRequest(username="klaas", role="submitter", password=PASSWORD))
    with pytest.raises(errors.WeakPassword):
        world["users"].create_user("devries", "sync", CreateUserRequest(username="klaas", role="admin", password="short"))
    assert world["users"].me("devries", "piet").role == "approver"
