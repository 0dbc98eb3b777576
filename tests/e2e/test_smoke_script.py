"""scripts/smoke.py, the post-deploy check, passes against a working API (the local stack over HTTP) and names
the check that fails against a broken one."""

from __future__ import annotations

from types import ModuleType

import pytest

from boekstuk_local.stack import StackHandle
from tests.scripts import load_script

pytestmark = pytest.mark.e2e


def smoke() -> ModuleType:
    return load_script("scripts/smoke.py")


def test_smoke_passes_against_the_running_stack(stack: StackHandle, capsys: pytest.CaptureFixture[str]) -> None:
    assert smoke().main([stack.url, "--email", "smoke@example.nl"]) == 0
    out = capsys.readouterr().out
    assert out.count("ok  ") == 4 and "FAIL" not in out


def test_smoke_names_what_fails(stack: StackHandle, capsys: pytest.CaptureFixture[str]) -> None:
    # The stage's path left off the URL: nothing answers where the checks look.
    assert smoke().main([f"{stack.url}/nowhere", "--email", "smoke@example.nl"]) == 1
    out = capsys.readouterr().out
    assert "FAIL health" in out and "FAIL openapi" in out
