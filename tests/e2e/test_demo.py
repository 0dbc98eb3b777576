"""``boekstuk demo`` runs green against the started stack, and fails clearly when there is no stack."""

from __future__ import annotations

import secrets
import socket

import pytest

from boekstuk_local import demo
from boekstuk_local.simulators.seed import NAMED_SUPPLIERS
from boekstuk_local.stack import StackHandle

pytestmark = pytest.mark.e2e


def test_demo_runs_green_twice(stack: StackHandle, capsys: pytest.CaptureFixture[str]) -> None:
    assert demo.main(["--url", stack.url]) == 0
    first = capsys.readouterr()
    assert "DEMO FAILED" not in first.err, first.err
    for expected in ("Step 1: sign up", "carries code", "Step 2: activate", "Link SnelStart", "Link Exact Online",
                     "callback answered", "no access for this package user", "added 5", *(s.name for s in NAMED_SUPPLIERS),
                     "status: awaiting_approval", "Recognition (", "NL853746333B01", "Booking proposal",
                     "matched by vat_id", "Approve as 'piet'", "status: booked", "What exact_online now holds",
                     "Done."):
        assert expected in first.out, expected
    # Idempotent across runs: a fresh e-mail and office each time.
    assert demo.main(["--url", stack.url]) == 0
    second = capsys.readouterr()
    office = first.out.split("Office '", 1)[1].split("'", 1)[0]
    assert office.startswith("demo-") and office not in second.out


def test_demo_takes_the_office_code_option(stack: StackHandle, capsys: pytest.CaptureFixture[str]) -> None:
    office = f"demo-opt-{secrets.token_hex(3)}"
    assert demo.main(["--url", stack.url, "--office-code", office]) == 0
    assert f"Office '{office}'" in capsys.readouterr().out
    # The same office code again is taken: the demo stops with the problem document and a non-zero exit.
    assert demo.main(["--url", stack.url, "--office-code", office]) == 1
    err = capsys.readouterr().err
    assert "DEMO FAILED" in err and "office_code_taken" in err


def test_demo_without_a_stack_fails_clearly(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: connections are refused
        assert demo.main(["--url", f"http://127.0.0.1:{port}"]) == 1
    err = capsys.readouterr().err
    assert "DEMO FAILED" in err and "boekstuk up" in err
