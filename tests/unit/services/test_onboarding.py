"""Onboarding steps 1 and 2 against in-memory fakes: every rule and error code of API.md."""

from __future__ import annotations

import re
import threading

import pytest

from boekstuk.adapters.dynamodb import DynamoThrottleStore
from boekstuk.domain import errors
from boekstuk.domain.throttling import ThrottlePolicy
from boekstuk.services.onboarding import (
    ActivationRequest,
    ActivationResponse,
    ConfirmationRequest,
    ConfirmationResponse,
    OfficeCodeCheck,
    OfficeCodeCheckRequest,
    OnboardingService,
    SignupRequest,
    SignupResponse,
)
from boekstuk.services.throttling import Throttle
from tests.fakes import FakeIdentity, FixedClock, InMemoryOffices, InMemorySignups, RecordingMailer

PASSWORD = "correct horse battery"


class Onboarding:
    """The service with the caller's address filled in, as the handlers do."""

    def __init__(self, service: OnboardingService, source_ip: str = "192.0.2.1") -> None:
        self.service = service
        self.source_ip = source_ip

    def sign_up(self, request: SignupRequest, source_ip: str | None = None) -> tuple[SignupResponse, bool]:
        return self.service.sign_up(request, source_ip or self.source_ip)

    def confirm(self, signup_id: str, request: ConfirmationRequest, source_ip: str | None = None) -> ConfirmationResponse:
        return self.service.confirm(signup_id, request, source_ip or self.source_ip)

    def activate(self, request: ActivationRequest) -> ActivationResponse:
        return self.service.activate(request)


@pytest.fixture
def world(throttle_store: DynamoThrottleStore) -> dict:
    signups = InMemorySignups()
    offices = InMemoryOffices(signups)
    mailer = RecordingMailer()
    clock = FixedClock()
    identity = FakeIdentity()
    service = OnboardingService(signups, offices, identity, mailer, clock, "https://app.example",
                                throttle=Throttle(throttle_store, clock), limits=ThrottlePolicy())
    return {"service": Onboarding(service), "mailer": mailer, "clock": clock, "offices": offices, "identity": identity,
            "signups": signups}


def signup_request(**overrides: object) -> SignupRequest:
    data = {"company_name": "Bakkerij De Vries B.V.", "contact_name": "Anna de Vries", "email": "Anna@DeVries.nl",
            "phone": "+31 20 123 4567", "plan": "trial", "plan_confirmation": "trial", "accept_terms": True}
    data.update(overrides)
    return SignupRequest.model_validate(data)


def last_code(mailer: RecordingMailer) -> str:
    match = re.search(r"\b(\d{6})\b", mailer.sent[-1].body)
    assert match, mailer.sent[-1].body
    return match.group(1)


def confirmed_token(world: dict, email: str = "anna@devries.nl") -> str:
    service: Onboarding = world["service"]
    response, _ = service.sign_up(signup_request(email=email))
    return service.confirm(response.signup_id, ConfirmationRequest(code=last_code(world["mailer"]))).activation_token


def test_signup_mails_a_code_and_is_pending(world: dict) -> None:
    # Given / When
    response, created = world["service"].sign_up(signup_request())
    # Then
    assert created and response.status == "pending_confirmation" and response.plan == "trial"
    mail = world["mailer"].sent[-1]
    assert mail.to == "anna@devries.nl" and "trial" in mail.body


def test_plan_must_be_confirmed_twice(world: dict) -> None:
    with pytest.raises(errors.PlanNotConfirmed):
        world["service"].sign_up(signup_request(plan="premium", plan_confirmation="trial"))
    assert world["mailer"].sent == []


def test_terms_must_be_accepted(world: dict) -> None:
    with pytest.raises(errors.TermsNotAccepted):
        world["service"].sign_up(signup_request(accept_terms=False))


def test_signing_up_again_while_pending_sends_a_new_code_for_the_same_signup(world: dict) -> None:
    first, _ = world["service"].sign_up(signup_request())
    old_code = last_code(world["mailer"])
    second, created = world["service"].sign_up(signup_request(email="anna@devries.nl"))
    assert not created and second.signup_id == first.signup_id
    new_code = last_code(world["mailer"])
    if new_code != old_code:  # one in a million they coincide
        with pytest.raises(errors.InvalidConfirmationCode):
            world["service"].confirm(first.signup_id, ConfirmationRequest(code=old_code))
    assert world["service"].confirm(first.signup_id, ConfirmationRequest(code=new_code)).status == "confirmed"


def test_wrong_codes_lock_the_signup_after_five(world: dict) -> None:
    response, _ = world["service"].sign_up(signup_request())
    good = last_code(world["mailer"])
    wrong = "000000" if good != "000000" else "111111"
    for left in (4, 3, 2, 1, 0):
        with pytest.raises(errors.InvalidConfirmationCode) as exc:
            world["service"].confirm(response.signup_id, ConfirmationRequest(code=wrong))
        assert exc.value.extra["attempts_left"] == left
    with pytest.raises(errors.TooManyAttempts):
        world["service"].confirm(response.signup_id, ConfirmationRequest(code=good))
    # A resend does not unlock it.
    with pytest.raises(errors.TooManyAttempts):
        world["service"].sign_up(signup_request())


def test_codes_expire_after_24_hours(world: dict) -> None:
    response, _ = world["service"].sign_up(signup_request())
    world["clock"].advance(hours=24)
    with pytest.raises(errors.ConfirmationExpired):
        world["service"].confirm(response.signup_id, ConfirmationRequest(code=last_code(world["mailer"])))


def test_unknown_signup_and_double_confirmation(world: dict) -> None:
    with pytest.raises(errors.SignupNotFound):
        world["service"].confirm("nope", ConfirmationRequest(code="123456"))
    response, _ = world["service"].sign_up(signup_request())
    code = last_code(world["mailer"])
    world["service"].confirm(response.signup_id, ConfirmationRequest(code=code))
    with pytest.raises(errors.AlreadyConfirmed):
        world["service"].confirm(response.signup_id, ConfirmationRequest(code=code))


def test_confirmation_mails_the_activation_link(world: dict) -> None:
    # The link opens the web app's activation step (a hash route: the static app needs no server-side routes).
    token = confirmed_token(world)
    assert f"https://app.example/#/onboarding/activate?token={token}" in world["mailer"].sent[-1].body


def test_activation_creates_office_subscription_and_sync_user(world: dict) -> None:
    token = confirmed_token(world)
    result = world["service"].activate(ActivationRequest(activation_token=token, office_code="DeVries",
                                                         username="Sync", password=PASSWORD))
    assert (result.office_code, result.username, result.role, result.plan) == ("devries", "sync", "sync_user", "trial")
    assert result.trial_ends_at == "2026-03-31T09:00:00Z"
    user = world["offices"].get_user("devries", "sync")
    assert user.role == "sync_user" and user.is_admin
    assert world["identity"].login("devries", "sync", PASSWORD).access_token


def test_premium_has_no_trial_end(world: dict) -> None:
    service = world["service"]
    response, _ = service.sign_up(signup_request(plan="premium", plan_confirmation="premium"))
    token = service.confirm(response.signup_id, ConfirmationRequest(code=last_code(world["mailer"]))).activation_token
    result = service.activate(ActivationRequest(activation_token=token, office_code="prem", username="sync", password=PASSWORD))
    assert result.plan == "premium" and result.trial_ends_at is None


def test_username_and_office_code_are_never_mailed(world: dict) -> None:
    token = confirmed_token(world)
    world["service"].activate(ActivationRequest(activation_token=token, office_code="kantoor-zuid",
                                                username="boekhouder", password=PASSWORD))
    for mail in world["mailer"].sent:
        assert "kantoor-zuid" not in mail.body + mail.subject
        assert "boekhouder" not in mail.body + mail.subject


def test_activation_token_is_single_use_and_expires(world: dict) -> None:
    token = confirmed_token(world)
    world["service"].activate(ActivationRequest(activation_token=token, office_code="devries", username="sync", password=PASSWORD))
    with pytest.raises(errors.AlreadyActivated):
        world["service"].activate(ActivationRequest(activation_token=token, office_code="other", username="sync", password=PASSWORD))
    token2 = confirmed_token(world, email="piet@example.nl")
    world["clock"].advance(days=7)
    with pytest.raises(errors.ActivationExpired):
        world["service"].activate(ActivationRequest(activation_token=token2, office_code="piet", username="sync", password=PASSWORD))
    with pytest.raises(errors.InvalidActivationToken):
        world["service"].activate(ActivationRequest(activation_token="forged", office_code="x1x", username="sync", password=PASSWORD))


@pytest.mark.parametrize("code", ["ab", "a" * 31, "with space", "under_score", "émile"])
def test_office_code_format(world: dict, code: str) -> None:
    token = confirmed_token(world)
    with pytest.raises(errors.ValidationFailed):
        world["service"].activate(ActivationRequest(activation_token=token, office_code=code, username="sync", password=PASSWORD))


def test_weak_password(world: dict) -> None:
    token = confirmed_token(world)
    with pytest.raises(errors.WeakPassword):
        world["service"].activate(ActivationRequest(activation_token=token, office_code="devries", username="sync", password="short"))


def test_taken_office_code_is_refused_case_insensitively_with_free_suggestions(world: dict) -> None:
    token = confirmed_token(world)
    world["service"].activate(ActivationRequest(activation_token=token, office_code="devries", username="sync", password=PASSWORD))
    world["offices"].codes.add("devries-1")  # reserved by someone else
    token2 = confirmed_token(world, email="jan@devries.nl")
    with pytest.raises(errors.OfficeCodeTaken) as exc:
        world["service"].activate(ActivationRequest(activation_token=token2, office_code="DEVRIES", username="sync", password=PASSWORD))
    assert exc.value.extra["suggestions"] == ["devries-2", "devries-3", "devries-4"]
    # The token was not consumed: the customer can pick another code.
    assert world["service"].activate(ActivationRequest(activation_token=token2, office_code="devries-2",
                                                       username="sync", password=PASSWORD)).office_code == "devries-2"


def test_two_simultaneous_activations_with_the_same_code_exactly_one_wins(world: dict) -> None:
    tokens = [confirmed_token(world, email=f"user{i}@example.nl") for i in range(8)]
    results: list[object] = []
    barrier = threading.Barrier(len(tokens))

    def activate(token: str, n: int) -> None:
        barrier.wait()
        try:
            results.append(world["service"].activate(ActivationRequest(
                activation_token=token, office_code="samecode", username=f"sync{n}", password=PASSWORD)))
        except errors.OfficeCodeTaken as exc:
            results.append(exc)

    threads = [threading.Thread(target=activate, args=(t, n)) for n, t in enumerate(tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [r for r in results if not isinstance(r, errors.OfficeCodeTaken)]
    assert len(winners) == 1 and len(results) == len(tokens)
    # Losers leave no login behind.
    assert [k for k in world["identity"].passwords if k.startswith("samecode:")] == [f"samecode:{winners[0].username}"]


# --- limits on codes and mails ------------------------------------------------------------------------


def wrong_code_for(mailer: RecordingMailer) -> str:
    return "000000" if last_code(mailer) != "000000" else "111111"


def test_a_resend_keeps_the_wrong_code_count(world: dict) -> None:
    service: Onboarding = world["service"]
    response, _ = service.sign_up(signup_request())
    for left in (4, 3, 2):
        with pytest.raises(errors.InvalidConfirmationCode) as exc:
            service.confirm(response.signup_id, ConfirmationRequest(code=wrong_code_for(world["mailer"])))
        assert exc.value.extra["attempts_left"] == left
    again, created = service.sign_up(signup_request())
    assert not created and again.signup_id == response.signup_id
    with pytest.raises(errors.InvalidConfirmationCode) as exc:
        service.confirm(response.signup_id, ConfirmationRequest(code=wrong_code_for(world["mailer"])))
    assert exc.value.extra["attempts_left"] == 1
    good = last_code(world["mailer"])
    with pytest.raises(errors.InvalidConfirmationCode):
        service.confirm(response.signup_id, ConfirmationRequest(code=wrong_code_for(world["mailer"])))
    with pytest.raises(errors.TooManyAttempts):
        service.confirm(response.signup_id, ConfirmationRequest(code=good))
    assert world["signups"].signups[response.signup_id].attempts == 5


def test_a_locked_signup_says_when_a_new_one_may_start(world: dict) -> None:
    service: Onboarding = world["service"]
    response, _ = service.sign_up(signup_request())
    for _ in range(5):
        with pytest.raises(errors.InvalidConfirmationCode):
            service.confirm(response.signup_id, ConfirmationRequest(code=wrong_code_for(world["mailer"])))
    world["clock"].advance(hours=20)
    sent = len(world["mailer"].sent)
    with pytest.raises(errors.TooManyAttempts) as exc:
        service.sign_up(signup_request())
    assert exc.value.retry_after == 4 * 3600 and len(world["mailer"].sent) == sent
    world["clock"].advance(hours=4)
    fresh, created = service.sign_up(signup_request())
    assert created and fresh.signup_id != response.signup_id


def test_signup_mails_are_limited_per_address_per_hour_and_per_day(world: dict) -> None:
    service: Onboarding = world["service"]
    for n in range(3):  # each from another source: only the address's budget is at stake
        service.sign_up(signup_request(), source_ip=f"198.51.100.{n}")
    with pytest.raises(errors.SignupMailLimit) as exc:
        service.sign_up(signup_request(email="ANNA@devries.nl"), source_ip="198.51.100.9")
    assert exc.value.code == "too_many_attempts" and exc.value.retry_after == 3600
    assert len(world["mailer"].sent) == 3
    sent = 3
    for _ in range(3):  # the next hours: 3 more each, until the day's 10
        world["clock"].advance(hours=1)
        for _ in range(min(3, 10 - sent)):
            service.sign_up(signup_request(), source_ip="198.51.100.20")
            sent += 1
    assert sent == 10 and len(world["mailer"].sent) == 10
    with pytest.raises(errors.SignupMailLimit) as exc:
        service.sign_up(signup_request(), source_ip="198.51.100.21")
    # 09:00 + 3 h: the day's window ends at midnight UTC.
    assert exc.value.retry_after == 12 * 3600
    # Another address is not affected.
    assert service.sign_up(signup_request(email="piet@example.nl"), source_ip="198.51.100.22")[1]


def test_signup_mails_are_limited_per_source(world: dict) -> None:
    service: Onboarding = world["service"]
    for n in range(30):
        service.sign_up(signup_request(email=f"victim{n}@example.nl"), source_ip="203.0.113.5")
    with pytest.raises(errors.SignupMailLimit) as exc:
        service.sign_up(signup_request(email="victim30@example.nl"), source_ip="203.0.113.5")
    assert exc.value.retry_after == 3600
    assert not [m for m in world["mailer"].sent if m.to == "victim30@example.nl"]
    # The refusal did not spend the address's budget: from elsewhere it gets its three mails.
    for _ in range(3):
        service.sign_up(signup_request(email="victim30@example.nl"), source_ip="203.0.113.6")


def test_wrong_codes_are_limited_per_source_over_all_signups(world: dict) -> None:
    service: Onboarding = world["service"]
    signups = []
    for n in range(31):
        response, _ = service.sign_up(signup_request(email=f"s{n}@example.nl"), source_ip=f"198.51.100.{n}")
        signups.append((response.signup_id, last_code(world["mailer"])))
    for signup_id, code in signups[:30]:
        with pytest.raises(errors.InvalidConfirmationCode):
            service.confirm(signup_id, ConfirmationRequest(code="000000" if code != "000000" else "111111"),
                            source_ip="203.0.113.66")
    signup_id, code = signups[30]
    with pytest.raises(errors.TooManyAttempts) as exc:
        service.confirm(signup_id, ConfirmationRequest(code=code), source_ip="203.0.113.66")
    assert exc.value.retry_after == 3600
    # The refused guess was not checked: the signup itself is untouched and its owner confirms.
    assert world["signups"].signups[signup_id].attempts == 0
    assert service.confirm(signup_id, ConfirmationRequest(code=code), source_ip="192.0.2.200").status == "confirmed"


# --- office-code check (the wizard, while someone types) ---------------------------------------------------


def check(world: dict, token: str, code: str, source_ip: str = "192.0.2.1") -> OfficeCodeCheck:
    return world["service"].service.check_office_code(
        OfficeCodeCheckRequest(activation_token=token, office_code=code), source_ip)


def test_office_code_check_says_valid_and_free(world: dict) -> None:
    token = confirmed_token(world)
    assert check(world, token, " DeVries ") == OfficeCodeCheck(office_code="devries", valid=True, available=True,
                                                                suggestions=[])


def test_office_code_check_of_a_taken_code_offers_the_free_suggestions_activation_would(world: dict) -> None:
    world["offices"].codes.update({"devries", "devries-1"})
    token = confirmed_token(world)
    result = check(world, token, "DEVRIES")
    assert (result.valid, result.available, result.suggestions) == (True, False, ["devries-2", "devries-3", "devries-4"])
    with pytest.raises(errors.OfficeCodeTaken) as taken:
        world["service"].activate(ActivationRequest(activation_token=token, office_code="devries", username="sync",
                                                    password=PASSWORD))
    assert taken.value.extra["suggestions"] == result.suggestions


@pytest.mark.parametrize("code", ["ab", "de vries", "a" * 31, "kantoor_1"])
def test_office_code_check_of_an_invalid_code(world: dict, code: str) -> None:
    result = check(world, confirmed_token(world), code)
    assert (result.valid, result.available, result.suggestions) == (False, False, [])


def test_office_code_check_needs_a_usable_activation_token(world: dict) -> None:
    world["offices"].codes.add("devries")
    with pytest.raises(errors.InvalidActivationToken):
        check(world, "not-a-token", "devries")
    token = confirmed_token(world)
    world["clock"].advance(days=7)
    with pytest.raises(errors.ActivationExpired):
        check(world, token, "devries")
    used = confirmed_token(world, "piet@example.nl")
    world["service"].activate(ActivationRequest(activation_token=used, office_code="piet", username="sync",
                                                password=PASSWORD))
    with pytest.raises(errors.AlreadyActivated):
        check(world, used, "devries")


def test_office_code_checks_are_limited_per_source_and_per_token(world: dict) -> None:
    token = confirmed_token(world)
    for n in range(60):
        check(world, token, f"kantoor-{n}", source_ip="198.51.100.7")
    with pytest.raises(errors.TooManyAttempts) as limited:
        check(world, token, "kantoor-x", source_ip="198.51.100.7")
    assert limited.value.code == "too_many_attempts" and limited.value.retry_after
    # Another network may go on with the same token until the token's own hourly limit.
    for n in range(40):
        check(world, token, f"kantoor-{n}", source_ip="198.51.100.8")
    with pytest.raises(errors.TooManyAttempts):
        check(world, token, "kantoor-y", source_ip="198.51.100.9")
    world["clock"].advance(hours=1)
    assert check(world, token, "kantoor-z", source_ip="198.51.100.9").available
