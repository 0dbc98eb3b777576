"""The adapters behind logout and password reset, on moto: Cognito's RevokeToken, AdminSetUserPassword and
AdminUserGlobalSignOut; the reset items' conditional writes and TTL; the web app's address from SSM."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from boekstuk.adapters.cognito import CognitoIdentityProvider
from boekstuk.adapters.dynamodb import DynamoTable
from boekstuk.adapters.dynamodb_resets import DynamoPasswordResets
from boekstuk.bootstrap import Components
from boekstuk.domain import errors
from boekstuk.domain.password_resets import PasswordReset, reset_subject
from boekstuk.settings import Settings
from boekstuk_local import cognito_patches

PASSWORD = "correct horse battery"
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def aws() -> Iterator[None]:
    cognito_patches.install()
    with mock_aws():
        yield


@pytest.fixture
def identity(aws: None) -> CognitoIdentityProvider:
    idp = boto3.client("cognito-idp", region_name="eu-west-1")
    policy = {"MinimumLength": 12, "RequireLowercase": False, "RequireUppercase": False, "RequireNumbers": False,
              "RequireSymbols": False}  # as template.yaml: length only
    pool = idp.create_user_pool(PoolName="users", Policies={"PasswordPolicy": policy})["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName="api",
                                         ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    provider = CognitoIdentityProvider(idp, pool, client["UserPoolClient"]["ClientId"])
    provider.create_user("devries", "sync", PASSWORD, "anna@devries.nl")
    return provider


def test_revoke_ends_one_refresh_token_and_tolerates_dead_ones(identity: CognitoIdentityProvider) -> None:
    phone, laptop = identity.login("devries", "sync", PASSWORD), identity.login("devries", "sync", PASSWORD)
    assert phone.refresh_token and laptop.refresh_token
    identity.revoke(phone.refresh_token)
    with pytest.raises(errors.InvalidCredentials):
        identity.refresh(phone.refresh_token)
    assert identity.refresh(laptop.refresh_token).access_token
    identity.revoke(phone.refresh_token)
    identity.revoke("not-a-token")


def test_set_password_and_sign_out_everywhere(identity: CognitoIdentityProvider) -> None:
    session = identity.login("devries", "sync", PASSWORD)
    identity.set_password("devries", "sync", "a brand new passphrase")
    identity.sign_out_everywhere("devries", "sync")
    assert session.refresh_token
    with pytest.raises(errors.InvalidCredentials):
        identity.refresh(session.refresh_token)
    with pytest.raises(errors.InvalidCredentials):
        identity.login("devries", "sync", PASSWORD)
    assert identity.login("devries", "sync", "a brand new passphrase").access_token


def test_set_password_refusals(identity: CognitoIdentityProvider) -> None:
    with pytest.raises(errors.WeakPassword):
        identity.set_password("devries", "sync", "short")
    with pytest.raises(errors.InvalidCredentials):
        identity.set_password("devries", "nobody", "a brand new passphrase")
    identity.sign_out_everywhere("devries", "nobody")  # nothing to end


@pytest.fixture
def resets(aws: None) -> tuple[DynamoPasswordResets, Any]:
    table = boto3.resource("dynamodb", region_name="eu-west-1").create_table(
        TableName="t", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}])
    return DynamoPasswordResets(DynamoTable(table)), table


def test_reset_items_expire_by_ttl_and_hold_no_names(resets: tuple[DynamoPasswordResets, Any]) -> None:
    repo, table = resets
    subject = reset_subject("devries", "sync")
    repo.put(PasswordReset(subject=subject, code_hash="h", expires_at=T0 + dt.timedelta(minutes=30)))
    [item] = table.scan()["Items"]
    assert item["expires_at"] == int((T0 + dt.timedelta(minutes=30)).timestamp())  # a number: the TTL acts on it
    assert "devries" not in str(item) and "sync" not in str(item)
    assert repo.get(subject) == PasswordReset(subject=subject, code_hash="h", expires_at=T0 + dt.timedelta(minutes=30))


def test_wrong_codes_count_up_to_the_limit_and_a_void_reset_cannot_be_used(
        resets: tuple[DynamoPasswordResets, Any]) -> None:
    repo, _ = resets
    repo.put(PasswordReset(subject="s", code_hash="h", expires_at=T0 + dt.timedelta(minutes=30)))
    assert [repo.count_failed_attempt("s", 3) for _ in range(4)] == [1, 2, 3, 3]
    assert not repo.consume("s", "h", T0, 3)
    assert repo.count_failed_attempt("gone", 3) == 3


def test_consume_needs_the_code_and_time_and_wins_once(resets: tuple[DynamoPasswordResets, Any]) -> None:
    repo, _ = resets
    repo.put(PasswordReset(subject="s", code_hash="h", expires_at=T0 + dt.timedelta(minutes=30)))
    assert not repo.consume("s", "other", T0, 5)
    assert not repo.consume("s", "h", T0 + dt.timedelta(minutes=30), 5)
    assert repo.consume("s", "h", T0, 5)
    assert not repo.consume("s", "h", T0, 5)
    assert repo.get("s") is None


def test_the_web_app_url_is_configured_or_read_from_the_stacks_parameter(aws: None) -> None:
    boto3.client("ssm", region_name="eu-west-1").put_parameter(
        Name="/boekstuk/dev/web-app-url", Value="https://d111.cloudfront.net", Type="String")
    from_parameter = Components(Settings(web_app_url_parameter="/boekstuk/dev/web-app-url"))
    assert from_parameter.web_app_url == "https://d111.cloudfront.net"
    assert from_parameter.public_base_url == "https://d111.cloudfront.net"
    configured = Components(Settings(web_app_url="https://app.boekstuk.nl",
                                     web_app_url_parameter="/boekstuk/dev/web-app-url"))
    assert configured.web_app_url == "https://app.boekstuk.nl"
    assert Components(Settings(api_base_url="https://api.test")).public_base_url == "https://api.test"
