"""The ``boekstuk`` command without the ``local`` extra: local-only commands say which extra to install (exit 2,
one line, no traceback); ``recognize`` and ``openapi`` need none of it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# Run the CLI in a fresh interpreter in which the local extra's packages cannot be imported.
_WITHOUT_LOCAL_EXTRA = textwrap.dedent("""
    import importlib.abc, sys
    class Missing(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {"moto", "werkzeug", "flask", "reportlab", "faker", "rapidocr_onnxruntime",
                                      "croniter", "yaml", "jwt"}:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None
    sys.meta_path.insert(0, Missing())
    from boekstuk_local.cli import main
    raise SystemExit(main(sys.argv[1:]))
""")


def run_without_local_extra(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _WITHOUT_LOCAL_EXTRA, *args], capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.mark.parametrize("command", ["up", "demo"])
def test_a_local_only_command_without_the_extra_says_which_extra_to_install(command: str) -> None:
    result = run_without_local_extra(command, "--help")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"boekstuk {command}" in lines[0] and "[local]" in lines[0]


def test_openapi_needs_no_local_extra() -> None:
    result = run_without_local_extra("openapi")
    assert result.returncode == 0, result.stderr
    assert '"openapi"' in result.stdout


def test_recognize_needs_no_local_extra_for_an_einvoice(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.unit.einvoice.test_einvoice import FIXTURES

    result = run_without_local_extra("recognize", "--json", str(FIXTURES / "nlcius_invoice.xml"))
    assert result.returncode == 0, result.stderr
    assert '"engine": "ubl"' in result.stdout


def test_unknown_commands_are_refused() -> None:
    result = run_without_local_extra("deploy")
    assert result.returncode == 2 and "unknown command" in result.stderr
