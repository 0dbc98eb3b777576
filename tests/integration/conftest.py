"""Integration fixtures: one provisioned template per module (provisioning costs about a second)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest

from boekstuk.local import moto_patches
from boekstuk.local.testing import LocalAws, local_aws

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    moto_patches.install()
    with local_aws() as harness:
        yield harness


def unique(prefix: str) -> str:
    """A name no other test in the session uses."""
    return f"{prefix}{next(_counter)}"


def code_from_mail(aws: LocalAws, to: str) -> str:
    """The six-digit code of the newest mail to ``to``."""
    body = aws.mail(to)[-1].body
    match = re.search(r"\b(\d{6})\b", body)
    assert match, body
    return match.group(1)


def signup_body(email: str, plan: str = "trial", **overrides: Any) -> dict[str, Any]:
    body = {"company_name": "Bakkerij De Vries B.V.", "contact_name": "Anna de Vries", "email": email,
            "phone": "+31 20 123 4567", "plan": plan, "plan_confirmation": plan, "accept_terms": True}
    body.update(overrides)
    return body


def confirmed_token(aws: LocalAws, email: str, plan: str = "trial") -> str:
    status, _, body = aws.api_call("POST", "/v1/signups", signup_body(email, plan))
    assert status == 201, body
    status, _, confirmed = aws.api_call("POST", f"/v1/signups/{body['signup_id']}/confirmation",
                                        {"code": code_from_mail(aws, email)})
    assert status == 200, confirmed
    return str(confirmed["activation_token"])


def onboarded_office(aws: LocalAws, username: str = "sync") -> tuple[str, str]:
    """A fresh activated office; returns (office_code, access token of its sync user)."""
    office = unique("office-")
    token = confirmed_token(aws, f"{office}@example.nl")
    status, _, body = aws.api_call("POST", "/v1/activations", {"activation_token": token, "office_code": office,
                                                                "username": username, "password": PASSWORD})
    assert status == 201, body
    status, _, session = aws.api_call("POST", "/v1/sessions", {"office_code": office, "username": username,
                                                               "password": PASSWORD})
    assert status == 200, session
    return office, str(session["access_token"])
