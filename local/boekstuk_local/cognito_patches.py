"""Cognito operations moto 5.2.5 lacks, as the local stack and tests need them.

``RevokeToken`` (logout): the refresh token stops working, as in Cognito. Cognito also revokes the access tokens
the refresh token gave out, for its own APIs; API Gateway's Cognito authorizer (and the local gateway, which
checks signatures and expiry only) does not see that, which is why the API checks each request's session itself
(``SessionCheck``). An unknown token is no error, as at Cognito's revocation endpoint (RFC 7009 section 2.2).
"""

from __future__ import annotations

from typing import Any

_installed = False


def _revoke_token(self: Any) -> Any:
    from moto.cognitoidp.models import cognitoidp_backends
    from moto.cognitoidp.responses import EmptyResult

    client_id, token = self._get_param("ClientId"), self._get_param("Token")
    for account_backends in cognitoidp_backends.values():
        for region, backend in account_backends.items():
            if region == "global":
                continue
            for pool in backend.user_pools.values():
                if client_id in pool.clients:
                    issued = pool.refresh_tokens.get(token)
                    if issued is not None and issued[0] == client_id:
                        pool.refresh_tokens[token] = None
                    return EmptyResult()
    from moto.cognitoidp.exceptions import ResourceNotFoundError

    raise ResourceNotFoundError(client_id)


def install() -> None:
    """Add the missing operations to moto's Cognito (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.cognitoidp.responses import CognitoIdpResponse

    CognitoIdpResponse.revoke_token = _revoke_token  # type: ignore[attr-defined]
    _installed = True
