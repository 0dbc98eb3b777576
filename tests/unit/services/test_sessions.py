"""Login, throttling, refresh and office users against fakes."""

from __future__ import annotations

import pytest

from boekstuk.domain import errors
from boekstuk.domain.onboarding import User
from boekstuk.services.sessions import (
    CreateUserRequest,
    LoginRequest,
    RefreshRequest,
    SessionService,
    UserService,
)
from tests.fakes import FakeIdentity, FixedClock, InMemoryLoginGuard, InMemoryOffices, InMemorySignups

PASSWORD = "correct horse battery"


@pytest.fixture
def world() -> dict:
    identity = FakeIdentity()
    clock = FixedClock()
    offices = InMemoryOffices(InMemorySignups())
    identity.create_user("devries", "sync", PASSWORD, None)
    offices.users[("devries", "sync")] = User(office_code="devries", username="sync", role="sync_user", created_at=clock.now())
    return {"sessions": SessionService(identity, InMemoryLoginGuard(), clock), "users": UserService(offices, identity, clock),
            "clock": clock, "identity": identity}


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


def test_repeated_failures_are_throttled_then_the_window_lapses(world: dict) -> None:
    bad = LoginRequest(office_code="devries", username="sync", password="wrong password!")
    for _ in range(5):
        with pytest.raises(errors.InvalidCredentials):
            world["sessions"].login(bad)
    with pytest.raises(errors.LoginThrottled):
        world["sessions"].login(LoginRequest(office_code="devries", username="sync", password=PASSWORD))
    world["clock"].advance(minutes=16)
    assert world["sessions"].login(LoginRequest(office_code="devries", username="sync", password=PASSWORD)).access_token


def test_bad_refresh_token(world: dict) -> None:
    with pytest.raises(errors.InvalidCredentials):
        world["sessions"].refresh(RefreshRequest(refresh_token="nonsense"))


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
