"""Open sessions in the single table: one item per login under its office, and one to find it by refresh token.

| item                    | pk                          | sk                                  |
|-------------------------|-----------------------------|-------------------------------------|
| open session            | OFFICE#{code}               | SESSION#{username}#{session id}     |
| session by refresh token| SESSIONREFRESH#{token hash} | SESSION                             |

The session id is Cognito's ``origin_jti``, which every access token of the login carries, so a request's claims
name the session item directly (one GetItem). ``expires_at`` (the refresh token's end) is the table's TTL
attribute: housekeeping only, since no access token outlives its refresh token. No token is stored, only a digest.
"""

from __future__ import annotations

from typing import Any

from boekstuk.adapters.dynamodb import DynamoTable
from boekstuk.domain.onboarding import OpenSession


def _session_key(office_code: str, username: str, session_id: str) -> dict[str, str]:
    return {"pk": f"OFFICE#{office_code}", "sk": f"SESSION#{username}#{session_id}"}


def _refresh_key(refresh_token_hash: str) -> dict[str, str]:
    return {"pk": f"SESSIONREFRESH#{refresh_token_hash}", "sk": "SESSION"}


class DynamoSessionRegistry:
    """``SessionRegistry`` on the single table."""

    def __init__(self, db: DynamoTable) -> None:
        self._db = db

    def open(self, session: OpenSession) -> None:
        """Both items in one transaction: a session is findable by its refresh token from its first moment."""
        expires = int(session.expires_at.timestamp())
        owner = {"office_code": session.office_code, "username": session.username, "session_id": session.session_id}
        self._db.transact([
            {"Put": {"Item": {**_session_key(session.office_code, session.username, session.session_id),
                              "refresh_token_hash": session.refresh_token_hash,
                              "opened_at": session.opened_at.isoformat(), "expires_at": expires}}},
            {"Put": {"Item": {**_refresh_key(session.refresh_token_hash), **owner, "expires_at": expires}}},
        ])

    def is_open(self, office_code: str, username: str, session_id: str) -> bool:
        """One strongly consistent GetItem: a logout a moment ago already counts."""
        key = _session_key(office_code, username, session_id)
        return self._db.get(key["pk"], key["sk"]) is not None

    def holds(self, refresh_token_hash: str) -> bool:
        """The lookup item exists exactly while its session does (``close`` and ``close_all`` delete both)."""
        lookup = _refresh_key(refresh_token_hash)
        return self._db.get(lookup["pk"], lookup["sk"]) is not None

    def close(self, refresh_token_hash: str) -> None:
        """The session item first (what requests check), then the lookup; both deletes are idempotent."""
        lookup = _refresh_key(refresh_token_hash)
        found = self._db.get(lookup["pk"], lookup["sk"])
        if found is not None:
            self._delete(_session_key(str(found["office_code"]), str(found["username"]), str(found["session_id"])))
        self._delete(lookup)

    def close_all(self, office_code: str, username: str) -> int:
        """Every session item of the user (a consistent query), each with its lookup."""
        items = self._db.query_prefix(f"OFFICE#{office_code}", f"SESSION#{username}#", consistent=True)
        for item in items:
            self._delete({"pk": item["pk"], "sk": item["sk"]})
            self._delete(_refresh_key(str(item["refresh_token_hash"])))
        return len(items)

    def _delete(self, key: dict[str, Any]) -> None:
        self._db.table.delete_item(Key=key)
