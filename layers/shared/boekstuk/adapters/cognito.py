"""The user directory in Cognito. Usernames are ``office:username``: only unique within an office."""

from __future__ import annotations

import base64
import json
from typing import Any

from botocore.exceptions import ClientError

from boekstuk.domain import errors
from boekstuk.domain.onboarding import SessionTokens, cognito_username


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def session_id_of(access_token: str) -> str:
    """The ``origin_jti`` claim of an access token Cognito has just issued to us: the id of the login, the same in
    every access token its refresh token gives out. Read without checking the signature, which is sound only for
    a token taken straight from Cognito's answer (never for one a client sent)."""
    try:
        payload = access_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        origin = claims["origin_jti"]
    except (IndexError, KeyError, TypeError, ValueError) as exc:
        # Cognito puts origin_jti in tokens only when the app client has token revocation on (template.yaml).
        raise RuntimeError("Cognito's access token has no origin_jti: enable token revocation on the client") from exc
    return str(origin)


def _tokens(auth: dict[str, Any]) -> SessionTokens:
    return SessionTokens(access_token=auth["AccessToken"], refresh_token=auth.get("RefreshToken"),
                         expires_in=int(auth.get("ExpiresIn", 3600)), session_id=session_id_of(auth["AccessToken"]))


class CognitoIdentityProvider:
    def __init__(self, client: Any, user_pool_id: str, client_id: str) -> None:
        self._client = client
        self._pool = user_pool_id
        self._client_id = client_id

    def create_user(self, office_code: str, username: str, password: str, email: str | None) -> None:
        """Create the login with a permanent password (no e-mail from Cognito: we never mail usernames)."""
        name = cognito_username(office_code, username)
        attributes = [{"Name": "custom:office_code", "Value": office_code}]
        if email:
            attributes += [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
        try:
            self._client.admin_create_user(
                UserPoolId=self._pool, Username=name, UserAttributes=attributes, MessageAction="SUPPRESS"
            )
        except ClientError as exc:
            if _code(exc) == "UsernameExistsException":
                raise errors.UsernameTaken() from exc
            raise
        try:
            self._client.admin_set_user_password(UserPoolId=self._pool, Username=name, Password=password, Permanent=True)
        except ClientError as exc:
            self.delete_user(office_code, username)
            if _code(exc) == "InvalidPasswordException":
                raise errors.WeakPassword() from exc
            raise

    def delete_user(self, office_code: str, username: str) -> None:
        """Remove the login; a login that is already gone is fine."""
        try:
            self._client.admin_delete_user(UserPoolId=self._pool, Username=cognito_username(office_code, username))
        except ClientError as exc:
            if _code(exc) != "UserNotFoundException":
                raise

    def login(self, office_code: str, username: str, password: str) -> SessionTokens:
        """USER_PASSWORD_AUTH; every kind of refusal is the same ``InvalidCredentials``."""
        try:
            result = self._client.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": cognito_username(office_code, username), "PASSWORD": password},
            )
        except ClientError as exc:
            code = _code(exc)
            if code in ("NotAuthorizedException", "UserNotFoundException", "PasswordResetRequiredException",
                        "UserNotConfirmedException", "InvalidParameterException"):
                raise errors.InvalidCredentials() from exc
            if code in ("TooManyRequestsException", "LimitExceededException"):
                # The pool's request rate, not this user: worth a retry in a moment.
                raise errors.LoginThrottled(retry_after=1) from exc
            raise
        auth = result.get("AuthenticationResult")
        if not auth:  # a challenge (e.g. NEW_PASSWORD_REQUIRED) is not a login we support
            raise errors.InvalidCredentials()
        return _tokens(auth)

    def refresh(self, refresh_token: str) -> SessionTokens:
        """REFRESH_TOKEN_AUTH."""
        try:
            result = self._client.initiate_auth(
                ClientId=self._client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh_token}
            )
        except ClientError as exc:
            if _code(exc) in ("NotAuthorizedException", "InvalidParameterException"):
                raise errors.InvalidCredentials("The refresh token is not valid.") from exc
            raise
        return _tokens(result["AuthenticationResult"])

    def revoke(self, refresh_token: str) -> None:
        """RevokeToken: the refresh token stops working (and, for Cognito's own APIs, its access tokens).

        A token Cognito does not know, that another client got, or that is malformed is nothing to revoke:
        logging out of a session that is already dead succeeds.
        """
        try:
            self._client.revoke_token(Token=refresh_token, ClientId=self._client_id)
        except ClientError as exc:
            if _code(exc) in ("NotAuthorizedException", "UnauthorizedException", "InvalidParameterException",
                              "UnsupportedTokenTypeException"):
                return
            raise

    def set_password(self, office_code: str, username: str, password: str) -> None:
        """AdminSetUserPassword, permanent (the user chose it; no change is forced at the next login)."""
        try:
            self._client.admin_set_user_password(UserPoolId=self._pool, Username=cognito_username(office_code, username),
                                                 Password=password, Permanent=True)
        except ClientError as exc:
            code = _code(exc)
            if code == "InvalidPasswordException":
                raise errors.WeakPassword() from exc
            if code == "UserNotFoundException":
                raise errors.InvalidCredentials() from exc
            raise

    def sign_out_everywhere(self, office_code: str, username: str) -> None:
        """AdminUserGlobalSignOut: every refresh token of the login is revoked."""
        try:
            self._client.admin_user_global_sign_out(UserPoolId=self._pool,
                                                    Username=cognito_username(office_code, username))
        except ClientError as exc:
            if _code(exc) != "UserNotFoundException":
                raise
