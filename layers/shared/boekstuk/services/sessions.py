"""Login (through the identity provider; we store no passwords), token refresh, logout and office users."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from boekstuk.domain import errors
from boekstuk.domain.onboarding import (
    OpenSession,
    Role,
    SessionTokens,
    User,
    checked_login,
    hash_secret,
    normalise_office_code,
)
from boekstuk.domain.throttling import ThrottlePolicy, source_key
from boekstuk.domain.timestamps import api_timestamp
from boekstuk.ports import Clock, IdentityProvider, OfficeRepository, SessionRegistry
from boekstuk.services.access import require_admin, require_member
from boekstuk.services.throttling import Budget, Subject, Throttle


class LoginRequest(BaseModel):
    office_code: str = Field(min_length=1, max_length=60)
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=4096)


class LogoutRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=4096)


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str | None = None
    expires_in: int
    token_type: Literal["Bearer"] = "Bearer"


class CreateUserRequest(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    username: str = Field(min_length=1, max_length=64)
    email: EmailStr | None = None
    role: Literal["admin", "approver", "submitter"]
    password: str = Field(min_length=1, max_length=256)


class UserView(BaseModel):
    username: str
    email: str | None
    role: Role
    is_admin: bool
    created_at: str

    @classmethod
    def of(cls, user: User) -> UserView:
        """The API view of a user."""
        return cls(
            username=user.username,
            email=user.email,
            role=user.role,
            is_admin=user.is_admin,
            created_at=api_timestamp(user.created_at),
        )


class UserList(BaseModel):
    users: list[UserView]


# template.yaml's RefreshTokenValidity: no access token of a session outlives it, so neither need its record.
SESSION_DAYS = 30
REFRESH_TOKEN_SALT = "refresh-token"


def refresh_token_hash(refresh_token: str) -> str:
    """The digest a session is found by at logout (the token itself is never stored)."""
    return hash_secret(refresh_token, REFRESH_TOKEN_SALT)


def _login_throttled(retry_after: int) -> errors.LoginThrottled:
    return errors.LoginThrottled(retry_after=retry_after)


class SessionService:
    """Login and refresh. Any wrong part of a login answers the same ``InvalidCredentials``; failed logins are
    throttled per user (growing waits) and per source (failures per window), the same for unknown users."""

    def __init__(self, identity: IdentityProvider, registry: SessionRegistry, throttle: Throttle,
                 limits: ThrottlePolicy, clock: Clock) -> None:
        self._identity = identity
        self._registry = registry
        self._throttle = throttle
        self._limits = limits
        self._clock = clock

    def login(self, request: LoginRequest, source_ip: str) -> TokenResponse:
        """Tokens for a valid (office, username, password) from ``source_ip``; ``LoginThrottled`` while waiting."""
        office = normalise_office_code(request.office_code)
        username = request.username.strip().lower()
        with self._throttle.guess(
            source=Budget("login-source", source_key(source_ip), self._limits.login_source),
            subject=Subject("login-user", f"{office}:{username}", self._limits.login_user),
            failed=(errors.InvalidCredentials,),
            refused=_login_throttled,
        ):
            tokens = self._identity.login(office, username, request.password)
        self._open(office, username, tokens)
        return TokenResponse(
            access_token=tokens.access_token, refresh_token=tokens.refresh_token, expires_in=tokens.expires_in
        )

    def refresh(self, request: RefreshRequest) -> TokenResponse:
        """A fresh access token for a valid refresh token, answered like a login: the refresh token to keep
        using is the one given, unless the identity provider rotated it."""
        digest = refresh_token_hash(request.refresh_token)
        if not self._registry.holds(digest):
            # A session we have no record of (ended, or opened before sessions were recorded) gives no new access
            # token: each would be refused anyway, and a client told so at refresh asks its user to log in. (No
            # call to Cognito for it: anyone may post any string here.)
            raise errors.InvalidCredentials("The session has ended. Log in again.")
        tokens = self._identity.refresh(request.refresh_token)
        return TokenResponse(access_token=tokens.access_token,
                             refresh_token=tokens.refresh_token or request.refresh_token, expires_in=tokens.expires_in)

    def logout(self, request: LogoutRequest) -> None:
        """End the session the refresh token belongs to: its access tokens are refused from the next request on
        and the refresh token refreshes no more. A token that is already dead is no error."""
        self._registry.close(refresh_token_hash(request.refresh_token))
        self._identity.revoke(request.refresh_token)

    def _open(self, office: str, username: str, tokens: SessionTokens) -> None:
        if not tokens.refresh_token:  # Cognito always gives one at login; without it no logout could find it
            raise RuntimeError("the identity provider gave no refresh token at login")
        now = self._clock.now()
        self._registry.open(OpenSession(office_code=office, username=username, session_id=tokens.session_id,
                                        refresh_token_hash=refresh_token_hash(tokens.refresh_token), opened_at=now,
                                        expires_at=now + dt.timedelta(days=SESSION_DAYS)))


class SessionCheck:
    """Whether a request's token belongs to a session that has not ended (logout, password change). API Gateway's
    authorizer checks only signature and expiry, and Cognito's revocation binds only Cognito's own APIs."""

    def __init__(self, registry: SessionRegistry) -> None:
        self._registry = registry

    def require_open(self, office_code: str, username: str, session_id: str) -> None:
        """``Unauthorized`` unless that user's session is open."""
        if not session_id or not self._registry.is_open(office_code, username, session_id):
            raise errors.Unauthorized("The session has ended. Log in again.")


class UserService:
    """Office users and roles. Only office admins (the sync user included) add users."""

    def __init__(self, offices: OfficeRepository, identity: IdentityProvider, clock: Clock) -> None:
        self._offices = offices
        self._identity = identity
        self._clock = clock

    def create_user(self, office_code: str, caller: str, request: CreateUserRequest) -> UserView:
        """Add a user with a role; the login is created in the identity provider."""
        require_admin(self._offices, office_code, caller)
        username = checked_login(request.username, request.password)
        if self._offices.get_user(office_code, username) is not None:
            raise errors.UsernameTaken()
        user = User(
            office_code=office_code,
            username=username,
            role=request.role,
            email=str(request.email).lower() if request.email else None,
            created_at=self._clock.now(),
        )
        self._identity.create_user(office_code, username, request.password, user.email)
        try:
            self._offices.add_user(user)
        except errors.DomainError:
            self._identity.delete_user(office_code, username)
            raise
        return UserView.of(user)

    def list_users(self, office_code: str, caller: str) -> UserList:
        """All users of the caller's office."""
        require_member(self._offices, office_code, caller)
        return UserList(users=[UserView.of(u) for u in self._offices.list_users(office_code)])

    def me(self, office_code: str, caller: str) -> UserView:
        """The calling user."""
        return UserView.of(require_member(self._offices, office_code, caller))
