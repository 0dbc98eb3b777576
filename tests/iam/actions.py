"""What IAM checks for one API call: ``(action, resource ARN)`` pairs, as the service authorisation reference
documents them for the operations this system uses. An operation without a rule here fails the IAM test: add
its rule rather than let a call go unchecked."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Request = tuple[str, str]  # (IAM action, resource ARN or "*")

# Cognito's user-facing operations are authorised by the tokens and the app client, not by IAM.
_UNAUTHENTICATED = {
    ("cognito-idp", "InitiateAuth"), ("cognito-idp", "RespondToAuthChallenge"), ("cognito-idp", "RevokeToken"),
    ("cognito-idp", "GlobalSignOut"), ("cognito-idp", "GetUser"), ("cognito-idp", "ChangePassword"),
    ("sts", "GetCallerIdentity"),
}


class UnknownOperation(LookupError):
    """An operation the IAM test has no rule for."""


def requests_of(service: str, operation: str, params: dict[str, Any], *, region: str, account: str) -> list[Request]:
    """The IAM requests one call makes (empty for calls IAM does not authorise)."""
    if (service, operation) in _UNAUTHENTICATED:
        return []
    rule = _RULES.get(service)
    if rule is None:
        raise UnknownOperation(f"{service}.{operation}: no IAM rule in tests/iam/actions.py")
    return rule(operation, params, region, account)


def _table_arn(region: str, account: str, table: str) -> str:
    if table.startswith("arn:"):
        return table
    return f"arn:aws:dynamodb:{region}:{account}:table/{table}"


def _dynamodb(operation: str, params: dict[str, Any], region: str, account: str) -> list[Request]:
    if operation == "TransactWriteItems":
        kinds = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}
        out: list[Request] = []
        for item in params.get("TransactItems", []):
            for kind, action in kinds.items():
                if kind in item:
                    out.append((f"dynamodb:{action}", _table_arn(region, account, item[kind]["TableName"])))
        return out
    if operation == "TransactGetItems":
        return [("dynamodb:GetItem", _table_arn(region, account, i["Get"]["TableName"]))
                for i in params.get("TransactItems", [])]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [(f"dynamodb:{operation}", _table_arn(region, account, t)) for t in params.get("RequestItems", {})]
    arn = _table_arn(region, account, params["TableName"])
    if params.get("IndexName"):
        arn += f"/index/{params['IndexName']}"
    return [(f"dynamodb:{operation}", arn)]


def _s3(operation: str, params: dict[str, Any], region: str, account: str) -> list[Request]:
    bucket = params.get("Bucket", "")
    obj = f"arn:aws:s3:::{bucket}/{params.get('Key', '')}"
    versioned = bool(params.get("VersionId"))
    if operation in ("GetObject", "HeadObject"):
        return [("s3:GetObjectVersion" if versioned else "s3:GetObject", obj)]
    if operation in ("PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"):
        out = [("s3:PutObject", obj)]
        if params.get("Tagging"):
            out.append(("s3:PutObjectTagging", obj))
        if params.get("ACL"):
            out.append(("s3:PutObjectAcl", obj))
        return out
    if operation == "DeleteObject":
        return [("s3:DeleteObjectVersion" if versioned else "s3:DeleteObject", obj)]
    if operation == "CopyObject":
        source = params["CopySource"]
        if isinstance(source, dict):
            source = f"{source['Bucket']}/{source['Key']}"
        return [("s3:PutObject", obj), ("s3:GetObject", f"arn:aws:s3:::{str(source).lstrip('/').split('?')[0]}")]
    if operation in ("ListObjectsV2", "ListObjects", "HeadBucket"):
        return [("s3:ListBucket", f"arn:aws:s3:::{bucket}")]
    if operation == "ListObjectVersions":
        return [("s3:ListBucketVersions", f"arn:aws:s3:::{bucket}")]
    raise UnknownOperation(f"s3.{operation}: no IAM rule in tests/iam/actions.py")


def _ses(operation: str, params: dict[str, Any], region: str, account: str) -> list[Request]:
    if operation == "SendEmail":
        sender = str(params.get("FromEmailAddress", ""))
        # SES authorises the sending identity: the address, or its domain when only the domain is verified.
        return [("ses:SendEmail", f"arn:aws:ses:{region}:{account}:identity/{sender}")]
    raise UnknownOperation(f"sesv2.{operation}: no IAM rule in tests/iam/actions.py")


def _cognito(operation: str, params: dict[str, Any], region: str, account: str) -> list[Request]:
    return [(f"cognito-idp:{operation}", f"arn:aws:cognito-idp:{region}:{account}:userpool/{params['UserPoolId']}")]


def _secret_arn(region: str, account: str, name: str) -> str:
    # A secret's ARN ends in six random characters after its name; policies name secrets with a wildcard.
    return name if name.startswith("arn:") else f"arn:aws:secretsmanager:{region}:{account}:secret:{name}-AbCdEf"


def _secrets(operation: str, params: dict[str, Any], region: str, account: str) -> list[Request]:
    name = params.get("SecretId") or params.get("Name") or ""
    out = [(f"secretsmanager:{operation}", _secret_arn(region, account, name))]
    if operation == "CreateSecret" and params.get("Tags"):
        out.append(("secretsmanager:TagResource", _secret_arn(region, account, name)))
    return out


def _lambda(operation: str, params: dict[str, Any], region: str, account: str) -> list[Request]:
    name = str(params["FunctionName"])
    arn = name if name.startswith("arn:") else f"arn:aws:lambda:{region}:{account}:function:{name}"
    action = "lambda:InvokeFunction" if operation in ("Invoke", "InvokeAsync") else f"lambda:{operation}"
    return [(action, arn)]


def _states(operation: str, params: dict[str, Any], region: str, account: str) -> list[Request]:
    if operation in ("SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat"):
        return [(f"states:{operation}", "*")]  # task tokens are no IAM resource
    arn = params.get("stateMachineArn") or params.get("executionArn") or "*"
    return [(f"states:{operation}", str(arn))]


def _events(operation: str, params: dict[str, Any], region: str, account: str) -> list[Request]:
    if operation != "PutEvents":
        raise UnknownOperation(f"events.{operation}: no IAM rule in tests/iam/actions.py")
    buses = {str(entry.get("EventBusName") or "default") for entry in params.get("Entries", [])}
    return [("events:PutEvents", bus if bus.startswith("arn:") else f"arn:aws:events:{region}:{account}:event-bus/{bus}")
            for bus in sorted(buses)]


def _ssm(operation: str, params: dict[str, Any], region: str, account: str) -> list[Request]:
    name = str(params.get("Name", ""))
    return [(f"ssm:{operation}", f"arn:aws:ssm:{region}:{account}:parameter/{name.lstrip('/')}")]


def _textract(operation: str, params: dict[str, Any], region: str, account: str) -> list[Request]:
    out = [(f"textract:{operation}", "*")]  # Textract has no resource types
    location = (params.get("DocumentLocation") or params.get("Document") or {}).get("S3Object")
    if location:  # Textract reads the object with the caller's permissions
        out.append(("s3:GetObject", f"arn:aws:s3:::{location['Bucket']}/{location['Name']}"))
    return out


def _sqs(operation: str, params: dict[str, Any], region: str, account: str) -> list[Request]:
    url = str(params.get("QueueUrl", ""))
    name = url.rstrip("/").rsplit("/", 1)[-1]
    return [(f"sqs:{operation}", f"arn:aws:sqs:{region}:{account}:{name}")]


_RULES: dict[str, Callable[[str, dict[str, Any], str, str], list[Request]]] = {
    "dynamodb": _dynamodb,
    "s3": _s3,
    "sesv2": _ses,
    "cognito-idp": _cognito,
    "secretsmanager": _secrets,
    "lambda": _lambda,
    "stepfunctions": _states,
    "events": _events,
    "ssm": _ssm,
    "textract": _textract,
    "sqs": _sqs,
}


def describe(request: Request) -> str:
    """``action on resource`` for messages."""
    return json.dumps(request[0]) + " on " + request[1]
