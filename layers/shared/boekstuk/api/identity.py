"""Who is calling: the office and username from the claims the API Gateway Cognito authorizer passed on, and
the address the request came from (the viewer's, for requests the web app's CloudFront distribution forwarded)."""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from boekstuk.domain.errors import NotFound, Unauthorized
from boekstuk.domain.onboarding import USERNAME_SEPARATOR
from boekstuk.settings import get_settings


@dataclass(frozen=True)
class Caller:
    office_code: str
    username: str

    def require_office(self, office: str) -> None:
        """A path naming another office answers 404: never reveal that it exists (API.md)."""
        if office.lower() != self.office_code:
            raise NotFound("No such office.")


ORIGIN_VERIFY_HEADER = "X-Boekstuk-Origin-Verify"
VIEWER_ADDRESS_HEADER = "CloudFront-Viewer-Address"


def source_ip(app: APIGatewayRestResolver) -> str:
    """The caller's address as API Gateway saw the connection (``identity.sourceIp``), never a header the
    caller wrote (``X-Forwarded-For`` can say anything); empty when the event has none.

    Requests through the web app's CloudFront distribution come from a CloudFront edge, shared by many viewers;
    for them the viewer's address is what CloudFront put in ``CloudFront-Viewer-Address``. That header counts
    only next to the origin secret CloudFront adds: anyone calling API Gateway directly can write the header,
    not the secret.
    """
    headers = app.current_event.headers
    secret = get_settings().cloudfront_origin_secret
    if secret and hmac.compare_digest(str(headers.get(ORIGIN_VERIFY_HEADER) or "").encode(), secret.encode()):
        viewer = viewer_address(str(headers.get(VIEWER_ADDRESS_HEADER) or ""))
        if viewer:
            return viewer
    context = app.current_event.raw_event.get("requestContext") or {}
    return str((context.get("identity") or {}).get("sourceIp") or "")


def viewer_address(header: str) -> str:
    """The address in ``CloudFront-Viewer-Address`` (``198.51.100.10:46532``, ``2001:db8::1:46532``): the
    part before the last colon, which is the viewer's port. Empty when the header is not of that form."""
    address, sep, port = header.strip().rpartition(":")
    if not sep or not port.isdigit():
        return ""
    try:
        return str(ipaddress.ip_address(address.strip("[]")))
    except ValueError:
        return ""


def authorizer_claims(app: APIGatewayRestResolver) -> dict[str, str]:
    """The token claims API Gateway's Cognito authorizer passed on; empty on routes without the authorizer."""
    authorizer = app.current_event.request_context.authorizer
    return dict((authorizer.claims if authorizer else None) or {})


def session_id(claims: dict[str, str]) -> str:
    """The login the token belongs to: Cognito's ``origin_jti``, the same in every access token of the session."""
    return str(claims.get("origin_jti") or "")


def current_caller(app: APIGatewayRestResolver) -> Caller:
    """The caller of the current request; ``Unauthorized`` if the authorizer passed no usable claims."""
    claims = authorizer_claims(app)
    cognito_name = str(claims.get("username") or claims.get("cognito:username") or "")
    office, sep, username = cognito_name.partition(USERNAME_SEPARATOR)
    if not sep or not office or not username:
        raise Unauthorized()
    return Caller(office_code=office, username=username)
