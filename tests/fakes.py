"""In-memory fakes of the ports, for unit tests of the services. They keep the ports' atomicity promises
(a lock around every check-and-write), so concurrency tests mean something."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field

from boekstuk.domain import errors
from boekstuk.domain.onboarding import ActivationGrant, Office, SessionTokens, Signup, User, is_strong_password
from boekstuk.domain.password_resets import PasswordReset


class FixedClock:
    def __init__(self, now: dt.datetime | None = None) -> None:
        self.current = now or dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)

    def now(self) -> dt.datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += dt.timedelta(**delta)


@dataclass
class Mail:
    to: str
    subject: str
    body: str


@dataclass
class RecordingMailer:
    sent: list[Mail] = field(default_factory=list)

    def send(self, to: str, subject: str, body: str) -> None:
        self.sent.append(Mail(to, subject, body))


def Tokens(access_token: str, refresh_token: str | None, expires_in: int, session_id: str) -> SessionTokens:  # noqa: N802
    return SessionTokens(access_token=access_token, refresh_token=refresh_token, expires_in=expires_in,
                         session_id=session_id)


class FakeIdentity:
    """Logins with passwords and refresh tokens that can be revoked one by one or all at once, as in Cognito."""

    def __init__(self) -> None:
        self.passwords: dict[str, str] = {}
        self.refresh_tokens: dict[str, str] = {}  # live refresh token -> login
        self.session_of_refresh: dict[str, str] = {}  # refresh token -> its session id (Cognito's origin_jti)
        self.session_of: dict[str, str] = {}  # access token -> session id: what the authorizer's claims carry
        self._issued = 0
        self._lock = threading.Lock()

    def create_user(self, office_code: str, username: str, password: str, email: str | None) -> None:
        with self._lock:
            key = f"{office_code}:{username}"
            if key in self.passwords:
                raise errors.UsernameTaken()
            if not is_strong_password(password):
                raise errors.WeakPassword()
            self.passwords[key] = password

    def delete_user(self, office_code: str, username: str) -> None:
        with self._lock:
            self.passwords.pop(f"{office_code}:{username}", None)

    def login(self, office_code: str, username: str, password: str) -> Tokens:
        key = f"{office_code}:{username}"
        if self.passwords.get(key) != password:
            raise errors.InvalidCredentials()
        with self._lock:
            self._issued += 1
            token = f"refresh-{key}-{self._issued}"
            self.refresh_tokens[token] = key
            session = self.session_of_refresh[token] = f"session-{self._issued}"
            access = self._access(key, session)
        return Tokens(access, token, 3600, session_id=session)

    def refresh(self, refresh_token: str) -> Tokens:
        key = self.refresh_tokens.get(refresh_token)
        if key is None or key not in self.passwords:
            raise errors.InvalidCredentials()
        with self._lock:
            session = self.session_of_refresh[refresh_token]
            access = self._access(key, session)
        return Tokens(access, None, 3600, session_id=session)

    def _access(self, key: str, session: str) -> str:
        """A new access token of the session (each one different, as Cognito's carry their own jti)."""
        self._issued += 1
        token = f"access-{key}-{self._issued}"
        self.session_of[token] = session
        return token

    def revoke(self, refresh_token: str) -> None:
        with self._lock:
            self.refresh_tokens.pop(refresh_token, None)

    def set_password(self, office_code: str, username: str, password: str) -> None:
        key = f"{office_code}:{username}"
        with self._lock:
            if key not in self.passwords:
                raise errors.InvalidCredentials()
            if not is_strong_password(password):
                raise errors.WeakPassword()
            self.passwords[key] = password

    def sign_out_everywhere(self, office_code: str, username: str) -> None:
        key = f"{office_code}:{username}"
        with self._lock:
            for token in [t for t, k in self.refresh_tokens.items() if k == key]:
                del self.refresh_tokens[token]


class InMemorySignups:
    def __init__(self) -> None:
        self.signups: dict[str, Signup] = {}
        self.pending: dict[str, str] = {}
        self.grants: dict[str, ActivationGrant] = {}
        self._lock = threading.Lock()

    def pending_by_email(self, email: str) -> Signup | None:
        signup = self.signups.get(self.pending.get(email, ""))
        return signup if signup and signup.status == "pending_confirmation" else None

    def create(self, signup: Signup) -> None:
        with self._lock:
            self.signups[signup.signup_id] = signup
            self.pending[signup.email] = signup.signup_id

    def get(self, signup_id: str) -> Signup | None:
        return self.signups.get(signup_id)

    def replace_code(self, signup_id: str, code_hash: str, expires_at: dt.datetime) -> None:
        with self._lock:
            s = self.signups[signup_id]
            self.signups[signup_id] = s.model_copy(update={"code_hash": code_hash, "code_expires_at": expires_at})

    def count_failed_attempt(self, signup_id: str, max_attempts: int) -> int:
        with self._lock:
            s = self.signups[signup_id]
            attempts = min(s.attempts + 1, max_attempts)
            self.signups[signup_id] = s.model_copy(update={"attempts": attempts})
            return attempts

    def confirm(self, signup_id: str, grant: ActivationGrant) -> bool:
        with self._lock:
            s = self.signups[signup_id]
            if s.status != "pending_confirmation":
                return False
            self.signups[signup_id] = s.model_copy(update={"status": "confirmed"})
            self.grants[grant.token_hash] = grant
            return True

    def grant_by_token_hash(self, token_hash: str) -> ActivationGrant | None:
        return self.grants.get(token_hash)


class InMemoryOffices:
    def __init__(self, signups: InMemorySignups) -> None:
        self._signups = signups
        self.codes: set[str] = set()
        self.offices: dict[str, Office] = {}
        self.users: dict[tuple[str, str], User] = {}
        self._lock = threading.Lock()

    def office_codes_taken(self, codes: list[str]) -> set[str]:
        return {c for c in codes if c in self.codes}

    def activate(self, grant: ActivationGrant, office: Office, first_user: User) -> None:
        with self._lock:
            current = self._signups.grants[grant.token_hash]
            if current.used:
                raise errors.AlreadyActivated()
            if office.office_code in self.codes:
                raise errors.OfficeCodeTaken()
            self._signups.grants[grant.token_hash] = current.model_copy(update={"used": True})
            self.codes.add(office.office_code)
            self.offices[office.office_code] = office
            self.users[(office.office_code, first_user.username)] = first_user

    def get_office(self, office_code: str) -> Office | None:
        return self.offices.get(office_code)

    def get_user(self, office_code: str, username: str) -> User | None:
        return self.users.get((office_code, username))

    def add_user(self, user: User) -> None:
        with self._lock:
            if (user.office_code, user.username) in self.users:
                raise errors.UsernameTaken()
            self.users[(user.office_code, user.username)] = user

    def list_users(self, office_code: str) -> list[User]:
        return sorted((u for (o, _), u in self.users.items() if o == office_code), key=lambda u: u.username)


class InMemoryPasswordResets:
    """``PasswordResetRepository`` in memory, with the adapter's conditions."""

    def __init__(self) -> None:
        self.resets: dict[str, PasswordReset] = {}
        self._lock = threading.Lock()

    def put(self, reset: PasswordReset) -> None:
        with self._lock:
            self.resets[reset.subject] = reset

    def get(self, subject: str) -> PasswordReset | None:
        return self.resets.get(subject)

    def count_failed_attempt(self, subject: str, max_attempts: int) -> int:
        with self._lock:
            reset = self.resets.get(subject)
            if reset is None or reset.attempts >= max_attempts:
                return max_attempts
            self.resets[subject] = reset.model_copy(update={"attempts": reset.attempts + 1})
            return reset.attempts + 1

    def consume(self, subject: str, code_hash: str, now: dt.datetime, max_attempts: int) -> bool:
        with self._lock:
            reset = self.resets.get(subject)
            if reset is None or reset.code_hash != code_hash or now >= reset.expires_at or reset.attempts >= max_attempts:
                return False
            del self.resets[subject]
            return True


class FakeTimer:
    """Monotonic time that moves only when slept on (or when a test moves it)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
