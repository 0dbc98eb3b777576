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
# Every AWS call a function makes is checked against its role as it runs (tests/iam); the grants used are
# written to build/iam-used, and after the whole suite (no test path or -k/-m selection given) every granted
# permission must have been used or be exempted with its reason (tests/contract/test_iam_least_privilege.py).
whole_suite=1
for arg in "$@"; do
  case "$arg" in
    -k*|-m*|--lf|--last-failed|--deselect*) whole_suite=0 ;;  # a selection
    -*) ;;                                                     # an option: -q, -x, ...
    *) whole_suite=0 ;;                                        # a test path
  esac
done
rm -rf build/iam-used
BOEKSTUK_IAM_USED_DIR="$PWD/build/iam-used" .venv/bin/pytest -n "${TEST_WORKERS:-2}" --dist loadgroup \
  -p no:cacheprovider "$@"
if [ "$whole_suite" = 1 ]; then
  BOEKSTUK_IAM_COVERAGE_FROM="$PWD/build/iam-used" .venv/bin/pytest -q -p no:cacheprovider \
    tests/contract/test_iam_least_privilege.py::test_every_granted_permission_is_used
fi
