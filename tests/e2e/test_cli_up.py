"""``boekstuk up`` as a real subprocess: healthy, answering, Ctrl-C stops it cleanly; ``--data-dir`` keeps state."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import PASSWORD, Api, assert_problem, mail_code, onboard, signup_body
from tests.e2e.processes import boekstuk_up, interrupt

pytestmark = pytest.mark.e2e


def test_up_answers_stops_on_ctrl_c_and_keeps_state_in_its_data_dir(tmp_path: Path) -> None:
    """Two real starts (about 8 s each): the second proves ``--data-dir`` and a second clean Ctrl-C."""
    data_dir = tmp_path / "state"
    with boekstuk_up("--data-dir", str(data_dir)) as (process, url):
        assert requests.get(f"{url}/v1/health", timeout=10).json() == {"status": "ok"}
        assert len(requests.get(f"{url}/v1/packages", timeout=10).json()) == 5
        assert "/v1/signups" in requests.get(f"{url}/v1/openapi.json", timeout=10).json()["paths"]
        office, _ = onboard(Api(url))
        code, output = interrupt(process)
    assert code == 0, output
    assert "boekstuk local stack is up" in output and f"{url}/v1" in output
    assert "Traceback" not in output, output
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/v1/health", timeout=5)
    assert any(data_dir.iterdir()), "nothing was saved in the data dir"

    with boekstuk_up("--data-dir", str(data_dir)) as (process, url):
        api = Api(url)
        session = api.ok("POST", "/v1/sessions", {"office_code": office, "username": "sync", "password": PASSWORD},
                         auth=False)
        assert api.ok("GET", "/v1/me", token=session["access_token"])["username"] == "sync"
        # The office code stays taken after the restart (never reusable).
        email = f"again-{office}@example.nl"
        signup = api.ok("POST", "/v1/signups", signup_body(email), status=201, auth=False)
        confirmed = api.ok("POST", f"/v1/signups/{signup['signup_id']}/confirmation",
                           {"code": mail_code(api, email)}, auth=False)
        assert_problem(api.call("POST", "/v1/activations", {"activation_token": confirmed["activation_token"],
                                                            "office_code": office, "username": "sync",
                                                            "password": PASSWORD}, auth=False),
                       409, "office_code_taken")
        code, output = interrupt(process)
    assert code == 0, output
