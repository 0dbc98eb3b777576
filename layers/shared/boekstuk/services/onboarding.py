"""Onboarding steps 1 and 2: sign up (plan confirmed twice), confirm with the e-mailed code, activate.

Username and office code are shown by the API and never e-mailed.
"""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from boekstuk.domain import errors
from boekstuk.domain.onboarding import (
    ACTIVATION_TOKEN_TTL,
    CONFIRMATION_CODE_TTL,
    MAX_CONFIRMATION_ATTEMPTS,
    ActivationGrant,
    Office,
    Plan,
    Signup,
    User,
    checked_login,
    hash_secret,
    is_valid_office_code,
    new_confirmation_code,
    new_token,
    normalise_office_code,
    office_code_suggestions,
    trial_end,
)
from boekstuk.domain.throttling import ThrottlePolicy, retry_after_seconds, source_key
from boekstuk.domain.timestamps import api_timestamp
from boekstuk.ports import Clock, IdentityProvider, Mailer, OfficeRepository, SignupRepository
from boekstuk.services.throttling import Budget, Throttle


class SignupRequest(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    company_name: str = Field(min_length=1, max_length=200)
    contact_name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    phone: str | None = Field(default=None, max_length=40)
    plan: Plan
    plan_confirmation: str = Field(max_length=20)
    accept_terms: bool


class SignupResponse(BaseModel):
    signup_id: str
    status: Literal["pending_confirmation"] = "pending_confirmation"
    plan: Plan


class ConfirmationRequest(BaseModel):
    code: str = Field(min_length=1, max_length=12)


class ConfirmationResponse(BaseModel):
    status: Literal["confirmed"] = "confirmed"
    activation_token: str


class ActivationRequest(BaseModel):
    activation_token: str = Field(min_length=1, max_length=200)
    office_code: str = Field(min_length=1, max_length=60)
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class OfficeCodeCheckRequest(BaseModel):
    activation_token: str = Field(min_length=1, max_length=200)
    office_code: str = Field(min_length=1, max_length=60)


class OfficeCodeCheck(BaseModel):
    """Whether an office code may be chosen now; ``suggestions`` are free codes like it when it is taken."""

    office_code: str
    valid: bool
    available: bool
    suggestions: list[str]


class ActivationResponse(BaseModel):
    office_code: str
    username: str
    role: Literal["sync_user"] = "sync_user"
    plan: Plan
    trial_ends_at: str | None


def _mail_limited(retry_after: int) -> errors.SignupMailLimit:
    return errors.SignupMailLimit(retry_after=retry_after)


def _checks_limited(retry_after: int) -> errors.TooManyAttempts:
    return errors.TooManyAttempts("Too many office-code checks; try again later.", retry_after=retry_after)


def _codes_limited(retry_after: int) -> errors.TooManyAttempts:
    return errors.TooManyAttempts("Too many wrong codes from your network; try again later.", retry_after=retry_after)


class OnboardingService:
    """Use cases of steps 1 and 2."""

    def __init__(
        self,
        signups: SignupRepository,
        offices: OfficeRepository,
        identity: IdentityProvider,
        mailer: Mailer,
        clock: Clock,
        public_base_url: str,
        throttle: Throttle,
        limits: ThrottlePolicy,
    ) -> None:
        self._signups = signups
        self._offices = offices
        self._identity = identity
        self._mailer = mailer
        self._clock = clock
        self._public_base_url = public_base_url.rstrip("/")
        self._throttle = throttle
        self._limits = limits

    # --- step 1 ---------------------------------------------------------------------------------

    def sign_up(self, request: SignupRequest, source_ip: str) -> tuple[SignupResponse, bool]:
        """Start a signup and e-mail its code; returns ``(response, created)``.

        Signing up again with the same e-mail while pending sends a new code for the same signup
        (``created`` False) rather than starting a second one. Code mails are limited per address and per
        source (``SignupMailLimit``), so nobody can flood a mailbox or send mail on our name at will.
        """
        if request.plan_confirmation != request.plan:
            raise errors.PlanNotConfirmed(
                f"You chose the plan '{request.plan}' but confirmed '{request.plan_confirmation}'."
            )
        if not request.accept_terms:
            raise errors.TermsNotAccepted()
        email = str(request.email).lower()
        now = self._clock.now()
        pending = self._signups.pending_by_email(email)
        if pending is not None and pending.code_expires_at > now and pending.attempts >= MAX_CONFIRMATION_ATTEMPTS:
            # A locked signup stays locked until its code would have expired; then a new signup may start.
            raise errors.TooManyAttempts(
                retry_after=retry_after_seconds((pending.code_expires_at - now).total_seconds()))
        self._throttle.spend(
            [Budget("signup-mail-address", email, self._limits.signup_mail_address),
             Budget("signup-mail-source", source_key(source_ip), self._limits.signup_mail_source)],
            refused=_mail_limited,
        )
        code = new_confirmation_code()
        if pending is not None and pending.code_expires_at > now:
            # The wrong-code count stays with the signup: a resend is no way to five fresh guesses.
            self._signups.replace_code(pending.signup_id, hash_secret(code, pending.signup_id), now + CONFIRMATION_CODE_TTL)
            self._send_code(email, pending.contact_name, pending.plan, code)
            return SignupResponse(signup_id=pending.signup_id, plan=pending.plan), False
        signup_id = uuid.uuid4().hex
        signup = Signup(
            signup_id=signup_id,
            company_name=request.company_name,
            contact_name=request.contact_name,
            email=email,
            phone=request.phone,
            plan=request.plan,
            code_hash=hash_secret(code, signup_id),
            code_expires_at=now + CONFIRMATION_CODE_TTL,
            created_at=now,
        )
        self._signups.create(signup)
        self._send_code(email, request.contact_name, request.plan, code)
        return SignupResponse(signup_id=signup_id, plan=request.plan), True

    def confirm(self, signup_id: str, request: ConfirmationRequest, source_ip: str) -> ConfirmationResponse:
        """Check the e-mailed code; on success hand out the single-use activation token (also e-mailed).

        Each signup locks after 5 wrong codes; a source may also only guess so many codes over all signups.
        """
        with self._throttle.guess(
            source=Budget("confirmation-source", source_key(source_ip), self._limits.confirmation_source),
            subject=None,
            failed=(errors.InvalidConfirmationCode, errors.SignupNotFound),
            refused=_codes_limited,
        ):
            signup, token = self._check_code(signup_id, request)
        self._mailer.send(
            signup.email,
            "Activeer uw abonnement",
            f"Beste {signup.contact_name},\n\n"
            f"Uw aanmelding is bevestigd. Activeer uw abonnement ({signup.plan}) binnen 7 dagen via:\n"
            f"{self._public_base_url}/#/onboarding/activate?token={token}\n\n"
            "Daarbij kiest u zelf uw kantoorcode, gebruikersnaam en wachtwoord.\n",
        )
        return ConfirmationResponse(activation_token=token)

    def _check_code(self, signup_id: str, request: ConfirmationRequest) -> tuple[Signup, str]:
        """The signup and its new activation token when the code is right; the signup counts a wrong one."""
        signup = self._signups.get(signup_id)
        if signup is None:
            raise errors.SignupNotFound()
        if signup.status != "pending_confirmation":
            raise errors.AlreadyConfirmed()
        if signup.attempts >= MAX_CONFIRMATION_ATTEMPTS:
            raise errors.TooManyAttempts()
        now = self._clock.now()
        if now >= signup.code_expires_at:
            raise errors.ConfirmationExpired()
        if hash_secret(request.code.strip(), signup_id) != signup.code_hash:
            attempts = self._signups.count_failed_attempt(signup_id, MAX_CONFIRMATION_ATTEMPTS)
            left = max(MAX_CONFIRMATION_ATTEMPTS - attempts, 0)
            raise errors.InvalidConfirmationCode(
                f"The confirmation code is not correct; {left} attempt(s) left.", attempts_left=left
            )
        token = new_token()
        grant = ActivationGrant(
            token_hash=hash_secret(token), signup_id=signup_id, expires_at=now + ACTIVATION_TOKEN_TTL
        )
        if not self._signups.confirm(signup_id, grant):
            raise errors.AlreadyConfirmed()
        return signup, token

    # --- step 2 ---------------------------------------------------------------------------------

    def _usable_grant(self, activation_token: str) -> ActivationGrant:
        """The grant of an unused, unexpired activation token; the activation's errors otherwise."""
        grant = self._signups.grant_by_token_hash(hash_secret(activation_token))
        if grant is None:
            raise errors.InvalidActivationToken()
        if grant.used:
            raise errors.AlreadyActivated()
        if self._clock.now() >= grant.expires_at:
            raise errors.ActivationExpired()
        return grant

    def check_office_code(self, request: OfficeCodeCheckRequest, source_ip: str) -> OfficeCodeCheck:
        """Whether ``office_code`` is valid and free, with free suggestions when it is taken (the wizard asks
        while someone types).

        Only for the holder of a usable activation token, and limited per source and per token: to a
        stranger it is no list of the offices that exist.
        """
        self._throttle.spend(
            [Budget("office-code-check-source", source_key(source_ip), self._limits.office_code_check_source),
             Budget("office-code-check-token", hash_secret(request.activation_token),
                    self._limits.office_code_check_token)],
            refused=_checks_limited,
        )
        self._usable_grant(request.activation_token)
        code = normalise_office_code(request.office_code)
        if not is_valid_office_code(code):
            return OfficeCodeCheck(office_code=code, valid=False, available=False, suggestions=[])
        if not self._offices.office_codes_taken([code]):
            return OfficeCodeCheck(office_code=code, valid=True, available=True, suggestions=[])
        return OfficeCodeCheck(office_code=code, valid=True, available=False, suggestions=self._free_suggestions(code))

    def activate(self, request: ActivationRequest) -> ActivationResponse:
        """Create office, subscription and the synchronisation user, exactly once per token."""
        now = self._clock.now()
        grant = self._usable_grant(request.activation_token)
        office_code = normalise_office_code(request.office_code)
        if not is_valid_office_code(office_code):
            raise errors.ValidationFailed(
                "The office code must be 3-30 characters: letters a-z, digits and '-'.",
                errors=[{"field": "office_code", "message": "Use 3-30 characters of a-z, 0-9 and '-'."}],
            )
        username = checked_login(request.username, request.password)
        if self._offices.office_codes_taken([office_code]):
            raise self._code_taken(office_code)
        signup = self._signups.get(grant.signup_id)
        if signup is None:  # the grant outlived its signup: treat as an invalid token
            raise errors.InvalidActivationToken()
        office = Office(
            office_code=office_code,
            company_name=signup.company_name,
            plan=signup.plan,
            trial_ends_at=trial_end(now, signup.plan),
            created_at=now,
            signup_id=signup.signup_id,
            contact_email=signup.email,
        )
        user = User(office_code=office_code, username=username, role="sync_user", email=signup.email, created_at=now)
        # The login first: if the office transaction then loses a race, the login is removed again.
        try:
            self._identity.create_user(office_code, username, request.password, signup.email)
        except errors.UsernameTaken as exc:
            # Someone else is activating this very office code right now.
            raise self._code_taken(office_code) from exc
        try:
            self._offices.activate(grant, office, user)
        except errors.OfficeCodeTaken as exc:
            self._identity.delete_user(office_code, username)
            raise self._code_taken(office_code) from exc
        except errors.DomainError:
            self._identity.delete_user(office_code, username)
            raise
        self._mailer.send(
            signup.email,
            "Uw abonnement is actief",
            f"Beste {signup.contact_name},\n\nUw abonnement ({signup.plan}) voor {signup.company_name} is actief.\n"
            "U kunt nu inloggen met de gegevens die u bij de activatie zelf hebt gekozen.\n",
        )
        return ActivationResponse(
            office_code=office_code,
            username=username,
            plan=office.plan,
            trial_ends_at=api_timestamp(office.trial_ends_at) if office.trial_ends_at else None,
        )

    def _free_suggestions(self, office_code: str) -> list[str]:
        """Up to three free codes like ``office_code`` (``devries-1``, ``devries-2``, ...)."""
        candidates = office_code_suggestions(office_code)
        taken = self._offices.office_codes_taken(candidates)
        return [c for c in candidates if c not in taken][:3]

    def _code_taken(self, office_code: str) -> errors.OfficeCodeTaken:
        return errors.OfficeCodeTaken(f"The office code '{office_code}' is already in use.",
                                      suggestions=self._free_suggestions(office_code))

    def _send_code(self, email: str, contact_name: str, plan: str, code: str) -> None:
        self._mailer.send(
            email,
            f"Uw bevestigingscode: {code}",
            f"Beste {contact_name},\n\nU hebt gekozen voor het abonnement '{plan}'.\n"
            f"Bevestig uw keuze met deze code: {code}\n\nDe code is 24 uur geldig.\n",
        )
