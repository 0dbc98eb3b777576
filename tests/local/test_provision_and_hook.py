"""provision.py + lambda_hook.py under mock_aws: what the template declares exists, handlers really run."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from boekstuk_local.provision import provision
from boekstuk_local.template import SamApp, TemplateError, load_yaml
from boekstuk_local.testing import LocalAws, local_aws

from .conftest import TEMPLATE


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    """One harness for the module: each test writes only rows, objects and executions of its own."""
    with local_aws(TEMPLATE) as harness:
        yield harness


def test_tables_with_gsi_and_ttl(aws: LocalAws) -> None:
    ddb = aws.client("dynamodb")
    name = aws.provisioned.tables["Table"]
    table = ddb.describe_table(TableName=name)["Table"]
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "sk"]
    assert [g["IndexName"] for g in table["GlobalSecondaryIndexes"]] == ["gsi1"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")


def test_bucket_notification_pool_client_identity_and_conditions(aws: LocalAws) -> None:
    s3 = aws.client("s3")
    buckets = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert buckets == [aws.provisioned.buckets["DocumentsBucket"]]  # ProdOnlyBucket's condition is false
    config = s3.get_bucket_notification_configuration(Bucket=buckets[0])["LambdaFunctionConfigurations"]
    assert len(config) == 1
    assert config[0]["LambdaFunctionArn"].endswith(":function:S3Function")
    assert config[0]["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "inbox/"}]

    idp = aws.client("cognito-idp")
    pool_id = aws.provisioned.user_pools["UserPool"]
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Name"] == "boekstuk-local-users"
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    assert any(a["Name"] == "custom:office_code" for a in pool["SchemaAttributes"])
    _, client_id = aws.provisioned.user_pool_clients["UserPoolClient"]
    client = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert "ALLOW_USER_PASSWORD_AUTH" in client["ExplicitAuthFlows"]

    identities = aws.client("sesv2").list_email_identities()["EmailIdentities"]
    assert [i["IdentityName"] for i in identities] == ["boekstuk.test"]


def test_state_machine_definition_substituted_and_env_resolved(aws: LocalAws) -> None:
    arn = aws.provisioned.state_machines["Flow"]
    definition = json.loads(aws.client("stepfunctions").describe_state_machine(stateMachineArn=arn)["definition"])
    assert definition["States"]["Work"]["Parameters"]["FunctionName"] == (
        "arn:aws:lambda:eu-west-1:123456789012:function:TaskFunction")
    env = aws.client("lambda").get_function_configuration(FunctionName="ApiFunction")["Environment"]["Variables"]
    assert env["TABLE_NAME"] == aws.provisioned.tables["Table"]
    assert env["USER_POOL_ID"] == aws.provisioned.user_pools["UserPool"]
    assert env["STATE_MACHINE_ARN"] == arn
    assert env["STAGE_LABEL"] == "local-eu-west-1"
    assert env["MAX_RETRIES"] == "3"
    assert env["TABLE_PART"] == "table/boekstuk-local-Table"
    assert env["JOINED"] == "a/local/local-${Literal}"
    # the merged process environment has the locals' own variables too
    assert aws.environment["BOEKSTUK_LOCAL"] == "1" and aws.environment["TASK_ONLY"] == "yes"


def test_lambda_invoke_runs_the_handler_and_reports_errors_by_class_name(aws: LocalAws) -> None:
    lam = aws.client("lambda")
    ok = lam.invoke(FunctionName="TaskFunction", Payload=json.dumps({"id": uuid.uuid4().hex}))
    assert "FunctionError" not in ok
    assert json.loads(ok["Payload"].read()) | {"id": "-"} == {"id": "-", "attempts": 1, "task_only": "yes"}
    failed = lam.invoke(FunctionName="TaskFunction", Payload=json.dumps({"refuse": True}))
    assert failed["FunctionError"] == "Handled"
    error = json.loads(failed["Payload"].read())
    assert error["errorType"] == "BookingRefused" and error["errorMessage"] == "package said no"


def test_s3_put_triggers_the_handler_with_the_prefix_filter(aws: LocalAws) -> None:
    s3 = aws.client("s3")
    bucket = aws.provisioned.buckets["DocumentsBucket"]
    s3.put_object(Bucket=bucket, Key="inbox/devries/my invoice.pdf", Body=b"%PDF-1.4")
    s3.put_object(Bucket=bucket, Key="other/ignored.pdf", Body=b"%PDF-1.4")
    items = aws.client("dynamodb").scan(TableName=aws.provisioned.tables["Table"])["Items"]
    assert [(i["sk"]["S"], i["bucket"]["S"]) for i in items if i["pk"]["S"] == "s3"] == [
        ("inbox/devries/my invoice.pdf", bucket)]


def _run(aws: LocalAws, payload: dict[str, Any]) -> dict[str, Any]:
    sfn = aws.client("stepfunctions")
    arn = sfn.start_execution(stateMachineArn=aws.provisioned.state_machines["Flow"], name=uuid.uuid4().hex,
                              input=json.dumps(payload))["executionArn"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return dict(described)
        time.sleep(0.05)
    raise AssertionError("execution did not finish")


def test_state_machine_task_retries_a_custom_error_then_succeeds(aws: LocalAws) -> None:
    run_id = uuid.uuid4().hex
    done = _run(aws, {"id": run_id, "fail_times": 1})
    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"]) == {"id": run_id, "attempts": 2, "task_only": "yes"}


def test_state_machine_catches_a_custom_error_name(aws: LocalAws) -> None:
    done = _run(aws, {"id": uuid.uuid4().hex, "refuse": True})
    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"]) == {"status": "refused", "error": "BookingRefused"}


def test_conflicting_environment_values_are_refused(tmp_path: Path) -> None:
    text = """
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: a/, Handler: app.h, Environment: {Variables: {MODE: one}}}
  B:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: b/, Handler: app.h, Environment: {Variables: {MODE: two}}}
"""
    template = tmp_path / "template.yaml"
    template.write_text(text)
    from moto import mock_aws

    with mock_aws(), pytest.raises(TemplateError, match="MODE differs between A"):
        provision(SamApp(load_yaml(text), template))


def test_what_x_ray_patches_may_differ_per_function_and_stays_out_of_the_local_environment(tmp_path: Path) -> None:
    """Tracing is off locally, so ``TRACED_LIBRARIES`` means nothing there; it may differ per function in AWS."""
    text = """
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: a/, Handler: app.h, Environment: {Variables: {MODE: one, TRACED_LIBRARIES: botocore}}}
  B:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: b/, Handler: app.h, Environment: {Variables: {TRACED_LIBRARIES: "botocore,requests"}}}
"""
    template = tmp_path / "template.yaml"
    template.write_text(text)
    from moto import mock_aws

    with mock_aws():
        environment = provision(SamApp(load_yaml(text), template)).environment
    assert environment["MODE"] == "one"
    assert "TRACED_LIBRARIES" not in environment


def test_unregistered_function_fails_like_a_broken_deployment() -> None:
    from boekstuk_local import lambda_hook

    result, exc, _ = lambda_hook.run_handler("nobody-registered-this", {})
    assert result is None and isinstance(exc, ImportError)


def test_event_invocations_finish_before_the_call_returns_in_the_harness(aws: LocalAws) -> None:
    import importlib

    task = importlib.import_module(aws.provisioned.functions["TaskFunction"].module.rsplit(".", 1)[0])
    run_id = uuid.uuid4().hex
    answer = aws.client("lambda").invoke(FunctionName="TaskFunction", InvocationType="Event",
                                         Payload=json.dumps({"id": run_id}))
    assert answer["StatusCode"] == 202
    assert task.ATTEMPTS[run_id] == 1  # deterministic for tests: no background thread here
