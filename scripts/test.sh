#!/usr/bin/env bash
# Set up and run the whole suite: lint, types, unit, integration, contract and end-to-end tests.
# Extra arguments go to pytest (e.g. scripts/test.sh tests/unit -x).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/lint-imports --no-cache --no-logo  # the import contracts in pyproject.toml
# loadgroup: the browser tests (one xdist_group) share one worker, so one local stack and one Chromium.
.venv/bin/pytest -n "${TEST_WORKERS:-2}" --dist loadgroup -p no:cacheprovider "$@"
