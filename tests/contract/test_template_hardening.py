"""template.yaml as an AWS account will run it: failures land somewhere (retries, a failed-events queue, alarms),
logs are kept for a while and not forever, data outlives the stack, and what the emulator forgives (TLS, CORS,
throttling, Cognito's threat protection, the recognizer) is set as AWS needs it. checkov (scripts/checkov.sh, run
in CI) checks the rest; each check it is told to skip carries its reason here in the template."""

from __future__ import annotations

from typing import Any

import pytest

from boekstuk_local.paths import project_root
from boekstuk_local.template import load_template_file

TEMPLATE = load_template_file(project_root() / "template.yaml")
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
FUNCTIONS = {k: v for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function"}
ASYNC_EVENTS = {"S3", "ScheduleV2", "Schedule", "EventBridgeRule", "CloudWatchEvent", "SNS"}


def props(logical_id: str) -> dict[str, Any]:
    return RESOURCES[logical_id].get("Properties") or {}


def invoked_asynchronously(function: dict[str, Any]) -> bool:
    events = (function.get("Properties") or {}).get("Events") or {}
    return any(event["Type"] in ASYNC_EVENTS for event in events.values())


def alarms() -> list[dict[str, Any]]:
    return [v["Properties"] for v in RESOURCES.values() if v["Type"] == "AWS::CloudWatch::Alarm"]


def metric_dimensions(alarm: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """``(namespace, metric, dimension value)`` of an alarm's metric(s)."""
    if "MetricName" in alarm:
        return [(alarm["Namespace"], alarm["MetricName"], d["Value"]) for d in alarm.get("Dimensions", [])]
    out = []
    for query in alarm.get("Metrics", []):
        metric = query.get("MetricStat", {}).get("Metric")
        if metric:
            out += [(metric["Namespace"], metric["MetricName"], d["Value"]) for d in metric.get("Dimensions", [])]
    return out


# --- failures land somewhere --------------------------------------------------------------------------------


def test_every_asynchronously_invoked_function_keeps_its_failed_events() -> None:
    """S3 and schedules invoke asynchronously: after Lambda's retries the event goes to the failed-events queue,
    never only into a log."""
    asynchronous = [k for k, v in FUNCTIONS.items() if invoked_asynchronously(v)]
    assert {"ProcessInvoiceFunction", "RemindApproversFunction", "PublishEventsFunction"} <= set(asynchronous)
    for logical_id in asynchronous:
        config = props(logical_id).get("EventInvokeConfig")
        assert config, f"{logical_id} has no EventInvokeConfig"
        assert config["MaximumRetryAttempts"] >= 1, logical_id
        on_failure = config["DestinationConfig"]["OnFailure"]
        assert on_failure == {"Type": "SQS", "Destination": {"Fn::GetAtt": ["FailedEventsQueue", "Arn"]}}, logical_id


def test_a_function_other_functions_invoke_asynchronously_keeps_its_failed_events_too() -> None:
    assert props("SyncSuppliersFunction")["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]["Type"] == "SQS"


def test_schedules_retry_and_keep_what_they_could_not_deliver() -> None:
    for logical_id, function in FUNCTIONS.items():
        for name, event in ((function.get("Properties") or {}).get("Events") or {}).items():
            if event["Type"] != "ScheduleV2":
                continue
            schedule = event["Properties"]
            assert schedule["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["FailedEventsQueue", "Arn"]}}, name
            assert schedule["RetryPolicy"]["MaximumRetryAttempts"] >= 1, f"{logical_id}.{name}"


def test_the_failed_events_queue_has_a_depth_alarm() -> None:
    depth = [a for a in alarms() if ("AWS/SQS", "ApproximateNumberOfMessagesVisible",
                                     {"Fn::GetAtt": ["FailedEventsQueue", "QueueName"]}) in metric_dimensions(a)]
    assert depth and depth[0]["Threshold"] <= 1 and depth[0]["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    assert props("FailedEventsQueue")["MessageRetentionPeriod"] == 1209600


def test_every_function_alarms_on_errors_and_throttles() -> None:
    watched: dict[str, set[str]] = {}
    for alarm in alarms():
        for namespace, metric, value in metric_dimensions(alarm):
            if namespace == "AWS/Lambda":
                watched.setdefault(value.get("Ref", ""), set()).add(metric)
    for logical_id in FUNCTIONS:
        assert watched.get(logical_id, set()) >= {"Errors", "Throttles"}, logical_id


def test_the_state_machine_alarms_on_failed_executions() -> None:
    metrics = {m for a in alarms() for ns, m, v in metric_dimensions(a)
               if ns == "AWS/States" and v == {"Ref": "ApprovalAndBookingStateMachine"}}
    assert {"ExecutionsFailed", "ExecutionsTimedOut"} <= metrics


def test_every_log_group_has_a_retention_and_every_function_logs_into_one() -> None:
    groups = {k: v["Properties"] for k, v in RESOURCES.items() if v["Type"] == "AWS::Logs::LogGroup"}
    assert {"FunctionsLogGroup", "StateMachineLogGroup", "ApiAccessLogGroup"} <= set(groups)
    for logical_id, group in groups.items():
        assert group.get("RetentionInDays") == {"Ref": "LogRetentionDays"}, logical_id
    logging = TEMPLATE["Globals"]["Function"]["LoggingConfig"]
    assert logging["LogGroup"] == {"Ref": "FunctionsLogGroup"}
    for logical_id in FUNCTIONS:
        assert "LoggingConfig" not in props(logical_id), f"{logical_id} logs elsewhere"


# --- data and transport ------------------------------------------------------------------------------------


@pytest.mark.parametrize("logical_id", ["Table", "IdempotencyTable", "DocumentsBucket", "UserPool"])
def test_data_outlives_the_stack(logical_id: str) -> None:
    resource = RESOURCES[logical_id]
    assert resource.get("DeletionPolicy") == "Retain" and resource.get("UpdateReplacePolicy") == "Retain"


def test_tables_and_the_user_pool_refuse_deletion() -> None:
    assert props("Table")["DeletionProtectionEnabled"] is True
    assert props("IdempotencyTable")["DeletionProtectionEnabled"] is True
    assert props("UserPool")["DeletionProtection"] == "ACTIVE"


def test_the_documents_bucket_is_versioned_and_tls_only() -> None:
    assert props("DocumentsBucket")["VersioningConfiguration"] == {"Status": "Enabled"}
    policies = [v["Properties"] for v in RESOURCES.values() if v["Type"] == "AWS::S3::BucketPolicy"
                and v["Properties"]["Bucket"] == {"Ref": "DocumentsBucket"}]
    statements = [s for p in policies for s in p["PolicyDocument"]["Statement"]]
    assert any(s["Effect"] == "Deny" and s["Principal"] == "*" and s["Action"] == "s3:*"
               and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements)


def test_documents_cors_allows_only_the_web_apps_origin() -> None:
    [rule] = props("DocumentsBucket")["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedOrigins"] == [{"Fn::GetAtt": ["WebAppUrlParameter", "Value"]}]


# --- the API and identity ------------------------------------------------------------------------------------


def test_the_api_stage_is_throttled_and_access_logged() -> None:
    api = props("Api")
    [settings] = api["MethodSettings"]
    assert settings["ResourcePath"] == "/*" and settings["HttpMethod"] == "*"
    assert 0 < settings["ThrottlingRateLimit"] <= settings["ThrottlingBurstLimit"]
    assert api["AccessLogSetting"]["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    assert "$context.requestId" in api["AccessLogSetting"]["Format"]


def test_cognito_audits_risky_sign_ins_and_offers_totp() -> None:
    pool = props("UserPool")
    assert pool["UserPoolAddOns"] == {"AdvancedSecurityMode": "AUDIT"}
    assert pool["MfaConfiguration"] == "OPTIONAL" and pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]


def test_aws_refuses_a_recognizer_the_layer_cannot_run() -> None:
    """The layer holds no OCR engine: a stack with Recognizer=local would end every scan unreadable."""
    [assertion] = TEMPLATE["Rules"]["RecognizerInAws"]["Assertions"]
    assert assertion["Assert"] == {"Fn::Equals": [{"Ref": "Recognizer"}, "textract"]}


# --- checkov's suppressions ----------------------------------------------------------------------------------


def test_every_checkov_suppression_says_why() -> None:
    skips = [(k, s) for k, v in RESOURCES.items() for s in (v.get("Metadata") or {}).get("checkov", {}).get("skip", [])]
    assert skips
    for logical_id, skip in skips:
        assert skip["id"].startswith("CKV_"), logical_id
        assert len(skip.get("comment", "").split()) >= 5, f"{logical_id} skips {skip['id']} without a reason"
