#!/usr/bin/env bash
# sam validate --lint and sam build, offline from AWS (no account, no Docker). SAM CLI pins its own boto3 and
# cfn-lint, so it lives in its own venv (.venv-sam), so that it cannot change the test venv's boto3.
set -euo pipefail
cd "$(dirname "$0")/.."
export SAM_CLI_TELEMETRY=0
if [ ! -x .venv-sam/bin/sam ]; then
  "${PYTHON:-python3}" -m venv .venv-sam
  .venv-sam/bin/python -m pip install --quiet --upgrade pip
  .venv-sam/bin/python -m pip install --quiet aws-sam-cli
fi
.venv-sam/bin/sam validate --lint
# Built into .aws-sam/build, where `sam deploy` takes it from; the layer is then checked for local-stack and
# test code (the same check tests/contract/test_layer_contents.py runs on the copied source) and its size printed.
.venv-sam/bin/sam build
if [ -x .venv/bin/python ]; then
  .venv/bin/python -m boekstuk_local.layer .aws-sam/build/SharedLayer
fi
