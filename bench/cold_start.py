"""Each function's cold-start import time: ``python -X importtime`` of its ``app`` module, in a fresh process.

    python bench/cold_start.py [--layer .aws-sam/build/SharedLayer/python] [--rounds 5]

What a cold start imports before the handler runs: the function's ``app.py`` and, through it, the layer
(``boekstuk``, Powertools, pydantic...). Clients are created lazily, so no AWS call is made or needed. With
``--layer`` the modules come from a built layer (``scripts/sam-check.sh`` builds one; built for arm64, so only
its pure-Python parts import on another machine); without it, from ``layers/shared`` and the venv. Prints the
median over ``--rounds`` of the top-level import's cumulative time per function (target: under 300 ms), and the
slowest packages it imports.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")
ENVIRONMENT = {  # what the template sets, with harmless values: nothing is called at import
    "AWS_DEFAULT_REGION": "eu-west-1", "POWERTOOLS_SERVICE_NAME": "boekstuk", "POWERTOOLS_METRICS_NAMESPACE": "Boekstuk",
    "TABLE_NAME": "t", "IDEMPOTENCY_TABLE_NAME": "i", "DOCUMENTS_BUCKET": "b", "USER_POOL_ID": "eu-west-1_x",
    "USER_POOL_CLIENT_ID": "c", "RECOGNIZER": "textract",
    # As in Lambda: Powertools keeps the tracer (and imports the X-Ray SDK) only when it believes it runs there.
    "AWS_LAMBDA_FUNCTION_NAME": "bench-cold-start",
}


def measure(function: Path, layer: Path | None) -> tuple[float, dict[str, float]]:
    """``(ms for ``import app``, {top-level package: cumulative ms})`` in one fresh interpreter."""
    path = [str(function), str(layer) if layer else str(REPO / "layers" / "shared")]
    env = {**os.environ, **ENVIRONMENT, "PYTHONPATH": os.pathsep.join(path), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import app"], cwd=function, env=env,
                          capture_output=True, text=True, check=True)
    total = 0.0
    packages: dict[str, float] = {}
    for line in done.stderr.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        cumulative, indent, name = int(match[2]) / 1000, len(match[3]), match[4]
        if name == "app" and indent == 1:
            total = cumulative
        top = name.split(".")[0]
        if "." not in name or top not in packages:
            packages[top] = max(packages.get(top, 0.0), cumulative)
    return total, packages


def main() -> None:
    """Measure every function under ``functions/`` and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layer", type=Path, help="a built layer's python/ folder")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    functions = sorted(p for p in (REPO / "functions").iterdir() if (p / "app.py").exists())
    print("| function | import app (median ms) | slowest packages (ms) |\n|---|---|---|")
    for function in functions:
        # Warm the OS file cache once; then only the interpreter's work is timed.
        measure(function, args.layer)
        runs = [measure(function, args.layer) for _ in range(args.rounds)]
        median = statistics.median(total for total, _ in runs)
        packages = runs[len(runs) // 2][1]
        slowest = sorted(((ms, name) for name, ms in packages.items() if name != "app"), reverse=True)[:3]
        print(f"| {function.name} | {median:.0f} | " + ", ".join(f"{n} {ms:.0f}" for ms, n in slowest) + " |")


if __name__ == "__main__":
    main()
