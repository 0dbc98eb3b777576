"""Test handler: records every S3 object it is told about in the table."""

import os
import urllib.parse

import boto3


def lambda_handler(event, context):
    table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    for record in event["Records"]:
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        table.put_item(Item={"pk": "s3", "sk": key, "bucket": record["s3"]["bucket"]["name"]})
    return {"seen": len(event["Records"])}
