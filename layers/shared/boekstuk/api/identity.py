"""Who is calling: the office and username from the claims the API Gateway Cognito authorizer passed on, and
the address the request came from."""

from __future__ import annotations

from dataclasses import dataclass

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from boekstuk.domain.errors import NotFound, Unauthorized
from boekstuk.domain.onboarding import USERNAME_SEPARATOR


@dataclass(frozen=True)
class Caller:
    office_code: str
    username: str

    def require_office(self, office: str) -> None:
        """A path naming another office answers 404: never reveal that it exists (API.md)."""
        if office.lower() != self.office_code:
            raise NotFound("No such office.")


def source_ip(app: APIGatewayRestResolver) -> str:
    """The caller's address as API Gateway saw the connection (``identity.sourceIp``), never a header the
    caller wrote (``X-Forwarded-For`` can say anything); empty when the event has none."""
    context = app.current_event.raw_event.get("requestContext") or {}
    return str((context.get("identity") or {}).get("sourceIp") or "")


def current_caller(app: APIGatewayRestResolver) -> Caller:
    """The caller of the current request; ``Unauthorized`` if the authorizer passed no usable claims."""
    authorizer = app.current_event.request_context.authorizer
    claims = (authorizer.claims if authorizer else None) or {}
    cognito_name = str(claims.get("username") or claims.get("cognito:username") or "")
    office, sep, username = cognito_name.partition(USERNAME_SEPARATOR)
    if not sep or not office or not username:
        raise Unauthorized()
    return Caller(office_code=office, username=username)
