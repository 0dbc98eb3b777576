"""The secret audit finds a run's secrets where they must not be, and only there (issue 15, item 5)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from werkzeug.test import Client

from boekstuk.observability import logger as handler_logger
from boekstuk_local.secret_audit import AuditRecorder, Secret, SecretMatcher, scan

PASSWORD = "correct horse battery staple"
TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
SIGNATURE = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def api(routes: dict[tuple[str, str], tuple[int, dict[str, str], Any]]) -> Callable[..., Iterable[bytes]]:
    """A WSGI app answering each (method, path) with (status, headers, JSON body)."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        status, headers, body = routes[(environ["REQUEST_METHOD"], environ["PATH_INFO"])]
        start_response(f"{status} X", [("Content-Type", "application/json"), *headers.items()])
        return [json.dumps(body).encode()] if body is not None else [b""]

    return app


def recorded(tmp_path: Path, routes: dict[tuple[str, str], tuple[int, dict[str, str], Any]],
             calls: list[tuple[str, str, Any]]) -> AuditRecorder:
    recorder = AuditRecorder(tmp_path)
    client = Client(recorder.wrap(api(routes)))
    for method, path, body in calls:
        client.open(path, method=method, json=body)
    return recorder


SESSIONS = {("POST", "/v1/sessions"): (200, {}, {"access_token": TOKEN, "refresh_token": "r" * 40})}


def test_a_token_in_the_answer_that_hands_it_out_is_no_finding(tmp_path: Path) -> None:
    recorded(tmp_path, SESSIONS, [("POST", "/v1/sessions", {"office_code": "o", "username": "u",
                                                             "password": PASSWORD})])
    assert scan(tmp_path) == []


def test_a_token_or_password_in_any_other_answer_is_a_finding(tmp_path: Path) -> None:
    routes = {**SESSIONS, ("GET", "/v1/me"): (200, {}, {"username": "u", "debug": f"token {TOKEN}"}),
              ("POST", "/v1/password-resets/confirmation"): (422, {}, {"detail": f"'{PASSWORD}' is weak"})}
    recorded(tmp_path, routes, [("POST", "/v1/sessions", {"password": PASSWORD}), ("GET", "/v1/me", None),
                                ("POST", "/v1/password-resets/confirmation", {"new_password": PASSWORD})])
    found = {(f.secret.value, f.where) for f in scan(tmp_path)}
    assert found == {(TOKEN, "answer to GET /v1/me (200)"),
                     (PASSWORD, "answer to POST /v1/password-resets/confirmation (422)")}


def test_a_presigned_signature_may_only_be_in_its_own_upload_slot(tmp_path: Path) -> None:
    url = f"https://bucket.s3.eu-west-1.amazonaws.com/uploads/x?X-Amz-Signature={SIGNATURE}&X-Amz-Expires=900"
    routes = {("POST", "/v1/offices/o/administrations/a/documents"): (201, {}, {"upload": {"url": url}}),
              ("GET", "/v1/offices/o/documents/d"): (200, {}, {"filename": url})}
    recorded(tmp_path, routes, [("POST", "/v1/offices/o/administrations/a/documents", {"filename": "f.pdf"}),
                                ("GET", "/v1/offices/o/documents/d", None)])
    assert [(f.secret.value, f.where) for f in scan(tmp_path)] == [(SIGNATURE, "answer to GET /v1/offices/o/documents/d (200)")]


def test_every_log_line_is_searched_whatever_logged_it(tmp_path: Path) -> None:
    recorder = recorded(tmp_path, SESSIONS, [("POST", "/v1/sessions", {"password": PASSWORD})])
    recorder.start_logs()
    try:
        handler_logger.info("signed in", extra={"auth": f"Bearer {TOKEN}"})  # an extra field, not the message
        logging.getLogger("boekstuk_local.gateway").info("body password=%s", PASSWORD.replace(" ", "+"))
        logging.getLogger("botocore").debug("never recorded: below WARNING %s", PASSWORD)
    finally:
        recorder.stop_logs()
    handler_logger.info("after the run %s", PASSWORD)  # the recorder is gone
    found = sorted((f.secret.value, f.where) for f in scan(tmp_path))
    assert found == sorted([(TOKEN, "log line 1 (boekstuk)"), (PASSWORD, "log line 2 (boekstuk_local.gateway)")])


def test_table_items_and_stored_secrets_are_searched(tmp_path: Path) -> None:
    stored = Secret("exact-refresh-token-123456789", "Secrets Manager refresh_token")
    items = [{"pk": "OFFICE#o", "sk": "CONNECTION#c", "status": "verified"},
             {"pk": "OFFICE#o", "sk": "CONNECTION#d", "tokens": {"refresh": stored.value}}]
    (finding,) = scan(tmp_path, [stored], items)
    assert finding.where == "DynamoDB item OFFICE#o CONNECTION#d"


def test_a_six_digit_code_counts_only_as_a_whole_number() -> None:
    matcher = SecretMatcher([Secret("483920", "mailed code")])
    assert not list(matcher.find('{"at": 17334839201, "id": "a483920f-1c2d"}'))
    assert [secret.value for secret, _ in matcher.find('{"message": "code 483920 sent"}')] == ["483920"]
    assert [secret.value for secret, _ in matcher.find('{"code": "483920"}')] == ["483920"]
    # a timestamp's microseconds (a history item's sort key), or any decimal fraction, is no code
    assert not list(matcher.find('{"sk": "HIST#2026-12-14T09:01:08.483920+00:00#6596b049", "x": "1,483920"}'))
    assert [secret.value for secret, _ in matcher.find("your code. 483920")] == ["483920"]


def test_short_values_are_not_secrets_and_each_secret_is_reported_once() -> None:
    matcher = SecretMatcher([Secret("DEMO", "organisation"), Secret(PASSWORD, "a"), Secret(PASSWORD, "b")])
    assert [s.value for s in matcher.secrets] == [PASSWORD]
    assert len(list(matcher.find(f"{PASSWORD} {PASSWORD.replace(' ', '%20')}"))) == 1


def test_a_fuzzers_made_up_passwords_are_no_secrets_but_issued_tokens_still_are(tmp_path: Path) -> None:
    routes = {**SESSIONS, ("POST", "/v1/offices/o/connections"): (422, {}, {"detail": "Unknown package '000000000'"}),
              ("GET", "/v1/me"): (200, {}, {"debug": TOKEN})}
    recorded(tmp_path, routes, [("POST", "/v1/sessions", {"password": "000000000"}),
                                ("POST", "/v1/offices/o/connections", {"package": "000000000"}), ("GET", "/v1/me", None)])
    assert {f.secret.value for f in scan(tmp_path)} == {"000000000", TOKEN}
    assert {f.secret.value for f in scan(tmp_path, request_fields=False)} == {TOKEN}


def test_only_the_codes_of_code_mails_are_secrets_not_an_invoice_number_in_an_approval_mail(tmp_path: Path) -> None:
    mail = {"messages": [{"subject": "Uw code voor een nieuw wachtwoord", "codes": ["482913"], "links": []},
                         {"subject": "Factuur 224677 wacht op uw goedkeuring", "codes": ["224677"], "links": []}]}
    routes = {("GET", "/_local/mail"): (200, {}, mail),
              ("GET", "/v1/me"): (200, {}, {"invoice_number": "224677", "debug": "482913"})}
    recorded(tmp_path, routes, [("GET", "/_local/mail", None), ("GET", "/v1/me", None)])
    assert {f.secret.value for f in scan(tmp_path)} == {"482913"}
