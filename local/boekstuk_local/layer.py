"""What the Lambda layer holds: built the way ``sam build`` copies it, and checked for local-stack code.

``sam build`` (aws-lambda-builders' PythonPipBuilder) copies the layer's ``ContentUri`` into ``python/``,
leaving out a fixed list of names, then installs ``requirements.txt`` next to it. ``copy_layer_source`` does the
copy step with the same exclusions (the dependencies are checked on the real ``sam build`` output by
``scripts/sam-check.sh``); ``forbidden_content`` lists whatever in a built tree belongs to the local stack,
the tests or the simulators. ``python -m boekstuk_local.layer DIR`` checks a built layer and prints its size.
"""

from __future__ import annotations

import argparse
import fnmatch
import re
import shutil
import sys
from pathlib import Path

from boekstuk_local.template import load_template_file

# aws_lambda_builders/workflows/python_pip/workflow.py, PythonPipWorkflow.EXCLUDED_FILES (aws-sam-cli 1.17x).
BUILDER_EXCLUDES = (
    ".aws-sam", ".chalice", ".git", ".gitignore", "*.pyc", "__pycache__", "*.so", ".Python", "*.egg-info",
    "*.egg", "pip-log.txt", "pip-delete-this-directory.txt", "htmlcov", ".tox", ".nox", ".coverage",
    ".cache", ".pytest_cache", ".python-version", ".mypy_cache", ".dmypy.json", ".pyre", ".env", ".venv",
    "venv", "venv.bak", "env.bak", "ENV", "env", ".vscode", ".idea",
)

# Top-level packages of the local stack and the test tools: none of them may be installed into the layer.
_FORBIDDEN_PACKAGES = frozenset({"boekstuk_local", "moto", "pytest", "_pytest", "werkzeug", "flask", "reportlab",
                                 "faker", "rapidocr_onnxruntime", "hypothesis", "xdist"})
# Inside our own package: simulator, demo, sample or test code by its path.
_FORBIDDEN_OWN_PARTS = re.compile(r"^(local|simulators?|demo|samples?|tests?|testing|conftest\.py|pytest_plugin\.py|"
                                  r"test_.*\.py|.*_test\.py)$")
# Imports that only the local stack or the tests make.
_FORBIDDEN_IMPORT = re.compile(r"^\s*(?:from|import)\s+(boekstuk_local|boekstuk\.local|moto|pytest|werkzeug)\b",
                               re.MULTILINE)


def layer_content_uri(template: Path) -> Path:
    """The folder the template's one ``AWS::Serverless::LayerVersion`` is built from."""
    data = load_template_file(template)
    layers = [r for r in data.get("Resources", {}).values() if r.get("Type") == "AWS::Serverless::LayerVersion"]
    if len(layers) != 1:
        raise ValueError(f"expected one layer in {template}, found {len(layers)}")
    return (template.parent / str(layers[0]["Properties"]["ContentUri"])).resolve()


def copy_layer_source(template: Path, target: Path) -> Path:
    """Copy the layer's source into ``target/python`` as ``sam build`` does; returns that folder."""
    destination = target / "python"
    shutil.copytree(layer_content_uri(template), destination, ignore=shutil.ignore_patterns(*BUILDER_EXCLUDES))
    return destination


def forbidden_content(root: Path) -> list[str]:
    """Every file under ``root`` (a built layer, or its ``python/`` folder) that is local-stack, simulator, demo,
    sample, test or pytest code: the local stack's and test tools' packages anywhere, and such paths or imports
    inside the ``boekstuk`` package (third-party packages' own bundled tests are theirs, not ours)."""
    python = root / "python" if (root / "python").is_dir() else root
    found: list[str] = []
    for path in sorted(python.rglob("*")):
        if not path.is_file():
            continue
        parts = path.relative_to(python).parts
        top = parts[0].split("-")[0] if fnmatch.fnmatch(parts[0], "*.dist-info") else parts[0]
        if top.removesuffix(".py") in _FORBIDDEN_PACKAGES:
            found.append(f"{'/'.join(parts)}: a package of the local stack or a test tool")
        elif top == "boekstuk" and any(_FORBIDDEN_OWN_PARTS.match(part) for part in parts[1:]):
            found.append(f"{'/'.join(parts)}: local-stack or test code by its path")
        elif top == "boekstuk" and path.suffix == ".py" and _FORBIDDEN_IMPORT.search(
                path.read_text(encoding="utf-8", errors="replace")):
            found.append(f"{'/'.join(parts)}: imports the local stack or a test tool")
    return found


def unzipped_size(root: Path) -> int:
    """Bytes of every file under ``root`` (Lambda's 250 MB limit counts all layers and the code unzipped)."""
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    """``python -m boekstuk_local.layer BUILT_LAYER_DIR``: 1 when the layer holds local-stack or test code."""
    parser = argparse.ArgumentParser(prog="python -m boekstuk_local.layer", description=__doc__)
    parser.add_argument("layer_dir", type=Path, help="a built layer, e.g. .aws-sam/build/SharedLayer")
    args = parser.parse_args(argv)
    problems = forbidden_content(args.layer_dir)
    for problem in problems:
        print(f"layer: {problem}", file=sys.stderr)
    print(f"layer {args.layer_dir}: {unzipped_size(args.layer_dir) / 1e6:.1f} MB unzipped, "
          f"{'NOT clean' if problems else 'clean'}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
