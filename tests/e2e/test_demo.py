"""``boekstuk demo`` as ``scripts/demo.sh`` runs it: against ``boekstuk up --log-file`` in its own process, the demo
takes a folder of documents to the package and prints a summary table; the stack's JSON logs are in their file,
never on the terminal. Without a stack it fails clearly."""

from __future__ import annotations

import json
import secrets
import socket
from pathlib import Path

import pytest

from boekstuk_local import demo
from tests.e2e.processes import boekstuk_up, interrupt

pytestmark = pytest.mark.e2e


def json_lines(text: str) -> list[str]:
    """The lines of ``text`` that are JSON objects (a log line), wherever a progress bar's ``\\r`` put them."""
    found = []
    for line in text.replace("\r", "\n").splitlines():
        try:
            parsed = json.loads(line)
        except ValueError:
            continue
        if isinstance(parsed, dict):
            found.append(line)
    return found


def test_the_demo_books_a_folder_and_the_stacks_logs_stay_in_their_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "stack.log"
    office = f"demo-e2e-{secrets.token_hex(3)}"
    with boekstuk_up("--log-file", str(log), log_level="INFO") as (process, url):
        code = demo.main(["--url", url, "--office-code", office, "--stack-log", str(log),
                          "--documents-dir", str(tmp_path / "documents")])
        first = capsys.readouterr()
        assert code == 0, first.err + first.out[-3000:]
        # The same office code again is taken: the demo stops with the problem document and a non-zero exit.
        assert demo.main(["--url", url, "--office-code", office]) == 1
        again = capsys.readouterr()
        assert "DEMO FAILED" in again.err and "office_code_taken" in again.err
        code, terminal = interrupt(process)
    assert code == 0, terminal

    out = first.out
    for expected in ("Step 1: sign up", "carries code", "Link SnelStart", "its own e-mail inbox: ",
                     "from 1000.00 EUR, 1 of anna", "7/7", "read by ubl", "matched by vat_id",
                     "approve by piet -> awaiting_approval", "approve by anna -> approved",
                     "reject by piet -> rejected", "books it on GL 4600", f"Office '{office}'", str(log)):
        assert expected in out, expected
    summary = out.split("Summary: ", 1)[1]
    header, rule, *rows = [line.strip() for line in summary.splitlines()[1:] if line.strip()][:9]
    assert header.split() == ["document", "supplier", "amount", "status", "package", "entry"], header
    assert set(rule) <= {"-", " "}
    files = sorted(p.name for p in (tmp_path / "documents").iterdir())
    assert [row.split()[0] for row in rows] == files and len(files) == 7
    status_of = {row.split()[0]: row for row in rows}
    for name, row in status_of.items():
        if "niet-besteld" in name:
            assert " rejected " in f"{row} " and row.endswith("-"), row
        else:
            assert " booked " in row and "(+PDF)" in row, row
    assert "-151.25 EUR" in status_of["06-creditnota-kantoorhuis.pdf"]  # a credit note books negative

    # Nothing of the stack's logging reached the terminal; it is all in the file the demo named.
    assert json_lines(out) == [] and json_lines(first.err) == [] and json_lines(terminal) == []
    assert "boekstuk local stack is up" in terminal and str(log) in terminal
    logged = json_lines(log.read_text(encoding="utf-8"))
    assert logged and any(json.loads(line).get("service") == "boekstuk" for line in logged)


def test_demo_without_a_stack_fails_clearly(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: connections are refused
        assert demo.main(["--url", f"http://127.0.0.1:{port}"]) == 1
    err = capsys.readouterr().err
    assert "DEMO FAILED" in err and "boekstuk up" in err
