"""Test handler: records that its schedule fired."""

import os

import boto3


def lambda_handler(event, context):
    table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    table.put_item(Item={"pk": "schedule", "sk": event.get("id", "?"), "detail_type": event.get("detail-type", "")})
    return {"ok": True}
