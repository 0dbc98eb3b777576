"""``boekstuk recognize``: one JSON object per file per line, errors as objects, other files still run."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from boekstuk.adapters.recognition.cli import main
from boekstuk.domain.recognition import FIELD_NAMES
from tests.unit.recognition_intake import docs

EINVOICE_FIXTURES = Path(__file__).parent.parent / "einvoice" / "fixtures"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    paths = {
        "ubl": tmp_path / "factuur.xml",
        "hybrid": tmp_path / "factur-x.pdf",
        "fake_pdf": tmp_path / "nep.pdf",
        "missing": tmp_path / "weg.pdf",
    }
    paths["ubl"].write_bytes((EINVOICE_FIXTURES / "nlcius_invoice.xml").read_bytes())
    paths["hybrid"].write_bytes(
        docs.pdf_with_attachments(
            {"factur-x.xml": (EINVOICE_FIXTURES / "cii_invoice.xml").read_bytes()},
            base=docs.text_pdf(["Factuurnummer F2024-0815", "Totaal EUR 121,00", "Molen De Hoop B.V. Zaandam"]),
        )
    )
    paths["fake_pdf"].write_bytes(docs.zip_file(["a.txt"]))
    return {key: str(path) for key, path in paths.items()}


def run(argv: list[str]) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue().splitlines()


def test_json_lines_with_errors_in_between(files: dict[str, str]) -> None:
    code, lines = run(["recognize", "--json", files["fake_pdf"], files["ubl"], files["missing"], files["hybrid"]])
    assert code == 0
    results = [json.loads(line) for line in lines]
    assert [r["file"] for r in results] == [files["fake_pdf"], files["ubl"], files["missing"], files["hybrid"]]

    bad, ubl, missing, hybrid = results
    assert set(bad) == {"file", "error", "seconds"}
    assert bad["error"]["code"] == "unreadable"
    assert bad["error"]["reason"] == "type_mismatch"
    assert "ZIP archive" in bad["error"]["detail"]
    assert missing["error"]["code"] == "file_not_readable"

    assert {"file", "engine", "fields", "vat_lines", "line_items", "confidence", "seconds"} <= set(ubl)
    assert list(ubl["fields"]) == list(FIELD_NAMES)
    assert ubl["engine"] == "ubl"
    assert ubl["fields"]["total_incl_vat"] == "230.00"  # money as two-decimal strings (API.md)
    assert ubl["fields"]["supplier_kvk"] == "12345678"
    assert ubl["vat_lines"][0] == {
        "rate": "21",
        "base": "100.00",
        "amount": "21.00",
        "reverse_charge": False,
        "category": "S",
    }
    assert ubl["line_items"][0]["description"] == "Tarwebloem type 550"
    assert ubl["confidence"]["invoice_number"] == 1.0
    assert isinstance(ubl["seconds"], float)
    assert hybrid["engine"] == "cii"


def test_visual_only_flag_reads_the_page_of_a_hybrid_pdf(files: dict[str, str]) -> None:
    _, lines = run(["--json", "--visual-only", files["hybrid"]])
    result = json.loads(lines[0])
    assert result["engine"] == "pdf_text"
    assert result["fields"]["invoice_number"] == "F2024-0815"


def test_human_summary(files: dict[str, str]) -> None:
    code, lines = run([files["ubl"], files["fake_pdf"]])
    assert code == 0
    assert lines[0].startswith(f"{files['ubl']}: [ubl] invoice supplier=Molen De Hoop number=F2024-0815")
    assert "total=230.00 EUR" in lines[0]
    assert lines[1].startswith(f"{files['fake_pdf']}: UNREADABLE (type_mismatch)")


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run([])[0] == 2
    assert run(["--workers", "0", "x.pdf"])[0] == 2
    assert run(["--bogus", "x.pdf"])[0] == 2
    assert run(["--help"])[0] == 0
    capsys.readouterr()


def test_workers_keep_the_order_and_the_results(files: dict[str, str]) -> None:
    order = [files["hybrid"], files["fake_pdf"], files["ubl"]]
    _, sequential = run(["--json", *order])
    _, parallel = run(["--json", "--workers", "2", *order])

    def strip(line: str) -> dict[str, object]:
        data = json.loads(line)
        data.pop("seconds")
        return data

    assert [strip(line) for line in parallel] == [strip(line) for line in sequential]


def test_runs_as_a_module(files: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "boekstuk.adapters.recognition.cli", "--json", files["ubl"]],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[0])["fields"]["invoice_number"] == "F2024-0815"


def test_json_names_the_buyer_as_well(files: dict[str, str]) -> None:
    # The benchmark scores the buyer's name and ids (issue 13): the CLI must report what the reader found.
    _, lines = run(["--json", files["ubl"]])
    buyer = json.loads(lines[0])["buyer"]
    assert buyer["name"] == "Bakkerij De Vries"
    assert buyer["vat_id"] == "NL001234567B01"


def test_hints_on_the_command_line_mark_the_parties(tmp_path: Path) -> None:
    invoice = tmp_path / "factuur.pdf"
    invoice.write_bytes(docs.text_pdf(["Bakkerij De Vries B.V.", "Dorpsstraat 3", "1234 AB Ons Dorp",
                                       "KANTOORHUIS UTRECHT", "Factuurnummer: F2024-0815", "Totaal EUR 121,00"]))
    suppliers = tmp_path / "suppliers.json"  # as GET .../suppliers answers
    suppliers.write_text(json.dumps({"suppliers": [
        {"code": "2001", "name": "Kantoorhuis Utrecht B.V.", "vat_id": "NL853746333B01", "kvk": "30276543",
         "iban": "NL91ABNA0417164300", "default_gl_account": "4300", "payment_term_days": 30}]}))
    _, [plain] = run(["recognize", "--json", str(invoice)])
    assert json.loads(plain)["fields"]["supplier_name"] == "Bakkerij De Vries B.V."
    _, [hinted] = run(["recognize", "--json", "--buyer-name", "Bakkerij De Vries B.V.", "--buyer-vat",
                       "NL000099998B57", "--suppliers", str(suppliers), str(invoice)])
    result = json.loads(hinted)
    assert result["fields"]["supplier_name"] == "KANTOORHUIS UTRECHT"
    assert result["buyer"]["name"] == "Bakkerij De Vries B.V."


def test_a_suppliers_file_that_is_not_a_list_of_suppliers_is_a_usage_error(tmp_path: Path) -> None:
    suppliers = tmp_path / "suppliers.json"
    suppliers.write_text('{"crediteuren": []}')
    code, lines = run(["recognize", "--suppliers", str(suppliers), str(tmp_path / "f.pdf")])
    assert (code, lines) == (2, [])
