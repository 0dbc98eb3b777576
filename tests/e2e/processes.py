"""``boekstuk up`` as a real subprocess for the e2e tests: started on a free port until healthy, stopped with
Ctrl-C (SIGINT) or killed."""

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

from boekstuk_local.stack import wait_until_healthy

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
def boekstuk_up(*args: str, log_level: str | None = None) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Run ``boekstuk up --port N *args`` until healthy; yields (process, base URL); kills it if still running.
    ``log_level`` overrides the test session's quiet ``POWERTOOLS_LOG_LEVEL`` (``INFO``: as a person runs it)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT_URL", "MOTO_"))}
    if log_level is not None:
        env["POWERTOOLS_LOG_LEVEL"] = log_level
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
