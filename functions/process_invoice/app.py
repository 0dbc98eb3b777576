"""S3 ObjectCreated (API uploads and the inbox/ drop) -> recognise -> propose -> start the workflow."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import S3Event
from aws_lambda_powertools.utilities.typing import LambdaContext

from boekstuk.bootstrap import services
from boekstuk.observability import logger, metrics, tracer
from boekstuk.services.documents import decode_s3_key


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    results = []
    for record in S3Event(event).records:
        obj = record.s3.get_object
        # Keys arrive URL-encoded (AWS: spaces as '+'; moto also encodes '/'): decode exactly once.
        key = decode_s3_key(obj.raw_event["key"])
        # A versioned bucket names the object's version: the intake reads exactly that one.
        results.append(services().idempotent_intake(
            {"bucket": record.s3.bucket.name, "key": key, "size": obj.size or 0, "etag": obj.etag or "",
             "version_id": obj.version_id}, context))
    return {"results": results}
