"""Least privilege, proven (tests/iam): every AWS call is allowed by its function's role, and every grant is used.

The per-call check runs inside every test (``tests.iam.plugin``). Here: proof that it catches a missing
permission (the two the template once lacked, on doctored templates), that the coverage check catches a
permission no code uses, and - after the whole suite ran (scripts/test.sh) - the coverage of the real template,
with its report (granted vs used per function) written to build/iam-report.md.
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any

import pytest

from boekstuk_local import lambda_hook
from boekstuk_local.template import load_template_file
from boekstuk_local.testing import default_template, local_aws
from tests.iam.check import Checker, coverage, merge_used
from tests.integration.conftest import PASSWORD, confirmed_token

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "build" / "iam-report.md"

ADAPTERS = ROOT / "layers/shared/boekstuk/adapters"
_TEXTRACT = ("the local stack reads documents with its own engines (Textract does not exist in the emulator)",
             ADAPTERS / "recognition/textract.py")
_STAGING = ("multi-page scans are staged for Textract's asynchronous API, which reads them with this role; "
            "the local stack has no Textract", ADAPTERS / "recognition/chain.py")
_WEB_APP_URL = ("the local stack sets WebAppUrl, so no function reads the parameter; in AWS, with WebAppUrl empty, "
                "each reads it once per cold start", ADAPTERS / "ssm.py")
_REFRESH = ("a package's OAuth token refreshed during this function's package call is stored again; the tests refresh "
            "tokens through other functions (tests/integration/test_token_refresh.py)", ADAPTERS / "secrets.py")
_DESTINATION = ("Lambda sends a failed asynchronous event to the on-failure destination with the function's role; "
                "the local stack neither retries asynchronous invocations nor delivers to destinations", None)
_LOG_DELIVERY = ("Step Functions delivers the execution log with these (the service's own calls on the state "
                 "machine's role, not a task's)", None)
_OUTBOX = ("the outbox holds only events a request could not publish; no local run makes EventBridge fail",
           ADAPTERS / "eventbridge.py")
# Grants no local run can use, each with the reason it is still needed in AWS and the file that makes the call (the
# test below checks that it does, by the operation's name or the text given; None: the service makes it, not the
# code).
EXEMPT: dict[tuple[str, str], tuple[str, Path | tuple[Path, str] | None]] = {
    **{("ProcessInvoiceFunction", f"textract:{op}"): _TEXTRACT
       for op in ("AnalyzeExpense", "DetectDocumentText", "StartExpenseAnalysis", "GetExpenseAnalysis",
                  "StartDocumentTextDetection", "GetDocumentTextDetection")},
    ("ProcessInvoiceFunction", "s3:PutObject@textract-staging"): _STAGING,
    ("ProcessInvoiceFunction", "s3:GetObject@textract-staging"): (
        "Textract's asynchronous API reads the staged scan with the caller's permissions", None),
    ("ProcessInvoiceFunction", "s3:GetObjectVersion"): (
        "in AWS the versioned bucket's events name the object's version, and reading a version is "
        "s3:GetObjectVersion; the local stack's S3 events carry no versionId", (ADAPTERS / "s3.py", "VersionId")),
    ("ProcessInvoiceFunction", "dynamodb:GetItem@IdempotencyTable"): (
        "Powertools idempotency reads the record its conditional put found (an event delivered while its first "
        "delivery still runs)", None),
    ("MailInFunction", "dynamodb:GetItem@IdempotencyTable"): (
        "Powertools idempotency reads the record its conditional put found (a message SES delivered again while its "
        "first delivery still runs)", None),
    ("MailInFunction", "dynamodb:DeleteItem@IdempotencyTable"): (
        "Powertools idempotency deletes the record of a delivery that failed, so SES's retry runs it again; no test "
        "makes the mail intake fail after it started", None),
    **{(f, "ssm:GetParameter"): _WEB_APP_URL
       for f in ("ActivateFunction", "ApprovalsFunction", "DocumentsFunction", "LinkPackageFunction",
                 "RemindApproversFunction", "RequestApprovalFunction", "SessionsFunction", "SignupFunction")},
    **{(f, "secretsmanager:PutSecretValue"): _REFRESH
       for f in ("AddAdministrationsFunction", "BookFunction", "DocumentsFunction", "ProcessInvoiceFunction",
                 "SyncSuppliersFunction")},
    ("DocumentsFunction", "secretsmanager:GetSecretValue"): (
        "a proposal edit naming a GL account the synced cache lacks asks the package itself; the tests' edits use "
        "synced accounts", ADAPTERS / "secrets.py"),
    ("DocumentsFunction", "events:PutEvents"): (
        "an edit that changes a document's status publishes it; the tests' edits keep the status",
        ADAPTERS / "eventbridge.py"),
    ("LinkPackageFunction", "secretsmanager:GetSecretValue"): (
        "the package-apps secret; the local stack passes the apps in PACKAGE_APPS", ADAPTERS / "secrets.py"),
    ("UsersFunction", "cognito-idp:AdminDeleteUser"): (
        "deletes the Cognito user again when the user's row cannot be stored (a race on the username)",
        ADAPTERS / "cognito.py"),
    ("PublishEventsFunction", "events:PutEvents"): _OUTBOX,
    ("PublishEventsFunction", "dynamodb:BatchWriteItem"): (_OUTBOX[0], (ADAPTERS / "dynamodb_events.py", "batch_writer")),
    **{(f, "sqs:SendMessage"): _DESTINATION
       for f in ("MailInFunction", "ProcessInvoiceFunction", "PublishEventsFunction", "RemindApproversFunction",
                 "SyncSuppliersFunction")},
    **{("ApprovalAndBookingStateMachine", action): _LOG_DELIVERY
       for action in ("logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
                      "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
                      "logs:DescribeResourcePolicies", "logs:DescribeLogGroups")},
}
REASONS = {key: reason for key, (reason, _caller) in EXEMPT.items()}


def _template() -> dict[str, Any]:
    return copy.deepcopy(load_template_file(default_template()))


def _without(template: dict[str, Any], function: str, action: str) -> dict[str, Any]:
    """``template`` with every statement of ``function``'s inline policies that grants ``action`` removed."""
    props = template["Resources"][function]["Properties"]
    for policy in props.get("Policies", []):
        if isinstance(policy, dict) and "Statement" in policy:
            policy["Statement"] = [s for s in policy["Statement"] if action not in repr(s.get("Action"))]
    return template


def test_activation_mail_is_denied_without_ses_permission() -> None:
    with local_aws() as aws:
        lambda_hook.recorded_calls()
        token = confirmed_token(aws, "iam-activation@example.nl")
        status, _, body = aws.api_call("POST", "/v1/activations", {"activation_token": token, "office_code": "iamtest",
                                                                    "username": "sync", "password": PASSWORD})
        assert status == 201, body
        calls = [c for c in lambda_hook.recorded_calls() if c.principal == "ActivateFunction"]
    assert any(c.service == "sesv2" for c in calls), "activation sends the welcome mail"
    assert Checker().check(calls) == []
    doctored = _without(_template(), "ActivateFunction", "ses:SendEmail")
    violations = Checker(template=doctored).check(calls)
    assert [(v.principal, v.action) for v in violations] == [("ActivateFunction", "ses:SendEmail")]


def test_health_is_denied_without_a_table_policy() -> None:
    with local_aws() as aws:
        lambda_hook.recorded_calls()
        status, _, body = aws.api_call("GET", "/v1/health")
        assert status == 200, body
        calls = lambda_hook.recorded_calls()
    assert Checker().check(calls) == []
    doctored = _template()
    del doctored["Resources"]["ApiDocsFunction"]["Properties"]["Policies"]
    violations = Checker(template=doctored).check(calls)
    assert [(v.principal, v.action) for v in violations] == [("ApiDocsFunction", "dynamodb:GetItem")]


def test_a_permission_no_code_uses_fails_the_coverage() -> None:
    with local_aws() as aws:
        lambda_hook.recorded_calls()
        assert aws.api_call("GET", "/v1/health")[0] == 200
        checker = Checker()
        assert checker.check(lambda_hook.recorded_calls()) == []
    doctored = _template()
    doctored["Resources"]["ApiDocsFunction"]["Properties"]["Policies"].append(
        {"SESCrudPolicy": {"IdentityName": {"Ref": "SenderEmail"}}})
    found = coverage(doctored, checker.used, REASONS)
    unused = {(g.principal, g.action) for g in found.unused if g.principal == "ApiDocsFunction"}
    assert ("ApiDocsFunction", "ses:SendEmail") in unused
    assert ("ApiDocsFunction", "dynamodb:GetItem") not in unused


def test_exempted_permissions_are_called_by_the_code() -> None:
    """An exemption names a call the code makes on a path no local run reaches; a stale one must go."""
    for (_principal, action), (_reason, caller) in EXEMPT.items():
        if caller is None:
            continue  # the service's own call (log delivery, destinations) or a library's
        path, marker = caller if isinstance(caller, tuple) else (caller, None)
        operation = action.split(":")[1].split("@")[0]
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()
        text = path.read_text(encoding="utf-8")
        found = marker in text if marker else snake in text or operation in text
        assert found, f"{action}: {path.name} never calls {marker or snake}"


def test_every_granted_permission_is_used() -> None:
    """Run by scripts/test.sh after the whole suite, on the grants its processes used."""
    directory = os.environ.get("BOEKSTUK_IAM_COVERAGE_FROM")
    if not directory:
        pytest.skip("needs the whole suite's recording: scripts/test.sh runs it (BOEKSTUK_IAM_COVERAGE_FROM)")
    found = coverage(_template(), merge_used(Path(directory)), REASONS)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(found.report(), encoding="utf-8")
    unused = [f"{g.principal}: {g.action} on {g.resource} ({g.source})" for g in found.unused]
    assert not unused, f"granted but used by no code path (see {REPORT}):\n  " + "\n  ".join(unused)
