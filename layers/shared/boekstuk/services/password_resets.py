"""Password reset: a 6-digit code by e-mail, then a new password with it (no login needed).

Nothing in the answers tells whether a user exists. Asking always answers the same (202), and an unknown user
gets a stored reset too, with a code nobody is sent: confirming then fails, is counted and voids exactly as for
a known user. The request takes at least ``min_request_seconds`` either way, so the time the mail takes to send
does not tell either. Office code and username are never e-mailed (API.md): the mail holds the code only.

A successful reset sets the password in the identity provider and revokes every refresh token of the user:
sessions from before the reset (perhaps the reason for it) end.
"""

from __future__ import annotations

import hmac

from pydantic import BaseModel, Field

from boekstuk.domain import errors
from boekstuk.domain.onboarding import hash_secret, is_strong_password, new_confirmation_code, normalise_office_code
from boekstuk.domain.password_resets import MAX_RESET_ATTEMPTS, RESET_CODE_TTL, PasswordReset, reset_subject
from boekstuk.domain.throttling import ThrottlePolicy, source_key
from boekstuk.ports import (
    Clock,
    IdentityProvider,
    Mailer,
    OfficeRepository,
    PasswordResetRepository,
    SessionRegistry,
    Timer,
)
from boekstuk.services.throttling import Budget, Subject, Throttle

MIN_REQUEST_SECONDS = 0.4
"""Every reset request answers after at least this long: more than sending a mail takes (SES answers in tens
of milliseconds), so a known user's answer is not the slower one."""


class PasswordResetRequest(BaseModel):
    office_code: str = Field(min_length=1, max_length=60)
    username: str = Field(min_length=1, max_length=64)


class PasswordResetConfirmation(BaseModel):
    office_code: str = Field(min_length=1, max_length=60)
    username: str = Field(min_length=1, max_length=64)
    code: str = Field(min_length=1, max_length=12)
    new_password: str = Field(min_length=1, max_length=256)


def _requests_limited(retry_after: int) -> errors.ResetThrottled:
    return errors.ResetThrottled(retry_after=retry_after)


def _codes_limited(retry_after: int) -> errors.ResetThrottled:
    return errors.ResetThrottled("Too many wrong codes; try again after Retry-After seconds.", retry_after=retry_after)


class PasswordResetService:
    """Ask for a reset code and set a new password with it."""

    def __init__(self, offices: OfficeRepository, resets: PasswordResetRepository, identity: IdentityProvider,
                 sessions: SessionRegistry, mailer: Mailer, clock: Clock, timer: Timer, throttle: Throttle,
                 limits: ThrottlePolicy, web_app_url: str, min_request_seconds: float = MIN_REQUEST_SECONDS) -> None:
        self._offices = offices
        self._resets = resets
        self._identity = identity
        self._sessions = sessions
        self._mailer = mailer
        self._clock = clock
        self._timer = timer
        self._throttle = throttle
        self._limits = limits
        self._web_app_url = web_app_url.rstrip("/")
        self._min_request_seconds = min_request_seconds

    def request(self, request: PasswordResetRequest, source_ip: str) -> None:
        """Store a reset and mail its code to the user's e-mail address, if the user exists and has one.

        Limited per user and per source (``ResetThrottled``, counted alike for unknown users), so nobody can
        flood a mailbox. A new request replaces the user's earlier code.
        """
        started = self._timer.monotonic()
        office, username = normalise_office_code(request.office_code), request.username.strip().lower()
        self._throttle.spend(
            [Budget("reset-mail-user", f"{office}:{username}", self._limits.reset_mail_user),
             Budget("reset-mail-source", source_key(source_ip), self._limits.reset_mail_source)],
            refused=_requests_limited,
        )
        user = self._offices.get_user(office, username)
        subject = reset_subject(office, username)
        code = new_confirmation_code()
        self._resets.put(PasswordReset(subject=subject, code_hash=hash_secret(code, subject),
                                       expires_at=self._clock.now() + RESET_CODE_TTL))
        if user is not None and user.email:
            self._mailer.send(
                user.email,
                "Uw code voor een nieuw wachtwoord",
                "Goedendag,\n\n"
                "Iemand, hopelijk u, vroeg om een nieuw wachtwoord voor uw account bij boekstuk.\n"
                f"Uw code is: {code}\n\n"
                f"De code is 30 minuten geldig. Vul hem in op {self._web_app_url}/#/password-reset\n\n"
                "Vroeg u niets aan? Dan kunt u deze e-mail negeren: uw wachtwoord blijft hetzelfde.\n",
            )
        remaining = self._min_request_seconds - (self._timer.monotonic() - started)
        if remaining > 0:
            self._timer.sleep(remaining)

    def confirm(self, confirmation: PasswordResetConfirmation, source_ip: str) -> None:
        """Set ``new_password`` when ``code`` is the user's unexpired code; revoke the user's sessions.

        A wrong or expired code is ``InvalidResetCode``; the fifth wrong code voids the reset (after that
        ``TooManyAttempts``). Wrong codes also count per source and make the user wait as failed logins do.
        """
        if not is_strong_password(confirmation.new_password):
            raise errors.WeakPassword()
        office = normalise_office_code(confirmation.office_code)
        username = confirmation.username.strip().lower()
        with self._throttle.guess(
            source=Budget("reset-code-source", source_key(source_ip), self._limits.reset_code_source),
            subject=Subject("reset-code-user", f"{office}:{username}", self._limits.reset_code_user),
            failed=(errors.InvalidResetCode,),
            refused=_codes_limited,
        ):
            reset = self._checked_reset(reset_subject(office, username), confirmation.code.strip())
            user = self._offices.get_user(office, username)
            if user is None:  # a stored reset of nobody: its code was never sent, so it cannot be right
                raise errors.InvalidResetCode()
            self._set_password(reset, office, username, confirmation.new_password)
        # Sessions end here first (their access tokens are refused from the next request), then at Cognito.
        self._sessions.close_all(office, username)
        self._identity.sign_out_everywhere(office, username)
        if user.email:
            self._mailer.send(
                user.email,
                "Uw wachtwoord is gewijzigd",
                "Goedendag,\n\nHet wachtwoord van uw account bij boekstuk is zojuist gewijzigd; u bent overal "
                "uitgelogd.\n\nDeed u dit niet zelf? Vraag dan meteen een nieuw wachtwoord aan en neem contact op "
                "met de beheerder van uw kantoor.\n",
            )

    def _checked_reset(self, subject: str, code: str) -> PasswordReset:
        """The reset when ``code`` is its code, consumed; a wrong code is counted against it."""
        reset = self._resets.get(subject)
        now = self._clock.now()
        if reset is None or now >= reset.expires_at:
            raise errors.InvalidResetCode()
        if reset.attempts >= MAX_RESET_ATTEMPTS:
            raise errors.TooManyAttempts("Too many wrong codes: this reset is void. Ask for a new code.")
        if not hmac.compare_digest(hash_secret(code, subject), reset.code_hash):
            attempts = self._resets.count_failed_attempt(subject, MAX_RESET_ATTEMPTS)
            left = max(MAX_RESET_ATTEMPTS - attempts, 0)
            raise errors.InvalidResetCode(f"The code is not correct; {left} attempt(s) left.", attempts_left=left)
        if not self._resets.consume(subject, reset.code_hash, now, MAX_RESET_ATTEMPTS):
            raise errors.InvalidResetCode()  # used a moment ago by a simultaneous confirmation
        return reset

    def _set_password(self, reset: PasswordReset, office: str, username: str, password: str) -> None:
        """The new password in the identity provider; if it refuses it, the code stays usable for another try."""
        try:
            self._identity.set_password(office, username, password)
        except errors.WeakPassword:
            self._resets.put(reset)
            raise
        except errors.InvalidCredentials as exc:  # the login is gone (removed meanwhile)
            raise errors.InvalidResetCode() from exc
