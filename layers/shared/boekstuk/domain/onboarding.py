"""Signup, activation, offices and users: models and the pure rules of onboarding steps 1 and 2."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import Literal

from pydantic import BaseModel

from boekstuk.domain import errors

Plan = Literal["trial", "premium"]
Role = Literal["sync_user", "admin", "approver", "submitter"]
SignupStatus = Literal["pending_confirmation", "confirmed", "activated"]

TRIAL_DAYS = 30
CONFIRMATION_CODE_TTL = dt.timedelta(hours=24)
ACTIVATION_TOKEN_TTL = dt.timedelta(days=7)
MAX_CONFIRMATION_ATTEMPTS = 5
MIN_PASSWORD_LENGTH = 12
OFFICE_CODE_PATTERN = re.compile(r"^[a-z0-9-]{3,30}$")
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
ADMIN_ROLES: frozenset[str] = frozenset({"sync_user", "admin"})
DECIDING_ROLES: frozenset[str] = frozenset({"sync_user", "admin", "approver"})


class Signup(BaseModel):
    signup_id: str
    company_name: str
    contact_name: str
    email: str
    phone: str | None = None
    plan: Plan
    status: SignupStatus = "pending_confirmation"
    code_hash: str
    code_expires_at: dt.datetime
    attempts: int = 0
    created_at: dt.datetime


class ActivationGrant(BaseModel):
    """What a confirmed signup's activation token allows: creating exactly one office."""

    token_hash: str
    signup_id: str
    expires_at: dt.datetime
    used: bool = False


class Office(BaseModel):
    office_code: str
    company_name: str
    plan: Plan
    trial_ends_at: dt.datetime | None
    created_at: dt.datetime
    signup_id: str
    contact_email: str


class SessionTokens(BaseModel):
    """What a login or refresh yields. ``session_id`` names the login the tokens belong to: every access token a
    refresh token gives out carries the same one (Cognito's ``origin_jti``), so ending the session ends them all."""

    access_token: str
    refresh_token: str | None
    expires_in: int
    session_id: str


class OpenSession(BaseModel):
    """A login that has not ended: its access tokens are honoured until they expire. Only a digest of its refresh
    token is kept (``hash_secret``), enough to find the session again at logout."""

    office_code: str
    username: str
    session_id: str
    refresh_token_hash: str
    opened_at: dt.datetime
    expires_at: dt.datetime


class User(BaseModel):
    office_code: str
    username: str
    role: Role
    email: str | None = None
    created_at: dt.datetime

    @property
    def is_admin(self) -> bool:
        """The synchronisation user is an office admin too."""
        return self.role in ADMIN_ROLES


USERNAME_SEPARATOR = ":"


def cognito_username(office_code: str, username: str) -> str:
    """One login per (office, username): usernames are only unique within an office."""
    return f"{office_code}{USERNAME_SEPARATOR}{username}"


def new_confirmation_code() -> str:
    """Six random digits, as people type them from an e-mail."""
    return f"{secrets.randbelow(1_000_000):06d}"


def hash_secret(value: str, salt: str = "") -> str:
    """SHA-256 of a short-lived secret (codes and tokens are stored only hashed)."""
    return hashlib.sha256(f"{salt}:{value}".encode()).hexdigest()


def new_token() -> str:
    """An unguessable URL-safe token."""
    return secrets.token_urlsafe(32)


def normalise_office_code(code: str) -> str:
    """Office codes compare case-insensitively: keep them lower case everywhere."""
    return code.strip().lower()


def is_valid_office_code(code: str) -> bool:
    """3-30 characters of ``[a-z0-9-]`` (after lower-casing)."""
    return bool(OFFICE_CODE_PATTERN.match(code))


def office_code_suggestions(code: str, count: int = 12) -> list[str]:
    """Candidates for a taken office code, in the order they are offered: ``devries-1``, ``devries-2``, ..."""
    base = code[:27].rstrip("-")
    return [f"{base}-{n}" for n in range(1, count + 1)]


def is_strong_password(password: str) -> bool:
    """The password policy of API.md (and of the Cognito pool): at least 12 characters."""
    return len(password) >= MIN_PASSWORD_LENGTH


def checked_login(username: str, password: str) -> str:
    """The normalised username of a new login; ``ValidationFailed`` or ``WeakPassword`` when a rule is broken."""
    name = username.strip().lower()
    if not USERNAME_PATTERN.match(name):
        raise errors.ValidationFailed(
            "The username may hold letters, digits, '.', '_' and '-'.",
            errors=[{"field": "username", "message": "Use letters, digits, '.', '_' or '-' (max 64)."}],
        )
    if not is_strong_password(password):
        raise errors.WeakPassword()
    return name


def trial_end(now: dt.datetime, plan: Plan) -> dt.datetime | None:
    """Trials run 30 days from activation; premium has no end."""
    return now + dt.timedelta(days=TRIAL_DAYS) if plan == "trial" else None
