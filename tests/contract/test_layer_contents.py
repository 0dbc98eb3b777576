"""The Lambda layer holds production code only: built the way ``sam build`` copies it, it contains no local-stack,
simulator, demo, sample, test or pytest code (issue 10). The third-party half is checked on the real ``sam build``
output by scripts/sam-check.sh with the same ``forbidden_content``."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from boekstuk_local.layer import copy_layer_source, forbidden_content, layer_content_uri, unzipped_size
from boekstuk_local.paths import project_root

ROOT = project_root()


def test_the_layer_is_built_from_the_production_package_only() -> None:
    assert layer_content_uri(ROOT / "template.yaml") == (ROOT / "layers/shared").resolve()


def test_the_built_layer_holds_no_local_stack_or_test_code(tmp_path: Path) -> None:
    built = copy_layer_source(ROOT / "template.yaml", tmp_path)
    assert (built / "boekstuk" / "bootstrap.py").is_file()
    assert not (built / "boekstuk" / "local").exists()
    assert forbidden_content(tmp_path) == []
    # The layer's own code stays small next to Lambda's 250 MB for all layers and code (unzipped).
    assert unzipped_size(built) < 5_000_000


def test_the_check_finds_local_stack_code_that_slipped_in(tmp_path: Path) -> None:
    built = copy_layer_source(ROOT / "template.yaml", tmp_path)
    shutil.copytree(ROOT / "local" / "boekstuk_local" / "simulators", built / "boekstuk" / "simulators")
    (built / "boekstuk" / "adapters" / "harmless.py").write_text("from boekstuk_local.mail import MAILBOX\n")
    (built / "moto").mkdir()
    (built / "moto" / "__init__.py").write_text("")
    (built / "pytest-9.0.dist-info").mkdir()
    (built / "pytest-9.0.dist-info" / "METADATA").write_text("Name: pytest\n")
    found = forbidden_content(tmp_path)
    assert any(f.startswith("boekstuk/simulators/") for f in found)
    assert "boekstuk/adapters/harmless.py: imports the local stack or a test tool" in found
    assert any(f.startswith("moto/") for f in found) and any(f.startswith("pytest-9.0.dist-info/") for f in found)


def test_the_layer_requirements_name_no_local_or_test_dependency() -> None:
    names = {line.split("==")[0].split(">=")[0].split("[")[0].strip().lower()
             for line in (ROOT / "layers/shared/requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")}
    assert not names & {"moto", "pytest", "werkzeug", "reportlab", "faker", "rapidocr-onnxruntime", "pyyaml",
                        "hypothesis", "croniter"}


def _requirements(name: str) -> dict[str, str]:
    """``{normalised name: the rest of the line}`` of a requirements file (comments dropped)."""
    out = {}
    for line in (ROOT / "layers/shared" / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            project = re.split(r"[=<>!~\[; ]", line, maxsplit=1)[0]
            out[re.sub(r"[-_.]+", "-", project).lower()] = line[len(project):]
    return out


def test_sam_build_installs_a_lock_file_of_the_layer_requirements() -> None:
    """requirements.txt (what sam build installs) pins every package, direct or pulled in, to one version, and
    holds each direct dependency of requirements.in (scripts/lock-layer.sh writes it)."""
    locked = _requirements("requirements.txt")
    assert all(re.fullmatch(r"==[\w.+!-]+", rest) for rest in locked.values()), locked
    assert set(_requirements("requirements.in")) <= set(locked)


def test_the_layer_holds_no_benchmark_only_dependency() -> None:
    locked = _requirements("requirements.txt")
    assert not set(locked) & {"pdfplumber", "pdfminer-six", "cryptography"}
