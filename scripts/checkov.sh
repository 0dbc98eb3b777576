#!/usr/bin/env bash
# checkov over template.yaml (CloudFormation and SAM checks). checkov pins its own boto3, pydantic and more, so it
# lives in its own venv (.venv-checkov), like the SAM CLI. A failed check fails this script; a check that does not
# apply is skipped in the template itself (Metadata: checkov: skip), each with its reason
# (tests/contract/test_template_hardening.py requires one).
set -euo pipefail
cd "$(dirname "$0")/.."
version=3.3.30
if [ "$(.venv-checkov/bin/checkov --version 2>/dev/null)" != "$version" ]; then
  "${PYTHON:-python3}" -m venv --clear .venv-checkov
  .venv-checkov/bin/python -m pip install --quiet --upgrade pip
  .venv-checkov/bin/python -m pip install --quiet "checkov==$version"
fi
# --skip-download: no call to Prisma Cloud for guidelines (CI has no account there, and nothing to send).
.venv-checkov/bin/checkov --file template.yaml --framework cloudformation --compact --quiet --skip-download
