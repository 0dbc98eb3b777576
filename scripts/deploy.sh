#!/usr/bin/env bash
# Deploy to AWS what was built: sam build (into .aws-sam/build), sam deploy of that build, the web app's files,
# then the smoke test against the deployed API. Needs AWS credentials for the target account (README, Deploying
# to AWS, says what to set up first).
#
#   scripts/deploy.sh [dev|prod] [extra sam deploy options...]
#
# The first deploy of a stage (no stack yet, or GUIDED=1) runs `sam deploy --guided`: it asks for the parameters
# (SenderEmail, AlarmEmail, ...) and saves the answers in samconfig.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
stage="${1:-dev}"
[ $# -gt 0 ] && shift
case "$stage" in dev) config_env=default ;; prod) config_env=prod ;; *) echo "stage must be dev or prod" >&2; exit 2 ;; esac
stack="boekstuk-$stage"
region="${AWS_REGION:-${AWS_DEFAULT_REGION:-eu-west-1}}"
export SAM_CLI_TELEMETRY=0

bash scripts/setup.sh local        # .venv with the boekstuk command (deploy-web) and the smoke test's Python
bash scripts/sam-check.sh          # sam validate --lint, sam build into .aws-sam/build, the layer checked
sam=.venv-sam/bin/sam

guided=()
if [ "${GUIDED:-0}" = 1 ] || ! "$sam" list stack-outputs --stack-name "$stack" --region "$region" >/dev/null 2>&1; then
  guided=(--guided)
fi
# No --template-file: run from the project root, sam deploy takes the template sam build wrote
# (.aws-sam/build/template.yaml) and uploads the artefacts it made (the layer with its dependencies), never the
# source folders; and it reads samconfig.toml from here (given a template elsewhere it would look next to that).
[ -f .aws-sam/build/template.yaml ] || { echo "no build in .aws-sam/build" >&2; exit 1; }
"$sam" deploy --config-env "$config_env" --stack-name "$stack" --region "$region" "${guided[@]}" "$@"

.venv/bin/boekstuk deploy-web --stack "$stack" --region "$region"

outputs=$("$sam" list stack-outputs --stack-name "$stack" --region "$region" --output json)
api_url=$(printf '%s' "$outputs" | .venv/bin/python -c \
  'import json, sys; print(next(o["OutputValue"] for o in json.load(sys.stdin) if o["OutputKey"] == "ApiUrl"))')
.venv/bin/python scripts/smoke.py "$api_url"
