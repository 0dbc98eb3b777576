"""Onboarding steps 1 and 2 against in-memory fakes: every rule and error code of API.md."""

from __future__ import annotations

import re
import threading

import pytest

from boekstuk.domain import errors
from boekstuk.services.onboarding import ActivationRequest, ConfirmationRequest, OnboardingService, SignupRequest
from tests.fakes import FakeIdentity, FixedClock, InMemoryOffices, InMemorySignups, RecordingMailer

PASSWORD = "correct horse battery"


@pytest.fixture
def world() -> dict:
    signups = InMemorySignups()
    offices = InMemoryOffices(signups)
    mailer = RecordingMailer()
    clock = FixedClock()
    identity = FakeIdentity()
    service = OnboardingService(signups, offices, identity, mailer, clock, "https://app.example")
    return {"service": service, "mailer": mailer, "clock": clock, "offices": offices, "identity": identity}


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
    service: OnboardingService = world["service"]
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
    token = confirmed_token(world)
    assert f"https://app.example/activate?token={token}" in world["mailer"].sent[-1].body


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
