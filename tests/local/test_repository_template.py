"""The repository's own template.yaml provisions locally (a contract check; no handler of it runs here)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from boekstuk_local.gateway import Gateway
from boekstuk_local.pytest_plugin import boekstuk_aws  # noqa: F401 - the fixture under test
from boekstuk_local.testing import LOCAL_PARAMETERS, LocalAws, default_template, local_aws

from .conftest import TEMPLATE


def test_repository_template_provisions_every_declared_resource(boekstuk_aws: LocalAws) -> None:  # noqa: F811
    prov = boekstuk_aws.provisioned
    app = prov.app
    assert default_template().parent == Path(__file__).resolve().parents[2]
    assert set(prov.functions) == set(app.functions)
    assert set(prov.tables) == set(app.of_type("AWS::DynamoDB::Table"))
    assert set(prov.buckets) == set(app.of_type("AWS::S3::Bucket"))
    assert set(prov.state_machines) == set(app.of_type("AWS::Serverless::StateMachine"))
    for fn in prov.functions.values():
        assert fn.module and fn.module.startswith("functions."), fn.module
    # the template's own values reach the handlers, with the local ones on top
    env = prov.environment
    assert env["TABLE_NAME"] in prov.tables.values()
    assert env["STATE_MACHINE_ARN"] in prov.state_machines.values()
    assert env["BOEKSTUK_LOCAL"] == "1"
    if "Recognizer" in (app.template.get("Parameters") or {}):
        assert env["RECOGNIZER"] == LOCAL_PARAMETERS["Recognizer"]
    for trigger in app.s3_triggers:
        assert trigger.bucket in prov.buckets


def _web_client(tmp_path: Path) -> Iterator[Any]:
    from werkzeug.test import Client

    web = tmp_path / "web"
    (web / "js").mkdir(parents=True)
    (web / "index.html").write_text("<h1>boekstuk web</h1>")
    (web / "js" / "main.js").write_text("export {};")
    (web / "vendor.mjs").write_text("export {};")
    (web / ".hidden").write_text("secret")
    (tmp_path / "outside.txt").write_text("outside")
    (tmp_path / "outside").write_text("outside")
    with local_aws(TEMPLATE) as harness:
        yield Client(Gateway(harness.provisioned, web_dir=web))


@pytest.fixture()
def web_client(tmp_path: Path) -> Iterator[Any]:
    yield from _web_client(tmp_path)


def test_web_app_is_served_at_the_root_with_the_production_security_headers(web_client: Any) -> None:
    # The issue moves the web app from /app/ to / (the local info page moves to /_local/).
    page = web_client.get("/")
    assert page.status_code == 200 and b"boekstuk web" in page.data
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    csp = page.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:",
                      "worker-src 'self' blob:", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp, csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert web_client.get("/js/main.js").headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert web_client.get("/vendor.mjs").headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert web_client.get("/v1/health").status_code == 200  # the API is still served next to it
    assert web_client.get("/_local/").status_code == 200 and b"/_local/mail" in web_client.get("/_local/").data


def test_web_app_answers_e_mail_links_with_index_and_refuses_what_is_not_in_web(web_client: Any) -> None:
    # The e-mails link to /activate?token=... and /documents/<id>: the app maps them to its hash routes.
    for path in ("/activate?token=abc", "/documents/123"):
        answer = web_client.get(path)
        assert answer.status_code == 200 and b"boekstuk web" in answer.data, path
    for path in ("/missing.js", "/.hidden", "/../outside.txt", "/%2e%2e/outside.txt", "/js/../../outside.txt",
                 "/../outside", "/config.json"):
        answer = web_client.get(path)
        assert answer.status_code == 404, (path, answer.status_code)
        assert b"outside" not in answer.data and b"secret" not in answer.data, path
    assert b"root:" not in web_client.get("//etc/passwd").data  # an absolute path stays inside web/ (index.html)
    assert web_client.post("/index.html").status_code in (403, 404, 405)  # only GET and HEAD are static


def test_harness_sets_and_then_restores_the_environment() -> None:
    import os

    before = os.environ.get("TABLE_NAME")
    with local_aws(TEMPLATE) as harness:
        assert os.environ["TABLE_NAME"] == harness.provisioned.tables["Table"]
        assert os.environ["BOEKSTUK_LOCAL"] == "1"
    assert os.environ.get("TABLE_NAME") == before


def test_module_level_helpers_use_the_open_harness() -> None:
    import pytest

    from boekstuk_local import testing

    with pytest.raises(RuntimeError, match="no local_aws"):
        testing.api_call("GET", "/v1/health")
    with local_aws(TEMPLATE) as harness:
        assert testing.current() is harness
        token = testing.access_token("kees", "a long password 1")
        status, _, body = testing.api_call("GET", "/v1/items/9", token=token)
        assert status == 200 and body["claims"]["username"] == "kees"
        assert testing.fire_schedule("ScheduledFunction") == {"ok": True}


def test_snapshot_skips_secrets_scheduled_for_deletion() -> None:
    from boekstuk_local import persistence

    with local_aws(TEMPLATE) as harness:
        sm = harness.client("secretsmanager")
        sm.create_secret(Name="boekstuk_local/live", SecretString="1")
        sm.create_secret(Name="boekstuk_local/gone", SecretString="2")
        sm.delete_secret(SecretId="boekstuk_local/gone", RecoveryWindowInDays=7)
        data = persistence.snapshot(harness.provisioned)
        assert [s["name"] for s in data["secrets"]] == ["boekstuk_local/live"]
