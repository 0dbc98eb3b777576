#!/usr/bin/env bash
# The main job: set up, start the local stack (AWS emulator, the five package simulators, the API) and run
# the demo against it. The stack keeps running afterwards so you can explore it; Ctrl-C stops everything.
# KEEP_RUNNING=0 stops it right after the demo. PORT picks the API port (default 3000). The stack's own logs (JSON
# lines) go to STACK_LOG (default .local-data/stack.log), so they never interleave with the demo's output.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh local
port="${PORT:-3000}"
log="${STACK_LOG:-.local-data/stack.log}"
mkdir -p "$(dirname "$log")"
: > "$log"
.venv/bin/boekstuk up --port "$port" --log-file "$log" &
stack=$!
trap 'kill -INT "$stack" 2>/dev/null; wait "$stack" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  if .venv/bin/python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/v1/health', timeout=1)" 2>/dev/null; then
    break
  fi
  kill -0 "$stack" 2>/dev/null || { echo "the local stack did not start" >&2; exit 1; }
  sleep 0.5
done
.venv/bin/boekstuk demo --url "http://127.0.0.1:$port" --stack-log "$log"
if [ "${KEEP_RUNNING:-1}" = "1" ]; then
  echo
  echo "The local stack keeps running at http://127.0.0.1:$port (docs: /v1/docs, mail: /_local/mail?to=address; logs: $log). Ctrl-C stops it."
  wait "$stack"
fi
