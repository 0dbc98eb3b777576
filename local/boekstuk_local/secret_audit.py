"""Where secrets must never be: every log line and every API answer of a local stack run, and its table.

API.md: package credentials and OAuth tokens are "never returned, logged or put in DynamoDB", errors never
echo secrets, and passwords, codes, activation tokens and presigned signatures belong to the one answer that
hands them out. This module records a run and then looks for every secret the run used where it must not be:

    recorder = AuditRecorder(directory)        # start_stack(audit_dir=...) does this
    app = recorder.wrap(gateway)               # every request and answer -> traffic.jsonl
    recorder.start_logs()                      # every log line (handlers' Powertools JSON, the stack's own) -> logs.jsonl
    ...the run...
    findings = audit_stack(handle, extra=[...])  # or scan(directory, secrets, table_items=...)

The secrets come from the run itself: the sensitive fields of every request body (passwords, codes, tokens,
package credentials), the tokens and presigned signatures the API handed out, the codes and activation tokens
of the local mailbox, and every value stored in Secrets Manager (the packages' OAuth tokens and keys). A secret
may appear only in the field of the answer that hands it out (``ISSUING_FIELDS``); anywhere else in an answer,
in any log line or in any DynamoDB item it is a finding. ``/_local/*`` pages show mail codes by design and the
web app's static files hold nothing of a run: neither is scanned.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import re
import sys
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LOGS = "logs.jsonl"
TRAFFIC = "traffic.jsonl"
MAX_RECORDED_BODY = 1024 * 1024  # bytes of a request or answer body kept in the traffic file

# Request body fields whose values are secrets (at any depth; every string under ``credentials`` is one), and
# the paths where ``code`` is a mailed code rather than a supplier's or an administration's code.
SECRET_KEYS = frozenset({"password", "new_password", "activation_token", "refresh_token", "access_token",
                         "id_token", "client_key", "client_secret"})
SECRET_CONTAINERS = frozenset({"credentials"})
CODE_PATHS = re.compile(r"^/v1/(signups/[^/]+|password-resets)/confirmation$")
# Keys of values kept in Secrets Manager that are secrets (tokens, keys, passwords; not ids or names).
_STORED_SECRET_KEY = re.compile(r"(token|secret|password|key)$", re.IGNORECASE)

# (method, path pattern) -> the answer's JSON fields (dotted) and headers that hand a secret out.
ISSUING_FIELDS: list[tuple[str, re.Pattern[str], tuple[str, ...], tuple[str, ...]]] = [
    ("POST", re.compile(r"^/v1/sessions(/refresh)?$"), ("access_token", "refresh_token", "id_token"), ()),
    ("POST", re.compile(r"^/v1/signups/[^/]+/confirmation$"), ("activation_token",), ()),
    ("POST", re.compile(r"^/v1/offices/[^/]+/administrations/[^/]+/documents$"), ("upload.url",), ()),
    ("GET", re.compile(r"^/v1/offices/[^/]+/documents/[^/]+/content$"), (), ("Location",)),
    ("POST", re.compile(r"^/v1/offices/[^/]+/connections$"), ("authorize_url",), ()),
]
MIN_SECRET_LENGTH = 6
# The mails that hand out a code ("Uw bevestigingscode: ...", "Uw code voor een nieuw wachtwoord"). The local
# mailbox lists every 6-digit number of every mail as a code, and an approval mail's invoice number is none.
CODE_MAIL_SUBJECT = re.compile(r"code", re.IGNORECASE)


@dataclass(frozen=True)
class Secret:
    """A value that must not leak, and where the run got it (for the report)."""

    value: str
    what: str


@dataclass(frozen=True)
class Finding:
    """A secret found where it must not be."""

    secret: Secret
    where: str  # "log line 12", "answer to POST /v1/sessions (200)", "DynamoDB item pk=..."
    excerpt: str

    def __str__(self) -> str:
        return f"{self.secret.what} in {self.where}: ...{self.excerpt}..."


# --- recording -------------------------------------------------------------------------------------------


class _JsonLines:
    """An append-only JSON-lines file written from many threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.write(line)


class _FileLogHandler(logging.Handler):
    """Every record as the one JSON line Powertools would print (extras included), appended to a file."""

    def __init__(self, target: _JsonLines) -> None:
        super().__init__(level=logging.DEBUG)
        from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

        self.setFormatter(LambdaPowertoolsFormatter())
        self._target = target

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:  # noqa: BLE001 - a record that cannot be formatted is still kept, as text
            line = json.dumps({"logger": record.name, "message": str(record.msg), "args": repr(record.args)})
        self._target.write({"logger": record.name, "line": line})


class AuditRecorder:
    """Writes a run's traffic and logs under ``directory`` (``traffic.jsonl``, ``logs.jsonl``)."""

    LOGGERS = ("boekstuk", "boekstuk_local")
    """Loggers recorded from INFO up, as the deployed functions log (``LOG_LEVEL: INFO``); every other from
    WARNING up (the root logger's level)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.traffic = _JsonLines(self.directory / TRAFFIC)
        self.logs = _JsonLines(self.directory / LOGS)
        self._handler: _FileLogHandler | None = None
        self._undo: list[Callable[[], None]] = []

    def start_logs(self) -> None:
        """Record log lines until ``stop_logs``; consoles keep the level they had."""
        if self._handler is not None:
            return
        # The handlers' logger takes its level when it is made: make it now, so the level set below stays.
        import boekstuk.observability  # noqa: F401

        self._handler = _FileLogHandler(self.logs)
        root = logging.getLogger()
        root.addHandler(self._handler)
        self._undo.append(lambda: root.removeHandler(self._handler))  # type: ignore[arg-type]
        for name in self.LOGGERS:
            named = logging.getLogger(name)
            before = named.level
            effective = named.getEffectiveLevel()
            if effective > logging.INFO:
                # Let INFO reach the file; the handlers the logger already had keep showing what they showed.
                kept = [(h, h.level) for h in named.handlers]
                for handler, level in kept:
                    handler.setLevel(max(level, effective))
                named.setLevel(logging.INFO)

                def undo(named: logging.Logger = named, before: int = before,
                         kept: list[tuple[logging.Handler, int]] = kept) -> None:
                    named.setLevel(before)
                    for handler, level in kept:
                        handler.setLevel(level)

                self._undo.append(undo)
            if not named.propagate:
                named.addHandler(self._handler)
                self._undo.append(lambda named=named: named.removeHandler(self._handler))  # type: ignore[misc]

    def stop_logs(self) -> None:
        """Stop recording log lines and restore the loggers."""
        while self._undo:
            self._undo.pop()()
        self._handler = None

    def wrap(self, app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
        """A WSGI app that records every request and its answer to ``traffic.jsonl`` and then passes it on."""

        def recorded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            body = _read_body(environ)
            answer: dict[str, Any] = {}

            def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                answer["status"] = int(status.split(" ", 1)[0])
                answer["headers"] = dict(headers)
                return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

            chunks = list(app(environ, capture))
            path = environ.get("PATH_INFO", "")
            if path.startswith(("/v1/", "/_local/")):
                self.traffic.write({
                    "method": environ.get("REQUEST_METHOD", ""), "path": path,
                    "query": environ.get("QUERY_STRING", ""),
                    "request": body[:MAX_RECORDED_BODY].decode("utf-8", "replace"),
                    "status": answer.get("status"), "headers": answer.get("headers", {}),
                    "body": b"".join(chunks)[:MAX_RECORDED_BODY].decode("utf-8", "replace"),
                })
            return chunks

        return recorded


def _read_body(environ: dict[str, Any]) -> bytes:
    """The request body, read once and put back for the app."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    if stream is None or length <= 0:
        return b""
    body: bytes = stream.read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body


# --- what the secrets are --------------------------------------------------------------------------------


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a JSON-lines file (none when it does not exist)."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def secret_values(data: Any, what: str, *, keys: frozenset[str] = SECRET_KEYS,
                  containers: frozenset[str] = SECRET_CONTAINERS, inside: bool = False) -> Iterator[Secret]:
    """The strings under secret keys of a JSON value (every string inside a container key such as
    ``credentials``)."""
    if isinstance(data, dict):
        for key, value in data.items():
            name = str(key).lower()
            if isinstance(value, str):
                if inside or name in keys:
                    yield Secret(value, f"{what} {key}")
            else:
                yield from secret_values(value, what, keys=keys, containers=containers,
                                         inside=inside or name in containers)
    elif isinstance(data, list):
        for item in data:
            yield from secret_values(item, what, keys=keys, containers=containers, inside=inside)
    elif isinstance(data, str) and inside:
        yield Secret(data, what)


def url_secrets(url: str, what: str) -> Iterator[Secret]:
    """The secret query parameters of a URL: a presigned signature or security token, an OAuth state or code,
    a mailed token."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    fragment = urllib.parse.urlsplit(url).fragment
    if "?" in fragment:  # hash routes of the web app: #/onboarding/activate?token=...
        query.update(urllib.parse.parse_qs(fragment.split("?", 1)[1]))
    for name, values in query.items():
        if name.lower() in ("x-amz-signature", "signature", "x-amz-security-token", "state", "code", "token"):
            for value in values:
                yield Secret(value, f"{what} {name}")


def _issuing(method: str, path: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    for issuing_method, pattern, fields, headers in ISSUING_FIELDS:
        if method == issuing_method and pattern.match(path):
            return fields, headers
    return (), ()


def _pop_field(data: Any, dotted: str) -> Any:
    """Remove ``a.b`` from a JSON object; the removed value (``None`` when absent)."""
    *parents, last = dotted.split(".")
    for part in parents:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data.pop(last, None) if isinstance(data, dict) else None


def traffic_secrets(records: Iterable[dict[str, Any]], *, request_fields: bool = True) -> Iterator[Secret]:
    """Every secret a run's traffic carried: sensitive request fields (unless ``request_fields`` is false), the
    OAuth callback's code and state, the tokens and signatures answers handed out, and the mailbox's codes and
    links."""
    for record in records:
        method, path = record["method"], record["path"]
        label = f"{method} {path}"
        keys = SECRET_KEYS | {"code"} if CODE_PATHS.match(path) else SECRET_KEYS
        if request_fields:
            yield from secret_values(_json(record["request"]), f"request {label}", keys=keys)
        if path == "/v1/oauth/callback":
            yield from url_secrets("?" + record["query"], f"request {label}")
        body = _json(record["body"])
        fields, headers = _issuing(method, path)
        for field in fields:
            value = _pop_field(body, field) if isinstance(body, dict) else None
            if isinstance(value, str) and value.startswith(("http://", "https://")):
                yield from url_secrets(value, f"answer {label} {field}")
            elif isinstance(value, str):
                yield Secret(value, f"answer {label} {field}")
        for header in headers:
            value = record["headers"].get(header)
            if value:
                yield from url_secrets(value, f"answer {label} {header}")
        if path == "/_local/mail" and isinstance(body, dict):
            for message in body.get("messages") or []:
                codes = (message.get("codes") or []) if CODE_MAIL_SUBJECT.search(message.get("subject") or "") else []
                for code in codes:
                    yield Secret(code, "mailed code")
                for link in message.get("links") or []:
                    yield from url_secrets(link, "mailed link")


def stored_secrets(secretsmanager: Any) -> Iterator[Secret]:
    """Every secret value kept in Secrets Manager, in every version (OAuth tokens rotate): the strings under
    token, secret, password and key fields of each JSON secret."""
    paginator = secretsmanager.get_paginator("list_secrets")
    for page in paginator.paginate():
        for entry in page["SecretList"]:
            versions = secretsmanager.list_secret_version_ids(SecretId=entry["ARN"], IncludeDeprecated=True)
            for version in versions.get("Versions", []):
                try:
                    value = secretsmanager.get_secret_value(SecretId=entry["ARN"], VersionId=version["VersionId"])
                except secretsmanager.exceptions.ResourceNotFoundException:
                    continue
                yield from _stored(_json(value.get("SecretString") or ""), f"Secrets Manager {entry['Name']}")


def _stored(data: Any, what: str, key: str = "") -> Iterator[Secret]:
    if isinstance(data, dict):
        for name, value in data.items():
            yield from _stored(value, what, str(name))
    elif isinstance(data, list):
        for item in data:
            yield from _stored(item, what, key)
    elif isinstance(data, str) and _STORED_SECRET_KEY.search(key):
        yield Secret(data, f"{what} {key}")


# --- where they must not be ------------------------------------------------------------------------------


class SecretMatcher:
    """Finds any of many secrets in text: each as written, URL-encoded and JSON-escaped; short ones (the
    6-digit codes) only as a whole word, so a longer number or an id that contains the digits is no hit, nor
    the fraction of a decimal number (a timestamp's microseconds, ``09:01:08.057247``)."""

    def __init__(self, secrets: Iterable[Secret]) -> None:
        unique: dict[str, Secret] = {}
        for secret in secrets:
            if len(secret.value) >= MIN_SECRET_LENGTH and secret.value.strip() and secret.value not in unique:
                unique[secret.value] = secret
        self.secrets = list(unique.values())
        self._forms: list[tuple[Secret, list[str], re.Pattern[str] | None]] = []
        for secret in self.secrets:
            forms = {secret.value, urllib.parse.quote(secret.value, safe=""), urllib.parse.quote_plus(secret.value),
                     json.dumps(secret.value)[1:-1], json.dumps(json.dumps(secret.value)[1:-1])[1:-1]}
            word = re.compile(r"(?<![A-Za-z0-9])(?<!\d[.,])" + re.escape(secret.value) + r"(?![A-Za-z0-9])") \
                if len(secret.value) < 12 else None
            self._forms.append((secret, sorted(forms), word))

    def find(self, text: str) -> Iterator[tuple[Secret, str]]:
        """``(secret, excerpt)`` for each secret in ``text``."""
        for secret, forms, word in self._forms:
            for form in forms:
                at = text.find(form)
                if at < 0:
                    continue
                if word is not None:
                    found = word.search(text)
                    if found is None:
                        break
                    at = found.start()
                yield secret, text[max(0, at - 60):at + len(form) + 20]
                break


def scan(directory: str | Path, secrets: Iterable[Secret] = (),
         table_items: Iterable[dict[str, Any]] = (), *, request_fields: bool = True) -> list[Finding]:
    """The findings of a recorded run: ``secrets`` plus those its traffic carried, looked for in every log
    line, every API answer (outside the field that hands each out) and every DynamoDB item given.

    ``request_fields=False`` for a fuzzer's run: it sends made-up values in the password and code fields and the
    same values in other fields, which answers may echo ("Unknown package '0000...'"); they are nobody's secret.
    """
    base = Path(directory)
    records = list(read_jsonl(base / TRAFFIC))
    matcher = SecretMatcher([*secrets, *traffic_secrets(records, request_fields=request_fields)])
    findings: list[Finding] = []
    for number, record in enumerate(read_jsonl(base / LOGS), start=1):
        for secret, excerpt in matcher.find(record["line"]):
            findings.append(Finding(secret, f"log line {number} ({record['logger']})", excerpt))
    for record in records:
        if not record["path"].startswith("/v1/"):
            continue  # /_local pages show the mailbox's codes by design
        fields, headers = _issuing(record["method"], record["path"])
        body: Any = _json(record["body"])
        if isinstance(body, dict):
            for field in fields:
                _pop_field(body, field)
            text = json.dumps(body, ensure_ascii=False)
        else:
            text = record["body"]
        shown_headers = {k: v for k, v in record["headers"].items() if k not in headers}
        text += "\n" + json.dumps(shown_headers, ensure_ascii=False)
        where = f"answer to {record['method']} {record['path']} ({record['status']})"
        for secret, excerpt in matcher.find(text):
            findings.append(Finding(secret, where, excerpt))
    for item in table_items:
        text = json.dumps(item, ensure_ascii=False, default=str)
        for secret, excerpt in matcher.find(text):
            findings.append(Finding(secret, f"DynamoDB item {item.get('pk')} {item.get('sk')}", excerpt))
    return findings


def table_items(dynamodb: Any, table: str) -> Iterator[dict[str, Any]]:
    """Every item of ``table`` as plain JSON values."""
    from boto3.dynamodb.types import TypeDeserializer

    plain = TypeDeserializer()
    for page in dynamodb.get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            yield {key: plain.deserialize(value) for key, value in item.items()}


def stack_secrets(endpoint_url: str, environment: dict[str, str]) -> Iterator[Secret]:
    """What only the stack knows: the packages' registrations (``PACKAGE_APPS``) and everything in Secrets
    Manager."""
    for app in _json(environment.get("PACKAGE_APPS") or "[]") or []:
        yield from _stored(app, "PACKAGE_APPS")
    from boekstuk_local.provision import client

    region = environment.get("AWS_REGION", "eu-west-1")
    yield from stored_secrets(client("secretsmanager", endpoint_url, region))


def audit_stack(handle: Any, secrets: Iterable[Secret] = (), *, request_fields: bool = True) -> list[Finding]:
    """Scan a running stack started with ``audit_dir``: its recorded logs and traffic, the mailbox's codes, its
    table; ``secrets`` are the caller's own (e.g. the demo logins of the package simulators)."""
    from boekstuk_local.mail import MAILBOX
    from boekstuk_local.provision import client

    if handle.audit is None or handle.provisioned is None:
        raise ValueError("the stack was started without audit_dir")
    environment = handle.provisioned.environment
    mailed: list[Secret] = []
    for message in MAILBOX.messages(None):
        if CODE_MAIL_SUBJECT.search(message.subject):
            mailed += [Secret(code, "mailed code") for code in message.codes]
        for link in message.links:
            mailed += list(url_secrets(link, "mailed link"))
    region = environment.get("AWS_REGION", "eu-west-1")
    items = list(table_items(client("dynamodb", handle.moto_url, region), environment["TABLE_NAME"]))
    return scan(handle.audit.directory, [*secrets, *mailed, *stack_secrets(handle.moto_url, environment)], items,
                request_fields=request_fields)


def main(argv: list[str] | None = None) -> int:
    """``python -m boekstuk_local.secret_audit DIR``: scan a recorded run (``boekstuk up --audit-dir DIR``)."""
    parser = argparse.ArgumentParser(prog="python -m boekstuk_local.secret_audit",
                                     description="Look for a run's secrets in its logs and API answers.")
    parser.add_argument("directory", help="the --audit-dir of the run")
    parser.add_argument("--secret", action="append", default=[], help="a further secret to look for")
    args = parser.parse_args(argv)
    findings = scan(args.directory, [Secret(value, "given") for value in args.secret])
    for finding in findings:
        print(finding)
    print(f"{len(findings)} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
