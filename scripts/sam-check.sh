#!/usr/bin/env bash
# sam validate --lint and sam build, offline from AWS (no account, no Docker). SAM CLI pins its own boto3 and
# cfn-lint, so it lives in its own venv (.venv-sam), as specs/local-emulation.md recommends.
set -euo pipefail
cd "$(dirname "$0")/.."
export SAM_CLI_TELEMETRY=0
if [ ! -x .venv-sam/bin/sam ]; then
  "${PYTHON:-python3}" -m venv .venv-sam
  .venv-sam/bin/python -m pip install --quiet --upgrade pip
  .venv-sam/bin/python -m pip install --quiet aws-sam-cli
fi
.venv-sam/bin/sam validate --lint
build_dir="$(mktemp -d)"
trap 'rm -rf "$build_dir"' EXIT
.venv-sam/bin/sam build --build-dir "$build_dir"
