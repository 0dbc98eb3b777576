"""Test handler: echoes what API Gateway handed it."""

import json
import threading

RELEASE = threading.Event()  # a "/slow" request waits here until the test releases it


def lambda_handler(event, context):
    if event["path"].endswith("/boom"):
        raise RuntimeError("boom")
    if event["path"].endswith("/slow"):
        RELEASE.wait(10)
    body = {
        "resource": event["resource"],
        "path": event["path"],
        "method": event["httpMethod"],
        "path_params": event["pathParameters"],
        "query": event["queryStringParameters"],
        "multi_query": event["multiValueQueryStringParameters"],
        "claims": (event["requestContext"].get("authorizer") or {}).get("claims"),
        "body": event["body"],
        "base64": event["isBase64Encoded"],
        "request_id": event["requestContext"]["requestId"],
        "source_ip": event["requestContext"]["identity"]["sourceIp"],
        "function": context.function_name,
        "header_x": event["headers"].get("X-Test") or event["headers"].get("x-test"),
    }
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "multiValueHeaders": {"X-Multi": ["a", "b"]}, "body": json.dumps(body)}
