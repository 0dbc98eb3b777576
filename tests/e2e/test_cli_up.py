"""``boekstuk up`` as a real subprocess: healthy, answering, Ctrl-C stops it cleanly; ``--data-dir`` keeps state."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from boekstuk_local.stack import wait_until_healthy
from tests.e2e.conftest import PASSWORD, Api, assert_problem, mail_code, onboard, signup_body

pytestmark = pytest.mark.e2e

START_TIMEOUT = 60.0  # seconds until healthy (imports, emulator, provisioning)
STOP_TIMEOUT = 20.0  # seconds from SIGINT to exit


def boekstuk_command() -> list[str]:
    """The installed ``boekstuk`` console script next to this interpreter (else ``python -m boekstuk_local.cli``)."""
    script = Path(sys.executable).with_name("boekstuk")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "boekstuk_local.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def boekstuk_up(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Run ``boekstuk up --port N *args`` until healthy; yields (process, base URL); kills it if still running."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT_URL", "MOTO_"))}
    process = subprocess.Popen([*boekstuk_command(), "up", "--port", str(port), *args], env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_healthy(url, timeout=START_TIMEOUT)
        except TimeoutError:
            process.kill()
            pytest.fail(f"boekstuk up not healthy: {process.communicate(timeout=10)[0][-3000:]}")
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)


def interrupt(process: subprocess.Popen[str]) -> tuple[int, str]:
    """Ctrl-C: SIGINT, then the exit code and output (bounded wait)."""
    process.send_signal(signal.SIGINT)
    try:
        output, _ = process.communicate(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate(timeout=10)
        pytest.fail(f"boekstuk up did not stop within {STOP_TIMEOUT} s of SIGINT: {output[-3000:]}")
    return process.returncode, output


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
