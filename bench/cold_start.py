"""Each function's cold start: ``python -X importtime`` of its ``app`` module in a fresh process, and what its
first request adds.

    python bench/cold_start.py [--layer .aws-sam/build/SharedLayer/python] [--rounds 5] [--no-first-request]
                               [--baseline DIR]

What a cold start imports before the handler runs: the function's ``app.py`` and, through it, the layer
(``boekstuk``, Powertools, pydantic...). With ``--layer`` the modules come from a built layer
(``scripts/sam-check.sh`` builds one; built for arm64, so only its pure-Python parts import on another machine);
without it, from ``layers/shared`` and the venv. Per function, the median over ``--rounds`` of:

- **import, tracing on**: the top-level import's cumulative time with the tracer on, as deployed
  (``Tracing: Active``; Powertools keeps its tracer only where ``LAMBDA_TASK_ROOT`` is set, so it is set here):
  the X-Ray SDK is loaded and patches at import what the function's ``TRACED_LIBRARIES`` in template.yaml names
  (botocore; requests too where package connections are opened). The target is under 300 ms.
- **import, tracing off**: the same with ``POWERTOOLS_TRACE_DISABLED`` (tests, the local stack, SAM local).
- **first request's extra**: what the composition root defers to first use (the use case's services,
  adapters, boto3 and its clients) is paid by the first request, so it is measured too: in a fresh process
  (tracing on), ``import app``, then the function's handler is called twice with the same event against a moto
  server provisioned from template.yaml (the local stack's emulator, started here); the figure is the first
  call's time minus the second's. Without ``--no-first-request`` this needs the dev extras (moto).

Also printed: the packages whose own modules took longest (self time summed per top-level package, tracing on).
``--baseline DIR`` also measures another version (imports and first request), round by round in turn with this
one (the machine's load then weighs on both alike): ``DIR`` holds its ``functions/`` and ``layers/`` (``git
archive REV functions layers | tar -x -C DIR``).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import statistics
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")
ENVIRONMENT = {  # what the template sets, with harmless values: nothing is called at import
    "AWS_DEFAULT_REGION": "eu-west-1", "POWERTOOLS_SERVICE_NAME": "boekstuk", "POWERTOOLS_METRICS_NAMESPACE": "Boekstuk",
    "TABLE_NAME": "t", "IDEMPOTENCY_TABLE_NAME": "i", "DOCUMENTS_BUCKET": "b", "USER_POOL_ID": "eu-west-1_x",
    "USER_POOL_CLIENT_ID": "c", "RECOGNIZER": "textract", "AWS_LAMBDA_FUNCTION_NAME": "bench-cold-start",
}
# In Lambda (Tracing: Active) Powertools keeps the tracer on and the X-Ray SDK reads the request's trace header.
TRACING_ON = {"_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"}
TRACING_OFF = {"POWERTOOLS_TRACE_DISABLED": "1"}


@functools.cache
def traced_libraries() -> dict[str, str]:
    """Per function folder, the ``TRACED_LIBRARIES`` that template.yaml gives it (what X-Ray patches at import)."""
    from boekstuk_local.template import SamApp

    app = SamApp.load(REPO / "template.yaml")
    return {Path(spec.code_uri).name: str(spec.environment["TRACED_LIBRARIES"]) for spec in app.functions.values()}


def _environment(function: Path, layer: Path | None, tracing: bool, base: dict[str, str]) -> dict[str, str]:
    path = [str(function), str(layer) if layer else str(function.parents[1] / "layers" / "shared")]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "LAMBDA_TASK_ROOT", "AWS_SAM"))}
    env.update({**base, "PYTHONPATH": os.pathsep.join(path), "PYTHONDONTWRITEBYTECODE": "1",
                "TRACED_LIBRARIES": traced_libraries()[function.name]})
    if tracing:
        env.update({**TRACING_ON, "LAMBDA_TASK_ROOT": str(function)})
        env.pop("POWERTOOLS_TRACE_DISABLED", None)
    else:
        env.update(TRACING_OFF)
    return env


def measure(function: Path, layer: Path | None, tracing: bool = True) -> tuple[float, dict[str, float]]:
    """``(ms for ``import app``, {top-level package: ms spent in its own modules})`` in one fresh interpreter."""
    env = _environment(function, layer, tracing, ENVIRONMENT)
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import app"], cwd=function, env=env,
                          capture_output=True, text=True, check=True)
    total = 0.0
    packages: dict[str, float] = {}
    for line in done.stderr.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        own, cumulative, indent, name = int(match[1]) / 1000, int(match[2]) / 1000, len(match[3]), match[4]
        if name == "app" and indent == 1:
            total = cumulative
        top = name.split(".")[0]
        packages[top] = packages.get(top, 0.0) + own
    return total, packages


# --- the first request ---------------------------------------------------------------------------------

_CHILD = """
import json, sys, time
started = time.perf_counter()
import app
imported = time.perf_counter()
before = set(sys.modules)

class Context:
    function_name = "bench-cold-start"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:bench-cold-start"
    memory_limit_in_mb = 512
    aws_request_id = "bench"
    log_group_name = log_stream_name = "bench"
    def get_remaining_time_in_millis(self): return 30000

event = json.loads(sys.argv[1])
times, answers = [], []
for _ in range(2):
    start = time.perf_counter()
    try:
        answer = app.lambda_handler(event, Context())
        answers.append(str(answer.get("statusCode", "ok")) if isinstance(answer, dict) else "ok")
    except Exception as error:  # a task's domain error leaves the handler, as in Lambda
        answers.append(type(error).__name__)
    times.append(time.perf_counter() - start)
added = sorted(set(sys.modules) - before)
print("BENCH " + json.dumps({"import": imported - started, "first": times[0], "second": times[1],
                             "answers": answers, "added": added}))
"""


def _api(method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """An API Gateway REST proxy event as the Cognito authorizer passes it (a caller of an office that does not
    exist: the use case is built and asks DynamoDB, which is what a first request costs)."""
    return {"resource": path, "path": path, "httpMethod": method,
            "headers": {"Content-Type": "application/json", "Accept": "application/json", "Host": "bench"},
            "multiValueHeaders": {}, "queryStringParameters": None, "multiValueQueryStringParameters": None,
            "pathParameters": None, "stageVariables": None, "isBase64Encoded": False,
            "body": json.dumps(body) if body is not None else None,
            "requestContext": {"resourcePath": path, "httpMethod": method, "path": f"/Prod{path}", "stage": "Prod",
                               "requestId": "bench", "identity": {"sourceIp": "192.0.2.1"},
                               "authorizer": {"claims": {"cognito:username": "bench:nobody"}}}}


OFFICE = "/v1/offices/bench"
TARGET = {"connection_id": "c1", "package": "snelstart", "administration_id": "a1"}
EVENTS: dict[str, dict[str, Any]] = {  # one representative request per function: it reaches a use case
    "activate": _api("POST", "/v1/office-code-checks", {"activation_token": "x" * 32, "office_code": "bench"}),
    "add_administrations": _api("GET", f"{OFFICE}/administrations"),
    "api_docs": _api("GET", "/v1/health"),
    "approvals": _api("GET", f"{OFFICE}/administrations/a1/approval-policy"),
    "book": {"action": "record_failure", "office": "bench", "document_id": "d1", "execution": "e1",
             "target": TARGET, "error": {"Error": "PackageUnavailable", "Cause": "{}"}},
    "documents": _api("GET", f"{OFFICE}/documents/d1"),
    "link_package": _api("GET", f"{OFFICE}/connections"),
    "mail_in": {"Records": [{"eventSource": "aws:ses", "eventVersion": "1.0", "ses": {
        "mail": {"messageId": "bench-message", "source": "someone@example.com", "timestamp": "2026-12-05T12:00:00Z",
                 "destination": ["a1@inbox.example.com"], "headersTruncated": False, "headers": [],
                 "commonHeaders": {"from": ["someone@example.com"], "to": ["a1@inbox.example.com"]}},
        "receipt": {"recipients": ["a1@inbox.example.com"], "timestamp": "2026-12-05T12:00:00Z",
                    "processingTimeMillis": 1, "spamVerdict": {"status": "PASS"}, "virusVerdict": {"status": "PASS"},
                    "spfVerdict": {"status": "PASS"}, "dkimVerdict": {"status": "PASS"},
                    "dmarcVerdict": {"status": "PASS"}, "action": {"type": "Lambda"}}}}]},
    "process_invoice": {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put", "s3": {
        "bucket": {"name": "{bucket}", "arn": "arn:aws:s3:::{bucket}"},
        "object": {"key": "inbox/bench/a1/missing.pdf", "size": 10, "eTag": "e", "versionId": "v1"}}}]},
    "publish_events": {},
    "remind_approvers": {},
    "request_approval": {"office": "bench", "document_id": "d1", "task_token": "t"},
    "sessions": _api("POST", "/v1/sessions/refresh", {"refresh_token": "x" * 40}),
    "signup": _api("POST", "/v1/signups/s1/confirmation", {"code": "123456"}),
    "suppliers": _api("GET", f"{OFFICE}/administrations/a1/gl-accounts"),
    "sync_suppliers": {"office": "bench", "administration_id": "a1"},
    "users": _api("GET", "/v1/me"),
}


RAW_MAIL = (b"From: someone@example.com\r\nTo: a1@inbox.example.com\r\nSubject: bench\r\n"
            b"Message-ID: <bench@example.com>\r\n\r\nNo attachment.\r\n")


@contextmanager
def emulator() -> Iterator[dict[str, str]]:
    """The local stack's emulator with every template resource; yields the handlers' environment as in AWS
    (tracing and metrics on, Textract as the recognizer, the package registrations in their secret, the
    SES-stored message that ``mail_in``'s event names)."""
    import boto3

    from boekstuk_local.stack import start_stack_in_thread

    stack = start_stack_in_thread(port=0, simulators=True)
    try:
        assert stack.provisioned is not None
        env = {k: v for k, v in stack.provisioned.environment.items() if not k.startswith("POWERTOOLS_")}
        env.update({"POWERTOOLS_SERVICE_NAME": "boekstuk", "POWERTOOLS_METRICS_NAMESPACE": "Boekstuk",
                    "RECOGNIZER": "textract", "AWS_LAMBDA_FUNCTION_NAME": "bench-cold-start",
                    "CLOCK_OFFSET_FILE": ""})
        aws = {"endpoint_url": stack.moto_url, "region_name": env["AWS_DEFAULT_REGION"]}
        apps = json.dumps({"apps": json.loads(env.pop("PACKAGE_APPS", "[]"))})
        secrets = boto3.client("secretsmanager", **aws)
        try:
            secrets.put_secret_value(SecretId=env["PACKAGE_APPS_SECRET"], SecretString=apps)
        except secrets.exceptions.ResourceNotFoundException:
            secrets.create_secret(Name=env["PACKAGE_APPS_SECRET"], SecretString=apps)
        boto3.client("s3", **aws).put_object(Bucket=env["DOCUMENTS_BUCKET"], Key="mail/raw/bench-message",
                                             Body=RAW_MAIL)
        yield env
    finally:
        stack.stop()


def first_request(function: Path, layer: Path | None, env: dict[str, str]) -> dict[str, Any]:
    """One fresh process: import, then the handler twice with the function's event (seconds, answers, and the
    top-level packages the first call imported)."""
    event = json.dumps(EVENTS[function.name]).replace("{bucket}", env["DOCUMENTS_BUCKET"])
    done = subprocess.run([sys.executable, "-c", _CHILD, event], cwd=function,
                          env=_environment(function, layer, True, env), capture_output=True, text=True, check=True)
    line = next(line for line in reversed(done.stdout.splitlines()) if line.startswith("BENCH "))
    result: dict[str, Any] = json.loads(line.removeprefix("BENCH "))
    return result


def _imported(modules: list[str]) -> str:
    """How many modules, and which packages outside the standard library (``boekstuk``: which of its parts)."""
    packages = sorted({".".join(m.split(".")[:2]) if m.startswith("boekstuk.") else m.split(".")[0]
                       for m in modules if m.split(".")[0] not in sys.stdlib_module_names and not m.startswith("_")})
    return f"{len(modules)}: " + ", ".join(packages)


def main() -> None:
    """Measure every function under ``functions/`` and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layer", type=Path, help="a built layer's python/ folder")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-first-request", dest="first_request", action="store_false",
                        help="only the imports (no emulator)")
    parser.add_argument("--baseline", type=Path, help="another version's functions/ and layers/, measured in turn")
    args = parser.parse_args()
    functions = sorted(p for p in (REPO / "functions").iterdir() if (p / "app.py").exists())
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr)
    rows: dict[str, list[str]] = {}
    for function in functions:
        before = args.baseline / "functions" / function.name if args.baseline else None
        for warm in (function, before):  # warm the OS file cache once; then only the interpreter's work is timed
            if warm is not None:
                measure(warm, args.layer)
        on: list[tuple[float, dict[str, float]]] = []
        off: list[float] = []
        base_on: list[float] = []
        base_off: list[float] = []
        for _ in range(args.rounds):
            for tracing in (True, False):
                if before is not None:
                    (base_on if tracing else base_off).append(measure(before, args.layer, tracing)[0])
                run = measure(function, args.layer, tracing)
                if tracing:
                    on.append(run)
                else:
                    off.append(run[0])
        on.sort(key=lambda run: run[0])
        packages = on[len(on) // 2][1]
        slowest = sorted(((ms, name) for name, ms in packages.items() if name != "app"), reverse=True)[:4]
        rows[function.name] = [f"{statistics.median(t for t, _ in on):.0f}", f"{statistics.median(off):.0f}",
                               ", ".join(f"{n} {ms:.0f}" for ms, n in slowest)]
        if before is not None:
            rows[function.name][:0] = [f"{statistics.median(base_on):.0f}", f"{statistics.median(base_off):.0f}"]
    first: dict[str, str] = {}
    if args.first_request:
        with emulator() as env:
            for function in functions:
                before = args.baseline / "functions" / function.name if args.baseline else None
                runs, base_runs = [], []
                for _ in range(args.rounds):
                    if before is not None:
                        base_runs.append(first_request(before, args.layer, env))
                    runs.append(first_request(function, args.layer, env))
                extra = statistics.median(1000 * (r["first"] - r["second"]) for r in runs)
                warm = statistics.median(1000 * r["second"] for r in runs)
                cells = [f"{extra:.0f}", f"{warm:.0f}", "/".join(sorted(set(runs[0]["answers"]))),
                         _imported(runs[0]["added"])]
                if base_runs:
                    cells[:0] = [f"{statistics.median(1000 * (r['first'] - r['second']) for r in base_runs):.0f}"]
                first[function.name] = " | ".join(cells)
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr)
    header = "| function | import, tracing on (ms) | import, tracing off (ms) | own time of the slowest packages (ms) |"
    rule = "|---|---|---|---|"
    if args.baseline:
        header = "| function | baseline, tracing on (ms) | baseline, tracing off (ms) |" + header.removeprefix("| function |")
        rule += "---|---|"
    if first:
        header += " first request's extra (ms) | warm request (ms) | answer | modules the first request imported |"
        rule += "---|---|---|---|"
        if args.baseline:
            header = header.replace(" first request's extra", " baseline, first request's extra (ms) | first request's extra", 1)
            rule += "---|"
    print(header)
    print(rule)
    for name, cells in rows.items():
        print(f"| {name} | " + " | ".join(cells) + " |" + (f" {first[name]} |" if first else ""))


if __name__ == "__main__":
    main()
