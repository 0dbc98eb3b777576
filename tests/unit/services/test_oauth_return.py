"""The OAuth callback's way back to the web app is worked out by the connection service from the address it was
given when it was built; the handler only chooses between that redirect and JSON."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from boekstuk.domain.links import Connection, OAuthState
from boekstuk.domain.onboarding import hash_secret
from boekstuk.domain.packages import OAuthTokens
from boekstuk.services.connections import ConnectionService
from tests.fakes import FixedClock

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
PENDING = Connection(connection_id="con1", office_code="devries", package="exact_online",
                     status="pending_authorization", secret_name="s", created_at=T0, created_by="sync")


@dataclass
class Connections:
    verified: list[str] = field(default_factory=list)

    def consume_oauth_state(self, state_hash: str) -> OAuthState | None:
        if state_hash != hash_secret("the-state"):
            return None
        return OAuthState(state_hash=state_hash, office_code="devries", connection_id="con1",
                          redirect_uri="https://api.test/v1/oauth/callback", expires_at=T0 + dt.timedelta(minutes=10))

    def get(self, office_code: str, connection_id: str) -> Connection | None:
        return PENDING

    def mark_verified(self, office_code: str, connection_id: str) -> None:
        self.verified.append(connection_id)


class Flow:
    def exchange_code(self, code: str, redirect_uri: str) -> OAuthTokens:
        return OAuthTokens(access_token="a", refresh_token="r", expires_at=T0.timestamp() + 600)


class Gateway:
    def oauth(self, package: str) -> Flow:
        return Flow()


@dataclass
class Secrets:
    stored: dict[str, Any] = field(default_factory=dict)

    def put(self, name: str, value: Any) -> None:
        self.stored[name] = value


def service(web_app_url: str = "") -> ConnectionService:
    return ConnectionService(Connections(), None, Secrets(), Gateway(), FixedClock(T0), "boekstuk/",  # type: ignore[arg-type]
                             web_app_url=web_app_url)


def test_with_a_web_app_the_callback_leads_to_the_connection_page() -> None:
    returned = service("https://app.boekstuk.test/").oauth_return("the-state", "code-1")
    assert returned.result.connection_id == "con1" and returned.result.status == "verified"
    assert returned.web_app_location == "https://app.boekstuk.test/#/connections/con1?linked=1"


def test_without_a_web_app_there_is_nowhere_to_go_but_json() -> None:
    returned = service().oauth_return("the-state", "code-1")
    assert returned.web_app_location is None and returned.result.office_code == "devries"
