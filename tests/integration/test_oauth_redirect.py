"""The OAuth callback leads a browser back to the web app's wizard, with the connection or the error's code;
a JSON client still gets JSON (and problem documents)."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator

import pytest

from boekstuk_local.simulators.base import complete_oauth_login
from boekstuk_local.simulators.registry import DEMO_LOGINS
from boekstuk_local.testing import LocalAws, local_aws
from tests.integration.conftest import assert_problem, onboarded_office


@pytest.fixture(scope="module")
def harness() -> Iterator[LocalAws]:
    with local_aws(simulators=True) as opened:
        yield opened


def test_the_oauth_callback_leads_a_browser_back_to_the_wizard(harness: LocalAws) -> None:
    office, token = onboarded_office(harness)
    web = harness.environment["WEB_APP_URL"]
    status, _, body = harness.api_call("POST", f"/v1/offices/{office}/connections",
                                       {"package": "exact_online", "description": "Exact kantoor"}, token=token)
    assert status == 201, body
    login = DEMO_LOGINS["exact_online"]
    code, state = complete_oauth_login(body["authorize_url"], login["username"], login["password"])
    query = urllib.parse.urlencode({"code": code, "state": state})
    status, headers, _ = harness.api_call("GET", f"/v1/oauth/callback?{query}", headers={"Accept": "text/html"})
    assert status == 302
    assert headers["Location"] == (f"{web}/#/onboarding/connected?connection_id={body['connection_id']}"
                                   "&status=verified")
    status, headers, _ = harness.api_call("GET", f"/v1/oauth/callback?{query}", headers={"Accept": "text/html"})
    assert (status, headers["Location"]) == (
        302, f"{web}/#/onboarding/connected?status=error&code=invalid_oauth_state")
    assert_problem(harness.api_call("GET", f"/v1/oauth/callback?{query}", headers={"Accept": "application/json"}),
                   400, "invalid_oauth_state")
