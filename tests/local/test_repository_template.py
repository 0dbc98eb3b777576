"""The repository's own template.yaml provisions locally (a contract check; no handler of it runs here)."""

from __future__ import annotations

from pathlib import Path

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


def test_web_folder_is_served_under_app(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<h1>boekstuk web</h1>")
    from werkzeug.test import Client

    with local_aws(TEMPLATE) as harness:
        client = Client(Gateway(harness.provisioned, web_dir=tmp_path))
        page = client.get("/app/index.html")
        assert page.status_code == 200 and b"boekstuk web" in page.data
        assert b'href="/app/"' in client.get("/").data
        assert client.get("/v1/health").status_code == 200  # the API is still served next to it


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
